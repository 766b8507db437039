"""Keep the search index in step with every write made through repertoire.services."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from django.db import connection, transaction

from repertoire.models import Niveau, Structure
from repertoire.signals import offre_modifiee_en_masse

from .indexation import TABLES_FILTRES, TABLES_LIBELLES, reindexer_eg, reindexer_uo

# Beyond this many EG, a bulk change (a national FINESS import) has the whole index rebuilt
# by a Celery worker after the commit, instead of inside the import's transaction.
SEUIL_REINDEXATION_COMPLETE = 5000


@receiver(post_save)
def structure_enregistree(sender, instance, raw=False, **kwargs):
    # Any proxy (UniteOperationnelle…) counts: connect without a sender and check the class.
    if raw or not isinstance(instance, Structure):
        return
    if instance.niveau == Niveau.UO:
        reindexer_uo([instance.pk])
    elif instance.niveau == Niveau.EG:
        reindexer_eg(instance.pk)


def _offre_modifiee(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # Concept.x.add(structure): rare, reindex the structures named
        reindexer_uo(pk_set or [])
    elif isinstance(instance, Structure) and instance.niveau == Niveau.UO:
        reindexer_uo([instance.pk])


for _champ in TABLES_LIBELLES + TABLES_FILTRES:
    m2m_changed.connect(_offre_modifiee, sender=getattr(Structure, _champ).through,
                        dispatch_uid=f"recherche_{_champ}")


@receiver(offre_modifiee_en_masse)
def offre_modifiee_en_masse_recue(sender, eg_ids, **kwargs):
    eg_ids = list(set(eg_ids))
    if len(eg_ids) > SEUIL_REINDEXATION_COMPLETE:
        from .tasks import reindexer_recherche

        transaction.on_commit(reindexer_recherche.delay)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM repertoire_structure WHERE niveau = 'UO' AND eg_id = ANY(%s)", [eg_ids])
        reindexer_uo([r[0] for r in cursor.fetchall()])
