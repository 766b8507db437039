"""Every write of imports started by a user: one function per action, atomic, recording who."""

from django.db import transaction

from repertoire import access

from .models import ImportFiness
from .tasks import importer_finess


@transaction.atomic
def lancer_import(acteur, fichier) -> ImportFiness:
    """An uploaded FINESS extract, imported by a Celery worker once this transaction commits."""
    access.exiger(acteur, access.ADMINISTRER)
    imp = ImportFiness.objects.create(par=acteur, origine=ImportFiness.Origine.TELEVERSEMENT,
                                      nom_fichier=fichier.name[:255], fichier=fichier)
    transaction.on_commit(lambda: _demarrer(imp))
    return imp


def _demarrer(imp: ImportFiness) -> None:
    tache = importer_finess.delay(imp.pk)
    ImportFiness.objects.filter(pk=imp.pk).update(tache=tache.id)
