"""FHIR search parameters of the ROR (ANS IG CapabilityStatement) → querysets.

Each resource type lists the parameters it accepts. A parameter the server does not know
is ignored and reported (FHIR's lenient default), unless the client sends
`Prefer: handling=strict`; a value that cannot be read raises ParametreInvalide (served
as an OperationOutcome 400). HealthcareService searches also narrow the offers of each
matching unit (Restriction): `specialty=127` returns the unit's offers of activity 127 only.
"""

import base64
import math
import re
from datetime import datetime, timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, Case, F, FloatField, Func, OuterRef, Q, Subquery, When
from django.db.models.functions import ACos, Cos, Coalesce, Least, Radians, Sin
from django.utils import timezone

from nomenclatures.models import Commune, Concept
from nomenclatures.texte import normaliser
from repertoire.extensions import registre
from repertoire.models import Etat, Structure

from . import nos

# The guide's paging rule: "le service renvoie les 200 premiers résultats" (specifications_techniques_1..4);
# a larger _count is capped, not refused.
COUNT_DEFAUT = 200
COUNT_MAX = 200


class ParametreInvalide(Exception):
    def __init__(self, message: str, code: str = "invalid"):
        self.message, self.code = message, code
        super().__init__(message)


# -- value readers -------------------------------------------------------------------

PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
DATE_RE = re.compile(
    r"^(?P<y>\d{4})(-(?P<m>\d{2})(-(?P<d>\d{2})(T(?P<H>\d{2}):(?P<M>\d{2})(:(?P<S>\d{2})(\.(?P<f>\d{1,6}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$")


ANNEE_MIN, ANNEE_MAX = 1000, 9000


def _prefixe(valeur: str, autorises=("eq", "gt", "lt", "ge", "le")) -> tuple[str, str]:
    if len(valeur) > 2 and valeur[:2] in PREFIXES and not valeur[:2].isdigit():
        prefixe, reste = valeur[:2], valeur[2:]
        if prefixe not in autorises:
            raise ParametreInvalide(f"Préfixe « {prefixe} » non pris en charge ici (possibles : "
                                    f"{', '.join(autorises)}).")
        return prefixe, reste
    return "eq", valeur


def intervalle_date(valeur: str) -> tuple[datetime, datetime]:
    """A FHIR date/dateTime → [start, end) at its precision (a day, a month, a second…)."""
    valeur = re.sub(r" (\d{2}:\d{2})$", r"+\1", valeur)  # an unencoded "+" arrives as a space
    m = DATE_RE.match(valeur)
    if not m:
        raise ParametreInvalide(f"Date illisible « {valeur} » (attendu AAAA-MM-JJ ou AAAA-MM-JJThh:mm:ss+01:00).")
    if not ANNEE_MIN <= int(m["y"]) <= ANNEE_MAX:
        # Far years overflow once moved to UTC or widened by a margin (`ap`): refused up front.
        raise ParametreInvalide(f"Date hors des bornes « {valeur} » : l'année doit être entre {ANNEE_MIN} et "
                                f"{ANNEE_MAX}.")
    try:
        y = int(m["y"])
        if m["H"] is not None:
            tz = timezone.get_current_timezone()
            if m["tz"]:
                tz = datetime.fromisoformat("2000-01-01T00:00:00" + ("+00:00" if m["tz"] == "Z" else m["tz"])).tzinfo
            debut = datetime(y, int(m["m"]), int(m["d"]), int(m["H"]), int(m["M"]), int(m["S"] or 0),
                             int((m["f"] or "0").ljust(6, "0")), tzinfo=tz)
            pas = timedelta(microseconds=1) if m["f"] else timedelta(seconds=1) if m["S"] else timedelta(minutes=1)
            return debut, debut + pas
        tz = timezone.get_current_timezone()
        if m["d"]:
            debut = datetime(y, int(m["m"]), int(m["d"]), tzinfo=tz)
            return debut, debut + timedelta(days=1)
        if m["m"]:
            debut = datetime(y, int(m["m"]), 1, tzinfo=tz)
            fin = datetime(y + (debut.month == 12), debut.month % 12 + 1, 1, tzinfo=tz)
            return debut, fin
        return datetime(y, 1, 1, tzinfo=tz), datetime(y + 1, 1, 1, tzinfo=tz)
    except (ValueError, OverflowError):  # 2026-02-30, or an end past year 9999 (9999-12-31)
        raise ParametreInvalide(f"Date impossible « {valeur} ».") from None


def bornes_date(valeur: str) -> dict:
    """A FHIR date search value → lookups on a date field ({"gte": …, "lt": …}), every comparator."""
    prefixe, reste = _prefixe(valeur, autorises=("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"))
    debut, fin = intervalle_date(reste)
    if prefixe == "ap":  # approximately: FHIR leaves the margin to the server; 10 % of the span, 1 day at least
        marge = max(abs(timezone.now() - debut) * 0.1, timedelta(days=1))
        return {"gte": debut - marge, "lt": fin + marge}
    return {"eq": {"gte": debut, "lt": fin}, "ge": {"gte": debut}, "gt": {"gte": fin}, "sa": {"gte": fin},
            "le": {"lt": fin}, "lt": {"lt": debut}, "eb": {"lt": debut}, "ne": {"ne": (debut, fin)}}[prefixe]


def filtre_date(champ: str, valeur: str) -> Q:
    bornes = bornes_date(valeur)
    if "ne" in bornes:
        debut, fin = bornes["ne"]
        return Q(**{f"{champ}__lt": debut}) | Q(**{f"{champ}__gte": fin})
    return Q(**{f"{champ}__{k}": v for k, v in bornes.items()})


def entier(valeur: str, nom: str, minimum: int = 0, maximum: int = 10**9) -> int:
    if not re.fullmatch(r"\d{1,9}", valeur or ""):
        raise ParametreInvalide(f"« {nom} » attend un nombre entier, pas « {valeur} ».")
    n = int(valeur)
    if not minimum <= n <= maximum:
        raise ParametreInvalide(f"« {nom} » doit être compris entre {minimum} et {maximum}.")
    return n


def jetons(valeur: str, nom: str) -> list[tuple[str | None, str]]:
    """`[system|]code[,…]` → [(system or None, code)]."""
    resultat = []
    for morceau in valeur.split(","):
        systeme, _, code = morceau.rpartition("|") if "|" in morceau else (None, None, morceau)
        code = code.strip()
        if not code:
            raise ParametreInvalide(f"« {nom} » : code vide dans « {valeur} ».")
        resultat.append((systeme or None, code))
    return resultat


def concepts_de(valeur: str, nom: str, jeux: list[str]) -> list[int]:
    """Concept ids of value sets `jeux` matching `[system|]code[,…]`."""
    condition = Q(pk__in=[])
    for systeme, code in jetons(valeur, nom):
        c = Q(code=code)
        if systeme:
            c &= Q(systeme__in=nos.systemes_pour_url(systeme))
        condition |= c
    return list(Concept.objects.filter(nomenclature__cle__in=jeux).filter(condition).values_list("pk", flat=True))


def m2m_contient(champ: str, concept_ids: list[int]) -> Q:
    through = Structure._meta.get_field(champ).remote_field.through
    return Q(pk__in=through.objects.filter(concept_id__in=concept_ids).values("structure_id"))


# -- parameters per resource type ----------------------------------------------------

def _id(qs, valeur):
    ids = [v.strip() for v in valeur.split(",")]
    if not all(re.fullmatch(r"\d{1,18}", i) for i in ids):
        raise ParametreInvalide(f"« _id » attend des identifiants numériques, pas « {valeur} ».")
    return qs.filter(pk__in=[int(i) for i in ids])


def _id_offre(qs, valeur):
    from .fhir import lire_id_offre

    ids = [lire_id_offre(v.strip()) for v in valeur.split(",")]
    if not all(ids):
        raise ParametreInvalide(f"« _id » attend des identifiants d'offre <unité>-<activité>-<mode>, pas « {valeur} ».")
    return qs.filter(pk__in=[i[0] for i in ids])


def _tag(qs, valeur):
    """meta.tag: the source region (TRE_R30); every resource here comes from this portal's region."""
    from django.conf import settings

    for systeme, code in jetons(valeur, "_tag"):
        if systeme in (None, nos.TRE_R30) and code == settings.ROR_REGION_CODE:
            return qs
    return qs.none()


def _address_postalcode(qs, valeur):
    """Postal codes starting with one of the values (Location: the unit's, else its EG's)."""
    condition = Q(pk__in=[])
    for prefixe in (v.strip() for v in valeur.split(",")):
        if not re.fullmatch(r"\d{1,5}", prefixe):
            raise ParametreInvalide(f"« address-postalcode » attend des codes postaux (ou leur début), pas « {prefixe} ».")
        condition |= Q(code_postal__startswith=prefixe) | Q(code_postal="", eg__code_postal__startswith=prefixe)
    return qs.filter(condition)


def _last_updated(qs, valeur):
    return qs.filter(filtre_date("modifie_le", valeur))


def _specialty(qs, valeur):
    # specialty holds the offer's activity (J17) and the unit's activity family (J51).
    ids = concepts_de(valeur, "specialty", ["J17", "J51"])
    return qs.filter(m2m_contient("activites", ids) | Q(famille_activite__in=ids))


def _service_category(qs, valeur):
    return qs.filter(type_uo__in=concepts_de(valeur, "service-category", ["J34"]))


def _service_type(qs, valeur):
    return qs.filter(champ__in=concepts_de(valeur, "service-type", ["J20"]))


CARACTERISTIQUES = {"modes_prise_en_charge": "R213", "temporalites_accueil": "J30", "modalites_accueil": "J226",
                    "actes": "J16", "specialisations": "J35", "professions": "J186", "competences": "J33"}


def _characteristic(qs, valeur):
    ids = concepts_de(valeur, "characteristic", list(CARACTERISTIQUES.values()) + ["J28", "J227"])
    condition = Q(ouverture_annuelle__in=ids) | Q(niveau_expertise__in=ids)
    for champ in CARACTERISTIQUES:
        condition |= m2m_contient(champ, ids)
    return qs.filter(condition)


def _patient_type(qs, valeur):
    return qs.filter(m2m_contient("publics", concepts_de(valeur, "patient-type", ["J29"])))


def bornes_nombre(valeur: str, nom: str, maximum: int = 10**9) -> dict:
    """A FHIR number (or quantity: number[|system|code]) search value → lookups on an integer field,
    every comparator; ap is ± 10 % (1 at least); ne gives {"ne": n}."""
    prefixe, reste = _prefixe(valeur, autorises=PREFIXES)
    n = entier(reste.split("|")[0], nom, 0, maximum)
    if prefixe == "ap":
        marge = max(1, round(n * 0.1))
        return {"gte": n - marge, "lte": n + marge}
    return {{"eq": "exact", "ne": "ne", "ge": "gte", "gt": "gt", "sa": "gt", "le": "lte", "lt": "lt",
             "eb": "lt"}[prefixe]: n}


def filtre_nombre(champ: str, bornes: dict) -> Q:
    if "ne" in bornes:
        return ~Q(**{champ: bornes["ne"]})
    return Q(**{f"{champ}__{k}": v for k, v in bornes.items()})


def _age(champ: str, nom: str):
    """age-range-low/high (quantity, years): every FHIR comparator."""
    def filtre(qs, valeur):
        return qs.filter(filtre_nombre(champ, bornes_nombre(valeur, nom, 150)))
    return filtre


def _intervention_zone(qs, valeur):
    """Units whose zone d'intervention holds a commune (INSEE code, 5 characters), a commune of a
    département (2-3 characters, or system TRE_R04-Departement) or of a région (system TRE_R30-RegionOM,
    whose codes would be read as départements without it)."""
    communes, departements, regions = [], [], []
    for systeme, code in jetons(valeur, "intervention-zone"):
        if systeme == nos.TRE_R30 and re.fullmatch(r"\d{2}", code):
            regions.append(code)
        elif systeme in (None, nos.TRE_R04) and re.fullmatch(r"\d{2,3}|2[AB]", code):
            departements.append(code)
        elif systeme in (None, nos.TRE_R13) and re.fullmatch(r"[0-9][0-9AB][0-9]{3}", code):
            communes.append(code)
        else:
            raise ParametreInvalide("« intervention-zone » attend un code INSEE de commune (5 caractères), un code "
                                    f"de département, ou {nos.TRE_R30}|<code région> ; pas « {code} ».")
    zone = Commune.objects.filter(Q(pk__in=communes) | Q(departement_id__in=departements)
                                  | Q(departement__region_id__in=regions))
    return qs.filter(pk__in=Structure.territoire.through.objects.filter(commune_id__in=zone.values("pk"))
                     .values("structure_id"))


def _name(qs, valeur):
    return qs.filter(Q(nom__istartswith=valeur) | Q(nom_officiel__istartswith=valeur))


def _name_contains(qs, valeur):
    return qs.filter(Q(nom__icontains=valeur) | Q(nom_officiel__icontains=valeur))


def _reference_organisation(valeur: str, nom: str) -> int:
    ref = valeur.removeprefix("Organization/")
    if not re.fullmatch(r"\d{1,18}", ref):
        raise ParametreInvalide(f"« {nom} » attend une référence Organization/<id>.")
    return int(ref)


def _organization(qs, valeur):
    return qs.filter(eg_id=_reference_organisation(valeur, "organization"))


def _identifier_offre(qs, valeur):
    from .fhir import SYSTEME_OFFRE

    condition = Q(pk__in=[])
    for systeme, code in jetons(valeur, "identifier"):
        if systeme and systeme != SYSTEME_OFFRE:
            continue
        m = re.fullmatch(r"[0-9A-Z]{1,3}-(\d{1,18})-[^-]+-[^-]+", code)
        if m:
            condition |= Q(pk=int(m[1]))
    return qs.filter(condition)


def _identifier_lieu(qs, valeur):
    """No Location carries an identifier: the profile's slices (idLocation, idExterneSynchro, RORLocation.fsh
    @9be76d4957dd945af3a336c95409a3ae538a1cd0) are data we do not hold, so a well-formed search matches no
    place (ignoring it, as an unknown parameter, would answer every place)."""
    jetons(valeur, "identifier")
    return qs.none()


def _identifier_organisation(qs, valeur):
    from .fhir import SYSTEME_FINESS, SYSTEME_IDNATST, SYSTEMES_SIRENE

    condition = Q(pk__in=[])
    for systeme, code in jetons(valeur, "identifier"):
        if systeme in (None, SYSTEME_FINESS):
            condition |= Q(finess=code)
        if systeme is None or systeme in SYSTEMES_SIRENE:
            condition |= Q(siren=code) | Q(siret=code)
        if systeme in (None, SYSTEME_IDNATST) and code.startswith("1") and len(code) == 10:
            condition |= Q(finess=code[1:])
    return qs.filter(condition)


def _type_organisation(qs, valeur):
    ids = concepts_de(valeur, "type", ["J55", "J173"])
    return qs.filter(Q(categorie__in=ids) | Q(statut_juridique__in=ids))


def _partof(qs, valeur):
    return qs.filter(parent_id=_reference_organisation(valeur, "partof"))


def _active(qs, valeur):
    if valeur not in ("true", "false"):
        raise ParametreInvalide("« active » vaut true ou false.")
    return qs.filter(etat=Etat.OUVERT if valeur == "true" else Etat.FERME)


def _address_city(qs, valeur):
    """address-city (string: starts with, case and accents ignored): the place's city, the EG's when the
    unit has no address of its own (as fhir.adresse serves it)."""
    condition = Q(pk__in=[])
    for morceau in valeur.split(","):
        debut = normaliser(morceau)
        if not debut:
            raise ParametreInvalide(f"« address-city » attend un nom de commune, pas « {morceau.strip()} ».")
        communes = Commune.objects.filter(nom_recherche__startswith=debut).values("pk")
        condition |= Q(commune__in=communes) | Q(voie="", commune__isnull=True, eg__commune__in=communes)
    return qs.filter(condition)


def _status(qs, valeur):
    """Location.status: active (open) or inactive (closed), as fhir.location serves it."""
    etats = {"active": Etat.OUVERT, "inactive": Etat.FERME}
    codes = [code for _, code in jetons(valeur, "status")]
    if any(code not in etats for code in codes):
        raise ParametreInvalide("« status » vaut active ou inactive (suspended n'est pas servi).")
    return qs.filter(etat__in=[etats[c] for c in codes])


def _operational_status(qs, valeur):
    """operationalStatus (J224, TRE_R203): 3 opérationnel, 1 fermé définitivement; 2 (fermé temporairement)
    is never served."""
    etats = {"3": Etat.OUVERT, "1": Etat.FERME}
    choisis = [etats[code] for systeme, code in jetons(valeur, "operational-status")
               if systeme in (None, nos.TRE_R203) and code in etats]
    return qs.filter(etat__in=choisis)


def _equipment_type(qs, valeur):
    return qs.filter(m2m_contient("equipements", concepts_de(valeur, "equipment-type", ["J18"])))


def _period_end(qs, valeur):
    """period-end: the closing date of the organization-period extension (a day: every comparator compares
    the day the search value falls in); a structure with no closing date matches none."""
    return qs.filter(Q(date_fermeture__isnull=False) & filtre_date("date_fermeture", valeur))


def _type_lieu(qs, valeur):
    return qs.filter(fonction_lieu__in=concepts_de(valeur, "type", ["J198"]))


def _residential_type(qs, valeur):
    return qs.filter(type_habitation__in=concepts_de(valeur, "residential-type", ["J32"]))


def _residential_number(qs, valeur):
    # A place without a dwellings count has no residentialNumber: it matches no comparator, not even ne.
    return qs.filter(Q(nombre_habitations__isnull=False)
                     & filtre_nombre("nombre_habitations", bornes_nombre(valeur, "residential-number")))


def _commune_cog(qs, valeur):
    codes = [code for _, code in jetons(valeur, "commune-cog")]
    return qs.filter(Q(commune_id__in=codes) | Q(commune__isnull=True, eg__commune_id__in=codes))


UNITES_KM = {"km": 1.0, "m": 0.001, "[mi_i]": 1.609344}
DISTANCE_DEFAUT_KM = 10


def _distance_km(distance: str, unite: str) -> float:
    """A FHIR near distance and its UCUM unit (km when none) → km, 0 to 1000."""
    try:
        distance_km = float(distance) * UNITES_KM[unite or "km"]
    except (ValueError, KeyError):
        raise ParametreInvalide(f"Distance illisible « {distance}|{unite} » (ex. 20|km ; unités : "
                                f"{', '.join(UNITES_KM)}).") from None
    if math.isnan(distance_km) or not 0 <= distance_km <= 1000:
        raise ParametreInvalide("La distance doit être comprise entre 0 et 1000 km.")
    return distance_km


RAYON_TERRE_KM = 6371.0


def _boite(lat: float, lon: float, distance_km: float) -> tuple[tuple[float, float], tuple[float, float] | None]:
    """The latitude and longitude ranges holding every point within distance_km of (lat, lon) on the 6371 km
    sphere (None: every longitude, near a pole or across the antimeridian); a hair wider than exact, so a
    point the distance keeps is never left out by a rounding of the box."""
    angle = distance_km / RAYON_TERRE_KM + 1e-9
    dlat = math.degrees(angle) + 1e-7
    latitudes = (lat - dlat, lat + dlat)
    if abs(lat) + dlat >= 90 or math.sin(angle) >= math.cos(math.radians(lat)):
        return latitudes, None
    dlon = math.degrees(math.asin(math.sin(angle) / math.cos(math.radians(lat)))) + 1e-7
    if abs(lon) + dlon >= 180:
        return latitudes, None
    return latitudes, (lon - dlon, lon + dlon)


def _dans_la_boite(latitudes, longitudes) -> Q:
    """Complete positions in the box (Structure: index structure_position; Commune: commune_position)."""
    q = Q(latitude__range=latitudes, longitude__isnull=False)
    return q & Q(longitude__range=longitudes) if longitudes else q


class _Parmi(Func):
    """`colonne = ANY(ARRAY(subquery))`: an index scan on the column inside an OR (where IN (subquery) is
    a filter run on every row)."""
    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def _parmi(colonne: str, ids) -> Q:
    return Q(_Parmi(F(colonne), ArraySubquery(ids.order_by())))  # no MPTT ordering to sort


def _structures_dans_la_boite(latitudes, longitudes):
    return Structure.objects.filter(_dans_la_boite(latitudes, longitudes)).values("pk")


def _dans_le_rayon(qs, lat: float, lon: float, distance_km: float, candidats: Q):
    """Rows whose annotated (_lat, _lon) lie within distance_km of (lat, lon) on a 6371 km sphere (the
    great-circle distance, annotated as _distance_km), among the `candidats` that indexes find (a superset)."""
    cosinus = (Sin(Radians(F("_lat"))) * math.sin(math.radians(lat))
               + Cos(Radians(F("_lat"))) * math.cos(math.radians(lat)) * Cos(Radians(F("_lon")) - math.radians(lon)))
    return qs.filter(candidats).annotate(
        _distance_km=RAYON_TERRE_KM * ACos(Least(cosinus, 1.0))).filter(_distance_km__lte=distance_km)


def _near_insee_code(qs, valeur):
    """`<INSEE commune>|<distance>|<unit>` (unit km, m): places within that distance of the commune."""
    morceaux = valeur.split("|")
    if len(morceaux) not in (1, 3):
        raise ParametreInvalide("« near-insee-code » s'écrit <code INSEE>|<distance>|km.")
    code = morceaux[0]
    distance_km = _distance_km(*(morceaux[1:] if len(morceaux) == 3 else (str(DISTANCE_DEFAUT_KM), "km")))
    commune = Commune.objects.filter(pk=code).first()
    if commune is None:
        raise ParametreInvalide(f"Commune INSEE « {code} » inconnue.")
    if commune.latitude is None:
        return qs.filter(Q(commune_id=code) | Q(commune__isnull=True, eg__commune_id=code))
    # The communes' coordinates by subqueries, run only when the unit and its EG have none (COALESCE
    # stops at the first value): joined, the 35,000 communes were hashed for every search.
    def de_la_commune(reference: str, champ: str):
        return Subquery(Commune.objects.filter(pk=OuterRef(reference)).order_by().values(champ))

    qs = qs.annotate(
        _lat=Coalesce("latitude", "eg__latitude", de_la_commune("commune_id", "latitude"),
                      de_la_commune("eg__commune_id", "latitude"), output_field=FloatField()),
        _lon=Coalesce("longitude", "eg__longitude", de_la_commune("commune_id", "longitude"),
                      de_la_commune("eg__commune_id", "longitude"), output_field=FloatField()),
    )
    # The served pair is the first of the four that has a coordinate; complete, it lies in the box; half
    # (a latitude without longitude, or the reverse) mixes two sources: those rare rows are candidates too.
    latitudes, longitudes = _boite(commune.latitude, commune.longitude, distance_km)
    communes = Commune.objects.filter(_dans_la_boite(latitudes, longitudes)).values("pk")
    demi = Q(latitude__isnull=True, longitude__isnull=False) | Q(latitude__isnull=False, longitude__isnull=True)
    demi_structures = Structure.objects.filter(demi).values("pk")  # index structure_demi_position
    demi_communes = Commune.objects.filter(demi).values("pk")
    candidats = (_dans_la_boite(latitudes, longitudes)
                 | _parmi("eg_id", _structures_dans_la_boite(latitudes, longitudes))
                 | _parmi("commune_id", communes)
                 | _parmi("eg_id", Structure.objects.eg().filter(_parmi("commune_id", communes)).values("pk"))
                 | _parmi("pk", demi_structures) | _parmi("eg_id", demi_structures)
                 | _parmi("commune_id", demi_communes)
                 | _parmi("eg_id", Structure.objects.eg().filter(_parmi("commune_id", demi_communes)).values("pk")))
    return _dans_le_rayon(qs, commune.latitude, commune.longitude, distance_km, candidats)


NEAR_RE = re.compile(r"(?P<lat>[-+]?\d{1,3}(\.\d{1,12})?)\|(?P<lon>[-+]?\d{1,3}(\.\d{1,12})?)"
                     r"(\|(?P<distance>[^|]*)(\|(?P<unite>[^|]*))?)?")


def _near(qs, valeur):
    """FHIR's Location `near` (special): `latitude|longitude[|distance[|units]]` (WGS84 degrees; distance
    10 km when omitted, units km when omitted: km, m, [mi_i]), over Location.position as fhir.position
    serves it: the unit's own coordinates, else its EG's. A place with no position matches none."""
    m = NEAR_RE.fullmatch(valeur.strip())
    if not m:
        raise ParametreInvalide(f"« near » s'écrit latitude|longitude|distance|unité (ex. 47.47|-0.55|20|km), "
                                f"pas « {valeur} ».")
    lat, lon = float(m["lat"]), float(m["lon"])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ParametreInvalide(f"« near » : latitude entre -90 et 90, longitude entre -180 et 180 (reçu « {valeur} »).")
    distance = m["distance"] if m["distance"] not in (None, "") else str(DISTANCE_DEFAUT_KM)
    distance_km = _distance_km(distance, m["unite"] or "km")
    propres = Q(latitude__isnull=False, longitude__isnull=False)
    qs = qs.annotate(
        _lat=Case(When(propres, then=F("latitude")), default=F("eg__latitude"), output_field=FloatField()),
        _lon=Case(When(propres, then=F("longitude")), default=F("eg__longitude"), output_field=FloatField()),
    ).filter(_lat__isnull=False, _lon__isnull=False)
    # Served position in the box: the unit's own, or its EG's — each side found by an index.
    latitudes, longitudes = _boite(lat, lon, distance_km)
    candidats = (_dans_la_boite(latitudes, longitudes)
                 | _parmi("eg_id", _structures_dans_la_boite(latitudes, longitudes)))
    return _dans_le_rayon(qs, lat, lon, distance_km, candidats)


def _capacity_status(qs, valeur):
    """R330 statut: 01 installé (installed beds/places), 02 disponible … 06 supplémentaire (beds reported)."""
    codes = {code for systeme, code in jetons(valeur, "capacity-status")
             if systeme in (None, nos.TRE_R330)}
    inconnus = codes - {"01", "02", "03", "04", "05", "06"}
    if inconnus:
        raise ParametreInvalide(f"« capacity-status » : code(s) inconnu(s) {sorted(inconnus)} (TRE_R330).")
    condition = Q(pk__in=[])
    if "01" in codes:
        condition |= Q(lits_installes__gt=0) | Q(places_installees__gt=0)
    for code in sorted(codes - {"01"}):
        condition |= Q(pk__in=registre.uo_avec_lits(code))
    return qs.filter(condition)


# The capacities a Location carries (fhir.capacites): installed beds (lits_installes, nature 01) and
# places (places_installees, nature 02), then the beds of each reported TRE_R330 status (nature 01),
# all « courant » (TRE_R331 01). The guide's ror-sp-capacity-type and ror-sp-temporality-capacity
# search those parts of ror-location-supported-capacity.
STATUTS_SIGNALES = ("02", "03", "04", "05", "06")


def _lits_signales() -> Q:
    condition = Q(pk__in=[])
    for statut in STATUTS_SIGNALES:
        condition |= Q(pk__in=registre.uo_avec_lits(statut))
    return condition


def _codes(valeur: str, nom: str, systeme_attendu: str, connus: set[str], jeu: str) -> set[str]:
    codes = {code for systeme, code in jetons(valeur, nom) if systeme in (None, systeme_attendu)}
    inconnus = codes - connus
    if inconnus:
        raise ParametreInvalide(f"« {nom} » : code(s) inconnu(s) {sorted(inconnus)} ({jeu}).")
    return codes


def _capacity_type(qs, valeur):
    """R329 nature: 01 lit (installed beds or beds reported), 02 place (installed places)."""
    codes = _codes(valeur, "capacity-type", nos.TRE_R329, {"01", "02"}, "TRE_R329")
    condition = Q(pk__in=[])
    if "01" in codes:
        condition |= Q(lits_installes__isnull=False) | _lits_signales()
    if "02" in codes:
        condition |= Q(places_installees__isnull=False)
    return qs.filter(condition)


def _temporality_capacity(qs, valeur):
    """R331 temporalité: every capacity the portal knows is « courant » (01); the forecasts (02–05) none."""
    codes = _codes(valeur, "temporality-capacity", nos.TRE_R331, {"01", "02", "03", "04", "05"}, "TRE_R331")
    if "01" not in codes:
        return qs.none()
    return qs.filter(Q(lits_installes__isnull=False) | Q(places_installees__isnull=False) | _lits_signales())


def _nb_capacity(qs, valeur):
    """ror-sp-nb-capacity (number, every comparator): a place one of whose capacities (installed beds,
    installed places, the beds of each reported status) has a nbCapacity that matches."""
    bornes = bornes_nombre(valeur, "nb-capacity")
    condition = Q(pk__in=[])
    for champ in ("lits_installes", "places_installees"):
        condition |= Q(**{f"{champ}__isnull": False}) & filtre_nombre(champ, bornes)
    for statut in STATUTS_SIGNALES:
        condition |= Q(pk__in=registre.uo_avec_lits(statut, bornes))
    return qs.filter(condition)


def _capacity_update_date(qs, valeur):
    """ror-sp-capacity-update-date (date, every comparator): a place one of whose capacities was dated
    then (installed beds and places: the unit's last change, fhir.capacites; a reported status: its figure's date)."""
    bornes = bornes_date(valeur)
    morceaux = [{"lt": bornes["ne"][0]}, {"gte": bornes["ne"][1]}] if "ne" in bornes else [bornes]
    condition = Q(pk__in=[])
    for morceau in morceaux:
        condition |= ((Q(lits_installes__isnull=False) | Q(places_installees__isnull=False))
                      & Q(**{f"modifie_le__{k}": v for k, v in morceau.items()}))
        for statut in STATUTS_SIGNALES:
            condition |= Q(pk__in=registre.uo_lits_dates(statut, morceau))
    return qs.filter(condition)


def _last_updated_location(qs, valeur):
    """A place's lastUpdated is the latest of the place and its beds (max(m, l)): ≥ a when the unit
    or its beds changed since a, < b when the unit changed before b and its beds did not since b."""
    bornes = bornes_date(valeur)

    def depuis(date) -> Q:
        return Q(modifie_le__gte=date) | Q(pk__in=registre.uo_lits_modifies({"gte": date}))

    def avant(date) -> Q:
        return Q(modifie_le__lt=date) & ~Q(pk__in=registre.uo_lits_modifies({"gte": date}))

    if "ne" in bornes:
        debut, fin = bornes["ne"]
        return qs.filter(avant(debut) | depuis(fin))
    condition = Q()
    if "gte" in bornes:
        condition &= depuis(bornes["gte"])
    if "lt" in bornes:
        condition &= avant(bornes["lt"])
    return qs.filter(condition)


COMMUNS = {"_id": _id, "_lastUpdated": _last_updated, "_tag": _tag}
PARAMETRES = {
    "HealthcareService": {
        **COMMUNS, "_id": _id_offre, "specialty": _specialty, "service-category": _service_category, "service-type": _service_type,
        "characteristic": _characteristic, "patient-type": _patient_type,
        "age-range-low": _age("age_min", "age-range-low"), "age-range-high": _age("age_max", "age-range-high"),
        "intervention-zone": _intervention_zone, "name": _name, "name:contains": _name_contains,
        "organization": _organization, "identifier": _identifier_offre, "active": _active,
    },
    "Location": {
        **COMMUNS, "_lastUpdated": _last_updated_location, "identifier": _identifier_lieu, "near": _near, "near-insee-code": _near_insee_code,
        "capacity-status": _capacity_status,
        "capacity-type": _capacity_type, "temporality-capacity": _temporality_capacity,
        "nb-capacity": _nb_capacity, "capacity-update-date": _capacity_update_date,
        "commune-cog": _commune_cog, "organization": _organization, "name": _name,
        "address-postalcode": _address_postalcode, "type": _type_lieu, "residential-type": _residential_type,
        "residential-number": _residential_number, "address-city": _address_city, "status": _status,
        "operational-status": _operational_status, "equipment-type": _equipment_type,
    },
    "Organization": {
        **COMMUNS, "identifier": _identifier_organisation, "name": _name, "name:contains": _name_contains,
        "type": _type_organisation, "partof": _partof, "active": _active, "period-end": _period_end,
    },
}
PARAMETRES_DE_RESULTAT = {"_count", "_curseur", "_format", "_total", "_summary", "_elements", "_sort",
                          "_include", "_revinclude", "_include:iterate", "_revinclude:iterate"}

# _include / _revinclude the server follows, per searched type (the guide's scenarios).
INCLUDES = {
    "HealthcareService": {"HealthcareService:location", "HealthcareService:organization",
                          "HealthcareService:providedBy", "Organization:partof", "PractitionerRole:practitioner"},
    "Location": {"Location:organization", "Organization:partof"},
    "Organization": {"Organization:partof"},
}
# PractitionerRole:service: the unit's responsable (interop.personnes), with PractitionerRole:practitioner.
REVINCLUDES = {
    "HealthcareService": {"PractitionerRole:service"},
    "Location": {"HealthcareService:location"},
    "Organization": set(),
}
SUMMARY = {"count", "false"}
TOTAL = {"none", "estimate", "accurate"}
SORT = {"_lastUpdated"}
ELEMENTS_RE = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")


class Restriction:
    """Offer-level filters of a HealthcareService search: each parameter (AND) keeps the offers
    that one of its tokens (OR) matches, on the offer's activity, its characteristics, its id."""

    def __init__(self):
        self.specialty, self.characteristic, self.ids = [], [], []

    def __bool__(self):
        return bool(self.specialty or self.characteristic or self.ids)

    @staticmethod
    def _correspond(jetons_, codes) -> bool:
        return any(code == c.code and (systeme is None or systeme == nos.url_systeme(c.systeme))
                   for systeme, code in jetons_ for c in codes)

    def accepte(self, offre) -> bool:
        from .fhir import caracteristiques_codes, concept_de, id_offre

        if self.ids and not all(id_offre(offre.uo.pk, offre.activite.code, offre.mode.code) in ids
                                for ids in self.ids):
            return False
        if self.specialty:
            codes = [offre.activite] + ([concept_de(offre.uo, "famille_activite")] if offre.uo.famille_activite_id else [])
            if not all(self._correspond(j, codes) for j in self.specialty):
                return False
        if self.characteristic:
            codes = [offre.mode] + caracteristiques_codes(offre.uo)
            return all(self._correspond(j, codes) for j in self.characteristic)
        return True


class Recherche:
    """What a search asks besides its filters: page size, cursor, includes, summary, elements…"""

    def __init__(self):
        self.count = COUNT_DEFAUT
        self.curseur = None
        self.includes: set[str] = set()
        self.iterer = False
        self.revincludes: set[str] = set()
        self.summary = None
        self.total = None  # _total: "accurate" counts the matches, otherwise counted only when free
        self.elements: list[str] = []
        self.ignores: list[str] = []  # "name=value" the server did not use
        self.utilises: list[tuple[str, str]] = []  # what it did use (the self link)
        self.restriction = Restriction()


def _ignorer(recherche: Recherche, strict: bool, nom: str, valeur: str, raison: str) -> None:
    if strict:
        raise ParametreInvalide(f"{raison} : « {nom}={valeur} ».", code="not-supported")
    recherche.ignores.append(f"{nom}={valeur} ({raison})")


def _resultat(type_ressource: str, recherche: Recherche, nom: str, valeur: str, strict: bool) -> None:
    """One result parameter (_count, _include…)."""
    if nom == "_count":
        recherche.count = min(entier(valeur, "_count", 0), COUNT_MAX)
        return
    if nom == "_curseur":
        recherche.curseur = decoder_curseur(valeur)
        return
    if nom in ("_include", "_include:iterate", "_revinclude", "_revinclude:iterate"):
        permis = (INCLUDES if nom.startswith("_include") else REVINCLUDES)[type_ressource]
        for v in valeur.split(","):
            if v not in permis:
                _ignorer(recherche, strict, nom, v, "inclusion non prise en charge")
                continue
            (recherche.includes if nom.startswith("_include") else recherche.revincludes).add(v)
            recherche.iterer |= nom.endswith(":iterate")
            recherche.utilises.append((nom, v))
        return
    if nom == "_summary":
        if valeur not in SUMMARY:
            _ignorer(recherche, strict, nom, valeur, "résumé non pris en charge")
            return
        recherche.summary = None if valeur == "false" else valeur
    elif nom == "_elements":
        elements = [e.strip() for e in valeur.split(",") if e.strip()]
        if not all(ELEMENTS_RE.fullmatch(e) for e in elements):
            raise ParametreInvalide(f"« _elements » attend des noms d'éléments séparés par des virgules, "
                                    f"pas « {valeur} ».")
        recherche.elements = elements
    elif nom == "_sort":
        if valeur not in SORT:
            _ignorer(recherche, strict, nom, valeur, "tri non pris en charge (seul _lastUpdated l'est)")
            return
    elif nom == "_total":
        if valeur not in TOTAL:
            raise ParametreInvalide(f"« _total » attend none, estimate ou accurate, pas « {valeur} ».")
        recherche.total = valeur
    elif nom == "_format":
        return
    recherche.utilises.append((nom, valeur))


RESTREINT_LES_OFFRES = {"specialty": "specialty", "characteristic": "characteristic"}


def appliquer(type_ressource: str, queryset, params, strict: bool = False) -> tuple:
    """Filter `queryset` with the request's parameters. Returns (queryset, Recherche).
    Unknown parameters are ignored and listed in Recherche.ignores, or refused if `strict`."""
    connus = PARAMETRES[type_ressource]
    recherche = Recherche()
    for nom, valeurs in params.lists():
        if nom in PARAMETRES_DE_RESULTAT:
            if len(valeurs) > 1 and nom not in ("_include", "_revinclude", "_include:iterate", "_revinclude:iterate"):
                raise ParametreInvalide(f"« {nom} » ne peut être donné qu'une fois.")
            for valeur in valeurs:
                _resultat(type_ressource, recherche, nom, valeur, strict)
            continue
        if nom not in connus:
            for valeur in valeurs:
                _ignorer(recherche, strict, nom, valeur, f"paramètre inconnu pour {type_ressource}")
            continue
        for valeur in valeurs:  # repeated parameters combine with AND (e.g. _lastUpdated=ge…&_lastUpdated=lt…)
            if valeur == "":
                raise ParametreInvalide(f"« {nom} » est vide.")
            queryset = connus[nom](queryset, valeur)
            recherche.utilises.append((nom, valeur))
            if type_ressource == "HealthcareService":
                _restreindre(recherche.restriction, nom, valeur)
    return queryset, recherche


def _restreindre(restriction: Restriction, nom: str, valeur: str) -> None:
    from django.conf import settings

    if nom == "specialty":
        restriction.specialty.append(jetons(valeur, nom))
    elif nom == "characteristic":
        restriction.characteristic.append(jetons(valeur, nom))
    elif nom == "_id":
        restriction.ids.append({v.strip() for v in valeur.split(",")})
    elif nom == "identifier":
        prefixe = f"{settings.ROR_REGION_CODE}-"
        restriction.ids.append({code.removeprefix(prefixe) for _, code in jetons(valeur, nom)})


# -- paging: keyset on (modifie_le, id), the order a sync consumer needs ----------------

def encoder_curseur(structure, total: int | None, deja: int = 0) -> str:
    """Where the next page starts (the structure, and how many of its offers were already served),
    and the search's total when it was asked for (counted once, on the first page: counting a
    million rows on every page would cost more than the page itself); -1: not counted."""
    brut = f"{structure.modifie_le.isoformat()}|{structure.pk}|{-1 if total is None else total}|{deja}"
    return base64.urlsafe_b64encode(brut.encode()).decode().rstrip("=")


def decoder_curseur(valeur: str) -> tuple[datetime, int, int | None, int]:
    try:
        brut = base64.urlsafe_b64decode(valeur + "=" * (-len(valeur) % 4)).decode()
        date, pk, total, deja = brut.split("|")
        return datetime.fromisoformat(date), int(pk), (int(total) if int(total) >= 0 else None), int(deja)
    except (ValueError, UnicodeDecodeError):
        raise ParametreInvalide("Curseur de page invalide : repartez du lien « next » du Bundle.") from None
