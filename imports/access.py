"""Who may run FINESS imports and read their reports: gestionnaires ROR only (deny by default)."""

from django.shortcuts import get_object_or_404

from repertoire.access import exiger_gestionnaire

from .models import ImportFiness


def imports_visibles(user):
    exiger_gestionnaire(user)
    return ImportFiness.objects.all()


def get_import_or_403(user, pk) -> ImportFiness:
    return get_object_or_404(imports_visibles(user), pk=pk)
