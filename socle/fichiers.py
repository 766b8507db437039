"""Uploaded files that leave the portal are deleted from the storage, once the change is committed."""

from django.core.files.storage import default_storage
from django.db import transaction


def supprimer_apres_commit(*noms: str) -> None:
    """Delete these stored files when the current transaction commits (kept if it rolls back)."""
    noms = [nom for nom in noms if nom]
    if noms:
        transaction.on_commit(lambda: [default_storage.delete(nom) for nom in noms])
