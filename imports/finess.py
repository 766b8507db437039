"""Reading the public FINESS extract `etalab-cs1100507-stock-*.csv`.

Format (fixtures/finess/README and ../shared/data/README.md): `;`-separated, no
header row, values may be double-quoted; UTF-8 (older files Windows-1252);
a first line `finess;etalab;<n>;<date>`, then `structureet` lines (32 fields),
then `geolocalisation` lines (x, y, source, date; the source may be one field
with commas or spread over several fields).

The reader checks the whole file before anything is written: any defect raises
`FichierInvalide` with the line number and the reason.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from socle.validateurs import une_ligne

from .coordonnees import ProjectionInconnue, epsg_de_la_source, vers_wgs84

CHAMPS_STRUCTUREET = [
    "section", "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib", "numvoie", "typvoie",
    "voie", "compvoie", "lieuditbp", "commune", "departement", "libdepartement", "ligneacheminement",
    "telephone", "telecopie", "categetab", "libcategetab", "categagretab", "libcategagretab", "siret",
    "codeape", "codemft", "libmft", "codesph", "libsph", "dateouv", "dateautor", "maj", "numuai",
]
COL = {nom: i for i, nom in enumerate(CHAMPS_STRUCTUREET)}
NB_CHAMPS_GEO_MIN = 6  # section, nofinesset, x, y, source (1 field or more), date

# FINESS codes of the overseas départements → INSEE département.
DEPARTEMENTS_OUTRE_MER = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9E": "975", "9F": "976",
                          "9J": "976"}
# Communes whose INSEE code changed since FINESS coded them (Saint-Martin, Saint-Barthélemy).
COMMUNES_RENOMMEES = {"97127": "97801", "97123": "97701"}

_NUMERO_FINESS = re.compile(r"^[0-9][0-9AB][0-9]{7}$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATE_FR = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


class FichierInvalide(Exception):
    """The file is not a usable FINESS extract: nothing has been imported."""

    def __init__(self, raison: str, ligne: int | None = None, element: str = ""):
        # `ligne` for the CSV extract, `element` (its path, pmej[3].ege[0]…) for the JSON flux.
        self.raison, self.ligne, self.element = raison, ligne, element
        super().__init__(f"Ligne {ligne} : {raison}" if ligne else raison)


@dataclass(slots=True)
class Etablissement:
    """One `structureet` line (an EG), with its position once the geolocalisation line is read."""

    ligne: int
    finess: str
    finess_ej: str
    rs: str
    rslongue: str
    compldistrib: str
    numvoie: str
    typvoie: str
    voie: str
    compvoie: str
    lieuditbp: str
    commune_insee: str
    departement: str  # INSEE code (971…, 2A…)
    code_postal: str
    telephone: str
    telecopie: str
    categorie: str
    siret: str
    date_ouverture: date | None
    latitude: float | None = None
    longitude: float | None = None
    epsg: int | None = None
    # The JSON flux says the state (the CSV extract lists open establishments only: None).
    ferme: bool | None = None
    date_fermeture: date | None = None
    cle_ban: str = ""
    score_ban: float | None = None
    date_maj: date | None = None
    chemin: str = ""


@dataclass
class Referentiel:
    """What the reader checks the lines against (read once from the database)."""

    categories: set[str]  # J55 codes
    communes: dict[str, str]  # INSEE code → département
    departements: set[str] | None = None  # perimeter; None = the whole file


@dataclass
class Extrait:
    date_extraction: date
    etablissements: dict[str, Etablissement] = field(default_factory=dict)  # in the perimeter
    numeros: set[str] = field(default_factory=set)  # every EG of the file
    nb_lignes: int = 0
    nb_structures: int = 0
    nb_geolocalisations: int = 0


def decoder(contenu: bytes) -> str:
    """UTF-8 (recent extracts), else Windows-1252 (older ones)."""
    try:
        return contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return contenu.decode("cp1252")
    except UnicodeDecodeError as erreur:
        ligne = contenu[:erreur.start].count(b"\n") + 1
        raise FichierInvalide("encodage illisible (ni UTF-8 ni Windows-1252) : est-ce bien un fichier texte ?",
                              ligne) from None


def lire_date(valeur: str, ligne: int, nom: str) -> date | None:
    if not valeur:
        return None
    trouve = _DATE_ISO.match(valeur)
    if trouve:
        annee, mois, jour = (int(x) for x in trouve.groups())
    else:
        trouve = _DATE_FR.match(valeur)
        if not trouve:
            raise FichierInvalide(f"{nom} « {valeur} » illisible (attendu AAAA-MM-JJ ou JJ/MM/AAAA)", ligne)
        jour, mois, annee = (int(x) for x in trouve.groups())
    try:
        return date(annee, mois, jour)
    except ValueError:
        raise FichierInvalide(f"{nom} « {valeur} » impossible", ligne) from None


def formater_telephone(valeur: str) -> str:
    chiffres = re.sub(r"\D", "", valeur)
    if len(chiffres) == 10:
        return " ".join(chiffres[i:i + 2] for i in range(0, 10, 2))
    return valeur if re.fullmatch(r"\+?[0-9 .()-]{6,20}", valeur) else ""


def _verifier_separateur(champs: list[str], ligne: int) -> None:
    if len(champs) == 1:
        for sep, nom in ((",", "virgule"), ("\t", "tabulation"), ("|", "barre verticale")):
            if sep in champs[0]:
                raise FichierInvalide(f"séparateur incorrect ({nom}) : les champs doivent être séparés par « ; »",
                                      ligne)


def _en_tete(champs: list[str]) -> date:
    _verifier_separateur(champs, 1)
    if len(champs) < 4 or champs[0] != "finess" or champs[1] != "etalab":
        raise FichierInvalide("en-tête attendu « finess;etalab;<n>;<date> » : ce n'est pas une extraction "
                              "FINESS etalab-cs1100507", 1)
    date_extraction = lire_date(champs[3].strip(), 1, "date d'extraction")
    if date_extraction is None:
        raise FichierInvalide("date d'extraction absente de l'en-tête", 1)
    return date_extraction


def lire_extrait(contenu: bytes, referentiel: Referentiel, progres=None) -> Extrait:
    """Parse and check the whole extract; raise FichierInvalide on the first defect."""
    texte = decoder(contenu)
    if not texte.strip():
        raise FichierInvalide("le fichier est vide")
    sauts = texte.count("\n")
    total = max(sauts, 1)
    # A last line without its end of line, and incomplete, is a cut download.
    derniere_ligne = sauts + 1 if not texte.endswith("\n") else None
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=";", quotechar='"', strict=True)
    geolocalisations: dict[str, tuple[int, str, str, str]] = {}
    extrait = None
    try:
        for champs in lecteur:
            numero = lecteur.line_num
            if extrait is None:
                extrait = Extrait(date_extraction=_en_tete(champs))
                continue
            if not champs or not any(c.strip() for c in champs):
                continue
            section = champs[0].strip()
            derniere = numero == derniere_ligne
            if section == "structureet":
                _verifier_nombre(champs, len(CHAMPS_STRUCTUREET), numero, derniere)
                etab = _etablissement(champs, numero, referentiel)
                if etab.finess in extrait.numeros:
                    raise FichierInvalide(f"établissement {etab.finess} présent deux fois", numero)
                extrait.numeros.add(etab.finess)
                extrait.nb_structures += 1
                if referentiel.departements is None or etab.departement in referentiel.departements:
                    if etab.categorie not in referentiel.categories:
                        raise FichierInvalide(f"catégorie d'établissement « {etab.categorie} » inconnue "
                                              f"(absente de la nomenclature J55) pour {etab.finess}", numero)
                    extrait.etablissements[etab.finess] = etab
            elif section == "geolocalisation":
                _verifier_nombre(champs, NB_CHAMPS_GEO_MIN, numero, derniere, minimum=True)
                champs = [c.strip() for c in champs]
                # 2026: one source field with commas; older files: spread over several fields.
                geolocalisations[champs[1]] = (numero, champs[2], champs[3], ",".join(champs[4:-1]))
                extrait.nb_geolocalisations += 1
            else:
                _verifier_separateur(champs, numero)
                raise FichierInvalide(f"type de ligne inconnu « {section[:40]} » (attendu structureet ou "
                                      "geolocalisation)", numero)
            if progres and numero % 5000 == 0:
                progres(numero / total, f"Lecture du fichier : ligne {numero}")
    except csv.Error as erreur:
        raise FichierInvalide(f"guillemets mal fermés, fichier tronqué ? ({erreur})", lecteur.line_num) from None
    if extrait is None:
        raise FichierInvalide("le fichier est vide")
    if extrait.nb_structures and not extrait.nb_geolocalisations:
        raise FichierInvalide(f"fichier tronqué : aucune ligne geolocalisation après les {extrait.nb_structures} "
                              "établissements", lecteur.line_num)
    extrait.nb_lignes = lecteur.line_num
    _positionner(extrait, geolocalisations)
    return extrait


def _verifier_nombre(champs, attendu: int, numero: int, derniere: bool, minimum: bool = False) -> None:
    if (len(champs) >= attendu) if minimum else (len(champs) == attendu):
        return
    _verifier_separateur(champs, numero)
    quantite = f"au moins {attendu}" if minimum else str(attendu)
    if derniere:
        raise FichierInvalide(f"fichier tronqué : la dernière ligne est incomplète ({len(champs)} champs au lieu "
                              f"de {quantite})", numero)
    raise FichierInvalide(f"{len(champs)} champs au lieu de {quantite}", numero)


def _numero(valeur: str, numero: int, nom: str) -> str:
    if not _NUMERO_FINESS.match(valeur):
        raise FichierInvalide(f"{nom} « {valeur} » invalide (9 caractères attendus)", numero)
    return valeur


def _etablissement(v: list[str], numero: int, referentiel: Referentiel) -> Etablissement:
    v = [une_ligne(c).strip() if c else c for c in v]
    dep_finess, commune = v[COL["departement"]], v[COL["commune"]]
    dep = DEPARTEMENTS_OUTRE_MER.get(dep_finess, dep_finess)
    if not re.fullmatch(r"\d{2}|2A|2B|97\d", dep) or not re.fullmatch(r"\d{2,3}", commune):
        raise FichierInvalide(f"commune « {dep_finess} {commune} » invalide", numero)
    insee = ("97" + commune) if dep.startswith("97") else dep + commune.zfill(3)
    insee = COMMUNES_RENOMMEES.get(insee, insee)
    siret = v[COL["siret"]]
    if siret and not re.fullmatch(r"\d{14}", siret):
        raise FichierInvalide(f"SIRET « {siret} » invalide (14 chiffres attendus)", numero)
    acheminement = v[COL["ligneacheminement"]]
    code_postal = acheminement[:5] if re.match(r"\d{5}\b", acheminement) else ""
    return Etablissement(
        ligne=numero,
        finess=_numero(v[COL["nofinesset"]], numero, "numéro FINESS de l'établissement"),
        finess_ej=_numero(v[COL["nofinessej"]], numero, "numéro FINESS de l'entité juridique"),
        rs=v[COL["rs"]], rslongue=v[COL["rslongue"]], compldistrib=v[COL["compldistrib"]],
        numvoie=v[COL["numvoie"]], typvoie=v[COL["typvoie"]], voie=v[COL["voie"]], compvoie=v[COL["compvoie"]],
        lieuditbp=v[COL["lieuditbp"]],
        commune_insee=insee if insee in referentiel.communes else "",
        departement=referentiel.communes.get(insee, dep),
        code_postal=code_postal,
        telephone=formater_telephone(v[COL["telephone"]]), telecopie=formater_telephone(v[COL["telecopie"]]),
        categorie=v[COL["categetab"]], siret=siret,
        date_ouverture=lire_date(v[COL["dateouv"]], numero, "date d'ouverture"),
    )


def _positionner(extrait: Extrait, geolocalisations: dict) -> None:
    """Convert the coordinates of the EG in the perimeter, grouped by projection (vectorised)."""
    par_epsg: dict[int, list[tuple[Etablissement, float, float]]] = {}
    for finess, (numero, x, y, source) in geolocalisations.items():
        etab = extrait.etablissements.get(finess)
        if etab is None or not x or not y:
            continue
        try:
            fx, fy = float(x), float(y)
        except ValueError:
            raise FichierInvalide(f"coordonnées « {x} ; {y} » illisibles", numero) from None
        epsg = epsg_de_la_source(source, etab.departement)
        par_epsg.setdefault(epsg, []).append((etab, fx, fy))
    for epsg, points in par_epsg.items():
        try:
            positions = vers_wgs84(epsg, [p[1] for p in points], [p[2] for p in points])
        except ProjectionInconnue as erreur:
            raise FichierInvalide(str(erreur), geolocalisations[points[0][0].finess][0]) from None
        for (etab, _, _), (lat, lon) in zip(points, positions):
            if lat == lat and lon == lon and abs(lat) <= 90 and abs(lon) <= 180:  # not NaN / inf
                etab.latitude, etab.longitude, etab.epsg = lat, lon, epsg


def lire_fichier(chemin: Path | str, referentiel: Referentiel, progres=None) -> Extrait:
    return lire_extrait(Path(chemin).read_bytes(), referentiel, progres)
