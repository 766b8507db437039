from django.apps import AppConfig


class RechercheConfig(AppConfig):
    name = "recherche"
    verbose_name = "Recherche"

    def ready(self):
        from repertoire.extensions import registre

        from . import signals  # noqa: F401

        registre.ajouter_entree_menu("Recherche", "recherche:recherche", prefixe="/recherche/", rang=10)
