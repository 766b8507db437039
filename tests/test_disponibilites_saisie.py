"""Saisie: all my units on one screen, one submit, nothing saved when one value is wrong."""

import pytest
from django.urls import reverse

from disponibilites.models import Capacite, SituationLits
from repertoire.models import Niveau
from repertoire.services import droits, offre
from tests.factories import concept

pytestmark = pytest.mark.django_db


@pytest.fixture
def deux_unites(region):
    """The CH gets a second followed unit (soins intensifs cardio) beside its réanimation."""
    usic = offre.creer_structure(
        None, Niveau.UO, region.ch, nom="USIC", champ=concept("J20", "01"), discipline="MCO", age_min=18,
        age_max=120, lits_installes=8, m2m={"activites": [concept("J17", "354")]})
    return region, usic


def test_le_referent_voit_ses_unites_suivies_avec_la_capacite_installee(client, deux_unites):
    region, usic = deux_unites
    client.force_login(region.referent_autre)
    page = client.get(reverse("disponibilites:saisie")).content.decode()
    assert "Réanimation adulte" in page and "USIC" in page
    assert f'id="saisie-{region.uo_rea.pk}"' in page
    assert "Hébergement permanent" not in page  # not a critical-care unit, not theirs either


def test_une_seule_soumission_met_a_jour_toutes_les_unites(client, deux_unites):
    region, usic = deux_unites
    client.force_login(region.referent_autre)
    reponse = client.post(reverse("disponibilites:saisie"), {
        f"u{region.uo_rea.pk}-disponibles": "4", f"u{usic.pk}-disponibles": "2",
        f"u{usic.pk}-supplementaires": "1"}, follow=True)
    assert "2 unité(s) mise(s) à jour" in reponse.content.decode()
    assert SituationLits.objects.get(uo=region.uo_rea).disponibles == 4
    usic_situation = SituationLits.objects.get(uo=usic)
    assert (usic_situation.disponibles, usic_situation.supplementaires) == (2, 1)
    assert usic_situation.saisi_par == region.referent_autre
    figure = Capacite.objects.get(uo=region.uo_rea)
    assert (figure.nature.code, figure.statut.code, figure.temporalite.code, figure.source.code) == (
        "01", "02", "01", "01")
    assert figure.eg_id == region.ch.pk and figure.departement_id == "49" and figure.region_id == "52"


def test_une_valeur_au_dessus_de_la_capacite_est_refusee_et_rien_n_est_enregistre(client, deux_unites):
    region, usic = deux_unites
    client.force_login(region.referent_autre)
    reponse = client.post(reverse("disponibilites:saisie"), {
        f"u{region.uo_rea.pk}-disponibles": "5", f"u{usic.pk}-disponibles": "10",
        f"u{usic.pk}-supplementaires": "1"})
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "Rien n&#x27;a été enregistré" in page or "Rien n'a été enregistré" in page
    assert "10 lits disponibles dépassent la capacité" in page and "8 lits installés + 1 supplémentaires = 9" in page
    assert not Capacite.objects.exists() and not SituationLits.objects.exists()


def test_les_lits_supplementaires_relevent_le_plafond(client, deux_unites):
    region, usic = deux_unites
    client.force_login(region.referent_autre)
    client.post(reverse("disponibilites:saisie"), {f"u{usic.pk}-disponibles": "10",
                                                   f"u{usic.pk}-supplementaires": "2"})
    assert SituationLits.objects.get(uo=usic).disponibles == 10


def test_une_valeur_inchangee_n_est_enregistree_que_confirmee(client, deux_unites):
    region, _ = deux_unites
    client.force_login(region.referent_autre)
    url = reverse("disponibilites:saisie")
    client.post(url, {f"u{region.uo_rea.pk}-disponibles": "4"})
    client.post(url, {f"u{region.uo_rea.pk}-disponibles": "4"})
    assert Capacite.objects.filter(uo=region.uo_rea).count() == 1
    client.post(url, {f"u{region.uo_rea.pk}-disponibles": "4", f"u{region.uo_rea.pk}-confirmer": "on"})
    assert Capacite.objects.filter(uo=region.uo_rea).count() == 2


def test_un_texte_ou_un_negatif_est_refuse(client, deux_unites):
    region, usic = deux_unites
    client.force_login(region.referent_autre)
    reponse = client.post(reverse("disponibilites:saisie"), {f"u{region.uo_rea.pk}-disponibles": "-1",
                                                             f"u{usic.pk}-disponibles": "abc"})
    assert reponse.status_code == 400
    assert not Capacite.objects.exists()


def test_le_referent_d_une_autre_structure_ne_peut_pas_saisir_ces_unites(client, region):
    client.force_login(region.referent)  # référent of the EHPAD
    client.post(reverse("disponibilites:saisie"), {f"u{region.uo_rea.pk}-disponibles": "3"})
    assert not Capacite.objects.exists()


def test_le_droit_saisie_lits_suffit(client, region):
    from tests.factories import utilisateur

    infirmier = utilisateur("cadre_rea")
    droits.accorder_droit(region.gestionnaire, infirmier, "saisie_lits", region.ch)
    client.force_login(infirmier)
    client.post(reverse("disponibilites:saisie"), {f"u{region.uo_rea.pk}-disponibles": "6"})
    assert SituationLits.objects.get(uo=region.uo_rea).disponibles == 6


def test_le_service_refuse_une_unite_hors_droits(region):
    from django.core.exceptions import PermissionDenied

    from disponibilites.services import saisie_lits

    with pytest.raises(PermissionDenied):
        saisie_lits.saisir_lits(region.referent, [saisie_lits.LigneSaisie(region.uo_rea, disponibles=2)])
    assert not Capacite.objects.exists()
