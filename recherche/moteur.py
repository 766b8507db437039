"""The search engine: from a validated query (Critere) to SQL on the index.

Every page (list, map, export, result navigation) runs the same conditions built
by `_conditions`; the text part goes through `analyser_texte`, which corrects
one-letter typos against the dictionary of labels and names.
"""

import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from nomenclatures.cache import concepts_actifs
from nomenclatures.texte import normaliser

from .indexation import CONFIG, SEPARATEUR_SIGLE, SOURCE_SIGLE, assurer_dictionnaires

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
    # Estimated by estimer_frequence: the text matches many rows nationwide ("ehpad", "alzheimer"): near a
    # point, read nearest first and stop at the ceiling (page_et_facettes).
    frequente: bool = False
    # Every word is rare ("réanimation pédiatrique"): the full-text index finds them faster than
    # reading the place's rows one by one, even near a place (_conditions).
    rare: bool = False

    @property
    def vide(self) -> bool:
        return not self.tsquery


# Words of a need that describe the person or the place, not the offer ("8 ans", "près de").
MOTS_IGNORES = {"pres", "proche", "autour", "ans", "an"}

# "8 ans", "enfant de 8 ans", "personne âgée de 80 ans", "bébé de 6 mois": the age filter.
_AGE = re.compile(
    r"(?:\b(?:enfant|personne|patient|patiente|femme|homme|gar[cç]on|fille|adolescente?|adulte|b[ée]b[ée])s?"
    r"\s+(?:(?:[âa]g[ée]e?s?\s+)?de\s+|d')?)?\b(?P<n>\d{1,3})\s*(?P<unite>ans?|mois)\b", re.IGNORECASE)


def lire_age(texte: str) -> tuple[str, int | None, str]:
    """(the need without the age words, the age in years, the words read as the age)."""
    m = _AGE.search(texte or "")
    if not m:
        return texte, None, ""
    age = 0 if m.group("unite").lower() == "mois" else int(m.group("n"))
    if age > 150:
        return texte, None, ""
    reste = re.sub(r"\s+", " ", (texte[:m.start()] + " " + texte[m.end():])).strip(" ,;")
    reste = re.sub(r"\s+(?:pour|de|d'un|d'une|d')$", "", reste, flags=re.IGNORECASE)
    return reste, age, m.group(0).strip()


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
        ligne_a_ligne = localise and not analyse.rare
        sql.append(f"ts_match_vq(document, ({analyse.tsquery}))" if ligne_a_ligne else f"document @@ ({analyse.tsquery})")
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
    nb_uos: int | None = None  # matching units, when the list shows only the first (UO_PAR_LIGNE)


@dataclass
class Page:
    resultats: list[Resultat]
    total: int  # when `plafonne`, a lower bound ("plus de 300")
    numero: int
    analyse: Analyse
    plafonne: bool = False

    @property
    def nb_pages(self) -> int:
        pages = max(1, -(-self.total // PAR_PAGE))
        return max(pages, self.numero + 1) if self.plafonne else pages


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


# A page reads at most this many matching units (index rows) in the order of the list: the first
# pages are exact, the count and the filters' counts beyond say "plus de …" (issue #13, national scale:
# "EHPAD" near Paris is 23,000 units in 2,700 establishments, nobody reads them all).
PLAFOND_LIGNES = 3000
# Units shown per establishment in the list (an EHPAD found by its category matches by all its
# units): the others are counted, and on the establishment's fiche.
UO_PAR_LIGNE = 6
# Share of the index above which a text is "frequent" (estimated by the planner's statistics).
PART_FREQUENTE = 0.02


def estimer_frequence(analyse: Analyse) -> None:
    """Set `frequente` (the text matches more than PART_FREQUENTE of the index) and `rare` (even any one
    of its words matches less): the planner's estimates from its tsvector statistics, ~1 ms each."""
    if analyse.vide:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'recherche_uniteindexee'::regclass")
        seuil = PART_FREQUENTE * max(cursor.fetchone()[0], 1)
        estimations = []
        # all words, then any of them (the parts are joined by && at the top level only)
        for tsquery in (analyse.tsquery, analyse.tsquery.replace(" && ", " || ")):
            cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM recherche_uniteindexee WHERE document @@ ({tsquery})",
                           analyse.params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            estimations.append(plan[0]["Plan"]["Plan Rows"])
    analyse.frequente, analyse.rare = estimations[0] > seuil, estimations[1] < seuil


def _ordre_des_lignes(critere: Critere, analyse: Analyse) -> tuple[str, list]:
    """The order of index rows that gives the establishments in the list's order (_ordre): the
    first N rows hold the first establishments. Near a point, the GiST index's own order (<->,
    nearest first: the scan stops after N rows)."""
    if critere.lieu and critere.lieu.ponctuel:
        point, p = _point(critere.lieu)
        return f"position <-> {point}", p
    if not analyse.vide:
        return "score DESC, nom_eg, eg_id", []
    return "nom_eg, eg_id", []


def page_et_facettes(critere: Critere, numero: int = 1, facettes: bool = True) -> tuple[Page, dict[str, dict]]:
    """The list page in ONE scan of the index: a page of establishments, the total and the
    facet counts. The phrase reading of the text is tried first, all words anywhere if it
    finds nothing. At most PLAFOND_LIGNES units are read (more for far pages): past them the
    page says "plus de N" and the facet counts are those of the first establishments.
    Without `facettes`, the page alone (a result's previous / next, in the list's very order)."""
    lue = analyser_texte(critere.texte)
    estimer_frequence(lue)
    lectures = [lue]
    if not lue.vide and lue.tsquery_phrase != lue.tsquery:
        lectures.insert(0, Analyse(lue.tsquery_phrase, lue.params_phrase, corrections=lue.corrections,
                                   inconnus=lue.inconnus, frequente=lue.frequente, rare=lue.rare))
    numero = max(1, numero)
    plafond = PLAFOND_LIGNES * -(-numero * PAR_PAGE // 150)  # far pages read further
    # Near a point with a frequent text (or none), walk the GiST index nearest first and stop at the
    # ceiling; PostgreSQL's estimate for a box is a constant that makes it prefer a bitmap of the whole box.
    au_plus_pres = bool(critere.lieu and critere.lieu.ponctuel and not (critere.intervient and critere.lieu.genre == "commune")
                        and (lue.vide or lue.frequente))
    for analyse in lectures:
        lignes, params = _lignes_correspondantes(critere, analyse, avec_facettes=True)
        ordre_lignes, params_ordre = _ordre_des_lignes(critere, analyse)
        sql = f"""
            WITH m AS MATERIALIZED ({lignes} ORDER BY {ordre_lignes} LIMIT %s),
            g AS (SELECT eg_id, min(distance) AS distance, max(score) AS score, min(nom_eg) AS nom_eg,
                         (array_agg(uo_id ORDER BY score DESC, uo_id))[1:%s] AS uos, count(*) AS nb FROM m GROUP BY eg_id),
            p AS (SELECT * FROM g ORDER BY {_ordre(critere, analyse)} LIMIT %s OFFSET %s)
            SELECT 'page', row_number() OVER (ORDER BY {_ordre(critere, analyse)})::text, nb,
                   eg_id, distance, score, uos FROM p
            UNION ALL SELECT 'total', (SELECT count(*) FROM m)::text, count(*), NULL, NULL, NULL, NULL FROM g
            {f"UNION ALL SELECT f.*, NULL, NULL, NULL, NULL FROM ({_SQL_FACETTES}) f" if facettes else ""}
        """
        with transaction.atomic(), connection.cursor() as cursor:
            if au_plus_pres:
                cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(sql, params + params_ordre + [plafond, UO_PAR_LIGNE, PAR_PAGE, (numero - 1) * PAR_PAGE])
            rows = cursor.fetchall()
        ligne_total = next(r for r in rows if r[0] == "total")
        total, plafonne = ligne_total[2], int(ligne_total[1]) >= plafond
        if total or analyse is lectures[-1]:
            break
    if plafonne and total > 1:  # the last establishment read may lack some units: "more than" the ones before
        total = (total - 1) // 100 * 100 if total > 100 else total - 1
    resultats = sorted((r for r in rows if r[0] == "page"), key=lambda r: int(r[1]))
    comptes: dict[str, dict] = {nom: {} for nom in FACETTES}
    for genre, valeur, nombre, *_ in rows:
        if genre in comptes:
            comptes[genre][valeur] = nombre
    page = Page([Resultat(r[3], r[4], r[5] or 0.0, list(r[6]), r[2]) for r in resultats], total, numero, analyse,
                plafonne=plafonne)
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
    """Every matching establishment as [eg_id, lat, lon, number of UO, name] (compact JSON for the map;
    the name makes each marker's accessible name, "EHPAD X, 4 unités")."""
    analyse = analyse or preparer(critere)
    lignes, params = _lignes_correspondantes(critere, analyse)
    sql = f"""
        SELECT eg_id, round(min(latitude)::numeric, 5)::float8, round(min(longitude)::numeric, 5)::float8, count(*),
               min(nom_eg)
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


_LIBELLE_AVEC_CODE = re.compile(r"^(?P<nom>.*?\S)\s*\(?(?P<code>\d{5})\)?$")


def trouver_lieu(valeur: str, saisie: str) -> Lieu | None:
    """The place chosen in the autocomplete (valeur "commune:49007"…), else read from the typed
    text: a suggestion's label as shown ("Angers (49000)", "EHPAD LES TILLEULS 49000"), a
    postcode, a commune, a département or an establishment's name."""
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
    lieu = _lieu_par_libelle(saisie)
    if lieu:
        return lieu
    propositions = proposer_lieux(saisie, limite=1)
    if not propositions:
        return None
    genre, _, code = propositions[0]["valeur"].partition(":")
    return _lieu_par_code(genre, code)


def _lieu_par_libelle(saisie: str) -> Lieu | None:
    """A label of the autocomplete read back: "Nom (code postal)" for a commune, "NOM code postal"
    for an establishment (the name alone is ambiguous: eight "CENTRE HOSPITALIER NANTES")."""
    m = _LIBELLE_AVEC_CODE.match(saisie)
    if not m:
        return None
    nom, cp = m.group("nom"), m.group("code")
    with connection.cursor() as cursor:
        cursor.execute("SELECT code_insee FROM nomenclatures_commune WHERE nom_recherche = %s "
                       "AND codes_postaux @> ARRAY[%s]::varchar[] ORDER BY population DESC NULLS LAST LIMIT 1",
                       [normaliser(nom), cp])
        r = cursor.fetchone()
        if r:
            return _lieu_par_code("commune", r[0])
        cursor.execute("SELECT id FROM repertoire_structure WHERE niveau = 'EG' AND upper(nom) = upper(%s) "
                       "AND code_postal = %s ORDER BY id LIMIT 1", [nom, cp])
        r = cursor.fetchone()
    return _lieu_par_code("eg", str(r[0])) if r else None


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
            # A city named exactly ("Rennes", "Paris") first; then the région's communes: "Ange" is
            # Angers (49) before Angé (41, 900 inhabitants) for a Pays de la Loire user.
            cursor.execute("""
                SELECT c.code_insee, c.nom, c.codes_postaux FROM nomenclatures_commune c
                JOIN nomenclatures_departement d ON d.code = c.departement_id
                WHERE c.nom_recherche LIKE %s
                ORDER BY (c.nom_recherche = %s AND c.population >= 20000) DESC, d.region_id = %s DESC,
                         c.nom_recherche = %s DESC, c.population DESC NULLS LAST LIMIT %s
            """, [texte + "%", texte, settings.ROR_REGION_CODE, texte, limite])
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
            # The first names A–Z picked by id alone, so that PostgreSQL may read them from the
            # (niveau, nom, id) index without the table: "ehpad les" (8,000 EG) walks that index
            # (15 ms rather than 90 fetching each row); a rarer name still comes from the trigrams.
            cursor.execute("""
                SELECT s.id, s.nom, s.code_postal FROM (
                    SELECT id FROM repertoire_structure WHERE niveau = 'EG' AND nom ILIKE %s
                    ORDER BY niveau, nom, id LIMIT %s
                ) premiers JOIN repertoire_structure s ON s.id = premiers.id ORDER BY s.nom, s.id
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
        propositions = []
        for libelle, source in cursor.fetchall():
            if source == SOURCE_SIGLE:  # "EHPAD", explained by its long name
                sigle, _, nom = libelle.partition(SEPARATEUR_SIGLE)
                propositions.append({"libelle": sigle, "genre": f"{source} : {nom}"})
            else:
                propositions.append({"libelle": libelle, "genre": source, **_filtre_du_libelle(source, libelle)})
        return propositions


# Suggestions that are a filter of the form, not words: the mode is not in the index's text
# ("Hébergement (accueil jour et nuit)" must not answer "accueil de jour"), so choosing it sets the filter.
FILTRES_DES_SOURCES = {"Mode de prise en charge": ("mode", "R213")}


def _filtre_du_libelle(source: str, libelle: str) -> dict:
    """{"filtre": form field, "code": its value} when the suggestion is a filter, else {}."""
    if source not in FILTRES_DES_SOURCES:
        return {}
    champ, jeu = FILTRES_DES_SOURCES[source]
    code = next((c for _, c, lib in concepts_actifs(jeu) if lib == libelle.strip()), None)
    return {"filtre": champ, "code": code} if code else {}
