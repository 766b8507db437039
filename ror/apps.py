from django.apps import AppConfig


class RorConfig(AppConfig):
    name = "ror"
    verbose_name = "Portail ROR : comptes et rôles"
