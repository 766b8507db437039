"""Two updates of the same unit at once, on two real connections: both kept, the latest wins."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from disponibilites.models import Capacite, SituationLits
from disponibilites.services import enregistrement, saisie_lits

pytestmark = pytest.mark.django_db(transaction=True)


def _en_parallele(premiere, seconde):
    """Run `premiere` in a transaction kept open until `seconde` (other thread, other connection)
    is blocked on it; then commit. Returns whether `seconde` was really blocked."""
    premiere_ecrite, liberer, seconde_finie = threading.Event(), threading.Event(), threading.Event()
    erreurs = []

    def fil_1():
        try:
            with transaction.atomic():
                premiere()
                premiere_ecrite.set()
                liberer.wait(10)
        except Exception as e:  # noqa: BLE001 — reported to the test below
            erreurs.append(e)
            premiere_ecrite.set()
        finally:
            connection.close()

    def fil_2():
        try:
            premiere_ecrite.wait(10)
            seconde()
        except Exception as e:  # noqa: BLE001
            erreurs.append(e)
        finally:
            seconde_finie.set()
            connection.close()

    t1, t2 = threading.Thread(target=fil_1), threading.Thread(target=fil_2)
    t1.start()
    t2.start()
    premiere_ecrite.wait(10)
    bloquee = not seconde_finie.wait(0.5)  # the second writer waits for the first one's row lock
    liberer.set()
    t1.join(10)
    t2.join(10)
    assert not erreurs, erreurs
    return bloquee


def test_deux_saisies_simultanees_gardees_et_la_derniere_gagne(region):
    uo = region.uo_rea
    bloquee = _en_parallele(
        lambda: saisie_lits.saisir_lits(region.referent_autre, [saisie_lits.LigneSaisie(uo, disponibles=3)]),
        lambda: saisie_lits.saisir_lits(region.gestionnaire, [saisie_lits.LigneSaisie(uo, disponibles=7)]),
    )
    assert bloquee
    historique = list(Capacite.objects.filter(uo=uo).order_by("date_maj").values_list("nombre", "saisi_par"))
    assert historique == [(3, region.referent_autre.pk), (7, region.gestionnaire.pk)]
    situation = SituationLits.objects.get(uo=uo)
    assert (situation.disponibles, situation.saisi_par_id) == (7, region.gestionnaire.pk)


def test_une_donnee_plus_ancienne_validee_apres_ne_remplace_pas_la_plus_recente(region):
    uo = region.uo_rea
    recente, ancienne = timezone.now() - timedelta(minutes=1), timezone.now() - timedelta(minutes=10)
    bloquee = _en_parallele(
        lambda: enregistrement.enregistrer_figures([enregistrement.Figure(uo, "02", 9, recente, source="02")]),
        lambda: enregistrement.enregistrer_figures([enregistrement.Figure(uo, "02", 2, ancienne, source="02")]),
    )
    assert bloquee
    assert sorted(Capacite.objects.filter(uo=uo).values_list("nombre", flat=True)) == [2, 9]
    situation = SituationLits.objects.get(uo=uo)
    assert (situation.disponibles, situation.disponibles_le) == (9, recente)
