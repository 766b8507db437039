from django.apps import AppConfig
from django.urls import reverse


def url_ouvrir(structure) -> str:
    return reverse("dossiers:ouvrir", args=[structure.pk])


class DossiersConfig(AppConfig):
    name = "dossiers"

    def ready(self):
        from repertoire.extensions import registre

        registre.ajouter_entree_menu("Dossiers collaboratifs", "dossiers:liste", prefixe="/dossiers/", rang=40)
        registre.definir_url_dossier(url_ouvrir)
