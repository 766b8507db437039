"""The upload page: a real Celery worker on Redis runs the import, the progress advances,
the report appears (page and CSV); refused files and refused users."""

import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.generateur import generer
from imports.models import ImportFiness
from repertoire.models import Structure
from tests.test_imports_finess import EN_TETE, geolocalisation, structureet

ECHANTILLON = Path(__file__).resolve().parent.parent / "fixtures" / "finess" / "sample_etalab_cs1100507_lines.csv"


def attendre_la_fin(client, imp, delai=120):
    """Poll the progress endpoint like the page's script does; return every answer seen."""
    vus = []
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        etat = client.get(reverse("imports:progression", args=[imp.pk])).json()
        vus.append(etat)
        if etat["fini"]:
            return vus
        time.sleep(0.05)
    raise AssertionError(f"import non terminé après {delai} s : {vus[-3:]}")


@pytest.mark.django_db(transaction=True)
def test_televersement_lance_la_tache_la_progression_avance_le_rapport_apparait(
        celery_worker, client, tmp_path):
    from tests.factories import construire_region

    assert celery_worker["broker"] == "redis"
    region = construire_region()  # the worker imports the default perimeter: Pays de la Loire
    chemin = tmp_path / "etalab-cs1100507-stock-test.csv"
    generer(chemin, departements={"44", "49", "53", "72", "85"}, nombre_eg=6000)
    client.force_login(region.gestionnaire)
    page = client.get(reverse("imports:liste"))
    assert "Lancer l'import" in page.content.decode()

    reponse = client.post(reverse("imports:lancer"), {
        "fichier": SimpleUploadedFile(chemin.name, chemin.read_bytes(), content_type="text/csv")})
    imp = ImportFiness.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == reverse("imports:detail", args=[imp.pk])
    en_cours = client.get(reponse["Location"]).content.decode()
    assert 'id="barre-progression"' in en_cours and "imports/js/progression.js" in en_cours

    vus = attendre_la_fin(client, imp)
    pourcentages = [v["progression"] for v in vus]
    assert any(0 < p < 100 for p in pourcentages), pourcentages
    assert pourcentages == sorted(pourcentages) and pourcentages[-1] == 100
    imp.refresh_from_db()
    assert imp.statut == ImportFiness.Statut.TERMINE, imp.erreur
    assert imp.tache and imp.nb_etablissements == 6000
    # The uploaded file is read once, then deleted: only the report stays.
    assert not imp.fichier and not [f for f in (tmp_path / "media").rglob("*") if f.is_file()]
    assert Structure.objects.filter(niveau="EG", finess__startswith="44").exists()

    rapport = client.get(reverse("imports:detail", args=[imp.pk])).content.decode()
    assert 'id="rapport"' in rapport and "barre-progression" not in rapport
    assert "Télécharger le rapport (CSV)" in rapport
    csv = client.get(reverse("imports:rapport_csv", args=[imp.pk])).getvalue().decode("utf-8-sig")
    assert csv.splitlines()[0] == "type;niveau;finess;nom;champ;avant;après"
    assert len(csv.splitlines()) == 1 + imp.changements.count()
    assert "CH CHOLET" in csv  # the factories' CH, absent from the file: closed and listed


@pytest.mark.django_db(transaction=True)
def test_fichier_refuse_affiche_la_ligne_et_le_motif(celery_worker, client):
    from tests.factories import construire_region

    region = construire_region()
    avant = Structure.objects.count()
    client.force_login(region.gestionnaire)
    contenu = "\n".join([EN_TETE, structureet(), structureet(nofinesset="490000099", categetab="999"),
                         geolocalisation("490000023")]).encode()
    reponse = client.post(reverse("imports:lancer"), {
        "fichier": SimpleUploadedFile("mauvais.csv", contenu, content_type="text/csv")})
    imp = ImportFiness.objects.get()
    attendre_la_fin(client, imp)
    page = client.get(reponse["Location"]).content.decode()
    assert "Import refusé : rien n'a été modifié" in page
    assert "Ligne 3 : catégorie d&#x27;établissement « 999 » inconnue" in page
    assert Structure.objects.count() == avant


@pytest.mark.django_db
def test_seul_le_gestionnaire_televerse_et_rien_n_est_lance_sinon(region, client):
    client.force_login(region.referent)
    reponse = client.post(reverse("imports:lancer"), {
        "fichier": SimpleUploadedFile("a.csv", ECHANTILLON.read_bytes(), content_type="text/csv")})
    assert reponse.status_code == 403 and not ImportFiness.objects.exists()


def _lignes(imp):
    return sorted(imp.changements.values_list("type", "niveau", "finess", "champ", "avant", "apres"))


@pytest.mark.django_db(transaction=True)
def test_un_fichier_partiel_s_arrete_a_l_apercu_qui_dit_exactement_ce_qui_changera(celery_worker, client, tmp_path):
    from repertoire.models import Etat
    from tests.factories import construire_region

    region = construire_region()  # Pays de la Loire: 5 départements
    chemin = tmp_path / "etalab-cs1100507-stock-loire-atlantique.csv"
    generer(chemin, departements={"44"}, nombre_eg=40)  # one département: the region's EG of 49 are absent
    client.force_login(region.gestionnaire)
    avant = list(Structure.objects.order_by("pk").values_list("pk", "etat", "version"))
    client.post(reverse("imports:lancer"), {
        "fichier": SimpleUploadedFile(chemin.name, chemin.read_bytes(), content_type="text/csv")})
    imp = ImportFiness.objects.get()
    attendre_la_fin(client, imp)
    imp.refresh_from_db()
    assert imp.statut == ImportFiness.Statut.A_CONFIRMER
    assert list(Structure.objects.order_by("pk").values_list("pk", "etat", "version")) == avant  # nothing written

    page = client.get(reverse("imports:detail", args=[imp.pk])).content.decode()
    assert "Aperçu : rien n'a encore été modifié" in page
    assert "ne couvre que 1 département(s) sur les 5 du périmètre (absents : 49, 53, 72, 85)" in page
    assert f"il fermerait {imp.nb_fermes} établissement(s)" in page and imp.nb_fermes == 2  # EHPAD and CH of 49
    # The page lists exactly the changes the import will make, each one.
    apercu = _lignes(imp)
    assert len(apercu) == imp.nb_changements == imp.changements.count() <= 100
    for type_, niveau, finess, champ, avant_, apres in apercu:
        assert finess in page
    assert page.count("<td>Fermé</td>") == 2 and "CH CHOLET" in page

    client.post(reverse("imports:confirmer", args=[imp.pk]))
    attendre_la_fin(client, imp)
    imp.refresh_from_db()
    assert imp.statut == ImportFiness.Statut.TERMINE and imp.confirme_par == region.gestionnaire
    assert _lignes(imp) == apercu  # exactly what the preview said
    assert Structure.objects.get(pk=region.ch.pk).etat == Etat.FERME
    assert Structure.objects.filter(niveau="EG", finess__startswith="44").count() == 40


@pytest.mark.django_db
def test_annuler_l_apercu_ne_change_rien(client, settings, tmp_path, region):
    from tests.test_imports_finess_json import STRUCTURES

    from imports.importer import importer_fichier

    settings.FINESS_DEPARTEMENTS = ["01", "38"]
    imp = importer_fichier(STRUCTURES)
    assert imp.statut == ImportFiness.Statut.A_CONFIRMER
    client.force_login(region.referent)
    assert client.post(reverse("imports:annuler", args=[imp.pk])).status_code == 403
    client.force_login(region.gestionnaire)
    client.post(reverse("imports:annuler", args=[imp.pk]))
    imp.refresh_from_db()
    assert imp.statut == ImportFiness.Statut.ANNULE and not Structure.objects.filter(finess__startswith="01").exists()
    assert "Import annulé : rien n'a été modifié" in client.get(reverse("imports:detail", args=[imp.pk])).content.decode()
    assert client.post(reverse("imports:confirmer", args=[imp.pk])).status_code == 403  # no longer waiting


@pytest.mark.django_db(transaction=True)
def test_televerser_les_deux_flux_json(celery_worker, client):
    from tests.factories import construire_region
    from tests.test_imports_finess_json import ACTIVITES, STRUCTURES

    region = construire_region()  # Pays de la Loire: the Ain sample covers none of its départements
    client.force_login(region.gestionnaire)
    assert "Flux FINESS activités (JSON, facultatif)" in client.get(reverse("imports:liste")).content.decode()
    client.post(reverse("imports:lancer"), {
        "fichier": SimpleUploadedFile(STRUCTURES.name, STRUCTURES.read_bytes(), content_type="application/json"),
        "fichier_activites": SimpleUploadedFile(ACTIVITES.name, ACTIVITES.read_bytes(),
                                                content_type="application/json")})
    imp = ImportFiness.objects.get()
    attendre_la_fin(client, imp)
    imp.refresh_from_db()
    assert (imp.statut, imp.format) == (ImportFiness.Statut.A_CONFIRMER, "structures + activites")
    page = client.get(reverse("imports:detail", args=[imp.pk])).content.decode()
    assert "ne couvre que 0 département(s) sur les 5 du périmètre" in page
    assert "ce fichier ne modifierait rien dans le périmètre" in page
