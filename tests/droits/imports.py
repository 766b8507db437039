from tests.droits import Url, gestionnaire_seulement


def _import(region):
    from imports.models import ImportFiness

    imp, _ = ImportFiness.objects.get_or_create(nom_fichier="matrice.csv", defaults={
        "statut": ImportFiness.Statut.TERMINE, "par": region.gestionnaire})
    return {"pk": imp.pk}


def _apercu(region):
    from imports.models import ImportFiness

    imp, _ = ImportFiness.objects.get_or_create(nom_fichier="matrice-apercu.json", defaults={
        "statut": ImportFiness.Statut.A_CONFIRMER, "par": region.gestionnaire})
    return {"pk": imp.pk}


ATTENDUS = [
    gestionnaire_seulement("imports:liste"),
    # POST without a file: the gestionnaire gets the form back with its error (400), nothing started.
    Url("imports:lancer", 302, 403, 403, 403, 403, 400, methode="post"),
    gestionnaire_seulement("imports:detail", kwargs=_import),
    gestionnaire_seulement("imports:progression", kwargs=_import),
    gestionnaire_seulement("imports:rapport_csv", kwargs=_import),
    # Confirm / cancel a preview: only an import « À confirmer » can be; a finished one refuses everyone.
    Url("imports:confirmer", 302, 403, 403, 403, 403, 403, methode="post", kwargs=_import),
    Url("imports:annuler", 302, 403, 403, 403, 403, 302, methode="post", kwargs=_apercu),
]
