"""The search index follows the offer as repertoire announces it: after the commit of each
write made through its services (`offre_modifiee`), inside a bulk write (`offre_modifiee_en_masse`)."""

from django.db import transaction
from django.dispatch import receiver

from repertoire.signals import offre_modifiee, offre_modifiee_en_masse

from .indexation import reindexer_structures

# Beyond this many EG, a bulk change (a national FINESS import) has the whole index rebuilt
# by a Celery worker after the commit, instead of inside the import's transaction.
SEUIL_REINDEXATION_COMPLETE = 5000


@receiver(offre_modifiee, dispatch_uid="recherche_offre_modifiee")
def offre_modifiee_recue(sender, structure_ids, **kwargs):
    with transaction.atomic():  # after the write's commit: its index rows change together
        reindexer_structures(structure_ids)


@receiver(offre_modifiee_en_masse, dispatch_uid="recherche_offre_modifiee_en_masse")
def offre_modifiee_en_masse_recue(sender, eg_ids, **kwargs):
    eg_ids = list(set(eg_ids))
    if len(eg_ids) > SEUIL_REINDEXATION_COMPLETE:
        from .tasks import reindexer_recherche

        transaction.on_commit(reindexer_recherche.delay)
        return
    reindexer_structures(eg_ids)
