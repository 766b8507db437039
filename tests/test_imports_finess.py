"""FINESS import: the real sample lines, bad files (nothing changed, line given),
idempotency, closure and reopening, the region perimeter, the MPTT tree."""

import math
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pyproj import Transformer

from imports.finess import CHAMPS_STRUCTUREET
from imports.importer import importer_fichier
from imports.models import Changement, ImportFiness
from repertoire.models import Etat, Niveau, Structure

ECHANTILLON = Path(__file__).resolve().parent.parent / "fixtures" / "finess" / "sample_etalab_cs1100507_lines.csv"
LIGNES = ECHANTILLON.read_text(encoding="utf-8").splitlines()
EN_TETE = LIGNES[0]
STRUCTURES = [ligne for ligne in LIGNES if ligne.startswith("structureet;")]
GEOLOCALISATIONS = [ligne for ligne in LIGNES if ligne.startswith("geolocalisation;")]


@pytest.fixture
def national(settings):
    settings.FINESS_DEPARTEMENTS = None


@pytest.fixture
def pays_de_la_loire(settings):
    settings.FINESS_DEPARTEMENTS = ["44", "49", "53", "72", "85"]


def fichier(tmp_path, lignes, nom="extrait.csv", encodage="utf-8") -> Path:
    chemin = tmp_path / nom
    chemin.write_bytes(("\n".join(lignes) + "\n").encode(encodage))
    return chemin


def structureet(**valeurs) -> str:
    """A structureet line of the Angers region, built on the first real line."""
    champs = STRUCTURES[0].split(";")
    defaut = {"nofinesset": "490000023", "nofinessej": "490000015", "rs": "EHPAD LES TILLEULS",
              "rslongue": "EHPAD LES TILLEULS ANGERS", "numvoie": "12", "typvoie": "R", "voie": "DES LILAS",
              "commune": "007", "departement": "49", "libdepartement": "MAINE ET LOIRE",
              "ligneacheminement": "49000 ANGERS", "telephone": "0241000000", "telecopie": "",
              "categetab": "500", "siret": "12345678900012", "dateouv": "2001-01-01"}
    for nom, valeur in {**defaut, **valeurs}.items():
        champs[CHAMPS_STRUCTUREET.index(nom)] = valeur
    return ";".join(champs)


def geolocalisation(finess, x="430000.0", y="6720000.0") -> str:
    return f"geolocalisation;{finess};{x};{y};1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole);2026-05-04"


def etat_du_repertoire():
    return list(Structure.objects.order_by("pk").values_list(
        "pk", "nom", "etat", "telephone", "voie", "latitude", "version", "lft", "rght", "tree_id"))


def distance_m(lat1, lon1, lat2, lon2) -> float:
    r = 6371000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    return 2 * r * math.asin(math.sqrt(math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2))


def arbre_coherent() -> bool:
    """The MPTT numbering equals what django-mptt rebuilds from the parent links."""
    avant = list(Structure.objects.order_by("pk").values_list("pk", "tree_id", "lft", "rght", "level"))
    Structure.objects.rebuild()
    apres = list(Structure.objects.order_by("pk").values_list("pk", "tree_id", "lft", "rght", "level"))
    # rebuild() may renumber trees; compare the shape inside each tree.
    def forme(lignes):
        return sorted((pk, lft, rght, level) for pk, _, lft, rght, level in lignes)
    return forme(avant) == forme(apres)


# -- the real sample lines -------------------------------------------------------------

@pytest.mark.django_db
def test_lignes_reelles_creent_ej_et_eg_avec_les_champs_exacts(national):
    imp = importer_fichier(ECHANTILLON)
    assert imp.statut == ImportFiness.Statut.TERMINE, imp.erreur
    assert imp.date_extraction == date(2026, 5, 12)
    eg = Structure.objects.get(niveau=Niveau.EG, finess="010000024")
    assert (eg.nom, eg.nom_officiel) == ("CH DE FLEYRIAT", "CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT")
    assert (eg.numero_voie, eg.type_voie.code, eg.voie) == ("900", "RTE", "DE PARIS")
    assert (eg.code_postal, eg.commune_id, eg.departement_id) == ("01440", "01451", "01")
    assert (eg.telephone, eg.fax) == ("04 74 45 46 47", "04 74 45 41 14")
    assert (eg.categorie.code, eg.siret, eg.date_ouverture) == ("355", "26010004500012", date(1979, 2, 13))
    assert eg.ej.finess == "010780054" and eg.ej.niveau == Niveau.EJ and eg.parent_id == eg.ej_id
    assert eg.ej.siren == "260100045"
    lon, lat = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True).transform(870262.2, 6571540.8)
    assert distance_m(eg.latitude, eg.longitude, lat, lon) < 1

    cmpp = Structure.objects.get(finess="970210126")  # 9B → Martinique, lieu-dit / BP kept
    assert (cmpp.commune_id, cmpp.departement_id, cmpp.code_postal) == ("97207", "972", "97224")
    assert (cmpp.voie, cmpp.lieu_dit, cmpp.nom) == ("ZAC CHAMPIGNY", "BP 71 IMMEUBLE SEMAFA",
                                                     "CMPP  INTERSECTORIEL ALOES")
    saint_martin = Structure.objects.get(finess="970100400")  # old INSEE 97127 → 97801
    assert (saint_martin.commune_id, saint_martin.departement_id) == ("97801", "978")
    assert Structure.objects.get(finess="970302287").siret == ""
    assert arbre_coherent()


@pytest.mark.django_db
def test_nouvel_ehpad_recoit_une_uo_pre_peuplee_hebergement_permanent(national):
    importer_fichier(ECHANTILLON)
    ehpad = Structure.objects.get(finess="970302287")
    uos = list(Structure.objects.filter(niveau=Niveau.UO, eg=ehpad))
    assert [(u.nom, u.type_uo.code, u.champ.code, u.pre_peuplee, u.parent_id) for u in uos] == [
        ("Hébergement permanent", "21", "04", True, ehpad.pk)]
    assert uos[0].history.first().history_change_reason == "Import FINESS du 12/05/2026"


@pytest.mark.django_db
def test_projection_antilles_et_ancien_format_windows_1252(national, tmp_path):
    # Older layout: source spread over several fields, dd/mm/yyyy dates, Windows-1252.
    ligne = STRUCTURES[1].replace("1951-01-01", "01/01/1951")
    geo_antilles = GEOLOCALISATIONS[1].replace("970100012", "970100400")
    geo_ancien = "geolocalisation;010000024;870262.2;6571540.8;1;ATLASANTE;96;BAN;LAMBERT_93;04/05/2026"
    chemin = fichier(tmp_path, [EN_TETE, STRUCTURES[0], ligne, geo_ancien, geo_antilles], encodage="cp1252")
    imp = importer_fichier(chemin)
    assert imp.statut == ImportFiness.Statut.TERMINE, imp.erreur
    ch = Structure.objects.get(finess="970100400")
    assert ch.date_ouverture == date(1951, 1, 1)
    lon, lat = Transformer.from_crs("EPSG:5490", "EPSG:4326", always_xy=True).transform(657242.9, 1795384.4)
    assert distance_m(ch.latitude, ch.longitude, lat, lon) < 1
    fleyriat = Structure.objects.get(finess="010000024")
    lon, lat = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True).transform(870262.2, 6571540.8)
    assert distance_m(fleyriat.latitude, fleyriat.longitude, lat, lon) < 1
    assert ch.nom == "C.H. LOUIS CONSTANT FLEMING" and ch.lieu_dit == "BP 381"


# -- idempotency, changes, closure ------------------------------------------------------

@pytest.mark.django_db
def test_meme_fichier_deux_fois_donne_un_second_rapport_vide(national):
    premier = importer_fichier(ECHANTILLON)
    assert premier.nb_nouveaux == 10 and premier.changements.count() == 10
    historique = Structure.history.count()
    second = importer_fichier(ECHANTILLON)
    assert second.statut == ImportFiness.Statut.TERMINE
    assert second.nb_changements == 0 and second.changements.count() == 0
    assert Structure.history.count() == historique


@pytest.mark.django_db
def test_modification_rapportee_champ_par_champ_sans_toucher_aux_uo(region, pays_de_la_loire, tmp_path):
    ehpad = region.ehpad
    activites = list(region.uo_hp.activites.values_list("pk", flat=True))
    chemin = fichier(tmp_path, [EN_TETE, structureet(rs="EHPAD LES TILLEULS", telephone="0241999999"),
                                structureet(nofinesset="490000049", nofinessej="490000031", rs="CH CHOLET",
                                            commune="099", ligneacheminement="49300 CHOLET", categetab="355"),
                                geolocalisation("490000023")])
    imp = importer_fichier(chemin, par=region.gestionnaire, confirme=True)  # one département of five
    assert imp.statut == ImportFiness.Statut.TERMINE, imp.erreur
    ehpad.refresh_from_db()
    assert ehpad.telephone == "02 41 99 99 99"
    lignes = {c.champ: (c.avant, c.apres) for c in imp.changements.filter(finess="490000023")}
    assert lignes["telephone"] == ("02 41 00 00 00", "02 41 99 99 99")
    assert lignes["nom_officiel"] == ("", "EHPAD LES TILLEULS ANGERS")
    assert lignes["voie"] == ("rue des Lilas", "DES LILAS")
    derniere = ehpad.history.first()
    assert (derniere.history_change_reason, derniere.history_user) == ("Import FINESS du 12/05/2026",
                                                                        region.gestionnaire)
    region.uo_hp.refresh_from_db()
    assert list(region.uo_hp.activites.values_list("pk", flat=True)) == activites
    assert region.uo_hp.nom == "Hébergement permanent" and region.uo_hp.version == 1
    # The CH keeps its name, gets FINESS's official name and category; nothing else is new.
    assert imp.nb_nouveaux == 0 and imp.nb_fermes == 0


@pytest.mark.django_db
def test_etablissement_disparu_ferme_jamais_supprime_puis_rouvert(region, pays_de_la_loire, tmp_path):
    seul_ehpad = fichier(tmp_path, [EN_TETE, structureet(), geolocalisation("490000023")], "a.csv")
    imp = importer_fichier(seul_ehpad, confirme=True)
    assert imp.nb_fermes == 1
    ch = Structure.objects.get(pk=region.ch.pk)
    assert (ch.etat, ch.date_fermeture) == (Etat.FERME, date(2026, 5, 12))
    assert list(imp.changements.filter(type=Changement.Type.FERME).values_list("finess", flat=True)) == ["490000049"]
    assert Structure.objects.filter(pk=region.uo_rea.pk, etat=Etat.OUVERT).exists()  # its UOs untouched

    avec_ch = fichier(tmp_path, [EN_TETE, structureet(),
                                 structureet(nofinesset="490000049", nofinessej="490000031", rs="CH CHOLET",
                                             commune="099", ligneacheminement="49300 CHOLET", categetab="355"),
                                 geolocalisation("490000023")], "b.csv")
    imp = importer_fichier(avec_ch, confirme=True)
    ch.refresh_from_db()
    assert (ch.etat, ch.date_fermeture) == (Etat.OUVERT, None)
    assert imp.nb_rouverts == 1 and imp.changements.filter(type=Changement.Type.ROUVERT, finess="490000049").exists()


@pytest.mark.django_db
def test_perimetre_regional_et_nouvel_eg_sous_une_ej_existante(region, pays_de_la_loire, tmp_path):
    nouveau = structureet(nofinesset="490000099", rs="SSIAD ANGERS", categetab="354")
    chemin = fichier(tmp_path, [EN_TETE, *STRUCTURES, structureet(),
                                structureet(nofinesset="490000049", nofinessej="490000031", rs="CH CHOLET",
                                            commune="099", ligneacheminement="49300 CHOLET", categetab="355"),
                                nouveau, *GEOLOCALISATIONS, geolocalisation("490000099")])
    imp = importer_fichier(chemin, confirme=True)
    assert imp.statut == ImportFiness.Statut.TERMINE, imp.erreur
    assert not Structure.objects.filter(finess="010000024").exists()  # outside the région
    ssiad = Structure.objects.get(finess="490000099")
    assert ssiad.parent_id == region.ej.pk and ssiad.ej_id == region.ej.pk
    assert ssiad.get_children().get().type_uo.code == "28"
    assert arbre_coherent()
    assert list(imp.changements.filter(type=Changement.Type.NOUVEAU).values_list("finess", flat=True)) == [
        "490000099"]


# -- all or nothing ----------------------------------------------------------------------

def _fichier_tronque(lignes):
    texte = "\n".join(lignes)
    return texte[: texte.index("CENTRE HOSPITALIER LOUIS") + 10]  # cut in the middle of a line


MAUVAIS_FICHIERS = {
    "tronque": (lambda l: _fichier_tronque(l), 3, "tronqué"),
    "sans_geolocalisation": (lambda l: "\n".join(l[:4]) + "\n", 4, "tronqué"),
    "separateur": (lambda l: "\n".join(x.replace(";", ",") for x in l) + "\n", 1, "séparateur"),
    "nombre_de_champs": (lambda l: "\n".join(l[:2] + [l[2].replace(";;;", ";;", 1)] + l[3:]) + "\n", 3,
                         "champs au lieu de 32"),
    "categorie_inconnue": (lambda l: "\n".join(l[:3] + [l[3].replace(";189;", ";999;")] + l[4:]) + "\n", 4,
                           "catégorie"),
    "date_illisible": (lambda l: "\n".join(l[:5] + [l[5].replace("1988-05-02", "1988-13-45")] + l[6:]) + "\n", 6,
                       "date d'ouverture"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("cas", MAUVAIS_FICHIERS, ids=list(MAUVAIS_FICHIERS))
def test_fichier_defectueux_refuse_avec_la_ligne_et_rien_ne_change(cas, region, national, tmp_path):
    importer_fichier(ECHANTILLON)  # some structures exist, and region's
    avant = etat_du_repertoire()
    changements = Changement.objects.count()
    fabrique, ligne, motif = MAUVAIS_FICHIERS[cas]
    chemin = tmp_path / "mauvais.csv"
    chemin.write_text(fabrique(LIGNES), encoding="utf-8")
    imp = importer_fichier(chemin)
    assert imp.statut == ImportFiness.Statut.ECHEC
    assert imp.ligne_erreur == ligne and motif in imp.erreur
    assert etat_du_repertoire() == avant and Changement.objects.count() == changements
    assert imp.changements.count() == 0


@pytest.mark.django_db
def test_commande_import_finess(national, tmp_path):
    out = __import__("io").StringIO()
    call_command("import_finess", str(ECHANTILLON), stdout=out)
    assert "5 établissements lus, 10 nouveaux" in out.getvalue()
    chemin = tmp_path / "vide.csv"
    chemin.write_text("finess,etalab,111,2026-05-12\n")
    with pytest.raises(CommandError, match="ligne 1.*séparateur"):
        call_command("import_finess", str(chemin), stdout=out)


@pytest.mark.django_db
def test_import_hebdomadaire_depuis_le_chemin_configure(national, settings):
    from imports.tasks import import_hebdomadaire

    settings.FINESS_FICHIER_PLANIFIE = ""
    assert import_hebdomadaire() == "aucun fichier FINESS configuré"
    settings.FINESS_FICHIER_PLANIFIE = str(ECHANTILLON)
    assert import_hebdomadaire().endswith(": Terminé")
    imp = ImportFiness.objects.get()
    assert imp.origine == ImportFiness.Origine.PLANIFIE and imp.nb_nouveaux == 10
    assert import_hebdomadaire() == "fichier déjà importé"  # same file next week: nothing to do
    assert ImportFiness.objects.count() == 1


@pytest.mark.django_db
def test_fichier_binaire_refuse(national, tmp_path):
    chemin = tmp_path / "image.csv"
    chemin.write_bytes(b"finess;etalab;111;2026-05-12\n\x81\x8d\x8f\x90\x9d\x00")
    imp = importer_fichier(chemin)
    assert imp.statut == ImportFiness.Statut.ECHEC and imp.ligne_erreur == 2 and "encodage" in imp.erreur


@pytest.mark.django_db
def test_un_etablissement_importe_se_trouve_aussitot_dans_la_recherche(region, pays_de_la_loire, tmp_path, client):
    nouveau = structureet(nofinesset="490000099", rs="SSIAD DU LAYON", categetab="354")
    chemin = fichier(tmp_path, [EN_TETE, structureet(),
                                structureet(nofinesset="490000049", nofinessej="490000031", rs="CH CHOLET",
                                            commune="099", ligneacheminement="49300 CHOLET", categetab="355"),
                                nouveau, geolocalisation("490000023"), geolocalisation("490000049"),
                                geolocalisation("490000099")])
    assert importer_fichier(chemin, confirme=True).statut == ImportFiness.Statut.TERMINE
    client.force_login(region.consultant)
    reponse = client.get("/recherche/", {"q": "soins infirmiers"})
    assert "SSIAD DU LAYON" in reponse.content.decode()
