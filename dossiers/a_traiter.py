"""The dossiers collaboratifs waiting for the user (home page, "À traiter")."""

from django.urls import reverse

from repertoire.extensions import ATraiter

from .access import dossiers_a_traiter


def dossiers(user) -> ATraiter | None:
    qs = dossiers_a_traiter(user)
    exemples = tuple((str(d), reverse("dossiers:detail", args=[d.pk])) for d in qs.order_by("pk")[:5])
    return ATraiter("Dossiers collaboratifs qui vous attendent", qs.count(), reverse("dossiers:liste"), exemples)
