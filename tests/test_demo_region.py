"""The demo region: realistic, deterministic, idempotent, a valid tree."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from nomenclatures.models import Concept
from demo.region import DEPARTEMENTS_REGION, Generateur, generer
from repertoire.models import Niveau, Structure

pytestmark = pytest.mark.django_db

MEDICO_SOCIAL = {"500", "202", "354", "460", "209", "207", "183", "246", "255", "437", "382", "252", "182",
                 "190", "189", "186", "446", "445", "188", "197", "180", "606"}


@pytest.fixture
def demo():
    generer()


def _par_categorie():
    return dict(Structure.objects.filter(niveau=Niveau.EG).order_by().values_list("categorie__code")
                .annotate(n=Count("id")))


def test_region_realiste(demo):
    categories = _par_categorie()
    total = sum(categories.values())
    medico_social = sum(n for code, n in categories.items() if code in MEDICO_SOCIAL)
    assert 2800 <= total <= 3200
    assert 2200 <= medico_social <= 2500
    assert 550 <= total - medico_social <= 700
    assert categories["500"] >= 600  # EHPAD
    # every EG sits on a real commune of the five départements, with coordinates
    egs = Structure.objects.filter(niveau=Niveau.EG)
    assert set(egs.values_list("departement", flat=True)) == {"44", "49", "53", "72", "85"}
    assert not egs.filter(latitude__isnull=True).exists()


def test_les_uo_d_un_ehpad_et_d_un_chu(demo):
    ehpad = Structure.objects.get(nom="EHPAD LES MAGNOLIAS")
    noms = set(ehpad.get_children().values_list("nom", flat=True))
    assert {"Hébergement permanent", "Hébergement temporaire", "Accueil de jour", "Unité de vie protégée"} <= noms
    hp = ehpad.get_children().get(nom="Hébergement permanent")
    assert hp.activites.exists() and hp.lits_installes > 0 and hp.age_min == 60
    assert hp.type_uo.code == "21" and hp.contacts.exists()
    chu = Structure.objects.get(nom="CHU NANTES")
    uos = Structure.objects.filter(eg=chu, niveau=Niveau.UO)
    assert uos.filter(activites__code="130", activites__nomenclature__cle="J17").exists()  # réanimation pédiatrique
    assert uos.filter(nom="Urgences adultes").exists()
    assert chu.get_children().filter(niveau=Niveau.OI).exists()  # pôles


def test_une_part_des_uo_est_incomplete(demo):
    uos = Structure.objects.filter(niveau=Niveau.UO)
    incompletes = uos.filter(activites__isnull=True).count() + uos.filter(age_min__isnull=True).count() + \
        uos.filter(contacts__isnull=True).count()
    assert 0.05 <= incompletes / uos.count() <= 0.15


def test_l_arbre_est_valide(demo):
    avant = {i: (l, r, n) for i, l, r, n in Structure.objects.values_list("id", "lft", "rght", "level")}
    Structure.objects.rebuild()
    apres = {i: (l, r, n) for i, l, r, n in Structure.objects.values_list("id", "lft", "rght", "level")}
    assert avant == apres
    for uo in Structure.objects.filter(niveau=Niveau.UO)[:200]:
        assert uo.eg_id and uo.ej_id and uo.get_ancestors().filter(pk=uo.eg_id).exists()


def test_deterministe():
    def construire(graine):
        generateur = Generateur(DEPARTEMENTS_REGION, None, None, graine, vitrine=True)
        generateur.construire()
        return [(l.champs["nom"], l.champs["finess"], l.champs.get("latitude"), [e.champs["nom"] for e in l.enfants])
                for l in generateur.ejs]

    assert construire(52) == construire(52)
    assert construire(52) != construire(53)


def test_commande_idempotente_et_comptes_de_demo():
    call_command("demo_region", stdout=io.StringIO())
    n = Structure.objects.count()
    sortie = io.StringIO()
    call_command("demo_region", stdout=sortie)
    assert Structure.objects.count() == n and "rien à faire" in sortie.getvalue()
    sortie = io.StringIO()
    call_command("comptes_demo", stdout=sortie)
    call_command("comptes_demo", stdout=io.StringIO())
    texte = sortie.getvalue()
    for identifiant in ("consultant", "referent", "directeur", "gestionnaire"):
        assert identifiant in texte
    assert "referent de EHPAD LES MAGNOLIAS" in texte


def test_nomenclatures_chargees_comme_les_fichiers():
    from pathlib import Path

    from django.conf import settings

    dossier = Path(settings.BASE_DIR) / "fixtures" / "nomenclatures"
    for fichier in dossier.iterdir():
        lignes = [l for l in fichier.read_text(encoding="utf-8").splitlines() if l.strip()]
        entetes = 1 if fichier.suffix == ".csv" else (3 if lignes[0].startswith("<OID>;<Type fichier>") else 1)
        cle = fichier.name.split("-")[0].split("_")[1]
        assert Concept.objects.filter(nomenclature__cle=cle).count() == len(lignes) - entetes, fichier.name
