from django.apps import AppConfig


class RorConfig(AppConfig):
    name = "ror"
    verbose_name = "Portail ROR : comptes et rôles"

    def ready(self):
        from .comptes import signaux  # noqa: F401  (audit of logins)
