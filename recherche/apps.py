from django.apps import AppConfig


class RechercheConfig(AppConfig):
    name = "recherche"
    verbose_name = "Recherche"

    def ready(self):
        from . import signals  # noqa: F401
