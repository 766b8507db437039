"""Relevance on the demo region: for realistic needs, the expected units are on the first
page and wrong ones are not.

The demo region (`demo_region`, ~3,000 EG) is built once for this module inside a
transaction rolled back at the end, then indexed with the bulk command. Expected units
are computed independently of the engine, from the offer itself (ORM + haversine).
"""

import io
import math

import pytest
from django.core.management import call_command
from django.db import transaction

from recherche.forms import RechercheForm
from recherche.moteur import PAR_PAGE, preparer, rechercher
from repertoire.models import Structure

pytestmark = pytest.mark.django_db


UOS: list = []  # every UO of the demo region, read once


@pytest.fixture(scope="module", autouse=True)
def region_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("demo_region", stdout=io.StringIO())
            call_command("reindexer_recherche", stdout=io.StringIO())
            UOS[:] = list(Structure.objects.filter(niveau="UO", etat="ouvert").select_related(
                "eg__categorie", "type_uo").prefetch_related("specialisations", "territoire", "activites"))
            yield
            transaction.set_rollback(True)
            UOS.clear()


def chercher(**params):
    """Run the search as the page does: form → critère → first page."""
    form = RechercheForm({k: str(v) for k, v in params.items()})
    assert form.is_valid(), form.errors
    critere = form.critere()
    analyse = preparer(critere)
    page = rechercher(critere, 1, analyse=analyse)
    uos = Structure.objects.in_bulk([pk for r in page.resultats for pk in r.uo_ids])
    return page, [uos[pk] for r in page.resultats for pk in r.uo_ids], critere


def km(a_lat, a_lon, b_lat, b_lon):
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    d = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b_lon - a_lon) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(d))


def attendus(predicat, centre=None, rayon=20, departement=None):
    """EG ids (nearest first) having an open UO that meets the need, from the offer itself."""
    distances = {}
    for uo in UOS:
        if not predicat(uo):
            continue
        eg = uo.eg
        if departement and eg.departement_id != departement:
            continue
        d = 0.0
        if centre:
            d = km(centre.latitude, centre.longitude, eg.latitude, eg.longitude)
            if d > rayon + 0.05:
                continue
        distances[eg.pk] = min(d, distances.get(eg.pk, d))
    return sorted(distances, key=lambda pk: (distances[pk], pk))


def verifier(page, uos, predicat, egs_attendus):
    assert egs_attendus, "le besoin doit exister dans la région de démonstration"
    # every unit shown meets the need (no wrong one)…
    intrus = [(u.eg.nom, u.nom) for u in uos if not predicat(u)]
    assert not intrus, intrus
    # …every establishment that meets it is counted, and the best ones are on the first page
    assert page.total == len(egs_attendus)
    premiere_page = [r.eg_id for r in page.resultats]
    attendus_en_tete = egs_attendus[:min(PAR_PAGE, len(egs_attendus)) // 2 or 1]
    assert set(attendus_en_tete) <= set(premiere_page)


def age_ok(uo, age):
    """A unit without ages is not excluded by the age filter (its patientèle is unknown)."""
    return (uo.age_min or 0) <= age <= (150 if uo.age_max is None else uo.age_max)


def nom(*mots):
    return lambda uo: all(m in uo.nom.lower() for m in mots)


def type_uo(code):
    return lambda uo: uo.type_uo_id is not None and uo.type_uo.code == code


def test_ehpad_avec_accueil_de_jour_pres_d_angers():
    page, uos, critere = chercher(quoi="EHPAD avec accueil de jour", ou="Angers")
    predicat = lambda u: u.nom == "Accueil de jour" and u.eg.categorie.code == "500"  # noqa: E731
    verifier(page, uos, predicat, attendus(predicat, critere.lieu))
    assert Structure.objects.get(pk=page.resultats[0].eg_id).nom == "EHPAD LES MAGNOLIAS"  # in Angers itself
    assert [r.distance for r in page.resultats] == sorted(r.distance for r in page.resultats)


def test_ssiad_qui_intervient_a_cholet():
    page, uos, critere = chercher(quoi="SSIAD", ou="Cholet", intervient="on")
    # a SSIAD unit, or a unit the SSIAD itself runs (its ESA: the EG's category is indexed with it)
    predicat = lambda u: (type_uo("28")(u) or u.eg.categorie.code in {"354", "209"}) and "49099" in {  # noqa: E731
        c.pk for c in u.territoire.all()}
    verifier(page, uos, predicat, attendus(predicat, critere.lieu, rayon=1000))


def test_reanimation_pediatrique():
    page, uos, _ = chercher(quoi="réanimation pédiatrique")
    predicat = nom("réanimation pédiatrique")
    verifier(page, uos, predicat, attendus(predicat))
    assert {Structure.objects.get(pk=r.eg_id).nom for r in page.resultats} == {"CHU NANTES - HOTEL DIEU", "CHU ANGERS"}


def test_ime_pour_enfant_de_8_ans_autiste_en_loire_atlantique():
    page, uos, _ = chercher(quoi="IME autiste", ou="Loire-Atlantique", age=8)

    def predicat(u):
        return (u.eg.categorie.code == "183" and "02" in {s.code for s in u.specialisations.all()}
                and age_ok(u, 8))

    verifier(page, uos, predicat, attendus(predicat, departement="44"))


def test_hebergement_temporaire_personnes_agees_laval():
    page, uos, critere = chercher(quoi="hébergement temporaire personnes âgées", ou="Laval")
    predicat = nom("hébergement temporaire")
    verifier(page, uos, predicat, attendus(predicat, critere.lieu))


def test_faute_de_frappe_alzeimer_trouve_alzheimer():
    page, uos, critere = chercher(quoi="alzeimer", ou="Nantes")
    juste, _, _ = chercher(quoi="Alzheimer", ou="Nantes")
    assert page.analyse.corrections == {"alzeimer": "alzheimer"}
    assert [r.eg_id for r in page.resultats] == [r.eg_id for r in juste.resultats] and page.total == juste.total

    def predicat(u):
        return any(s.code in {"27", "28"} for s in u.specialisations.all()) or "alzheimer" in u.nom.lower()

    verifier(page, uos, predicat, attendus(predicat, critere.lieu))


@pytest.mark.parametrize("saisie", ["Réanimations", "reanimation", "RÉANIMATION", "reanimaton"])
def test_accents_casse_pluriels_et_fautes_ne_comptent_pas(saisie):
    page, uos, critere = chercher(quoi=saisie, ou="Nantes", rayon=50)
    reference, _, _ = chercher(quoi="réanimation", ou="Nantes", rayon=50)
    assert [r.eg_id for r in page.resultats] == [r.eg_id for r in reference.resultats]
    # a unit named so, or doing it (the burns centre does "Réanimation spécialisée brûlés")
    predicat = lambda u: nom("réanimation")(u) or any(  # noqa: E731
        a.libelle.startswith("Réanimation") for a in u.activites.all())
    verifier(page, uos, predicat, attendus(predicat, critere.lieu, rayon=50))


# (need typed, place, radius km, words every unit shown must have in its name)
BESOINS_PAR_NOM = [
    ("urgences pédiatriques", "44000", 30, ("urgences pédiatriques",)),
    ("CMP enfants", "Le Mans", 30, ("cmp enfants",)),
    ("unite de soins palliatifs", "st herblain", 50, ("soins palliatifs",)),  # no accent, "st"
    ("hemodialyse", "Saint-Nazaire", 30, ("hémodialyse",)),
    ("SMR gériatrique", "Cholet", 50, ("smr gériatrique",)),
]


@pytest.mark.parametrize("quoi,ou,rayon,mots", BESOINS_PAR_NOM, ids=[b[0] for b in BESOINS_PAR_NOM])
def test_besoins_simples_pres_d_une_commune(quoi, ou, rayon, mots):
    page, uos, critere = chercher(quoi=quoi, ou=ou, rayon=rayon)
    predicat = nom(*mots)
    verifier(page, uos, predicat, attendus(predicat, critere.lieu, rayon=rayon))


def test_pasa_pres_de_cholet():
    page, uos, critere = chercher(quoi="PASA", ou="Cholet")
    predicat = type_uo("25")
    verifier(page, uos, predicat, attendus(predicat, critere.lieu))


def test_maternite_pour_femme_de_30_ans_a_angers():
    page, uos, critere = chercher(quoi="maternité", ou="Angers", rayon=30, age=30)
    predicat = lambda u: nom("maternité")(u) and age_ok(u, 30)  # noqa: E731
    verifier(page, uos, predicat, attendus(predicat, critere.lieu, rayon=30))


def test_esat_en_mayenne_filtre_public_handicap():
    page, uos, _ = chercher(quoi="travail handicap", ou="Mayenne (53)", public="02")
    predicat = type_uo("43")
    verifier(page, uos, predicat, attendus(predicat, departement="53"))


def test_consultation_memoire_pour_personne_de_80_ans_pres_de_la_roche():
    page, uos, critere = chercher(quoi="consultation mémoire", ou="La Roche-sur-Yon", rayon=30, age=80)
    predicat = lambda u: nom("consultation mémoire")(u) and age_ok(u, 80)  # noqa: E731
    verifier(page, uos, predicat, attendus(predicat, critere.lieu, rayon=30))


def test_addictions_csapa_a_nantes():
    page, uos, critere = chercher(quoi="addictions", ou="Nantes", rayon=20)
    predicat = type_uo("80")
    verifier(page, uos, predicat, attendus(predicat, critere.lieu))


def test_aide_a_domicile_personnes_handicapees_qui_intervient_au_mans():
    page, uos, critere = chercher(quoi="aide à domicile personnes handicapées", ou="Le Mans", intervient="on")
    predicat = lambda u: nom("aide à domicile", "handicapées")(u) and "72181" in {  # noqa: E731
        c.pk for c in u.territoire.all()}
    verifier(page, uos, predicat, attendus(predicat, critere.lieu, rayon=1000))


def test_psychiatrie_adolescents_avec_discipline():
    page, uos, _ = chercher(quoi="adolescents", discipline="SMA")
    predicat = lambda u: u.discipline == "SMA"  # noqa: E731
    verifier(page, uos, predicat, attendus(predicat))


def test_soins_longue_duree_par_son_sigle():
    page, uos, critere = chercher(quoi="USLD", ou="Laval", rayon=30)
    predicat = lambda u: u.discipline == "SLD"  # noqa: E731
    verifier(page, uos, predicat, attendus(predicat, critere.lieu, rayon=30))


def test_hebergement_habilite_aide_sociale_personnes_handicapees():
    page, uos, critere = chercher(quoi="foyer de vie", ou="Nantes", rayon=30, aide_sociale="on")
    predicat = lambda u: nom("foyer de vie")(u) and bool(u.habilitation_aide_sociale)  # noqa: E731
    verifier(page, uos, predicat, attendus(predicat, critere.lieu, rayon=30))
