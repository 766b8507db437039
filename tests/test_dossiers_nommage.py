"""Naming rules of the regional guide, as warnings."""

import pytest

from dossiers.nommage import avertissements
from tests.factories import concept

pytestmark = pytest.mark.django_db


def test_libelle_d_etablissement_conforme():
    assert avertissements("EG", {"nom": "ADMR BOIS D ANJOU", "commune": None}) == []
    assert avertissements("EG", {"nom": "EHPAD ANGERS", "commune": "49007"}) == []


@pytest.mark.parametrize("nom, attendu", [
    ("Ehpad Angers", "MAJUSCULES"),
    ("EHPAD ÉTOILE ANGERS", "accents"),
    ("EHPAD « LES LILAS » ANGERS", "caractères spéciaux"),
    ("EHPAD LES LILAS", "[type d'établissement] [commune]"),
    ("EHPAD D ANGERS", "« DE » et « DU »"),
    ("EHPAD DE ANGERS", "« DE » et « DU »"),
])
def test_libelle_d_etablissement_non_conforme(nom, attendu):
    messages = avertissements("EG", {"nom": nom, "commune": "49007"})
    assert any(attendu in m for m in messages), messages


def test_nom_d_unite():
    type_saad = concept("J34", "30").pk  # Service d'aide et d'accompagnement à domicile
    assert avertissements("UO", {"nom": "Aide a domicile prestataire - personnes agees", "type_uo": type_saad,
                                 "discipline": "MSS"}) == []
    assert avertissements("UO", {"nom": "Accueil de jour - personnes agees", "discipline": "MSS"}) == []
    messages = avertissements("UO", {"nom": "Unité du soir", "type_uo": type_saad, "discipline": "MSS"})
    assert any("DU" in m for m in messages) and any("reprend son type" in m for m in messages)
    assert any("clientèle" in m for m in messages) and any("accents" in m for m in messages)
    assert avertissements("UO", {"nom": "Reanimation adulte", "discipline": "MCO"}) == []  # MSS rules only


def test_nom_d_organisation_interne():
    pole = concept("J203", "1").pk
    assert avertissements("OI", {"nom": "Pole geriatrie", "type_oi": pole}) == []
    messages = avertissements("OI", {"nom": "Gériatrie « aiguë »", "type_oi": pole})
    assert any("accents" in m for m in messages) and any("caractères spéciaux" in m for m in messages)
    assert any("« Pole geriatrie »" in m for m in messages)
