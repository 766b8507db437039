from django.apps import AppConfig
from django.urls import reverse


def url_ouvrir(structure) -> str:
    return reverse("dossiers:ouvrir", args=[structure.pk])


def menu_visible(user) -> bool:
    """The list answers 403 to who may open a dossier nowhere (consultants): no menu entry for them."""
    from repertoire import access

    return access.peut(user, access.OUVRIR_DOSSIER)


class DossiersConfig(AppConfig):
    name = "dossiers"

    def ready(self):
        from repertoire.extensions import registre

        registre.ajouter_entree_menu("Dossiers collaboratifs", "dossiers:liste", prefixe="/dossiers/", rang=40,
                                     visible=menu_visible)
        registre.definir_url_dossier(url_ouvrir)
        from .a_traiter import dossiers

        registre.ajouter_a_traiter(dossiers, rang=10)
