"""Who may run FINESS imports and read their reports: gestionnaires ROR only (ADMINISTRER, deny by default)."""

from django.shortcuts import get_object_or_404

from repertoire import access

from .models import ImportFiness


def imports_autorises(user, action: str = access.ADMINISTRER):
    return ImportFiness.objects.all() if access.peut(user, action) else ImportFiness.objects.none()


def get_import_or_403(user, pk, action: str = access.ADMINISTRER) -> ImportFiness:
    access.exiger(user, action)
    return get_object_or_404(ImportFiness, pk=pk)


def fichier_lisible(user, nom: str) -> bool:
    """An uploaded FINESS file (kept only while its import runs): gestionnaires only."""
    return imports_autorises(user).filter(fichier=nom).exists()
