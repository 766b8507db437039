"""Keeping the search index in step with the offer, in SQL (INSERT … SELECT).

`reindexer_structures(ids)` rewrites the rows of the UO some structures hold (called by
recherche/signals.py when repertoire announces a change of the offer);
`reindexer_tout()` rebuilds everything (command `reindexer_recherche`, for bulk loads
that bypass signals). Neither imports repertoire code: only its tables (and, after a rebuild,
bumps the version of the offer under which the results pages are cached).
"""

from django.db import connection, transaction

CONFIG = "french_unaccent"

# Labels of the offer (one text per UO, weight B of the document). Modes and modalités
# are filters, not words: "Hébergement (accueil jour et nuit)" must not answer "accueil de jour".
TABLES_LIBELLES = ["activites", "actes", "equipements", "specialisations", "competences",
                   "specialites_ordinales", "professions"]
TABLES_FILTRES = ["publics", "modes_prise_en_charge", "modalites_accueil", "territoire"]

# Value sets whose labels feed the autocomplete of "Que recherchez-vous ?" (source, rank).
JEUX_AUTOCOMPLETION = [
    ("J34", "Type d'unité", 1), ("J17", "Activité", 2), ("J35", "Spécialisation", 3), ("J16", "Acte", 4),
    ("J18", "Équipement", 5), ("J33", "Compétence", 6), ("J55", "Catégorie d'établissement", 7),
    ("R213", "Mode de prise en charge", 2),
]
SOURCE_SIGLE = "Sigle"
SEPARATEUR_SIGLE = " — "  # "EHPAD — Etablissement d'hébergement…": the acronym is what goes in the field
# Value sets whose words the typo corrector knows (the above, plus what the document holds).
JEUX_DICTIONNAIRE = [j for j, _, _ in JEUX_AUTOCOMPLETION] + ["R213", "J226", "J29", "J186", "J210"]


# Acronyms professionals type for a kind of establishment (FINESS category J55), which
# no NOS label spells out: indexed with the establishment (weight C).
SIGLES_CATEGORIE = {
    "500": "EHPAD", "202": "EHPA résidence autonomie", "101": "CHU CHR hôpital", "355": "CH hôpital",
    "106": "CH hôpital local", "292": "CHS hôpital psychiatrique", "362": "USLD", "127": "HAD", "183": "IME",
    "246": "ESAT", "255": "MAS", "437": "FAM EAM", "382": "foyer de vie", "354": "SSIAD", "460": "SAAD",
    "209": "SPASAD", "182": "SESSAD", "190": "CAMSP", "189": "CMPP", "186": "ITEP", "446": "SAVS",
    "445": "SAMSAH", "188": "EEAP", "197": "CSAPA", "180": "LHSS", "604": "CPTS", "603": "MSP maison de santé",
    "606": "DAC", "109": "SMR SSR", "365": "clinique",
}
_VALEURS_SIGLES = ", ".join(f"('{code}', '{sigle}')" for code, sigle in SIGLES_CATEGORIE.items())


def _sql_index(filtre_uo: str) -> str:
    """INSERT … SELECT of the index rows of the UO matched by `filtre_uo` (SQL on alias s)."""
    union = " UNION ALL ".join(
        f"SELECT structure_id, concept_id FROM repertoire_structure_{t}" for t in TABLES_LIBELLES)
    restreint = "WHERE t.structure_id IN (SELECT id FROM uo)" if filtre_uo else ""

    def tableau(table, colonne="concept_id"):
        return (f"SELECT t.structure_id, array_agg(t.{colonne}) AS ids FROM repertoire_structure_{table} t "
                f"{restreint} GROUP BY t.structure_id")

    return f"""
    WITH uo AS (
        SELECT s.* FROM repertoire_structure s WHERE s.niveau = 'UO' {'AND ' + filtre_uo if filtre_uo else ''}
    ),
    lib AS (
        SELECT t.structure_id, string_agg(c.libelle, ' ') AS textes
        FROM ({union}) t JOIN nomenclatures_concept c ON c.id = t.concept_id {restreint}
        GROUP BY t.structure_id
    ),
    pub AS (
        SELECT t.structure_id, array_agg(t.concept_id) AS ids, string_agg(c.libelle, ' ') AS textes
        FROM repertoire_structure_publics t JOIN nomenclatures_concept c ON c.id = t.concept_id {restreint}
        GROUP BY t.structure_id
    ),
    mpc AS ({tableau('modes_prise_en_charge')}),
    mda AS ({tableau('modalites_accueil')}),
    ter AS ({tableau('territoire', 'commune_id')})
    INSERT INTO recherche_uniteindexee (uo_id, eg_id, ouverte, nom_eg, document, latitude, longitude, departement,
        age_min, age_max, discipline, publics, modes, modalites, aide_sociale, territoire)
    SELECT uo.id, uo.eg_id, (uo.etat = 'ouvert' AND eg.etat = 'ouvert'), eg.nom,
        setweight(to_tsvector('{CONFIG}', uo.nom || ' ' || coalesce(tu.libelle, '')), 'A')
        || setweight(to_tsvector('{CONFIG}', coalesce(lib.textes, '')), 'B')
        || setweight(to_tsvector('{CONFIG}', eg.nom || ' ' || coalesce(cat.libelle, '') || ' '
                                 || coalesce(sig.sigle, '')), 'C')
        || setweight(to_tsvector('{CONFIG}', coalesce(pub.textes, '')), 'D'),
        CASE WHEN uo.latitude IS NOT NULL THEN uo.latitude ELSE eg.latitude END,
        CASE WHEN uo.latitude IS NOT NULL THEN uo.longitude ELSE eg.longitude END,
        coalesce(uo.departement_id, eg.departement_id, ''),
        coalesce(uo.age_min, 0), coalesce(uo.age_max, 150), uo.discipline,
        coalesce(pub.ids, '{{}}'), coalesce(mpc.ids, '{{}}'), coalesce(mda.ids, '{{}}'),
        coalesce(uo.habilitation_aide_sociale, false), coalesce(ter.ids, '{{}}')
    FROM uo
    JOIN repertoire_structure eg ON eg.id = uo.eg_id
    LEFT JOIN nomenclatures_concept tu ON tu.id = uo.type_uo_id
    LEFT JOIN nomenclatures_concept cat ON cat.id = eg.categorie_id
    LEFT JOIN (VALUES {_VALEURS_SIGLES}) AS sig(code, sigle) ON sig.code = cat.code
    LEFT JOIN lib ON lib.structure_id = uo.id
    LEFT JOIN pub ON pub.structure_id = uo.id
    LEFT JOIN mpc ON mpc.structure_id = uo.id
    LEFT JOIN mda ON mda.structure_id = uo.id
    LEFT JOIN ter ON ter.structure_id = uo.id
    {'ORDER BY 8, 2' if not filtre_uo else ''}
    ON CONFLICT (uo_id) DO UPDATE SET eg_id = EXCLUDED.eg_id, ouverte = EXCLUDED.ouverte, nom_eg = EXCLUDED.nom_eg,
        document = EXCLUDED.document, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
        departement = EXCLUDED.departement, age_min = EXCLUDED.age_min, age_max = EXCLUDED.age_max,
        discipline = EXCLUDED.discipline, publics = EXCLUDED.publics, modes = EXCLUDED.modes,
        modalites = EXCLUDED.modalites, aide_sociale = EXCLUDED.aide_sociale, territoire = EXCLUDED.territoire
    WHERE ({_colonnes_index("recherche_uniteindexee")}) IS DISTINCT FROM ({_colonnes_index("EXCLUDED")})
    """


# A row whose values did not change is not rewritten (no new row version, no GIN or GiST entry):
# a change of a fiche outside the index (its comment, its contacts…) costs only the reading.
def _colonnes_index(table: str) -> str:
    return ", ".join(f"{table}.{c}" for c in (
        "eg_id", "ouverte", "nom_eg", "document", "latitude", "longitude", "departement", "age_min", "age_max",
        "discipline", "publics", "modes", "modalites", "aide_sociale", "territoire"))


# Words of the names (UO and EG), so that a typo in a name is corrected too.
_SQL_MOTS_NOMS = """
    INSERT INTO recherche_mot (mot, lexeme)
    SELECT DISTINCT m, coalesce((tsvector_to_array(to_tsvector('{cfg}', m)))[1], m)
    FROM repertoire_structure s, regexp_split_to_table(lower(immutable_unaccent(s.nom)), '[^a-z0-9]+') AS m
    WHERE s.niveau IN ('EG', 'UO') AND length(m) >= 3 {filtre}
    ON CONFLICT (mot) DO NOTHING
"""


def reindexer_uo(ids) -> None:
    """Rewrite the index rows of these UO (and learn the words of their names)."""
    ids = list(ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        # NOT EXISTS (an anti-join on the primary key), not NOT IN (SELECT … 1M UO): too big to
        # hash, NOT IN scans the whole list for each row (0.6 s for one EG, minutes for an EJ).
        cursor.execute("DELETE FROM recherche_uniteindexee r WHERE r.uo_id = ANY(%s) AND NOT EXISTS "
                       "(SELECT 1 FROM repertoire_structure s WHERE s.id = r.uo_id AND s.niveau = 'UO')", [ids])
        cursor.execute(_sql_index("s.id = ANY(%(ids)s)"), {"ids": ids})
        # The UO and their EG as ONE array read by the primary key: `id = ANY(…) OR id IN (…)`
        # is planned as a scan of the million structures (and its JIT compilation).
        cursor.execute(_SQL_MOTS_NOMS.format(cfg=CONFIG, filtre="AND s.id = ANY(%(ids)s::bigint[] || ARRAY("
                                             "SELECT eg_id FROM repertoire_structure "
                                             "WHERE id = ANY(%(ids)s) AND eg_id IS NOT NULL))"),
                       {"ids": ids})


def reindexer_structures(ids) -> None:
    """Rewrite the rows of these structures: the UO among them (a deleted one leaves the index)
    and every UO of the EG among them (their name, address or state is in each UO's row)."""
    ids = set(ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM repertoire_structure WHERE niveau = 'UO' AND eg_id = ANY(%s)", [list(ids)])
        reindexer_uo(ids | {r[0] for r in cursor.fetchall()})


@transaction.atomic
def reindexer_tout() -> int:
    """Rebuild the whole index and the dictionaries; returns the number of UO indexed."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred FK checks
        cursor.execute("TRUNCATE recherche_uniteindexee")
        # Building the secondary indexes once after the load is much faster than row by row.
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'recherche_uniteindexee' "
                       "AND indexname NOT LIKE '%%pkey'")
        index = cursor.fetchall()
        for nom, _ in index:
            cursor.execute(f'DROP INDEX "{nom}"')
        cursor.execute(_sql_index(""))
        nombre = cursor.rowcount
        for _, definition in index:
            cursor.execute(definition)
        # Rows were written in département then EG order: a place or a département reads
        # neighbouring pages.
        cursor.execute("TRUNCATE recherche_mot, recherche_libelle")
        cursor.execute(_SQL_MOTS_NOMS.format(cfg=CONFIG, filtre=""))
    construire_dictionnaires()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE recherche_uniteindexee")
    from repertoire.version import changer_version_offre

    changer_version_offre()  # cached results (recherche.views) were read from the old index
    return nombre


def construire_dictionnaires() -> None:
    """Labels for the autocomplete and their words for the typo corrector (from the nomenclatures)."""
    cles, sources, rangs = (list(x) for x in zip(*JEUX_AUTOCOMPLETION))
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO recherche_libelle (libelle, normalise, source, rang)
            SELECT trim(c.libelle),
                   trim(regexp_replace(lower(immutable_unaccent(c.libelle)), '[^a-z0-9]+', ' ', 'g')), j.source, j.rang
            FROM nomenclatures_concept c JOIN nomenclatures_nomenclature n ON n.id = c.nomenclature_id
            JOIN unnest(%s::text[], %s::text[], %s::int[]) AS j(cle, source, rang) ON j.cle = n.cle
            WHERE c.actif
            ON CONFLICT DO NOTHING
        """, [cles, sources, rangs])
        # The acronyms of the kinds of establishment, first ("EHPAD", "SSIAD", "IME"…).
        sigles = [(sigle, code) for code, mots in SIGLES_CATEGORIE.items()
                  for sigle in mots.split() if sigle.isupper() and len(sigle) >= 2]
        cursor.execute("""
            INSERT INTO recherche_libelle (libelle, normalise, source, rang)
            SELECT s.sigle || %s || trim(c.libelle),
                   trim(regexp_replace(lower(immutable_unaccent(s.sigle || ' ' || c.libelle)), '[^a-z0-9]+', ' ', 'g')),
                   %s, 0
            FROM unnest(%s::text[], %s::text[]) AS s(sigle, code)
            JOIN nomenclatures_concept c ON c.code = s.code
            JOIN nomenclatures_nomenclature n ON n.id = c.nomenclature_id AND n.cle = 'J55'
            WHERE c.actif
            ON CONFLICT DO NOTHING
        """, [SEPARATEUR_SIGLE, SOURCE_SIGLE, [s for s, _ in sigles], [c for _, c in sigles]])
        cursor.execute(f"""
            INSERT INTO recherche_mot (mot, lexeme)
            SELECT DISTINCT m, coalesce((tsvector_to_array(to_tsvector('{CONFIG}', m)))[1], m)
            FROM nomenclatures_concept c JOIN nomenclatures_nomenclature n ON n.id = c.nomenclature_id,
                 regexp_split_to_table(lower(immutable_unaccent(c.libelle)), '[^a-z0-9]+') AS m
            WHERE n.cle = ANY(%s) AND length(m) >= 3
            ON CONFLICT (mot) DO NOTHING
        """, [JEUX_DICTIONNAIRE])
        cursor.execute(f"""
            INSERT INTO recherche_mot (mot, lexeme)
            SELECT DISTINCT m, coalesce((tsvector_to_array(to_tsvector('{CONFIG}', m)))[1], m)
            FROM unnest(%s::text[]) AS s, regexp_split_to_table(lower(immutable_unaccent(s)), '[^a-z0-9]+') AS m
            WHERE length(m) >= 2
            ON CONFLICT (mot) DO NOTHING
        """, [list(SIGLES_CATEGORIE.values())])


def assurer_dictionnaires() -> None:
    """Build the label dictionaries if they are empty (fresh database, emptied tables)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM recherche_libelle)")
        if not cursor.fetchone()[0]:
            construire_dictionnaires()
