"""The Historique tab: who, when, which encadré, each field before → after (lists too), newest first."""

import pytest
from django.urls import reverse

from repertoire.historique import historique_de
from repertoire.services import encadres
from tests.factories import concept

pytestmark = pytest.mark.django_db


def test_historique_qui_quand_quel_encadre_avant_apres(client, region):
    uo = region.uo_hp
    encadres.modifier_encadre(region.referent, uo, "contacts", {"telephone": "02 41 11 22 33", "contacts": []},
                              version_attendue=uo.version)
    uo.refresh_from_db()
    encadres.modifier_encadre(region.directeur, uo, "activites",
                              {"activites": [concept("J17", "293"), concept("J17", "294")]},
                              version_attendue=uo.version)
    entrees = historique_de(uo)
    assert [e["encadre"] for e in entrees[:2]] == ["Activités opérationnelles", "Contacts"]  # newest first
    activites = entrees[0]["changements"][0]
    assert activites["libelle"] == "Activités opérationnelles"
    assert activites["ajouts_texte"] == concept("J17", "294").libelle
    assert concept("J17", "293").libelle in activites["avant_texte"]
    telephone = entrees[1]["changements"][0]
    assert (telephone["avant_texte"], telephone["apres_texte"]) == ("", "02 41 11 22 33")

    client.force_login(region.consultant)
    html = client.get(reverse("repertoire:historique", args=[uo.pk])).content.decode()
    assert html.index("Activités opérationnelles") < html.index("02 41 11 22 33")
    assert "referent" in html and "directeur" in html
    assert concept("J17", "294").libelle in html


def test_historique_du_planning_et_du_responsable(region):
    uo = region.uo_aj
    from datetime import time

    encadres.modifier_encadre(region.referent, uo, "planning", {"horaires": [(1, time(9), time(17))]},
                              version_attendue=uo.version)
    uo.refresh_from_db()
    encadres.modifier_encadre(region.referent, uo, "responsable",
                              {"responsable": {"civilite": None, "titre": "", "prenom": "Paul", "nom": "Martin",
                                               "email": "", "telephone": ""}},
                              version_attendue=uo.version)
    entrees = historique_de(uo)
    assert entrees[0]["encadre"] == "Responsable"
    assert any(c["apres_texte"] == "Martin" for c in entrees[0]["changements"])
    assert entrees[1]["encadre"] == "Planning"
    assert entrees[1]["changements"][0]["libelle"] == "Planning : Lundi"
    assert entrees[1]["changements"][0]["apres_texte"] == "09:00 – 17:00"


def test_un_contact_charge_en_masse_puis_modifie_montre_ses_valeurs_d_avant(region):
    """Contacts of a reprise or of the demo have no history record: their first change, made
    directly (the same service as a dossier's publication), still shows before → after."""
    from repertoire.models import Contact

    uo = region.uo_hp
    accueil, responsable = Contact.objects.bulk_create([
        Contact(structure=uo, libelle="Accueil", telephone="02 41 00 00 01", email="accueil@example.org"),
        Contact(structure=uo, est_responsable=True, prenom="Anne", nom="Martin", telephone="02 41 00 00 03")])
    encadres.modifier_encadre(region.referent, uo, "contacts", {"contacts": [
        {"id": accueil.pk, "libelle": "Accueil", "telephone": "02 41 00 00 01", "email": "contact@example.org"}]},
        version_attendue=uo.version)
    uo.refresh_from_db()
    encadres.modifier_encadre(region.referent, uo, "responsable", {"responsable": {
        "civilite": None, "titre": "", "prenom": "Anne", "nom": "Martin", "email": "", "telephone": "02 41 00 00 04"}},
        version_attendue=uo.version)
    assert set(Contact.objects.filter(structure=uo).values_list("pk", flat=True)) == {accueil.pk, responsable.pk}
    lignes = [(c["libelle"], c["avant_texte"], c["apres_texte"]) for e in historique_de(uo) for c in e["changements"]
              if c["libelle"].startswith(("Contact", "Responsable"))]
    assert lignes == [("Responsable « Anne Martin » : téléphone", "02 41 00 00 03", "02 41 00 00 04"),
                      ("Contact « Accueil » : adresse électronique", "accueil@example.org", "contact@example.org")]


def test_modifier_des_fiches_en_masse_un_nombre_fixe_de_requetes(region):
    """A publication writes thousands of fiches: validation reads what clean() needs with the rows
    (Structure.CHAMPS_DE_CLEAN), never one query per fiche for a field it forgot."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from repertoire.services import offre

    def requetes(fiches):
        with CaptureQueriesContext(connection) as capture:
            offre.modifier_structures(region.gestionnaire, [(f, {"commentaire": "Revu"}, {}) for f in fiches],
                                      raison="test")
        return len(capture.captured_queries)

    requetes([region.uo_hp])  # the column types of the bulk update, read once per process
    assert requetes([region.uo_hp]) == requetes([region.uo_hp, region.uo_aj, region.uo_rea, region.ch])
