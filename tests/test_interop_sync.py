"""ViaTrajectoire synchronisation against a real HTTP server on 127.0.0.1 that accepts,
fails transiently (503, connection reset) and rejects (400); the Celery tests run a real
worker on Redis, one of them killed in the middle of a run."""

import os
import signal
import subprocess
import sys
import time

import pytest

from interop import viatrajectoire
from interop.models import ChangementSync, EtatChangement, EtatSync, EtatSyncEG
from repertoire.models import Niveau, Structure
from repertoire.services import offre
from tests.factories import concept
from tests.interop_aides import FauxViaTrajectoire, construire_region_generee, valider


@pytest.fixture
def vt(settings):
    with FauxViaTrajectoire() as serveur:
        settings.VIATRAJECTOIRE_URL = serveur.url
        settings.VIATRAJECTOIRE_TIMEOUT = 5
        yield serveur


def _etat(eg):
    return EtatSyncEG.objects.get(eg=eg)


def _ids(etat=None):
    qs = ChangementSync.objects.all()
    return {str(i) for i in (qs.filter(etat=etat) if etat else qs).values_list("id", flat=True)}


@pytest.mark.django_db
def test_collecte_idempotente_dans_le_perimetre(region):
    ajoutes = viatrajectoire.collecter_changements()
    assert ajoutes == ChangementSync.objects.count() > 0
    assert viatrajectoire.collecter_changements() == 0  # same history, nothing new
    # City medicine, and medico-social units for neither older nor disabled people, stay out.
    ville = offre.creer_structure(None, Niveau.UO, region.ehpad, nom="Consultation", discipline="VIL")
    addicto = offre.creer_structure(None, Niveau.UO, region.ehpad, nom="CSAPA", discipline="MSS",
                                    m2m={"publics": [concept("J29", "04")]})
    offre.modifier_structure(None, region.uo_aj, {"nom": "Accueil de jour Alzheimer"}, raison="test")
    assert viatrajectoire.collecter_changements() == 1
    assert not ChangementSync.objects.filter(structure_id__in=[ville.pk, addicto.pk]).exists()
    assert ChangementSync.objects.filter(structure_id=region.uo_aj.pk).count() == 2
    assert _etat(region.ehpad).etat == EtatSync.EN_ATTENTE


@pytest.mark.django_db
def test_envoi_accepte_puis_seulement_ce_qui_a_change(region, vt):
    viatrajectoire.collecter_changements()
    bilan = viatrajectoire.envoyer_en_attente()
    assert bilan.envoyes == ChangementSync.objects.count()
    assert set(vt.applique) == _ids(EtatChangement.ENVOYE) == _ids()
    for bundle in vt.applique.values():
        valider(bundle)  # every message is a valid FHIR transaction Bundle
    # A unit sends its offers (one per activity and mode; none here: the unit has no mode) and its place.
    rea = [b for b in vt.applique.values() if b["entry"][-1]["request"]["url"] == f"Location/{region.uo_rea.pk}"]
    assert rea and [e["request"]["method"] for e in rea[0]["entry"]] == ["PUT"]
    assert _etat(region.ehpad).etat == EtatSync.A_JOUR and _etat(region.ch).etat == EtatSync.A_JOUR
    deja = len(vt.recus)
    offre.modifier_structure(None, region.uo_rea, {"lits_installes": 14}, raison="Capacités")
    viatrajectoire.collecter_changements()
    assert _etat(region.ch).etat == EtatSync.EN_ATTENTE
    assert viatrajectoire.envoyer_en_attente().envoyes == 1
    dernier = vt.applique[vt.recus[-1]]
    assert len(vt.recus) == deja + 1 and dernier["entry"][-1]["resource"]["id"] == str(region.uo_rea.pk)
    capacite = [e for e in dernier["entry"][-1]["resource"]["extension"] if e["url"].endswith("supported-capacity")]
    assert [x["valueInteger"] for x in capacite[0]["extension"] if x["url"] == "nbCapacity"] == [14]
    assert _etat(region.ch).etat == EtatSync.A_JOUR


@pytest.mark.django_db
@pytest.mark.parametrize("panne,message", [("503", "HTTP 503"), ("reset", "Erreur réseau")])
def test_echec_transitoire_garde_le_changement_et_reprend(region, vt, panne, message):
    viatrajectoire.collecter_changements()
    vt.scenario = [panne]
    with pytest.raises(viatrajectoire.EchecTransitoire):
        viatrajectoire.envoyer_en_attente()
    premier = ChangementSync.objects.order_by("date_changement", "cle").first()
    assert premier.etat == EtatChangement.EN_ATTENTE and premier.tentatives == 1 and message in premier.derniere_erreur
    eg = region.ehpad if premier.eg_id == region.ehpad.pk else region.ch
    assert _etat(eg).etat == EtatSync.EN_ERREUR and message in _etat(eg).message
    viatrajectoire.envoyer_en_attente()
    assert set(vt.applique) == _ids() == _ids(EtatChangement.ENVOYE)
    assert _etat(eg).etat == EtatSync.A_JOUR and _etat(eg).message == ""


@pytest.mark.django_db
def test_rejet_4xx_puis_resynchronisation(region, vt):
    viatrajectoire.collecter_changements()
    vt.scenario = ["400"]
    bilan = viatrajectoire.envoyer_en_attente()  # a refusal does not stop the others
    assert bilan.rejetes == 1 and bilan.envoyes == ChangementSync.objects.count() - 1
    rejete = ChangementSync.objects.get(etat=EtatChangement.REJETE)
    eg = region.ehpad if rejete.eg_id == region.ehpad.pk else region.ch
    assert _etat(eg).etat == EtatSync.EN_ERREUR and "HTTP 400" in _etat(eg).message
    assert viatrajectoire.envoyer_en_attente().envoyes == 0  # not retried by itself
    n = viatrajectoire.resynchroniser_eg(region.gestionnaire, eg)
    assert n == ChangementSync.objects.filter(origine="resynchronisation").count() >= 2
    assert viatrajectoire.envoyer_en_attente().envoyes == n
    rejete.refresh_from_db()
    assert rejete.etat == EtatChangement.REMPLACE
    assert _etat(eg).etat == EtatSync.A_JOUR


@pytest.mark.django_db
def test_messages_par_lot_nombre_de_requetes_fixe(region, settings):
    """The messages of a batch of changes cost the same queries for 3 changes as for 30 and more: the
    structures are read and mapped once for the batch (one change at a time cost ~10 queries each)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    construire_region_generee(nb_eg=8)
    settings.VIATRAJECTOIRE_PROFIL_ACCES = 2  # sensitive units not visible: sent as deleted
    viatrajectoire.collecter_changements()
    ChangementSync.objects.filter(structure_id=region.uo_aj.pk).update(suppression=True)
    tous = list(ChangementSync.objects.order_by("date_changement", "cle"))
    petit = [next(c for c in tous if c.niveau == Niveau.EG and not c.suppression),
             next(c for c in tous if c.niveau == Niveau.UO and not c.suppression),
             next(c for c in tous if c.suppression)]
    assert len(tous) >= 30 and len({c.structure_id for c in tous}) >= 20, (len(tous), len({c.structure_id for c in tous}))

    def requetes(lot):
        with CaptureQueriesContext(connection) as capture:
            resultat = viatrajectoire.messages(lot)
        return len(capture), resultat

    requetes(petit)  # caches of the nomenclatures filled
    n_petit, _ = requetes(petit)
    n_tous, par_id = requetes(tous)
    assert n_tous == n_petit
    # Each message is the one the change gets alone, and the batch holds every kind of message.
    for changement in tous:
        assert par_id[changement.id] == viatrajectoire.message(changement)
    methodes = {(c.niveau, tuple(e["request"]["method"] for e in par_id[c.id]["entry"])) for c in tous}
    assert {(Niveau.EG, ("PUT",)), (Niveau.UO, ("DELETE", "DELETE"))} <= methodes
    assert any(n == Niveau.UO and m[-1] == "PUT" and len(m) > 1 for n, m in methodes)  # offers + place
    sensible = next(c for c in tous if c.niveau == Niveau.UO and not c.suppression
                    and c.structure_id in set(Structure.objects.filter(unite_sensible=True).values_list("pk", flat=True)))
    assert [e["request"]["method"] for e in par_id[sensible.id]["entry"]] == ["DELETE", "DELETE"]
    for bundle in par_id.values():
        valider(bundle)


@pytest.mark.django_db
def test_le_meme_changement_garde_le_meme_identifiant(region):
    viatrajectoire.collecter_changements()
    avant = _ids()
    ChangementSync.objects.all().delete()
    from interop.models import CurseurSync

    CurseurSync.objects.all().delete()
    viatrajectoire.collecter_changements()
    assert _ids() == avant  # ids derive from the history records, not from the run


def test_https_obligatoire(settings):
    settings.VIATRAJECTOIRE_URL = "http://viatrajectoire.example.fr/api"
    with pytest.raises(viatrajectoire.ConfigurationInvalide):
        viatrajectoire.url_destination()
    settings.VIATRAJECTOIRE_URL = "https://viatrajectoire.example.fr/api"
    assert viatrajectoire.url_destination() == settings.VIATRAJECTOIRE_URL


def test_backoff_exponentiel_plafonne(settings):
    settings.VIATRAJECTOIRE_BACKOFF_BASE, settings.VIATRAJECTOIRE_BACKOFF_MAX = 30, 3600
    assert [viatrajectoire.delai_backoff(n) for n in range(8)] == [30, 60, 120, 240, 480, 960, 1920, 3600]


@pytest.mark.django_db
def test_tableau_de_bord_taux_synchronise(region, vt, client):
    viatrajectoire.collecter_changements()
    vt.scenario = ["400"]
    viatrajectoire.envoyer_en_attente()
    tableau = viatrajectoire.tableau_de_bord()
    assert tableau.perimetre == 2 and tableau.taux == 50.0
    client.force_login(region.gestionnaire)
    page = client.get("/interop/synchronisation/").content.decode()
    assert 'id="taux-synchronise">50,0 %' in page and "HTTP 400" in page


# -- with a real Celery worker (Redis) -----------------------------------------------------------

@pytest.fixture
def vt_pour_worker(monkeypatch, settings):
    """The server, and the settings the worker process reads from its environment."""
    with FauxViaTrajectoire() as serveur:
        for nom, valeur in {"VIATRAJECTOIRE_URL": serveur.url, "VIATRAJECTOIRE_BACKOFF_BASE": "0.2",
                            "VIATRAJECTOIRE_BACKOFF_MAX": "1", "VIATRAJECTOIRE_TIMEOUT": "5"}.items():
            monkeypatch.setenv(nom, valeur)
            setattr(settings, nom, type(getattr(settings, nom))(valeur))
        yield serveur


@pytest.mark.django_db(transaction=True)
def test_tache_celery_reessaie_avec_backoff(vt_pour_worker, celery_worker, region):
    from interop.tasks import synchroniser_viatrajectoire

    vt_pour_worker.scenario = ["503", "reset", "503"]
    debut = time.monotonic()
    resultat = synchroniser_viatrajectoire.delay().get(timeout=90)
    assert resultat["envoyes"] == ChangementSync.objects.count() > 0
    assert vt_pour_worker.statuts[:4] == ["503", "reset", "503", "ok"]
    assert time.monotonic() - debut >= 0.2 + 0.4 + 0.8  # waited 0.2, 0.4, 0.8 s between tries
    assert set(vt_pour_worker.applique) == _ids(EtatChangement.ENVOYE) == _ids()
    assert ChangementSync.objects.order_by("date_changement", "cle").first().tentatives == 4
    assert "Retry in" in celery_worker["log"].read_text()


def _demarrer_worker(tmp_path, redis_url):
    from tests.conftest import BASE_DIR, _url_base_de_test

    env = {**os.environ, "DATABASE_URL": _url_base_de_test(), "REDIS_URL": redis_url,
           "CELERY_DATA_DIR": str(tmp_path / "celery2")}
    journal = open(tmp_path / "worker2.log", "w")
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "ror", "worker", "--pool=solo", "--without-gossip",
                             "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
                            cwd=BASE_DIR, env=env, stdout=journal, stderr=subprocess.STDOUT)


@pytest.mark.django_db(transaction=True)
def test_worker_tue_en_pleine_synchronisation_reprend_sans_perte_ni_doublon(
        vt_pour_worker, celery_worker, region, redis_url, tmp_path):
    from interop.tasks import synchroniser_viatrajectoire

    if not redis_url:
        pytest.skip("redis-server absent")
    construire_region_generee(nb_eg=6)
    viatrajectoire.collecter_changements()
    tous = _ids()
    assert len(tous) >= 20
    vt_pour_worker.delai = 0.3  # each delivery takes a while: the kill lands in the middle of one
    synchroniser_viatrajectoire.delay()
    limite = time.monotonic() + 60
    while len(vt_pour_worker.statuts) < 6 and time.monotonic() < limite:
        time.sleep(0.05)
    celery_worker["process"].send_signal(signal.SIGKILL)
    celery_worker["process"].wait(10)
    time.sleep(0.5)  # the request in flight reaches the server after its delay
    envoyes_avant = _ids(EtatChangement.ENVOYE)
    assert 0 < len(envoyes_avant) < len(tous)  # really killed in the middle
    assert envoyes_avant <= set(vt_pour_worker.applique)

    vt_pour_worker.delai = 0
    worker = _demarrer_worker(tmp_path, redis_url)
    try:
        resultat = synchroniser_viatrajectoire.delay().get(timeout=120)
    finally:
        worker.terminate()
        worker.wait(10)
    assert resultat["envoyes"] == len(tous) - len(envoyes_avant)
    assert _ids(EtatChangement.ENVOYE) == tous == set(vt_pour_worker.applique)  # nothing lost
    repetes = len(vt_pour_worker.recus) - len(set(vt_pour_worker.recus))
    assert repetes <= 1  # at most the change in flight at the kill, sent again with the same id
