"""Fiches to verify (yearly verification), home page "À traiter"."""

from django.urls import reverse

from repertoire.access import MODIFIER, est_gestionnaire, structures_autorisees
from repertoire.extensions import ATraiter

from .indicateurs import non_verifiees


def fiches_a_verifier(user) -> ATraiter | None:
    if est_gestionnaire(user):
        return ATraiter("Fiches non vérifiées depuis plus d'un an (région)", non_verifiees().count(),
                        reverse("qualite:non_verifiees"))
    qs = non_verifiees(queryset=structures_autorisees(user, MODIFIER))
    exemples = tuple((s.nom, reverse("repertoire:fiche", args=[s.pk])) for s in qs.order_by("nom", "pk")[:5])
    url = exemples[0][1] if exemples else reverse("repertoire:arbre")
    return ATraiter("Vos fiches à vérifier (vérification annuelle)", qs.count(), url, exemples)


def fiches_de_campagne(user) -> ATraiter | None:
    """The fiches waiting in the running campaigns, for the référents and directeurs who may verify them."""
    from .campagnes import fiches_de
    from .models import Campagne

    if est_gestionnaire(user):
        return None
    total, url = 0, None
    for campagne in Campagne.objects.filter(close_le__isnull=True):
        n = fiches_de(user, campagne).filter(traitee_le__isnull=True).count()
        if n and url is None:
            url = reverse("qualite:campagne_fiches", args=[campagne.pk])
        total += n
    if not total:
        return None
    return ATraiter("Campagne de vérification : vos fiches à confirmer", total, url)
