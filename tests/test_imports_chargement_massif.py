"""A first national import loads its rows with the secondary indexes and foreign keys dropped,
then rebuilt (socle.ecriture.chargement_massif): the same result as row by row, every index and
key back after, a key still checked, and a failure restoring everything. The threshold is
lowered so that the ANS samples (fixtures/finess/json/) take that path."""

from contextlib import contextmanager

import pytest
from django.db import IntegrityError, connection, transaction

from imports.importer import importer_fichier
from imports.models import Changement, ImportFiness
from repertoire.models import AutorisationFiness, EtablissementFiness, Structure
from socle import ecriture
from tests.test_imports_finess_json import ACTIVITES, STRUCTURES

TABLES = [Structure._meta.db_table, Structure.history.model._meta.db_table, AutorisationFiness._meta.db_table,
          EtablissementFiness._meta.db_table, Changement._meta.db_table]


def schema_des_tables():
    """Every index (its columns, operator classes, method, uniqueness, partial or not) and
    every constraint of the loaded tables, by name. A rebuilt partial index may word its
    predicate differently (`ARRAY[…]::text[]` becomes `ARRAY[(…)::text, …]`): the same index."""
    with connection.cursor() as c:
        c.execute("SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text, i.indkey::text, i.indclass::text, "
                  "coalesce(pg_get_expr(i.indexprs, i.indrelid), ''), am.amname, i.indisunique, i.indpred IS NULL "
                  "FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_am am ON am.oid = x.relam "
                  "WHERE i.indrelid = ANY(%s::regclass[])", [TABLES])
        index = {ligne[0]: ligne[1:] for ligne in c.fetchall()}
        c.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
                  [TABLES])
        return index, dict(c.fetchall())


@contextmanager
def requetes():
    vues = []

    def noter(execute, sql, params, many, context):
        vues.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(noter):
        yield vues


def instantane():
    return (sorted(Structure.objects.values_list("niveau", "finess", "nom", "parent__finess", "ej__finess",
                                                 "categorie__code", "commune_id", "latitude", "lft", "rght", "level")),
            Structure.history.count(),
            sorted(AutorisationFiness.objects.values_list("activite_id", "finess_eg", "activite", "active")),
            sorted(EtablissementFiness.objects.values_list("finess", "nom", "ferme")),
            sorted(Changement.objects.values_list("type", "finess", "champ", "apres")))


@pytest.fixture
def national(settings):
    settings.FINESS_DEPARTEMENTS = None


@pytest.mark.django_db
def test_premier_import_massif_meme_resultat_index_et_cles_reconstruits(national, monkeypatch):
    avant = schema_des_tables()
    imp = importer_fichier(STRUCTURES, activites=ACTIVITES)
    assert imp.statut == ImportFiness.Statut.TERMINE, imp.erreur
    ligne_a_ligne = instantane()
    with transaction.atomic():  # undo, then the same import as a first national one
        Changement.objects.all().delete()
        Structure.objects.update(autorisation=None)
        AutorisationFiness.objects.all().delete()
        EtablissementFiness.objects.all().delete()
        for niveau in ("UO", "EG", "EJ"):
            Structure.objects.filter(niveau=niveau).delete()
        Structure.history.all().delete()
        with connection.cursor() as cursor:  # the path follows the statistics: as a first import finds them
            cursor.execute("ANALYZE")
    with connection.cursor() as cursor:  # the secondary indexes of the two big tables, as the schema has them now
        cursor.execute("SELECT i.indexrelid::regclass::text FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) "
                       "AND NOT i.indisprimary AND NOT i.indisunique",
                       [[Structure._meta.db_table, Structure.history.model._meta.db_table]])
        secondaires = {nom for nom, in cursor.fetchall()}
    assert len(secondaires) > 20
    monkeypatch.setattr(ecriture, "SEUIL_CHARGEMENT_MASSIF", 1)
    with requetes() as vues:
        imp = importer_fichier(STRUCTURES, activites=ACTIVITES)
    assert imp.statut == ImportFiness.Statut.TERMINE, imp.erreur
    supprimes = [sql for sql in vues if sql.startswith(("DROP INDEX", "ALTER TABLE"))]
    assert any(Structure._meta.db_table in sql and "DROP CONSTRAINT" in sql for sql in supprimes)
    assert secondaires <= {sql.split()[2] for sql in vues if sql.startswith("DROP INDEX")}  # every one dropped
    assert instantane() == ligne_a_ligne
    assert schema_des_tables() == avant  # every index and key is back, as it was


@pytest.mark.django_db
def test_chargement_massif_verifie_encore_les_cles_et_annule_tout_en_cas_d_erreur(monkeypatch):
    monkeypatch.setattr(ecriture, "SEUIL_CHARGEMENT_MASSIF", 1)
    from nomenclatures.models import Commune, Concept, Departement

    avant = schema_des_tables()
    # A row pointing at a commune that does not exist: the rebuilt key refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        with ecriture.chargement_massif([Structure], 10**9, cles_vers=[Structure, Concept, Commune, Departement]):
            ecriture.inserer_en_masse(Structure, None, [{"niveau": "EJ", "nom": "Sans commune", "commune_id": "00000",
                                                          "tree_id": 1, "lft": 1, "rght": 2, "level": 0}])
    assert schema_des_tables() == avant
    # Any failure during the load: the rollback brings back every index and key.
    with pytest.raises(RuntimeError), transaction.atomic():
        with ecriture.chargement_massif(TABLES, 10**9, cles_vers=[Structure, Concept, Commune, Departement]) as massif:
            assert massif
            raise RuntimeError("panne au milieu du chargement")
    assert schema_des_tables() == avant
    assert not Structure.objects.filter(nom="Sans commune").exists()


@pytest.mark.django_db
def test_un_import_ordinaire_garde_ses_index(national):
    """Below the threshold (any daily import), nothing is dropped: the tables stay readable."""
    with requetes() as vues:
        imp = importer_fichier(STRUCTURES, activites=ACTIVITES)
    assert imp.statut == ImportFiness.Statut.TERMINE, imp.erreur
    assert not [sql for sql in vues if sql.startswith(("DROP INDEX", "ALTER TABLE"))]
