"""Feature apps add their box to a Répertoire fiche: beds of a followed unit, ViaTrajectoire state of an EG."""

import pytest
from django.urls import reverse

from disponibilites.services.saisie_lits import LigneSaisie, saisir_lits

pytestmark = pytest.mark.django_db


def test_fiche_d_une_unite_suivie_montre_ses_lits(client, region):
    saisir_lits(region.gestionnaire, [LigneSaisie(uo=region.uo_rea, disponibles=4)])
    client.force_login(region.consultant)
    contenu = client.get(reverse("repertoire:fiche", args=[region.uo_rea.pk])).content.decode()
    assert "Lits disponibles" in contenu and "<strong>4</strong>" in contenu
    assert reverse("disponibilites:historique_unite", args=[region.uo_rea.pk]) in contenu
    autre = client.get(reverse("repertoire:fiche", args=[region.uo_hp.pk])).content.decode()
    assert "Lits disponibles" not in autre  # an EHPAD unit is not followed


def test_fiche_d_une_eg_montre_sa_synchronisation(client, region):
    client.force_login(region.consultant)
    contenu = client.get(reverse("repertoire:fiche", args=[region.ch.pk])).content.decode()
    assert "ViaTrajectoire :" in contenu
