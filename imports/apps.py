from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Import FINESS"

    def ready(self):
        from repertoire.extensions import registre

        registre.ajouter_entree_menu("Import FINESS", "imports:liste", prefixe="/imports/", rang=50, gestionnaire=True)
        from .access import fichier_lisible

        registre.proteger_fichiers("imports", fichier_lisible)
