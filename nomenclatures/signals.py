"""What the reference data tells the apps above it: a load of value sets or communes was committed
(their labels and names may have changed; repertoire bumps the version of the offer its cached
pages are read under)."""

from django.dispatch import Signal

referentiels_charges = Signal()
