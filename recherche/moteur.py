"""The search engine: from a validated query (Critere) to SQL on the index.

Every page (list, map, export, result navigation) runs the same conditions built
by `_conditions`; the text part goes through `analyser_texte`, which corrects
one-letter typos against the dictionary of labels and names.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from nomenclatures.texte import normaliser

from .indexation import CONFIG, assurer_dictionnaires

PAR_PAGE = 20
RAYON_DEFAUT = 20

# Words professionals type that no label spells out (query-side synonyms; the acronyms of
# kinds of establishment are indexed instead, see indexation.SIGLES_CATEGORIE).
SYNONYMES = {
    "rea": "réanimation",
    "chu": "centre hospitalier universitaire",
    "hopital": "centre hospitalier",
    "usld": "soins de longue durée",
    "ssr": "soins de suite et de réadaptation",
    "smr": "soins médicaux et de réadaptation",
    "autiste": "autisme",
    "autistes": "autisme",
    "pediatrie": "pédiatrique",
    "handicape": "handicap",
    "handicapes": "handicap",
    "domicile": "domicile",
}


@dataclass
class Lieu:
    """Where the person is: a point (commune, établissement), a département, or the whole region."""

    genre: str  # commune | eg | departement | region
    libelle: str
    code: str = ""
    latitude: float | None = None
    longitude: float | None = None

    @property
    def ponctuel(self) -> bool:
        return self.genre in {"commune", "eg"} and self.latitude is not None

    @property
    def valeur(self) -> str:
        return f"{self.genre}:{self.code}" if self.code else self.genre


@dataclass
class Critere:
    """A validated search, as the form gives it."""

    texte: str = ""
    lieu: Lieu | None = None
    rayon: int = RAYON_DEFAUT
    intervient: bool = False  # the UO's territoire d'intervention holds the commune
    discipline: str = ""
    public: int | None = None  # concept ids
    mode: int | None = None
    modalite: int | None = None
    age: int | None = None
    aide_sociale: bool = False
    fermees: bool = False  # include closed units


@dataclass
class Analyse:
    """The text query once read: the tsquery to run and what was corrected or ignored."""

    tsquery: str = ""  # SQL expression
    params: list = field(default_factory=list)
    # The same words, consecutive ones as phrases ("accueil de jour" ≠ "accueil jour et nuit").
    tsquery_phrase: str = ""
    params_phrase: list = field(default_factory=list)
    corrections: dict = field(default_factory=dict)  # typed word -> corrected word
    inconnus: list = field(default_factory=list)  # words no label or name contains

    @property
    def vide(self) -> bool:
        return not self.tsquery


# Words of a need that describe the person or the place, not the offer ("8 ans", "près de").
MOTS_IGNORES = {"pres", "proche", "autour", "ans", "an"}


def analyser_texte(texte: str) -> Analyse:
    """Words → tsquery (AND of words; each word OR its synonym), typos corrected."""
    mots = [m for m in normaliser(texte).split() if not m.isdigit() and m not in MOTS_IGNORES]
    analyse = Analyse()
    if not mots:
        return analyse
    assurer_dictionnaires()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT w.mot,
                   numnode(plainto_tsquery('{CONFIG}', w.mot)) = 0 AS vide,
                   EXISTS (SELECT 1 FROM recherche_mot m
                           WHERE m.lexeme = ANY(tsvector_to_array(to_tsvector('{CONFIG}', w.mot)))
                              OR m.mot = w.mot) AS connu,
                   (SELECT m.mot FROM recherche_mot m
                     WHERE length(w.mot) >= 4 AND m.mot %% w.mot
                     ORDER BY similarity(m.mot, w.mot) DESC, length(m.mot), m.mot LIMIT 1) AS correction
            FROM unnest(%s::text[]) WITH ORDINALITY AS w(mot, rang) ORDER BY w.rang
        """, [mots])
        lignes = cursor.fetchall()
    parties, phrases, suite = [], [], []

    def clore_suite():
        if suite:
            phrases.append(f"phraseto_tsquery('{CONFIG}', %s)")
            analyse.params_phrase.append(" ".join(suite))
            suite.clear()

    for mot, vide, connu, correction in lignes:
        if vide:  # a stop word ("de", "d'"): it only counts as a position inside a phrase
            if suite:
                suite.append(mot)
            continue
        synonyme = SYNONYMES.get(mot)
        if not connu and not synonyme:
            if correction:
                analyse.corrections[mot] = correction
                mot = correction
                synonyme = SYNONYMES.get(mot)
            else:
                analyse.inconnus.append(mot)
        expression = f"plainto_tsquery('{CONFIG}', %s)"
        analyse.params.append(mot)
        if synonyme:
            expression = f"({expression} || phraseto_tsquery('{CONFIG}', %s))"
            analyse.params.append(synonyme)
            clore_suite()
            phrases.append(expression)
            analyse.params_phrase += analyse.params[-2:]
        else:
            suite.append(mot)
        parties.append(expression)
    clore_suite()
    analyse.tsquery = " && ".join(parties)
    analyse.tsquery_phrase = " && ".join(phrases)
    return analyse


def preparer(critere: "Critere") -> Analyse:
    """Read the text and keep the phrase reading when it finds something, else all words anywhere."""
    analyse = analyser_texte(critere.texte)
    if analyse.vide or analyse.tsquery_phrase == analyse.tsquery:
        return analyse
    stricte = Analyse(analyse.tsquery_phrase, analyse.params_phrase, corrections=analyse.corrections,
                      inconnus=analyse.inconnus)
    lignes, params = _lignes_correspondantes(critere, stricte)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS ({lignes})", params)
        if cursor.fetchone()[0]:
            return stricte
    return analyse


# -- conditions ----------------------------------------------------------------------

def _point(lieu: Lieu):
    return "ll_to_earth(%s, %s)", [lieu.latitude, lieu.longitude]


def departements_de_la_region() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM nomenclatures_departement WHERE region_id = %s",
                       [settings.ROR_REGION_CODE])
        return [r[0] for r in cursor.fetchall()]


def _conditions(critere: Critere, analyse: Analyse) -> tuple[list[str], list]:
    sql, params = [], []
    if not critere.fermees:
        sql.append("ouverte")
    lieu = critere.lieu
    if not analyse.vide:
        # Near a place, the place selects few rows: match the text row by row (ts_match_vq is
        # @@ without the GIN index), since merging the postings of common words nationwide
        # costs more than the whole place. Region-wide, let the planner use the GIN index.
        localise = lieu is not None and (lieu.genre == "departement" or (lieu.ponctuel and critere.rayon <= 100))
        sql.append(f"ts_match_vq(document, ({analyse.tsquery}))" if localise else f"document @@ ({analyse.tsquery})")
        params += analyse.params
    if lieu and lieu.genre == "commune" and critere.intervient:
        sql.append("territoire @> ARRAY[%s]::varchar(5)[]")
        params.append(lieu.code)
    elif lieu and lieu.ponctuel:
        point, p = _point(lieu)
        metres = critere.rayon * 1000
        sql.append(f"earth_box({point}, %s) @> position")
        params += p + [metres]
        sql.append(f"earth_distance({point}, position) <= %s")
        params += p + [metres]
    elif lieu and lieu.genre == "departement":
        sql.append("departement = %s")
        params.append(lieu.code)
    elif lieu is None or lieu.genre == "region":
        sql.append("departement = ANY(%s)")
        params.append(departements_de_la_region())
    if critere.discipline:
        sql.append("discipline = %s")
        params.append(critere.discipline)
    for colonne, valeur in (("publics", critere.public), ("modes", critere.mode), ("modalites", critere.modalite)):
        if valeur:
            sql.append(f"{colonne} @> ARRAY[%s]::bigint[]")
            params.append(valeur)
    if critere.age is not None:
        sql.append("age_min <= %s AND age_max >= %s")
        params += [critere.age, critere.age]
    if critere.aide_sociale:
        sql.append("aide_sociale")
    return sql, params


COLONNES_FACETTES = "discipline, publics, modes, modalites, aide_sociale"


def _lignes_correspondantes(critere: Critere, analyse: Analyse, pour_facettes: bool = False,
                            avec_facettes: bool = False) -> tuple[str, list]:
    """SELECT of the matching index rows with their score and distance (metres or NULL)."""
    where, params = _conditions(critere, analyse)
    condition = " AND ".join(where) or "true"
    if pour_facettes:  # no rank nor distance to compute
        return f"SELECT eg_id, {COLONNES_FACETTES} FROM recherche_uniteindexee WHERE {condition}", params
    select_params = []
    score = "0::real"
    if not analyse.vide:
        score = f"ts_rank(document, ({analyse.tsquery}))"
        select_params += analyse.params
    distance = "NULL::float8"
    if critere.lieu and critere.lieu.ponctuel:
        point, p = _point(critere.lieu)
        distance = f"earth_distance({point}, position)"
        select_params += p
    facettes = f", {COLONNES_FACETTES}" if avec_facettes else ""
    sql = (f"SELECT uo_id, eg_id, nom_eg, latitude, longitude, {score} AS score, {distance} AS distance{facettes} "
           f"FROM recherche_uniteindexee WHERE {condition}")
    return sql, select_params + params


# -- results -------------------------------------------------------------------------

@dataclass
class Resultat:
    eg_id: int
    distance: float | None  # metres
    score: float
    uo_ids: list[int]


@dataclass
class Page:
    resultats: list[Resultat]
    total: int
    numero: int
    analyse: Analyse

    @property
    def nb_pages(self) -> int:
        return max(1, -(-self.total // PAR_PAGE))


def _ordre(critere: Critere, analyse: Analyse) -> str:
    if critere.lieu and critere.lieu.ponctuel:
        return "distance ASC NULLS LAST, nom_eg, eg_id"
    if not analyse.vide:
        return "score DESC, nom_eg, eg_id"
    return "nom_eg, eg_id"


def rechercher(critere: Critere, page: int = 1, par_page: int = PAR_PAGE, analyse: Analyse | None = None) -> Page:
    """One page of establishments (EG) with their matching UO, and the total."""
    analyse = analyse or preparer(critere)
    lignes, params = _lignes_correspondantes(critere, analyse)
    page = max(1, page)
    sql = f"""
        SELECT eg_id, min(distance) AS distance, max(score) AS score,
               array_agg(uo_id ORDER BY score DESC, uo_id) AS uos, count(*) OVER () AS total, min(nom_eg) AS nom_eg
        FROM ({lignes}) m GROUP BY eg_id
        ORDER BY {_ordre(critere, analyse)} LIMIT %s OFFSET %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params + [par_page, (page - 1) * par_page])
        rows = cursor.fetchall()
    if not rows and page > 1:  # past the end: say how many there are
        total = compter(critere, analyse)
        return Page([], total, page, analyse)
    total = rows[0][4] if rows else 0
    return Page([Resultat(r[0], r[1], r[2] or 0.0, list(r[3])) for r in rows], total, page, analyse)


def page_et_facettes(critere: Critere, numero: int = 1) -> tuple[Page, dict[str, dict]]:
    """The list page in ONE scan of the index: a page of establishments, the total and the
    facet counts. The phrase reading of the text is tried first, all words anywhere if it
    finds nothing."""
    lue = analyser_texte(critere.texte)
    lectures = [lue]
    if not lue.vide and lue.tsquery_phrase != lue.tsquery:
        lectures.insert(0, Analyse(lue.tsquery_phrase, lue.params_phrase, corrections=lue.corrections,
                                   inconnus=lue.inconnus))
    numero = max(1, numero)
    for analyse in lectures:
        lignes, params = _lignes_correspondantes(critere, analyse, avec_facettes=True)
        sql = f"""
            WITH m AS MATERIALIZED ({lignes}),
            g AS (SELECT eg_id, min(distance) AS distance, max(score) AS score, min(nom_eg) AS nom_eg,
                         array_agg(uo_id ORDER BY score DESC, uo_id) AS uos FROM m GROUP BY eg_id),
            p AS (SELECT * FROM g ORDER BY {_ordre(critere, analyse)} LIMIT %s OFFSET %s)
            SELECT 'page', row_number() OVER (ORDER BY {_ordre(critere, analyse)})::text, NULL::bigint,
                   eg_id, distance, score, uos FROM p
            UNION ALL SELECT 'total', '', count(*), NULL, NULL, NULL, NULL FROM g
            UNION ALL SELECT f.*, NULL, NULL, NULL, NULL FROM ({_SQL_FACETTES}) f
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, params + [PAR_PAGE, (numero - 1) * PAR_PAGE])
            rows = cursor.fetchall()
        total = next(r[2] for r in rows if r[0] == "total")
        if total or analyse is lectures[-1]:
            break
    resultats = sorted((r for r in rows if r[0] == "page"), key=lambda r: int(r[1]))
    comptes: dict[str, dict] = {nom: {} for nom in FACETTES}
    for genre, valeur, nombre, *_ in rows:
        if genre in comptes:
            comptes[genre][valeur] = nombre
    page = Page([Resultat(r[3], r[4], r[5] or 0.0, list(r[6])) for r in resultats], total, numero, analyse)
    return page, comptes


def compter(critere: Critere, analyse: Analyse) -> int:
    lignes, params = _lignes_correspondantes(critere, analyse)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(DISTINCT eg_id) FROM ({lignes}) m", params)
        return cursor.fetchone()[0]


FACETTES = ["discipline", "public", "mode", "modalite", "aide_sociale"]
# Counts of establishments per filter value, over the matching rows m.
_SQL_FACETTES = """
    SELECT 'discipline', discipline, count(DISTINCT eg_id) FROM m WHERE discipline <> '' GROUP BY 2
    UNION ALL SELECT 'public', v::text, count(DISTINCT eg_id) FROM m, unnest(publics) v GROUP BY 2
    UNION ALL SELECT 'mode', v::text, count(DISTINCT eg_id) FROM m, unnest(modes) v GROUP BY 2
    UNION ALL SELECT 'modalite', v::text, count(DISTINCT eg_id) FROM m, unnest(modalites) v GROUP BY 2
    UNION ALL SELECT 'aide_sociale', 'oui', count(DISTINCT eg_id) FROM m WHERE aide_sociale
"""


def points_carte(critere: Critere, analyse: Analyse | None = None) -> list[list]:
    """Every matching establishment as [eg_id, lat, lon, number of UO] (compact JSON for the map)."""
    analyse = analyse or preparer(critere)
    lignes, params = _lignes_correspondantes(critere, analyse)
    sql = f"""
        SELECT eg_id, round(min(latitude)::numeric, 5)::float8, round(min(longitude)::numeric, 5)::float8, count(*)
        FROM ({lignes}) m WHERE latitude IS NOT NULL GROUP BY eg_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [list(r) for r in cursor.fetchall()]


def uo_correspondantes(critere: Critere, eg_id: int, analyse: Analyse | None = None) -> list[int]:
    """The matching UO of one establishment (the map's popup)."""
    analyse = analyse or preparer(critere)
    lignes, params = _lignes_correspondantes(critere, analyse)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT uo_id FROM ({lignes}) m WHERE eg_id = %s ORDER BY score DESC, uo_id",
                       params + [eg_id])
        return [r[0] for r in cursor.fetchall()]


# -- places ("Où ?") -----------------------------------------------------------------

_CODE_POSTAL = re.compile(r"^\d{5}$")


def trouver_lieu(valeur: str, saisie: str) -> Lieu | None:
    """The place chosen in the autocomplete (valeur "commune:49007"…), else guessed from the typed text."""
    genre, _, code = (valeur or "").partition(":")
    if genre == "region":
        return Lieu("region", f"Toute la région {settings.ROR_REGION_NOM}")
    if genre and code:
        lieu = _lieu_par_code(genre, code)
        if lieu:
            return lieu
    saisie = (saisie or "").strip()
    if not saisie:
        return None
    propositions = proposer_lieux(saisie, limite=1)
    if not propositions:
        return None
    genre, _, code = propositions[0]["valeur"].partition(":")
    return _lieu_par_code(genre, code)


def _lieu_par_code(genre: str, code: str) -> Lieu | None:
    with connection.cursor() as cursor:
        if genre == "commune":
            cursor.execute("SELECT nom, codes_postaux, latitude, longitude FROM nomenclatures_commune "
                           "WHERE code_insee = %s", [code])
            r = cursor.fetchone()
            if r:
                cp = f" ({r[1][0]})" if r[1] else ""
                return Lieu("commune", f"{r[0]}{cp}", code, r[2], r[3])
        elif genre == "departement":
            cursor.execute("SELECT nom FROM nomenclatures_departement WHERE code = %s", [code])
            r = cursor.fetchone()
            if r:
                return Lieu("departement", f"{r[0]} ({code})", code)
        elif genre == "eg" and code.isdigit():
            cursor.execute("SELECT nom, latitude, longitude FROM repertoire_structure WHERE id = %s AND niveau = 'EG'",
                           [int(code)])
            r = cursor.fetchone()
            if r:
                return Lieu("eg", r[0], code, r[1], r[2])
    return None


def proposer_lieux(saisie: str, limite: int = 10) -> list[dict]:
    """Autocomplete of "Où ?": communes (name or postcode), départements, establishments."""
    texte = re.sub(r"\bste\b", "sainte", re.sub(r"\bst\b", "saint", normaliser(saisie)))
    if len(texte) < 2:
        return []
    propositions = []
    with connection.cursor() as cursor:
        if _CODE_POSTAL.match(texte.replace(" ", "")) or texte.isdigit():
            cp = texte.replace(" ", "")
            cursor.execute("""
                SELECT code_insee, nom, codes_postaux FROM nomenclatures_commune
                WHERE codes_postaux @> ARRAY[%s]::varchar[] OR (length(%s) < 5 AND code_insee LIKE %s)
                ORDER BY population DESC NULLS LAST LIMIT %s
            """, [cp, cp, cp + "%", limite])
        else:
            cursor.execute("""
                SELECT code_insee, nom, codes_postaux FROM nomenclatures_commune
                WHERE nom_recherche LIKE %s ORDER BY nom_recherche = %s DESC, population DESC NULLS LAST LIMIT %s
            """, [texte + "%", texte, limite])
        for code, nom, cps in cursor.fetchall():
            cp = f" ({cps[0]})" if cps else ""
            propositions.append({"valeur": f"commune:{code}", "libelle": f"{nom}{cp}", "genre": "Commune"})
        # Départements: by code ("44"), by name, or as the autocomplete shows them ("Mayenne (53)").
        nom_dep, code_dep = texte, ""
        fin = re.match(r"^(.*?) ?(\d{2,3}|2a|2b)$", texte)
        if fin and len(texte) <= 40:
            nom_dep, code_dep = fin.group(1), fin.group(2).upper()
        cursor.execute("""
            SELECT code, nom, regexp_replace(lower(immutable_unaccent(nom)), '[^a-z0-9]+', ' ', 'g') = %s
            FROM nomenclatures_departement
            WHERE (%s <> '' AND code = %s AND (%s = '' OR lower(immutable_unaccent(nom)) LIKE %s))
               OR (%s = '' AND regexp_replace(lower(immutable_unaccent(nom)), '[^a-z0-9]+', ' ', 'g') LIKE %s)
            ORDER BY code LIMIT 3
        """, [nom_dep, code_dep, code_dep, nom_dep, nom_dep.replace(" ", "%") + "%", code_dep, nom_dep + "%"])
        deps = cursor.fetchall()
        commune_exacte = bool(propositions) and normaliser(propositions[0]["libelle"].rsplit(" (", 1)[0]) == texte
        for code, nom, exact in reversed(deps):
            proposition = {"valeur": f"departement:{code}", "libelle": f"{nom} ({code})", "genre": "Département"}
            # "Paris", "Mayenne": the commune of that name first; "Loire-Atlantique (44)": the département
            propositions.insert(1 if commune_exacte and not code_dep else 0, proposition)
        if len(texte) >= 3 and len(propositions) < limite:
            cursor.execute("""
                SELECT id, nom, code_postal FROM repertoire_structure
                WHERE niveau = 'EG' AND nom ILIKE %s ORDER BY nom LIMIT %s
            """, ["%" + "%".join(saisie.strip().split()) + "%", limite - len(propositions)])
            for pk, nom, cp in cursor.fetchall():
                propositions.append({"valeur": f"eg:{pk}", "libelle": f"{nom} {cp}".strip(),
                                     "genre": "Établissement"})
    return propositions[:limite]


def proposer_libelles(saisie: str, limite: int = 10) -> list[dict]:
    """Autocomplete of "Que recherchez-vous ?": labels of types d'UO, activités, spécialisations…"""
    texte = normaliser(saisie)
    if len(texte) < 2:
        return []
    assurer_dictionnaires()
    # every typed word starts a word of the label ("rea ped" → "Réanimation spécialisée pédiatrique")
    mots = texte.split()[:6]
    conditions = " AND ".join(["(' ' || normalise) LIKE %s"] * len(mots))
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT libelle, source FROM recherche_libelle WHERE {conditions}
            ORDER BY normalise LIKE %s DESC, rang, length(libelle), libelle LIMIT %s
        """, [f"% {m}%" for m in mots] + [texte + "%", limite])
        return [{"libelle": lib, "genre": source} for lib, source in cursor.fetchall()]
