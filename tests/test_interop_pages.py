"""Pages of interop: open data without personal data, API tokens, sync dashboard, demo."""

import csv
import io
import json

import pytest
from django.utils.html import escape

from interop import opendata, viatrajectoire
from interop.models import ChangementSync, EtatSync, EtatSyncEG
from nomenclatures.models import Concept
from repertoire.models import Contact, JetonApi, Niveau
from repertoire.services import offre

pytestmark = pytest.mark.django_db


def _csv(client):
    opendata.produire()  # the nightly task's work
    reponse = client.get("/opendata/offre.csv")
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/csv")
    texte = b"".join(reponse.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(texte), delimiter=";"))


def test_opendata_csv_et_json_sans_donnee_personnelle(client, region):
    Contact.objects.create(structure=region.uo_rea, nom="Martin", prenom="Claire", telephone="06 12 34 56 78",
                           email="claire.martin@exemple.fr", est_responsable=True)
    offre.modifier_structure(None, region.ehpad, {"email": "direction.dupont@exemple.fr"}, raison="test")
    ferme = offre.creer_structure(None, Niveau.UO, region.ch, nom="Unité fermée", discipline="MCO")
    offre.fermer_structure(None, ferme, raison="test")
    lignes = _csv(client)
    assert list(lignes[0]) == opendata.NOMS_COLONNES
    rea = [l for l in lignes if l["uo_id"] == str(region.uo_rea.pk)][0]
    assert rea["eg_finess"] == "490000049" and rea["activites_codes"] == "127" and rea["lits_installes"] == "12"
    assert rea["latitude"] == "47.06" and rea["commune_insee"] == "49099"
    assert {l["uo_id"] for l in lignes} == {str(region.uo_hp.pk), str(region.uo_aj.pk), str(region.uo_rea.pk)}
    contenu = json.dumps(lignes, ensure_ascii=False)
    for personnel in ("Martin", "Claire", "06 12 34 56 78", "claire.martin", "dupont@"):
        assert personnel not in contenu
    donnees = json.loads(b"".join(client.get("/opendata/offre.json").streaming_content))
    assert [c["nom"] for c in donnees["colonnes"]] == opendata.NOMS_COLONNES
    assert len(donnees["donnees"]) == 3 and "Martin" not in json.dumps(donnees, ensure_ascii=False)


def test_opendata_ecrit_ligne_a_ligne_le_meme_contenu(region, settings, tmp_path, monkeypatch):
    """produire() writes each row as it is read, in one pass for both files, and the files are exactly
    what writing the whole rows at once gave (the CSV writer on the list, json.dump of the object)."""
    import weakref

    from socle.exports import ecrire_csv
    from tests.interop_aides import construire_region_generee

    construire_region_generee(nb_eg=6)
    settings.OPENDATA_DIR = str(tmp_path)
    rangs = list(opendata.lignes())
    assert len(rangs) >= 15 and any("|" in r["activites_codes"] for r in rangs)

    class Rang(dict):  # a row that says when it is gone (a dict takes no weak reference)
        pass

    suivis, vivants, lignes = [], [], opendata.lignes

    def lignes_suivies():
        for r in lignes():
            rang = Rang(r)
            suivis.append(weakref.ref(rang))
            vivants.append(sum(1 for ref in suivis if ref() is not None))
            yield rang

    monkeypatch.setattr(opendata, "lignes", lignes_suivies)
    assert opendata.produire() == len(rangs) == len(suivis)
    assert max(vivants) <= 3  # the rows already written are gone (holding them all: len(rangs))

    with open(opendata.chemin("csv"), encoding="utf-8", newline="") as f:
        produit_csv = f.read()
    attendu_csv = io.StringIO(newline="")
    ecrire_csv(attendu_csv, opendata.NOMS_COLONNES, ([r[n] for n in opendata.NOMS_COLONNES] for r in rangs))
    assert produit_csv == attendu_csv.getvalue()
    produit_json = opendata.chemin("json").read_text(encoding="utf-8")
    attendu_json = json.dumps({
        "titre": "Offre de santé et médico-sociale publiée dans le ROR",
        "licence": opendata.LICENCE,
        "genere_le": json.loads(produit_json)["genere_le"],
        "colonnes": [{"nom": c.nom, "description": c.description} for c in opendata.COLONNES],
        "donnees": rangs,
    }, ensure_ascii=False)
    assert produit_json == attendu_json
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(opendata.FICHIERS.values())  # no temporary left


def test_opendata_exclut_cabinets_et_medecine_de_ville(client, region):
    secteur = Concept.objects.filter(nomenclature__cle="J55", systeme=opendata.SYSTEME_CABINETS).first()
    offre.creer_structure(None, Niveau.EG, region.ej, nom="CABINET DU DR DURAND", categorie=secteur)
    offre.creer_structure(None, Niveau.UO, region.ehpad, nom="Consultation du Dr Petit", discipline="VIL")
    contenu = json.dumps(_csv(client), ensure_ascii=False)
    assert "DURAND" not in contenu and "Petit" not in contenu


def test_page_opendata_documente_les_colonnes(client, db):
    page = client.get("/opendata/").content.decode()
    for colonne in opendata.COLONNES:
        assert f"<code>{colonne.nom}</code>" in page and escape(colonne.description) in page


def test_gestionnaire_cree_et_revoque_un_jeton(client, region):
    client.force_login(region.gestionnaire)
    page = client.post("/interop/jetons/", {"consommateur": "ViaTrajectoire"}).content.decode()
    jeton = JetonApi.objects.get()
    clair = page.split('class="ror-jeton">')[1].split("<")[0]
    assert clair.startswith(jeton.prefixe) and clair not in client.get("/interop/jetons/").content.decode()
    assert client.get("/fhir/Organization", HTTP_AUTHORIZATION=f"Bearer {clair}").status_code == 200
    client.post(f"/interop/jetons/{jeton.pk}/revoquer/")
    assert client.get("/fhir/Organization", HTTP_AUTHORIZATION=f"Bearer {clair}").status_code == 401
    assert "révoqué" in client.get("/interop/jetons/").content.decode()


def test_jeton_sans_consommateur_refuse(client, region):
    client.force_login(region.gestionnaire)
    page = client.post("/interop/jetons/", {"consommateur": "  "}).content.decode()
    assert "Indiquez le nom du service consommateur" in page and not JetonApi.objects.exists()


def test_referent_ne_cree_pas_de_jeton(client, region):
    client.force_login(region.referent)
    assert client.post("/interop/jetons/", {"consommateur": "Pirate"}).status_code == 403
    assert not JetonApi.objects.exists()


def test_resynchroniser_depuis_le_tableau(client, region):
    client.force_login(region.gestionnaire)
    reponse = client.post(f"/interop/synchronisation/eg/{region.ehpad.pk}/resynchroniser/", follow=True)
    assert "fiche(s) renvoyée(s)" in reponse.content.decode()
    assert ChangementSync.objects.filter(eg_id=region.ehpad.pk, origine="resynchronisation").count() == 3
    assert EtatSyncEG.objects.get(eg=region.ehpad).etat == EtatSync.EN_ATTENTE
    page = client.get(f"/interop/synchronisation/eg/{region.ehpad.pk}/").content.decode()
    assert "ViaTrajectoire : En attente" in page and "Hébergement permanent" in page


def test_etat_eg_visible_par_un_consultant_sans_bouton(client, region):
    client.force_login(region.consultant)
    page = client.get(f"/interop/synchronisation/eg/{region.ch.pk}/").content.decode()
    assert "ViaTrajectoire : Jamais synchronisée" in page and "Resynchroniser" not in page
    assert client.post(f"/interop/synchronisation/eg/{region.ch.pk}/resynchroniser/").status_code == 403
    assert not ChangementSync.objects.exists()


def test_demo_idempotente(region):
    import io as _io

    from demo.interop import peupler_demo

    sortie = _io.StringIO()
    peupler_demo(sortie)
    peupler_demo(sortie)
    assert JetonApi.objects.count() == 1
    assert viatrajectoire.tableau_de_bord().perimetre == 2
    assert ChangementSync.objects.filter(etat="en_attente").exists()
