"""A small, real region for tests: built through the repertoire services, like the app does."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from nomenclatures.models import Commune, Concept
from repertoire import access
from repertoire.models import Niveau, Structure
from repertoire.services import droits, offre

MOT_DE_PASSE = "mot-de-passe-de-test"


def concept(jeu: str, code: str) -> Concept:
    return Concept.objects.get(nomenclature__cle=jeu, code=code)


def utilisateur(username: str, groupe: str | None = None, **champs):
    user = get_user_model().objects.create_user(username=username, password=MOT_DE_PASSE,
                                                email=f"{username}@exemple.fr", **champs)
    if groupe:
        group, _ = Group.objects.get_or_create(name=groupe)
        user.groups.add(group)
    return user


@dataclass
class Region:
    ej: Structure
    ehpad: Structure
    uo_hp: Structure
    uo_aj: Structure
    autre_ej: Structure
    ch: Structure
    uo_rea: Structure
    consultant: object
    referent: object
    referent_autre: object
    directeur: object
    gestionnaire: object


def construire_region() -> Region:
    angers = Commune.objects.get(code_insee="49007")
    cholet = Commune.objects.get(code_insee="49099")
    systeme = None
    ej = offre.creer_structure(systeme, Niveau.EJ, None, nom="ASSOCIATION LES TILLEULS", finess="490000015",
                               siren="123456789", commune=angers)
    ehpad = offre.creer_structure(
        systeme, Niveau.EG, ej, nom="EHPAD LES TILLEULS", finess="490000023", categorie=concept("J55", "500"),
        numero_voie="12", voie="rue des Lilas", code_postal="49000", commune=angers,
        latitude=47.47, longitude=-0.55, telephone="02 41 00 00 00")
    uo_hp = offre.creer_structure(
        systeme, Niveau.UO, ehpad, nom="Hébergement permanent", type_uo=concept("J34", "21"),
        champ=concept("J20", "04"), discipline="MSS", age_min=60, age_max=120,
        m2m={"activites": [concept("J17", "293")]})
    uo_aj = offre.creer_structure(
        systeme, Niveau.UO, ehpad, nom="Accueil de jour", type_uo=concept("J34", "21"),
        champ=concept("J20", "04"), discipline="MSS", age_min=60, age_max=120)
    autre_ej = offre.creer_structure(systeme, Niveau.EJ, None, nom="CENTRE HOSPITALIER DE CHOLET",
                                     finess="490000031", commune=cholet)
    ch = offre.creer_structure(
        systeme, Niveau.EG, autre_ej, nom="CH CHOLET", finess="490000049", categorie=concept("J55", "355"),
        code_postal="49300", commune=cholet, latitude=47.06, longitude=-0.88)
    uo_rea = offre.creer_structure(
        systeme, Niveau.UO, ch, nom="Réanimation adulte", champ=concept("J20", "01"), discipline="MCO",
        age_min=18, age_max=120, lits_installes=12, m2m={"activites": [concept("J17", "127")]})

    consultant = utilisateur("consultant", access.GROUPE_CONSULTANT)
    referent = utilisateur("referent", access.GROUPE_REFERENT)
    referent_autre = utilisateur("referent_autre", access.GROUPE_REFERENT)
    directeur = utilisateur("directeur", access.GROUPE_DIRECTEUR)
    gestionnaire = utilisateur("gestionnaire", access.GROUPE_GESTIONNAIRE)
    droits.accorder_droit(gestionnaire, referent, "referent", ehpad)
    droits.accorder_droit(gestionnaire, referent_autre, "referent", ch)
    droits.accorder_droit(gestionnaire, directeur, "directeur", ej)
    for s in (ej, ehpad, uo_hp, uo_aj, autre_ej, ch, uo_rea):
        s.refresh_from_db()
    return Region(ej, ehpad, uo_hp, uo_aj, autre_ej, ch, uo_rea, consultant, referent, referent_autre, directeur,
                  gestionnaire)


def unites_en_masse(nom_eg: str, n: int, activite: Concept, commune_id: str = "49099", lits_installes: int = 20,
                    latitude: float | None = None, longitude: float | None = None) -> list[Structure]:
    """A new EJ → EG with `n` UO of one activity, inserted in bulk (tests and benchmarks at scale).

    The tree fields are computed here (EJ 1..2n+4, EG 2..2n+3, UO i 3+2i..4+2i) instead
    of one MPTT insert per unit, which takes minutes for thousands of units.
    """
    ej = offre.creer_structure(None, Niveau.EJ, None, nom=f"EJ {nom_eg}", commune_id=commune_id)
    eg = offre.creer_structure(None, Niveau.EG, ej, nom=nom_eg, commune_id=commune_id, latitude=latitude,
                               longitude=longitude)
    commune = Commune.objects.get(pk=commune_id)
    unites = Structure.objects.bulk_create([
        Structure(niveau=Niveau.UO, parent=eg, ej=ej, eg=eg, nom=f"{nom_eg} unité {i:05d}", tree_id=ej.tree_id,
                  lft=3 + 2 * i, rght=4 + 2 * i, level=2, lits_installes=lits_installes, commune=commune,
                  departement_id=commune.departement_id, age_min=18, age_max=120)
        for i in range(n)])
    Structure.objects.filter(pk=eg.pk).update(rght=3 + 2 * n)
    Structure.objects.filter(pk=ej.pk).update(rght=4 + 2 * n)
    Structure.activites.through.objects.bulk_create(
        [Structure.activites.through(structure_id=uo.pk, concept_id=activite.pk) for uo in unites])
    return unites
