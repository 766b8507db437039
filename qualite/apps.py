from django.apps import AppConfig


class QualiteConfig(AppConfig):
    name = "qualite"
    verbose_name = "Qualité des données"

    def ready(self):
        from repertoire.extensions import registre

        registre.ajouter_entree_menu("Qualité", "qualite:tableau", prefixe="/qualite/", rang=60, gestionnaire=True)
