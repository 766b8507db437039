"""The regional board, read side: one query over the followed units and their current beds.

The board is the most-read page in a crisis, so it reads `SituationLits` (one row
per unit) joined to the unit and its EG, without touching the history.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from nomenclatures.cache import ids_du_jeu
from nomenclatures.models import Departement
from repertoire.models import Structure, code_patientele

from .models import SituationLits, UniteMarquee
from .services.suivi import ids_activites_suivies

GROUPES_AGE = {"adultes": "Adultes", "enfants": "Enfants et nouveau-nés"}
TYPE_AUTRES = "autres"


def types_unite() -> dict[str, str]:
    """Filter choices: the configured types of unit, plus units marked by a gestionnaire."""
    types = {cle: libelle for cle, (libelle, _) in settings.DISPONIBILITES_TYPES_UNITE.items()}
    types[TYPE_AUTRES] = "Autres unités suivies"
    return types


CLASSES_BADGE = {"a_jour": "fr-badge--success", "ancienne": "fr-badge--warning", "obsolete": "fr-badge--error",
                 "absente": "fr-badge--info"}


@dataclass
class Fraicheur:
    code: str  # a_jour, ancienne, obsolete, absente
    libelle: str
    icone: str
    age: str

    @property
    def classe(self) -> str:
        """DSFR badge (colour AND icon AND text)."""
        return CLASSES_BADGE[self.code]


def fraicheur(date: datetime | None, maintenant: datetime) -> Fraicheur:
    """How old a figure is, as text (never colour alone)."""
    if date is None:
        return Fraicheur("absente", "Jamais saisi", "fr-icon-question-line", "—")
    heures = (maintenant - date).total_seconds() / 3600
    age = duree_lisible(maintenant - date)
    if heures >= settings.DISPONIBILITES_SEUIL_OBSOLETE_HEURES:
        return Fraicheur("obsolete", "Obsolète", "fr-icon-error-warning-line", age)
    if heures >= settings.DISPONIBILITES_SEUIL_ANCIEN_HEURES:
        return Fraicheur("ancienne", "Ancienne", "fr-icon-time-line", age)
    return Fraicheur("a_jour", "À jour", "fr-icon-check-line", age)


def duree_lisible(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 1:
        return "à l'instant"
    if minutes < 60:
        return f"il y a {minutes} min"
    heures, reste = divmod(minutes, 60)
    if heures < 48:
        return f"il y a {heures} h {reste:02d}"
    return f"il y a {heures // 24} jours"


@dataclass
class Ligne:
    uo_id: int
    nom: str
    eg_id: int | None
    eg_nom: str
    departement: str | None
    patientele: str
    types: list[str]
    installes: int | None
    disponibles: int | None
    supplementaires: int | None
    fermes: int | None
    occupes: int | None
    date_maj: datetime | None
    saisi_par: str
    latitude: float | None
    longitude: float | None
    fraicheur: Fraicheur | None = None
    url_historique: str = ""


@dataclass
class Totaux:
    unites: int = 0
    installes: int = 0
    disponibles: int = 0
    supplementaires: int = 0
    sans_donnee_fraiche: int = 0

    def ajouter(self, ligne: Ligne):
        self.unites += 1
        self.installes += ligne.installes or 0
        self.disponibles += ligne.disponibles or 0
        self.supplementaires += ligne.supplementaires or 0
        if ligne.fraicheur.code != "a_jour":
            self.sans_donnee_fraiche += 1


@dataclass
class GroupeEG:
    eg_id: int | None
    nom: str
    lignes: list[Ligne] = field(default_factory=list)
    totaux: Totaux = field(default_factory=Totaux)


@dataclass
class GroupeDepartement:
    code: str
    nom: str
    etablissements: list[GroupeEG] = field(default_factory=list)
    totaux: Totaux = field(default_factory=Totaux)

    @property
    def corps(self):
        from .rendu import corps_departement

        return corps_departement(self)


@dataclass
class Filtres:
    type_unite: str = ""
    age: str = ""
    departement: str = ""

    @classmethod
    def depuis(cls, params) -> "Filtres":
        """Read the filters from a query string; unknown values are ignored."""
        type_unite = params.get("type", "")
        age = params.get("age", "")
        departement = params.get("departement", "")
        return cls(
            type_unite=type_unite if type_unite in types_unite() else "",
            age=age if age in GROUPES_AGE else "",
            departement=departement if departement in dict(departements_de_la_region()) else "",
        )


def departements_de_la_region() -> list[tuple[str, str]]:
    qs = Departement.objects.all()
    if settings.ROR_REGION_CODE:
        qs = qs.filter(region_id=settings.ROR_REGION_CODE)
    return list(qs.order_by("code").values_list("code", "nom"))


def _unites_du_territoire(filtres: Filtres, departements: list[str] | None) -> dict[int, list[int]]:
    """uo id → followed activity ids, for the followed units of the territory.

    The costly part (it reads every followed unit of the database, ~16,000 nationally),
    so it is kept in the cache until the Répertoire or the gestionnaires' marks change.
    """
    from django.db.models import Max

    activites = ids_activites_suivies(filtres.type_unite if filtres.type_unite != TYPE_AUTRES else None)
    version = (filtres.type_unite, departements, activites,
               Structure.objects.aggregate(m=Max("modifie_le"))["m"], UniteMarquee.objects.aggregate(m=Max("le"))["m"])
    cle = "disponibilites:unites:" + hashlib.sha1(repr(version).encode()).hexdigest()
    unites = cache.get(cle)
    if unites is not None:
        return unites
    suivies = ("SELECT structure_id AS uo_id, array_agg(concept_id) AS activites "
               f"FROM {Structure.activites.through._meta.db_table} WHERE concept_id = ANY(%(activites)s) "
               "GROUP BY structure_id")
    marquees = f"SELECT uo_id, ARRAY[]::bigint[] FROM {UniteMarquee._meta.db_table} WHERE suivie"
    if filtres.type_unite == TYPE_AUTRES:
        source = marquees
    elif filtres.type_unite:
        source = suivies
    else:
        source = f"{suivies} UNION ALL {marquees}"
    sql = f"""
        SELECT s.uo_id, s.activites FROM ({source}) s
        JOIN {Structure._meta.db_table} uo ON uo.id = s.uo_id AND uo.niveau = 'UO' AND uo.etat = 'ouvert'
        LEFT JOIN {Structure._meta.db_table} eg ON eg.id = uo.eg_id
        WHERE NOT EXISTS (SELECT 1 FROM {UniteMarquee._meta.db_table} m WHERE m.uo_id = uo.id AND NOT m.suivie)
    """
    params = {"activites": activites}
    if departements is not None:
        sql += " AND COALESCE(uo.departement_id, eg.departement_id) = ANY(%(departements)s)"
        params["departements"] = departements
    unites = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for uo_id, ids in cursor.fetchall():
            unites.setdefault(uo_id, ids or [])
    cache.set(cle, unites, 300)
    return unites


def _details(ids: list[int]) -> list[tuple]:
    """Names, ages, capacity, position and current beds of these units."""
    sql = f"""
        SELECT uo.id, uo.nom, uo.age_min, uo.age_max, uo.lits_installes, eg.id, eg.nom,
               COALESCE(uo.departement_id, eg.departement_id) AS dep,
               COALESCE(uo.latitude, eg.latitude), COALESCE(uo.longitude, eg.longitude),
               sl.disponibles, sl.supplementaires, sl.fermes, sl.occupes, sl.disponibles_le,
               u.first_name, u.last_name, u.username
        FROM {Structure._meta.db_table} uo
        LEFT JOIN {Structure._meta.db_table} eg ON eg.id = uo.eg_id
        LEFT JOIN {SituationLits._meta.db_table} sl ON sl.uo_id = uo.id
        LEFT JOIN {get_user_model()._meta.db_table} u ON u.id = sl.saisi_par_id
        WHERE uo.id = ANY(%(ids)s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": ids})
        return cursor.fetchall()


def _dans_groupe_age(age_min, age_max, groupe: str) -> bool:
    if groupe == "adultes":
        return age_max is None or age_max >= 18
    if groupe == "enfants":
        return age_min is None or age_min < 18
    return True


def lignes(filtres: Filtres, maintenant: datetime | None = None) -> list[Ligne]:
    maintenant = maintenant or timezone.now()
    if filtres.departement:
        departements = [filtres.departement]
    elif settings.ROR_REGION_CODE:
        departements = [code for code, _ in departements_de_la_region()]
    else:
        departements = None
    unites = _unites_du_territoire(filtres, departements)
    rangees = _details(list(unites))
    libelle_type = _libelle_type_par_concept()
    modele_url = reverse("disponibilites:historique_unite", args=[987654321])  # one reverse, not one per row
    resultat = []
    for (uo_id, nom, age_min, age_max, installes, eg_id, eg_nom, dep, lat, lon, dispo, suppl, fermes,
         occupes, date_maj, prenom, nom_famille, identifiant) in rangees:
        if filtres.age and not _dans_groupe_age(age_min, age_max, filtres.age):
            continue
        types = sorted({libelle_type[a] for a in unites[uo_id] if a in libelle_type}) or [
            types_unite()[TYPE_AUTRES]]
        saisi_par = f"{prenom or ''} {nom_famille or ''}".strip() or (identifiant or "")  # no user: no "None None"
        resultat.append(Ligne(uo_id, nom, eg_id, eg_nom or "", dep, code_patientele(age_min, age_max), types,
                              installes, dispo, suppl, fermes, occupes, date_maj, saisi_par, lat, lon,
                              fraicheur(date_maj, maintenant), modele_url.replace("987654321", str(uo_id))))
    return resultat


def _libelle_type_par_concept() -> dict[int, str]:
    ids = ids_du_jeu("J17")
    return {ids[code]: libelle for libelle, codes in settings.DISPONIBILITES_TYPES_UNITE.values()
            for code in codes if code in ids}


def grouper(lignes_: list[Ligne]) -> tuple[list[GroupeDepartement], Totaux]:
    """Département → EG → units, each level with its totals."""
    noms = dict(Departement.objects.values_list("code", "nom"))
    departements: dict[str, GroupeDepartement] = {}
    etablissements: dict[tuple, GroupeEG] = {}
    total = Totaux()
    for ligne in sorted(lignes_, key=lambda x: (x.departement or "", x.eg_nom, x.nom)):
        code = ligne.departement or ""
        dep = departements.get(code)
        if dep is None:
            dep = departements[code] = GroupeDepartement(code, noms.get(code, "Département non renseigné"))
        eg = etablissements.get((code, ligne.eg_id))
        if eg is None:
            eg = etablissements[(code, ligne.eg_id)] = GroupeEG(ligne.eg_id, ligne.eg_nom)
            dep.etablissements.append(eg)
        eg.lignes.append(ligne)
        for totaux in (eg.totaux, dep.totaux, total):
            totaux.ajouter(ligne)
    return list(departements.values()), total


def signature(filtres: Filtres, maintenant: datetime) -> str:
    """Changes whenever the board would: a new figure, a change in the Répertoire, a marked unit,
    a tension, new settings, or a minute passing (the ages shown)."""
    from django.db.models import Max

    from .models import SituationTension

    derniere = SituationLits.objects.aggregate(m=Max("modifie_le"))["m"]
    repertoire = Structure.objects.aggregate(m=Max("modifie_le"))["m"]
    marques = UniteMarquee.objects.aggregate(m=Max("le"))["m"]
    tensions = SituationTension.objects.aggregate(d=Max("debut"), f=Max("fin"), n=Max("id"))
    reglages = (settings.ROR_REGION_CODE, settings.DISPONIBILITES_SEUIL_ANCIEN_HEURES,
                settings.DISPONIBILITES_SEUIL_OBSOLETE_HEURES, tuple(settings.DISPONIBILITES_ACTIVITES_J17))
    return "|".join(str(x) for x in (filtres.type_unite, filtres.age, filtres.departement, derniere, repertoire,
                                      marques, tensions["d"], tensions["f"], tensions["n"], hash(reglages),
                                      int(maintenant.timestamp() // 60)))
