"""One answer to "who holds right X on S or above": every caller agrees, on direct and group grants.

The five places that used to answer it each their own way (repertoire's anomaly recipients,
the dossier e-mails, the dossier validator, the bed reminders, the quality reminders) now ask
repertoire.access.titulaires / structures_autorisees.
"""

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from disponibilites.services.situations_tension import referents_de
from dossiers import access as dossiers_access, emails, services as dossiers_services
from qualite.relances import _perimetres_des_referents
from repertoire import access
from tests.factories import utilisateur

pytestmark = pytest.mark.django_db


@pytest.fixture
def equipe(region):
    """Two members of a group granted référent on the CH and directeur on its EJ (no right of their own)."""
    referents, directeurs = Group.objects.create(name="Équipe CH"), Group.objects.create(name="Direction CH")
    assign_perm("repertoire.referent", referents, region.ch)
    assign_perm("repertoire.directeur", directeurs, region.autre_ej)
    membre, chef = utilisateur("membre_equipe"), utilisateur("chef_equipe")
    membre.groups.add(referents)
    chef.groups.add(directeurs)
    parti = utilisateur("parti", is_active=False)
    parti.groups.add(referents)
    return membre, chef


def test_titulaires_comptent_les_droits_directs_et_de_groupe(region, equipe):
    membre, chef = equipe
    assert set(access.titulaires(region.uo_rea, access.REFERENT)) == {region.referent_autre, membre}
    assert set(access.titulaires(region.uo_rea, access.DIRECTEUR)) == {chef}
    assert set(access.titulaires(region.ehpad, access.REFERENT)) == {region.referent}
    assert set(access.titulaires(None, access.REFERENT)) == {region.referent, region.referent_autre, membre}
    # and the user's side says the same
    assert access.peut(membre, access.MODIFIER, region.uo_rea)
    assert access.peut(chef, access.DIRECTEUR, region.uo_rea)
    assert not access.peut(region.gestionnaire, access.DIRECTEUR, region.uo_rea)  # may all, holds nothing
    assert set(access.structures_autorisees(membre, access.REFERENT)) == {region.ch, region.uo_rea}


def test_chaque_appelant_est_d_accord(region, equipe):
    membre, chef = equipe
    # repertoire: an anomaly on the unit is sent to its référents and the gestionnaires
    assert set(access.destinataires_anomalie(region.uo_rea)) == {region.referent_autre, membre, region.gestionnaire}
    # disponibilites: the bed reminders
    assert referents_de(region.uo_rea) == sorted([region.referent_autre.email, membre.email])
    # qualite: the monthly reminder, with each référent's perimeter
    perimetres = _perimetres_des_referents()
    assert set(perimetres) == {region.referent, region.referent_autre, membre}
    assert set(perimetres[membre]) == {region.ch, region.uo_rea}
    # dossiers: who is mailed, who validates
    dossier = dossiers_services.ouvrir_dossier(membre, region.ch)
    assert set(emails.referents(dossier)) == {region.referent_autre, membre}
    assert dossiers_access.peut(chef, dossiers_access.VALIDER, dossier)
    assert not dossiers_access.peut(region.directeur, dossiers_access.VALIDER, dossier)  # another EJ's
    assert not dossiers_access.peut(region.gestionnaire, dossiers_access.VALIDER, dossier)
    assert list(dossiers_access.dossiers_a_traiter(membre)) == [dossier]
