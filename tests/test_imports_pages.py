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
    generer(chemin, departements={"44", "85"}, nombre_eg=6000)
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
