from tests.droits import Url, gestionnaire_seulement


def _import(region):
    from imports.models import ImportFiness

    imp, _ = ImportFiness.objects.get_or_create(nom_fichier="matrice.csv", defaults={
        "statut": ImportFiness.Statut.TERMINE, "par": region.gestionnaire})
    return {"pk": imp.pk}


ATTENDUS = [
    gestionnaire_seulement("imports:liste"),
    # POST without a file: the gestionnaire gets the form back with its error (400), nothing started.
    Url("imports:lancer", 302, 403, 403, 403, 403, 400, methode="post"),
    gestionnaire_seulement("imports:detail", kwargs=_import),
    gestionnaire_seulement("imports:progression", kwargs=_import),
    gestionnaire_seulement("imports:rapport_csv", kwargs=_import),
]
