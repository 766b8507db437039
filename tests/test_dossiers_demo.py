"""The demo: one dossier awaiting the directeur, one awaiting the gestionnaire; idempotent."""

import io

import pytest

from demo import dossiers as demo
from dossiers.models import DossierCollaboratif, EtatDossier
from repertoire.services import offre
from tests.factories import concept

pytestmark = pytest.mark.django_db


def test_demo_deux_dossiers_en_attente(region):
    offre.creer_structure(region.gestionnaire, "EG", region.ej, nom="SSIAD LES TILLEULS",
                          categorie=concept("J55", "354"), commune=region.ehpad.commune)
    sortie = io.StringIO()
    demo.peupler_demo(sortie)
    demo.peupler_demo(sortie)  # a second run adds nothing
    etats = sorted(DossierCollaboratif.objects.values_list("etat", flat=True))
    assert etats == [EtatDossier.VALIDATION_DIRECTEUR, EtatDossier.VALIDATION_GESTIONNAIRE]
    a_valider = DossierCollaboratif.objects.get(etat=EtatDossier.VALIDATION_DIRECTEUR)
    assert a_valider.structure == region.ehpad and a_valider.ouvert_par == region.referent
    assert "attend le gestionnaire" in sortie.getvalue()


def test_demo_sans_comptes_ne_fait_rien(db):
    sortie = io.StringIO()
    demo.peupler_demo(sortie)
    assert not DossierCollaboratif.objects.exists() and "comptes de démonstration absents" in sortie.getvalue()
