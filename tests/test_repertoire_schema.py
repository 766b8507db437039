"""The field schema of a Structure: no field forgotten, coherent columns, one formatter."""

import datetime

import pytest

from repertoire import schema
from repertoire.models import Niveau, Structure
from tests.factories import concept


def _champs_du_modele() -> set[str]:
    return {f.name for f in Structure._meta.concrete_fields} | {f.name for f in Structure._meta.many_to_many}


def test_chaque_champ_de_structure_est_dans_le_schema_ou_technique():
    oublies = _champs_du_modele() - set(schema.CHAMPS) - schema.TECHNIQUES
    assert not oublies, f"Champs de Structure absents de repertoire/schema.py : {sorted(oublies)}"
    inconnus = (set(schema.CHAMPS) | schema.TECHNIQUES) - _champs_du_modele()
    assert not inconnus, f"Champs du schéma absents du modèle : {sorted(inconnus)}"
    assert not set(schema.CHAMPS) & schema.TECHNIQUES


@pytest.mark.parametrize("champ", schema.CHAMPS.values(), ids=lambda c: c.nom)
def test_colonnes_coherentes(champ):
    niveaux = set(Niveau.values)
    for colonne in ("fiche", "modifiable", "structurel", "dossier", "obligatoire"):
        assert getattr(champ, colonne) <= niveaux
    assert champ.modifiable <= champ.fiche and champ.structurel <= champ.fiche | champ.dossier
    assert not champ.modifiable & champ.structurel, "modifiable directement ou par dossier, pas les deux"
    assert champ.obligatoire <= champ.dossier, "un champ exigé pour finaliser est porté par le dossier"
    assert bool(champ.encadre) == bool(champ.fiche)
    assert champ.critere_ans in {code for code, _ in schema.CRITERES_ANS} | {""}


def test_chaque_critere_ans_porte_sur_des_champs_sauf_les_contacts():
    for code, _ in schema.CRITERES_ANS:
        assert bool(schema.champs_du_critere(code)) == (code != "contact"), code


def test_les_champs_finess_sont_ceux_d_une_eg():
    assert "finess" not in schema.champs_finess()  # the key of the match, never overwritten
    assert {"nom", "categorie", "siret", "commune", "etat"} <= set(schema.champs_finess())


@pytest.mark.django_db
def test_un_seul_format_pour_la_fiche_l_historique_et_le_dossier(region):
    uo = region.uo_hp
    assert schema.afficher(uo, "discipline") == uo.get_discipline_display()
    assert schema.texte("discipline", uo.discipline) == uo.get_discipline_display()
    assert schema.texte("unite_sensible", True) == "Oui"
    assert schema.texte("date_fermeture", "2024-03-01") == schema.texte("date_fermeture", datetime.date(2024, 3, 1)) \
        == "01/03/2024"
    activite = concept("J17", "293")
    assert schema.texte("activites", [activite.pk]) == activite.libelle
    assert schema.afficher(uo, "age_max") == ("" if uo.age_max is None else str(uo.age_max))
    assert schema.texte("commentaire", "") == ""


# -- the words of a set of structures ---------------------------------------------------------

@pytest.mark.django_db
def test_le_vocabulaire_des_structures(region, settings):
    from repertoire.services import offre
    from repertoire.models import UniteOperationnelle

    def noms(qs):
        return sorted(s.nom for s in qs)

    assert noms(Structure.objects.ej()) == sorted([region.ej.nom, region.autre_ej.nom])
    assert noms(Structure.objects.eg()) == sorted([region.ehpad.nom, region.ch.nom])
    assert noms(Structure.objects.uo().sous(region.ehpad)) == sorted([region.uo_hp.nom, region.uo_aj.nom])
    assert noms(Structure.objects.sous(region.ehpad, inclus=True)) \
        == sorted([region.ehpad.nom, region.uo_hp.nom, region.uo_aj.nom])
    assert not Structure.objects.oi().exists()
    offre.fermer_structure(None, region.uo_aj, raison="test")
    assert noms(Structure.objects.uo().ouvertes().sous(region.ej)) == [region.uo_hp.nom]
    assert noms(Structure.objects.eg().de_la_region()) == sorted([region.ehpad.nom, region.ch.nom])
    settings.ROR_REGION_CODE = "11"
    assert not Structure.objects.eg().de_la_region().exists()
    # The tree manager and the level proxies keep their features.
    assert list(Structure.objects.get_queryset_descendants(Structure.objects.filter(pk=region.ch.pk))) \
        == [region.uo_rea]
    assert set(UniteOperationnelle.objects.ouvertes()) == {region.uo_hp, region.uo_rea}
    assert region.ej.get_descendant_count() == 3
    uo = UniteOperationnelle.objects.get(pk=region.uo_hp.pk)
    assert [s.nom for s in uo.get_ancestors()] == [region.ej.nom, region.ehpad.nom]
