"""Which units are followed for beds: a critical-care activity, or marked by a gestionnaire."""

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from nomenclatures.cache import ids_du_jeu
from repertoire import access as repertoire_access
from repertoire.models import Niveau, Structure
from socle.audit import Action, journaliser

from ..models import UniteMarquee


def ids_activites_suivies(type_unite: str | None = None) -> list[int]:
    """Concept ids of the J17 codes followed (all, or those of one type of unit)."""
    if type_unite:
        codes = settings.DISPONIBILITES_TYPES_UNITE.get(type_unite, ("", []))[1]
    else:
        codes = settings.DISPONIBILITES_ACTIVITES_J17
    ids = ids_du_jeu("J17")
    return [ids[c] for c in codes if c in ids]


def unites_concernees():
    """Open UO followed for beds: a critical-care activity, or marked by a gestionnaire."""
    par_activite = Structure.activites.through.objects.filter(
        concept_id__in=ids_activites_suivies()).values("structure_id")
    marquees = UniteMarquee.objects.filter(suivie=True).values("uo_id")
    retirees = UniteMarquee.objects.filter(suivie=False).values("uo_id")
    return (Structure.objects.filter(niveau=Niveau.UO, etat="ouvert")
            .filter(Q(pk__in=par_activite) | Q(pk__in=marquees)).exclude(pk__in=retirees))


def est_concernee(uo: Structure) -> bool:
    return unites_concernees().filter(pk=uo.pk).exists()


@transaction.atomic
def marquer_unite(user, uo: Structure, suivie: bool) -> UniteMarquee:
    repertoire_access.exiger(user, repertoire_access.ADMINISTRER)
    if uo.niveau != Niveau.UO:
        raise ValueError("Seule une unité opérationnelle peut être suivie en lits.")
    marque, _ = UniteMarquee.objects.update_or_create(uo=uo, defaults={"suivie": suivie, "par": user,
                                                                        "le": timezone.now()})
    journaliser(user, Action.LITS_UNITE_SUIVIE if suivie else "disponibilites.unite_retiree",
                f"structure:{uo.pk}")
    return marque
