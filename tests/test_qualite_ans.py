"""The ANS requirements on a small built case, each expected value computed by hand here.

Case (département 49): FINESS lists the EHPAD 490000023 (500), the CH 490000049 (355, EJ
490000099 in FINESS but 490000031 in the ROR), an EHPAD 490000056 absent from the ROR, a
clinic 490000064 without authorisation, and 490000072 closed in FINESS (category 202) but open
in the ROR (category 500). The CH has réanimation adulte (15/09), pédiatrique (15/10) and
urgences (14/23) authorisations."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from qualite import ans
from repertoire.models import AutorisationFiness, EtablissementFiness, Niveau, Structure
from repertoire.services import offre
from tests.factories import concept


def _finess(finess, nom, categorie, finess_ej, ferme=False):
    EtablissementFiness.objects.create(finess=finess, nom=nom, categorie=categorie, finess_ej=finess_ej,
                                       departement="49", date_ouverture=date(2000, 1, 1), ferme=ferme,
                                       date_fermeture=date(2025, 6, 30) if ferme else None)


def _autorisation(ident, activite, modalite):
    AutorisationFiness.objects.create(activite_id=ident, exercee=True, finess_ej="490000099", finess_eg="490000049",
                                      nature="AMF", activite=activite, modalite=modalite, forme="01",
                                      date_debut=date(2020, 1, 1))


def _uo(parent, nom, j17=(), modes=()):
    m2m = {"activites": [concept("J17", c) for c in j17]}
    if modes:
        m2m["modes_prise_en_charge"] = [concept("R213", c) for c in modes]
    return offre.creer_structure(None, Niveau.UO, parent, nom=nom, m2m=m2m)


@pytest.fixture
def cas(region):
    _finess("490000023", "EHPAD LES TILLEULS", "500", "490000015")
    _finess("490000049", "CH CHOLET", "355", "490000099")
    _finess("490000056", "EHPAD ABSENT", "500", "490000015")
    _finess("490000064", "CLINIQUE SANS AUTORISATION", "365", "490000015")
    _finess("490000072", "EHPAD FERME", "202", "490000015", ferme=True)
    _autorisation("1", "15", "09")
    _autorisation("2", "15", "10")
    _autorisation("3", "14", "23")
    region.eg72 = offre.creer_structure(None, Niveau.EG, region.ej, nom="EHPAD FERME", finess="490000072",
                                        categorie=concept("J55", "500"), departement_id="49")
    _uo(region.ch, "Accueil adultes", ["157"], ["33"])
    _uo(region.ch, "Urgences adultes", ["157"], ["33"])
    _uo(region.ch, "Urgences pédiatriques", ["249"], ["33"])
    return region


def _statuts(indicateur):
    return sorted((ligne.finess, ligne.statut) for ligne in indicateur.lignes)


def _un(code):
    return next(i for i in ans.tous({"49"}) if i.code == code)


@pytest.mark.django_db
def test_ex1_2_exhaustivite(cas):
    # In scope: EHPAD 023 and 056 (médico-social), CH 049 (sanitaire with an MCO authorisation, 15 ∈ MCO);
    # not 064 (sanitaire without authorisation) nor 072 (closed in FINESS). 023 and 049 are in the ROR: 2/3.
    ex = _un("EX1.2")
    assert _statuts(ex) == [("490000023", "Conforme"), ("490000049", "Conforme"), ("490000056", "Écart")]
    assert (ex.conformes, ex.total, round(ex.taux, 1)) == (2, 3, 66.7)
    assert [ligne.nom for ligne in ex.en_ecart] == ["EHPAD ABSENT"]


@pytest.mark.django_db
def test_ex2_etat(cas):
    # ROR EG with FINESS: 023 open/open, 049 open/open, 072 open in the ROR but closed in FINESS: 2/3.
    ex = _un("EX2")
    assert _statuts(ex) == [("490000023", "Conforme"), ("490000049", "Conforme"), ("490000072", "Écart")]
    assert ex.en_ecart[0].detail == "fermé dans FINESS le 30/06/2025"


@pytest.mark.django_db
def test_ex3_ex4_ex5_soins_critiques(cas):
    # CH: 15/09 and a UO with J17 127 → EX3 conforme; 15/10 and no UO with 130 → EX4 écart; no 03/04 → no EX5 row.
    assert _statuts(_un("EX3")) == [("490000049", "Conforme")]
    assert _statuts(_un("EX4")) == [("490000049", "Écart")]
    assert _un("EX5").total == 0
    _uo(cas.ch, "Réanimation pédiatrique", ["130"])
    assert _statuts(_un("EX4")) == [("490000049", "Conforme")]


@pytest.mark.django_db
def test_st2_co4_rattachement_et_categorie(cas):
    # Open ROR EG: 023 (EJ 015 = FINESS 015), 049 (031 ≠ 099), 072 (015 = 015): ST2 2/3.
    assert _statuts(_un("ST2")) == [("490000023", "Conforme"), ("490000049", "Écart"), ("490000072", "Conforme")]
    # Category: 500 = 500, 355 = 355, 500 ≠ 202: CO4 2/3.
    co4 = _un("CO4")
    assert _statuts(co4) == [("490000023", "Conforme"), ("490000049", "Conforme"), ("490000072", "Écart")]
    assert co4.en_ecart[0].detail == "catégorie 500 dans le ROR, 202 dans FINESS"


@pytest.mark.django_db
def test_co1_urgences(cas):
    # « Accueil adultes »: not named urgence; « Urgences adultes »: named and 14/23; « Urgences pédiatriques »:
    # named but no 14/24. One offer out of three.
    co1 = _un("CO1")
    assert sorted((ligne.nom, ligne.statut, ligne.detail) for ligne in co1.lignes) == [
        ("Accueil adultes", "Écart", "nom sans « urgence »"),
        ("Urgences adultes", "Conforme", ""),
        ("Urgences pédiatriques", "Écart", "sans autorisation d'urgences")]


@pytest.mark.django_db
def test_re1_2_fraicheur(cas):
    vieux = timezone.now() - timedelta(days=400)
    Structure.objects.filter(eg=cas.ehpad).update(modifie_le=vieux)
    uos = [_uo(cas.eg72, f"Unité {i}") for i in range(8)]
    Structure.objects.filter(pk__in=[u.pk for u in uos[1:]]).update(modifie_le=vieux)
    # EHPAD: 2 offers, none within 12 months (< 8: one needed) → écart. 072: 8 offers, 1 fresh: 0.125 < 0.25 → écart.
    # CH: 4 fresh offers → conforme.
    assert _statuts(_un("RE1.2")) == [("490000023", "Écart"), ("490000049", "Conforme"), ("490000072", "Écart")]
    # « Rien n'a changé » on one EHPAD unit, one more fresh unit in 072 (2/8 = 0.25): both conform.
    Structure.objects.filter(pk=cas.uo_aj.pk).update(date_verification=timezone.now())
    Structure.objects.filter(pk=uos[1].pk).update(modifie_le=timezone.now())
    assert _statuts(_un("RE1.2")) == [("490000023", "Conforme"), ("490000049", "Conforme"), ("490000072", "Conforme")]


@pytest.mark.django_db
def test_cp4_statut_de_peuplement(cas):
    # No unit is finalised (no mode de prise en charge, no contact); the EHPAD and the CH have units meeting some
    # criteria (En cours); 072 has no unit (À faire).
    cp4 = _un("CP4")
    assert sorted((ligne.finess, ligne.detail.split(" (")[0]) for ligne in cp4.lignes) == [
        ("490000023", "En cours"), ("490000049", "En cours"), ("490000072", "À faire")]
    assert cp4.conformes == 0


def test_objectifs_segur_calcules_comme_la_vue():
    # DC_ObjectifSEGUR: ≥ 95 % → 100 %; rounded ≥ 85 % → taux + 5 points; else 85 %; empty reference → 85 %.
    assert ans.objectif_segur(0.96, 100) == 1.0
    assert ans.objectif_segur(0.86, 100) == pytest.approx(0.91)
    assert ans.objectif_segur(0.849, 1000) == pytest.approx(0.899)  # ROUND(0.849, 2) = 0.85
    assert ans.objectif_segur(0.50, 100) == 0.85 and ans.objectif_segur(None, 0) == 0.85
    # NB_ResteAFaireActuel: CEILING(100 × 0.91 − 86) = 5; reached when ROUND(taux, 2) ≥ ROUND(objectif, 2).
    assert ans.reste_a_faire(0.91, 100, 86) == 5
    assert ans.reste_a_faire(0.85, 40, 34) == 0 and ans.reste_a_faire(0.85, 41, 34) == 1


@pytest.mark.django_db
def test_segur_par_champ_depuis_le_releve_de_reference(cas):
    cp4 = _un("CP4")
    lignes = {ligne.champ: ligne for ligne in ans.segur(cp4, {"PA": (2, 1)})}
    # PA: 2 EHPAD (500) now, none finalised; reference 1/2 → objective 85 %; ceil(2 × 0.85 − 0) = 2 remain.
    assert (lignes["PA"].total, lignes["PA"].finalises, lignes["PA"].objectif, lignes["PA"].reste) == (2, 0, 0.85, 2)
    assert lignes["MCO"].total == 1 and lignes["PH"].total == 0 and lignes["PH"].reste == 0


@pytest.mark.django_db
def test_tableau_des_exigences_definition_tendance_et_ecarts(cas, client, settings):
    from django.urls import reverse

    from qualite.models import ReleveExigence
    from qualite.services import relever_exigences

    settings.FINESS_DEPARTEMENTS = ["49"]
    relever_exigences(date(2026, 11, 23))
    assert ReleveExigence.objects.get(code="EX1.2", date=date(2026, 11, 23), departement="49", champ="PA").total == 2
    client.force_login(cas.referent)
    assert client.get(reverse("qualite:exigences")).status_code == 403
    client.force_login(cas.gestionnaire)
    page = client.get(reverse("qualite:exigences")).content.decode()
    ligne = page[page.index('id="exigence-EX1.2"'):]
    ligne = ligne[:ligne.index("</tr>")]
    assert "66,7 %" in ligne and "2 sur 3" in ligne and "23/11 : 67 %" in ligne and "1 en écart" in ligne
    assert "view_V_DIM_ExigenceQualite_EX1.2.sql" in ligne and "existe dans le ROR" in ligne
    assert 'id="segur"' in page
    detail = client.get(reverse("qualite:exigence", args=["EX1.2"])).content.decode()
    assert "EHPAD ABSENT" in detail and "EHPAD LES TILLEULS" not in detail.split('id="ecarts"')[1]
    csv = client.get(reverse("qualite:exigence_csv", args=["CO4"])).getvalue().decode("utf-8-sig")
    assert csv.splitlines()[1].startswith("CO4;490000072;EHPAD FERME;49;PA;Écart;catégorie 500")
    assert client.get(reverse("qualite:exigence", args=["XX"])).status_code == 404
