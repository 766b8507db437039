"""The demo region: realistic, deterministic, idempotent, a valid tree."""

import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from nomenclatures.models import Concept
from demo import noms
from demo.region import DEPARTEMENTS_REGION, Generateur, _majuscules_sans_accents, generer
from nomenclatures.models import Commune
from repertoire.models import Groupement, Niveau, Structure

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
    chu = Structure.objects.get(nom="CHU NANTES - HOTEL DIEU")
    uos = Structure.objects.filter(eg=chu, niveau=Niveau.UO)
    assert uos.filter(activites__code="130", activites__nomenclature__cle="J17").exists()  # réanimation pédiatrique
    assert uos.filter(nom="Urgences adultes").exists()
    assert chu.get_children().filter(niveau=Niveau.OI).exists()  # pôles


def test_noms_adresses_et_codes_postaux_d_une_vraie_region(demo):
    egs = list(Structure.objects.eg().select_related("commune", "ej"))
    # no name ends with a number; the guide's rules: capitals, no accents nor special characters
    assert not [e.nom for e in egs if re.search(r"[0-9]$", e.nom)]
    assert not [e.nom for e in egs if not re.fullmatch(r"[A-Z0-9 -]+", e.nom)]
    assert len({e.nom for e in egs}) == len(egs)
    # at most one EG named exactly "CH <commune>" per commune, and it stands in that commune
    communes = {f"CH {_majuscules_sans_accents(c.nom)}": c.code_insee
                for c in Commune.objects.filter(departement__in=DEPARTEMENTS_REGION)}
    ch = Counter(communes[e.nom] for e in egs if e.nom in communes)
    assert len(ch) >= 40 and max(ch.values()) == 1
    assert all(e.commune_id == communes[e.nom] for e in egs if e.nom in communes)
    # the real hospital communes of the region's list all have their hospital
    for etablissements in noms.HOPITAUX.values():
        for _ej, _statut, _support, sites in etablissements:
            for nom, _categorie, code, _adresse, _unites in sites:
                assert Structure.objects.eg().get(nom=nom).commune_id == code
    # every written address has a number, a street type and a name, and a postcode of its commune
    for s in Structure.objects.filter(niveau__in=[Niveau.EJ, Niveau.EG]).select_related("commune"):
        assert s.numero_voie and s.type_voie_id and s.voie, s.nom
        assert s.code_postal in s.commune.codes_postaux, (s.nom, s.code_postal, s.commune_id)
    # legal entities are named differently from their establishments, and of real kinds
    assert not [e.nom for e in egs if e.nom == e.ej.nom]
    ejs = Counter(e.ej.nom for e in egs)
    assert any(n.startswith("CCAS ") for n in ejs) and any(n.startswith("FONDATION ") for n in ejs)
    assert not [n for n in ejs if re.search(r"[0-9]", n)]


def test_sites_ght_associations_et_cpts(demo):
    # a multi-site establishment is named by its sites, under one legal entity
    sites = Structure.objects.eg().filter(nom__startswith="CHU NANTES - ")
    assert {"CHU NANTES - HOTEL DIEU", "CHU NANTES - HOPITAL NORD LAENNEC"} <= set(sites.values_list("nom", flat=True))
    assert sites.values("ej").distinct().count() == 1
    assert Structure.objects.get(nom="CHU NANTES - HOPITAL NORD LAENNEC").commune_id == "44162"  # Saint-Herblain
    # one GHT per département, around its support, joining the département's public hospitals
    ghts = {g.departement_id: g for g in Groupement.objects.prefetch_related("membres")}
    assert set(ghts) == set(DEPARTEMENTS_REGION)
    assert ghts["44"].support.nom == "CENTRE HOSPITALIER UNIVERSITAIRE NANTES"
    assert ghts["49"].nom == "GHT MAINE ET LOIRE"
    cholet = Structure.objects.get(nom="CH CHOLET").ej
    assert cholet in ghts["49"].membres.all() and all(m.niveau == Niveau.EJ for m in ghts["49"].membres.all())
    # associations manage several ESMS
    par_ej = Counter(Structure.objects.eg().filter(ej__nom__startswith="ADAPEI ").values_list("ej__nom", flat=True))
    assert len(par_ej) == 5 and min(par_ej.values()) >= 3
    # CPTS: territories of neighbouring communes around their own, never shared
    cpts = list(Structure.objects.eg().filter(categorie__code="604"))
    assert len(cpts) >= 30
    vues = set()
    for c in cpts:  # the territory d'intervention is the CPTS unit's
        territoire = set(Structure.objects.uo().get(eg=c, nom__startswith="Communauté professionnelle")
                         .territoire.values_list("code_insee", flat=True))
        assert c.commune_id in territoire and len(territoire) >= 2
        assert not territoire & vues and {code[:2] for code in territoire} == {c.departement_id}
        vues |= territoire


def test_le_ght_sur_la_fiche(demo, client):
    from tests.factories import utilisateur
    from repertoire import access

    client.force_login(utilisateur("lectrice", access.GROUPE_CONSULTANT))
    cholet = Structure.objects.get(nom="CH CHOLET")
    page = client.get(reverse("repertoire:fiche", args=[cholet.pk])).content.decode()
    assert "GHT MAINE ET LOIRE" in page and "Groupement hospitalier de territoire" in page
    assert "CENTRE HOSPITALIER UNIVERSITAIRE ANGERS" in page and "CENTRE HOSPITALIER SAUMUR" in page


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
        if fichier.suffix not in {".csv", ".tabs"}:  # SOURCES.md
            continue
        lignes = [l for l in fichier.read_text(encoding="utf-8").splitlines() if l.strip()]
        entetes = 1 if fichier.suffix == ".csv" else (3 if lignes[0].startswith("<OID>;<Type fichier>") else 1)
        cle = fichier.name.split("-")[0].split("_")[1]
        assert Concept.objects.filter(nomenclature__cle=cle).count() == len(lignes) - entetes, fichier.name
