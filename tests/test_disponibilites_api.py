"""API for bed-management software: token per EG, many units per call, all or nothing, idempotent."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disponibilites.models import Capacite, SituationLits
from repertoire.models import JetonApi, PorteeJeton
from repertoire.services import jetons_api
from tests.factories import concept, unites_en_masse

pytestmark = pytest.mark.django_db

URL = "/disponibilites/api/v1/lits"


@pytest.fixture
def jeton(region):
    return jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.LITS, "Gestion des lits du CH", eg=region.ch)


def appeler(client, clair, corps):
    return client.post(URL, data=json.dumps(corps), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {clair}")


def maintenant_iso(**decalage):
    return (timezone.now() - timedelta(**decalage)).isoformat()


def test_url_de_l_api():
    assert reverse("disponibilites:api_lits") == URL


def test_seule_l_empreinte_du_jeton_est_conservee(jeton):
    objet, clair = jeton
    assert clair not in JetonApi.objects.values_list("empreinte", flat=True)[0]
    assert objet.prefixe == clair[:12]


def test_un_appel_met_a_jour_les_unites(client, region, jeton):
    _, clair = jeton
    reponse = appeler(client, clair, {"disponibilites": [
        {"uo": region.uo_rea.pk, "statut": "02", "nombre": 5, "date_maj": maintenant_iso(minutes=2)},
        {"uo": region.uo_rea.pk, "statut": "06", "nombre": 2, "date_maj": maintenant_iso(minutes=2)},
    ]})
    assert reponse.status_code == 200, reponse.content
    assert reponse.json() == {"enregistrees": 2, "deja_connues": 0, "unites": 1}
    situation = SituationLits.objects.get(uo=region.uo_rea)
    assert (situation.disponibles, situation.supplementaires, situation.source.code) == (5, 2, "02")
    assert Capacite.objects.filter(uo=region.uo_rea, jeton=jeton[0]).count() == 2


def test_le_meme_appel_rejoue_ne_change_rien(client, region, jeton):
    _, clair = jeton
    corps = {"disponibilites": [{"uo": region.uo_rea.pk, "statut": "02", "nombre": 5,
                                 "date_maj": maintenant_iso(minutes=2)}]}
    assert appeler(client, clair, corps).status_code == 200
    seconde = appeler(client, clair, corps)
    assert seconde.status_code == 200 and seconde.json()["deja_connues"] == 1
    assert Capacite.objects.count() == 1


@pytest.mark.parametrize("entete", ["", "Bearer ", "Bearer ror_faux", "Token x"])
def test_jeton_absent_ou_faux_401(client, region, jeton, entete):
    reponse = client.post(URL, data=json.dumps({"disponibilites": [
        {"uo": region.uo_rea.pk, "statut": "02", "nombre": 1, "date_maj": maintenant_iso()}]}),
        content_type="application/json", HTTP_AUTHORIZATION=entete)
    assert reponse.status_code == 401
    assert not Capacite.objects.exists()


def test_jeton_revoque_401(client, region, jeton):
    objet, clair = jeton
    jetons_api.revoquer_jeton(region.gestionnaire, objet)
    reponse = appeler(client, clair, {"disponibilites": [
        {"uo": region.uo_rea.pk, "statut": "02", "nombre": 1, "date_maj": maintenant_iso()}]})
    assert reponse.status_code == 401


def test_un_element_invalide_400_avec_la_raison_et_rien_d_applique(client, region, jeton):
    _, clair = jeton
    appeler(client, clair, {"disponibilites": [
        {"uo": region.uo_rea.pk, "statut": "02", "nombre": 3, "date_maj": maintenant_iso(hours=1)}]})
    avant = Capacite.objects.count()
    reponse = appeler(client, clair, {"disponibilites": [
        {"uo": region.uo_rea.pk, "statut": "02", "nombre": 4, "date_maj": maintenant_iso()},  # fine alone
        {"uo": region.uo_rea.pk, "statut": "99", "nombre": 1, "date_maj": maintenant_iso()},
        {"uo": region.uo_hp.pk, "statut": "02", "nombre": 1, "date_maj": maintenant_iso()},
        {"uo": region.uo_rea.pk, "statut": "03", "nombre": -2, "date_maj": maintenant_iso()},
        {"uo": region.uo_rea.pk, "statut": "03", "nombre": 2, "date_maj": "hier"},
        "pas un objet",
    ]})
    assert reponse.status_code == 400
    erreurs = {e["element"]: " ".join(e["raisons"]) for e in reponse.json()["erreurs"]}
    assert set(erreurs) == {1, 2, 3, 4, 5}
    assert "R330" in erreurs[1] and "non suivie" in erreurs[2] and "entier" in erreurs[3]
    assert "ISO 8601" in erreurs[4]
    assert Capacite.objects.count() == avant
    assert SituationLits.objects.get(uo=region.uo_rea).disponibles == 3


def test_plus_de_lits_que_la_capacite_400(client, region, jeton):
    _, clair = jeton
    reponse = appeler(client, clair, {"disponibilites": [
        {"uo": region.uo_rea.pk, "statut": "02", "nombre": 13, "date_maj": maintenant_iso()}]})
    assert reponse.status_code == 400
    assert "12 lits installés" in reponse.json()["erreurs"][0]["raisons"][0]
    assert not Capacite.objects.exists()


def test_corps_illisible_400(client, jeton):
    _, clair = jeton
    reponse = client.post(URL, data="{pas du json", content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {clair}")
    assert reponse.status_code == 400
    assert appeler(client, clair, {"autre": []}).status_code == 400
    assert appeler(client, clair, [1, 2]).status_code == 400


def test_un_jeton_ne_met_a_jour_que_son_etablissement(client, region):
    autre_eg = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.LITS, "Autre", eg=region.ehpad)[1]
    reponse = appeler(client, autre_eg, {"disponibilites": [
        {"uo": region.uo_rea.pk, "statut": "02", "nombre": 1, "date_maj": maintenant_iso()}]})
    assert reponse.status_code == 400
    assert "n'appartient pas" in reponse.json()["erreurs"][0]["raisons"][0]


def test_mille_unites_en_un_appel(client, region):
    unites = unites_en_masse("CHU DE TEST", 1000, concept("J17", "127"))
    _, clair = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.LITS, "Gestion des lits du CHU",
                                      eg=unites[0].eg)
    date = maintenant_iso(minutes=1)
    reponse = appeler(client, clair, {"disponibilites": [
        {"uo": uo.pk, "statut": "02", "nombre": i % 20, "date_maj": date, "source": "02"}
        for i, uo in enumerate(unites)]})
    assert reponse.status_code == 200, reponse.content[:500]
    assert reponse.json() == {"enregistrees": 1000, "deja_connues": 0, "unites": 1000}
    assert SituationLits.objects.filter(uo__in=unites).count() == 1000
    assert SituationLits.objects.get(uo=unites[7]).disponibles == 7
