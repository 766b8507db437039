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


def test_l_exemple_d_un_nom_d_unite_suit_son_type_son_mode_et_sa_clientele():
    """The example a référent reads looks like the unit being named (not the type's long label,
    not a home-help name for an EHPAD unit), and follows the rules it illustrates."""
    from dossiers.nommage import _EXEMPLES_UO, exemple_unite

    ehpad, temporaire = concept("J34", "21").pk, concept("J30", "01").pk
    assert exemple_unite(ehpad) == "Hebergement permanent – personnes agees"
    assert exemple_unite(ehpad, temporalites=[temporaire]) == "Hebergement temporaire – personnes agees"
    assert exemple_unite(concept("J34", "40").pk, publics=[concept("J29", "05").pk]) == (
        "MAS hebergement permanent – personnes handicapees vieillissantes")
    messages = avertissements("UO", {"nom": "Unite temporaire", "type_uo": ehpad, "discipline": "MSS",
                                     "temporalites_accueil": [temporaire]})
    assert any("« Hebergement temporaire – personnes agees »" in m for m in messages), messages
    for code in _EXEMPLES_UO:
        type_uo = concept("J34", code).pk
        assert avertissements("UO", {"nom": exemple_unite(type_uo), "type_uo": type_uo, "discipline": "MSS"}) == [], code


def test_une_unite_creee_sans_nom_recoit_un_nom_selon_les_regles(region):
    """« Laissé vide » used to give the NOS label (« Accueil ou hébergement pour personnes âgées
    dépendantes, avec spécificité Unité de vie protégée (UVP, Cantou,...) »), which breaks the rules."""
    from dossiers import services

    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    [fiche] = services.creer_unites(region.referent, dossier, region.ehpad, 1, nom="", discipline="MSS",
                                    type_uo=concept("J34", "24"))
    assert fiche.nom == "Hebergement protege – personnes agees Alzheimer"
    assert avertissements("UO", fiche.donnees) == []


def test_clientele_et_mode_manquants_font_un_seul_avertissement_avec_un_exemple():
    ehpad = concept("J34", "21").pk
    messages = avertissements("UO", {"nom": "Unite Tilleul", "type_uo": ehpad, "discipline": "MSS"})
    [message] = [m for m in messages if m.startswith("Précisez")]
    assert message == ("Précisez la clientèle (personnes âgées, personnes Alzheimer…) et le mode d'accueil "
                       "(temporaire, accueil de jour…), par exemple « Hebergement permanent – personnes agees ».")
