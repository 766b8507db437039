from django.apps import AppConfig


class NomenclaturesConfig(AppConfig):
    name = "nomenclatures"
    verbose_name = "Nomenclatures (NOS) et territoires"
