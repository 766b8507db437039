from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "Interopérabilité (FHIR, ViaTrajectoire, open data)"
    default_auto_field = "django.db.models.BigAutoField"
