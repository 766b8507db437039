from django.apps import AppConfig


class DisponibilitesConfig(AppConfig):
    name = "disponibilites"
