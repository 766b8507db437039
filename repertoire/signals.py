from django.dispatch import Signal

# Sent inside the transaction of a bulk write that bypasses save() (e.g. a FINESS import),
# with `eg_ids`: the EG created or changed. Higher apps (search index…) follow the offer with it.
offre_modifiee_en_masse = Signal()
