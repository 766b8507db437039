from django.apps import AppConfig
from django.core import checks


class RepertoireConfig(AppConfig):
    name = "repertoire"
    verbose_name = "Répertoire de l'offre"

    def ready(self):
        from .extensions import registre, verifier_extensions

        checks.register(verifier_extensions)
        registre.ajouter_entree_menu("Répertoire", "repertoire:arbre", prefixe="/repertoire/", rang=20)
