"""The one bulk-write path of the portal (imports, beds, demo data): many rows in one statement."""

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connection, models


def inserer_en_masse(cible, colonnes: Sequence[str] | None, lignes: Iterable, *, suite: str = ""):
    """Write many rows at once. Call it inside a transaction.

    `cible` is a table name or a model:
    - a table name: `colonnes` are column names, each row a sequence of values in that order;
    - a model: `colonnes` are attnames (None: every concrete field but the automatic key),
      each row a dict keyed by attname, a missing key taking the field's default.

    Without `suite`, the rows go by PostgreSQL COPY (the fastest way; `lignes` may be a
    generator) and the number of rows is returned. With `suite`, an `ON CONFLICT …` and/or
    `RETURNING …` clause (the table is aliased `t` in it), since COPY can neither skip nor
    return rows they go by `INSERT … SELECT FROM unnest(…)`, one typed array per column:
    the RETURNING rows are returned, or the number of rows written.
    """
    if isinstance(cible, type) and issubclass(cible, models.Model):
        table, colonnes, lignes = _depuis_le_modele(cible, colonnes, lignes)
    else:
        table = cible
    if not suite:
        return _copier(table, colonnes, lignes)
    return _inserer_puis(table, list(colonnes), list(lignes), suite)


def _depuis_le_modele(model, colonnes, lignes):
    champs = [f for f in model._meta.concrete_fields
              if (f.attname in colonnes if colonnes is not None else not isinstance(f, models.AutoField))]
    defauts = [(f.attname, f.get_default() if f.has_default() else (None if f.null else "")) for f in champs]
    valeurs = ([ligne.get(nom, defaut) for nom, defaut in defauts] for ligne in lignes)
    return model._meta.db_table, [f.column for f in champs], valeurs


def _copier(table: str, colonnes: Sequence[str], lignes: Iterable[Sequence]) -> int:
    n = 0
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(colonnes)}) FROM STDIN") as copie:
            for valeurs in lignes:
                copie.write_row(valeurs)
                n += 1
    return n


def _inserer_puis(table: str, colonnes: list[str], lignes: list[Sequence], suite: str):
    renvoie = "RETURNING" in suite.upper()
    if not lignes:
        return [] if renvoie else 0
    with connection.cursor() as cursor:
        types = _types_des_colonnes(cursor, table)
        tableaux = ", ".join(f"%s::{types[c]}[]" for c in colonnes)
        cursor.execute(f"INSERT INTO {table} AS t ({', '.join(colonnes)}) SELECT * FROM unnest({tableaux}) {suite}",
                       [list(colonne) for colonne in zip(*lignes)])
        return cursor.fetchall() if renvoie else cursor.rowcount


_TYPES: dict[str, dict[str, str]] = {}


def _types_des_colonnes(cursor, table: str) -> dict[str, str]:
    """column → SQL type of a table, read once from the catalogue (the arrays of unnest are typed)."""
    if table not in _TYPES:
        cursor.execute("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                       "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped", [table])
        _TYPES[table] = dict(cursor.fetchall())
    return _TYPES[table]


def mettre_a_jour_en_masse(model, objets: Sequence, attnames: Sequence[str]) -> int:
    """Write `attnames` of many model instances in ONE statement (UPDATE … FROM unnest of typed
    arrays, one per column): the bulk counterpart of `save(update_fields=…)`, without the CASE
    expression per row of Django's bulk_update. Call it inside a transaction."""
    if not objets:
        return 0
    champs = [model._meta.get_field(nom) for nom in attnames]
    cle = model._meta.pk
    table = model._meta.db_table
    with connection.cursor() as cursor:
        types = _types_des_colonnes(cursor, table)
        colonnes = [cle.column] + [c.column for c in champs]
        tableaux = ", ".join(f"%s::{types[c]}[]" for c in colonnes)
        affectations = ", ".join(f'"{c.column}" = v."{c.column}"' for c in champs)
        valeurs = [[o.pk for o in objets]] + [[c.get_db_prep_save(getattr(o, c.attname), connection) for o in objets]
                                              for c in champs]
        cursor.execute(f'UPDATE {table} AS t SET {affectations} FROM unnest({tableaux}) AS v({", ".join(colonnes)}) '
                       f'WHERE t."{cle.column}" = v."{cle.column}"', valeurs)
        return cursor.rowcount


# A bulk load rebuilds the indexes and checks the foreign keys it would otherwise maintain row
# by row only when it adds more rows than the tables hold and at least this many: then one
# sort per index and one join per foreign key beat a million index insertions (~70 indexes
# between a structure and its history row) and a million deferred key checks at commit.
SEUIL_CHARGEMENT_MASSIF = 50_000


@contextmanager
def chargement_massif(models_ou_tables: Sequence, nb_lignes: int, *, cles_vers: Sequence = ()):
    """Load `nb_lignes` new rows into these tables with their secondary indexes and their
    foreign keys to the tables `cles_vers` dropped, then rebuilt (one sort per index, one validating join per key) and the
    tables analysed. Yields whether it did so. Call it inside the load's transaction:
    dropping is transactional (a failure restores everything) but holds an exclusive lock on
    the tables until commit, so it is done only when the load is big compared with the
    tables (a first national import), never for a daily import. Kept: primary keys, unique
    indexes and those behind a constraint (the load relies on them). Name in `cles_vers` only
    tables nobody writes during an import (a dropped key locks the table it refers to against
    writes until commit: never the users' table)."""
    tables = [t._meta.db_table if isinstance(t, type) else t for t in models_ou_tables]
    references = [t._meta.db_table if isinstance(t, type) else t for t in cles_vers]
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(greatest(reltuples, 0)), 0) FROM pg_class WHERE oid = ANY(%s::regclass[])",
                       [tables])
        massif = nb_lignes >= max(SEUIL_CHARGEMENT_MASSIF, cursor.fetchone()[0])
        index, cles = [], []
        if massif:
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT i.indisunique "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                "ORDER BY i.indexrelid", [tables])
            index = cursor.fetchall()
            cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) AND confrelid = ANY(%s::regclass[]) "
                           "ORDER BY oid", [tables, references])
            cles = cursor.fetchall()
            _verifier_les_cles_en_attente(cursor)
            for table, nom, _ in cles:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{nom}"')
            for nom, _ in index:
                cursor.execute(f"DROP INDEX {nom}")
    yield massif
    if massif:  # not reached on an error: the rollback restores what was dropped
        with connection.cursor() as cursor:
            # One sort per index in memory rather than on disk, for this transaction only.
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            _verifier_les_cles_en_attente(cursor)  # those of the keys kept, for the rows just loaded
            for _, definition in index:
                cursor.execute(definition)
            for table, nom, definition in cles:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{nom}" {definition}')
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def _verifier_les_cles_en_attente(cursor) -> None:
    """Run now the foreign key checks deferred to the commit: PostgreSQL alters or indexes no
    table with checks pending. Django's keys are all deferred, as they are again after."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
