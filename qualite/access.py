"""The quality dashboard is for gestionnaires ROR only (deny by default)."""

from repertoire.access import exiger_gestionnaire
from repertoire.models import Structure


def perimetre_qualite(user):
    """The structures whose quality the user follows."""
    exiger_gestionnaire(user)
    return Structure.objects.all()
