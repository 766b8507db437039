"""The version of the offer as pages show it: a number that grows with every write of the offer,
so that the costly parts of a page (a fiche, a search's results, a FHIR page) are cached under it
and never served once stale.

A PostgreSQL sequence, shared by every process (gunicorn workers, Celery, runserver) and never
rolled back. A write bumps it twice: at once, so that its own transaction's next page misses the
cache; and after its commit, once the apps above have followed (the search index), so that a
fragment another process built under the first bump from the data before the commit is never
read again. A reader reads the version BEFORE the data it caches under it.

Bumped by repertoire's write services (`services.offre.annoncer`, the FINESS bulk writes) and by a
full rebuild of the search index: the writers of the offer (a save() outside them is not one).
"""

from django.db import connection, transaction

SEQUENCE = "repertoire_version_offre"
# Fragments are keyed by the version; this only bounds what a crash between a commit and its
# second bump could leave, and frees Redis of fragments nobody asks for.
DUREE_FRAGMENTS = 3600


def version_offre() -> int:
    with connection.cursor() as curseur:
        curseur.execute(f"SELECT last_value FROM {SEQUENCE}")
        return curseur.fetchone()[0]


def incrementer() -> None:
    """One bump, now (changer_version_offre() is what a write calls)."""
    with connection.cursor() as curseur:
        # to_regclass: NULL (no error) before the migration that creates it (data migrations, demo)
        curseur.execute(f"SELECT nextval(to_regclass('{SEQUENCE}'))")


def changer_version_offre(apres_validation: bool = True) -> None:
    """The offer changed (or is changing in the current transaction): bump now and after the commit.
    Call it after registering the transaction's other on-commit work (callbacks run in order: the
    second bump comes after the apps above have followed), or bump yourself in that work
    (`apres_validation=False`, as `services.offre.annoncer` does)."""
    incrementer()
    if apres_validation:
        transaction.on_commit(incrementer)
