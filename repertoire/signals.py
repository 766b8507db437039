"""What repertoire tells the apps above it (search index…) when the offer changes.

Both signals carry ids, never objects: a receiver reads the tables it needs.
"""

from django.dispatch import Signal

# Sent after the commit of a write made through repertoire.services (transaction.on_commit),
# with `structure_ids`: the structures created, changed, moved or deleted (a deleted one no
# longer exists).
offre_modifiee = Signal()

# Sent inside the transaction of a bulk write that bypasses save() (e.g. a FINESS import),
# with `eg_ids`: the EG created or changed.
offre_modifiee_en_masse = Signal()
