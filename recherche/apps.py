from django.apps import AppConfig


class RechercheConfig(AppConfig):
    name = "recherche"
