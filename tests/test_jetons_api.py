"""One API token service for every API: a token opens its own scope only, a revoked token
opens nothing, each use is recorded, and the tokens of before the merge keep working."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from disponibilites.models import Capacite
from repertoire.models import JetonApi, PorteeJeton
from repertoire.services import jetons_api
from socle.models import JournalAudit

pytestmark = pytest.mark.django_db

URL_LITS = "/disponibilites/api/v1/lits"
URL_FHIR = "/fhir/HealthcareService"


def _lits(client, clair, region):
    corps = {"disponibilites": [{"uo": region.uo_rea.pk, "statut": "02", "nombre": 3,
                                 "date_maj": timezone.now().isoformat()}]}
    return client.post(URL_LITS, data=json.dumps(corps), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {clair}")


def _fhir(client, clair):
    return client.get(URL_FHIR, HTTP_AUTHORIZATION=f"Bearer {clair}")


def test_un_jeton_n_ouvre_que_sa_portee(client, region):
    _, fhir = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "Santé.fr")
    _, lits = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.LITS, "Logiciel du CH", eg=region.ch)
    assert _fhir(client, fhir).status_code == 200
    assert _lits(client, lits, region).status_code == 200
    assert _fhir(client, lits).status_code == 401
    assert _lits(client, fhir, region).status_code == 401


def test_un_jeton_revoque_n_ouvre_plus_rien(client, region):
    jeton, clair = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.LITS, "Logiciel du CH", eg=region.ch)
    jetons_api.revoquer_jeton(region.gestionnaire, jeton)
    assert _lits(client, clair, region).status_code == 401
    assert (jeton.revoque_par, JetonApi.objects.get().actif) == (region.gestionnaire, False)
    assert list(JournalAudit.objects.filter(cible=f"jeton:{jeton.pk}").values_list("action", flat=True)
                .order_by("pk")) == ["jeton_api_cree", "jeton_api_revoque"]


def test_la_derniere_utilisation_est_notee(client, region):
    jeton, clair = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "SAS")
    assert jeton.utilise_le is None
    _fhir(client, clair)
    premiere = JetonApi.objects.get().utilise_le
    assert premiere is not None
    _fhir(client, clair)  # within the minute: not rewritten
    assert JetonApi.objects.get().utilise_le == premiere


@pytest.mark.parametrize("entete, clair", [
    (None, ""), ("", ""), ("Bearer", ""), ("Bearer  ", ""), ("Basic abc", ""), ("Token ror_x", ""),
    ("bearer ror_x", "ror_x"), ("Bearer  ror_x ", "ror_x"),
])
def test_un_seul_lecteur_de_l_en_tete_bearer(entete, clair):
    assert jetons_api.lire_bearer(entete) == clair


def test_seul_un_gestionnaire_cree_un_jeton_et_un_jeton_des_lits_vise_un_eg(region):
    with pytest.raises(PermissionDenied):
        jetons_api.creer_jeton(region.referent, PorteeJeton.FHIR, "Pirate")
    with pytest.raises(ValidationError):
        jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.LITS, "Sans établissement")
    with pytest.raises(ValidationError):
        jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.LITS, "Une unité", eg=region.uo_rea)
    assert not JetonApi.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_les_jetons_d_avant_la_fusion_restent_valables(client, region):
    """A database with tokens in disponibilites and interop: after the migrations, each token
    still opens its API, and the beds rows recorded by a token name its new record."""
    executor = MigrationExecutor(connection)
    executor.migrate([("disponibilites", "0001_initial"), ("interop", "0002_index_last_updated")])
    anciennes = MigrationExecutor(connection).loader.project_state(
        [("disponibilites", "0001_initial"), ("interop", "0002_index_last_updated")]).apps
    lits, fhir = "ror_ancien-jeton-des-lits", "ror_ancien-jeton-fhir"
    jeton_lits = anciennes.get_model("disponibilites", "JetonApi").objects.create(
        eg_id=region.ch.pk, libelle="Logiciel du CH", empreinte=jetons_api.empreinte(lits), prefixe=lits[:8])
    anciennes.get_model("interop", "JetonApi").objects.create(
        consommateur="ViaTrajectoire", empreinte=jetons_api.empreinte(fhir), prefixe=fhir[:12])
    Concept = anciennes.get_model("nomenclatures", "Concept")
    code = {jeu: Concept.objects.get(nomenclature__cle=jeu, code=valeur).pk
            for jeu, valeur in (("J187", "01"), ("R330", "02"), ("J189", "01"), ("J193", "02"))}
    anciennes.get_model("disponibilites", "Capacite").objects.create(  # a beds row the old token sent
        uo_id=region.uo_rea.pk, nature_id=code["J187"], statut_id=code["R330"], temporalite_id=code["J189"],
        source_id=code["J193"], nombre=2,
                                 date_maj=timezone.now(), jeton_id=jeton_lits.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    nouveau_lits = JetonApi.objects.get(portee=PorteeJeton.LITS)
    assert (nouveau_lits.eg, nouveau_lits.libelle) == (region.ch, "Logiciel du CH")
    assert Capacite.objects.get().jeton == nouveau_lits
    assert JetonApi.objects.get(portee=PorteeJeton.FHIR).libelle == "ViaTrajectoire"
    assert _lits(client, lits, region).status_code == 200
    assert _fhir(client, fhir).status_code == 200
    assert _fhir(client, lits).status_code == 401
    assert not MigrationExecutor(connection).migration_plan(executor.loader.graph.leaf_nodes())
