from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "comptes"
    verbose_name = "Comptes, demandes d'accès et habilitations"

    def ready(self):
        from . import signals  # noqa: F401  (audit of logins)
