from django.apps import AppConfig


class QualiteConfig(AppConfig):
    name = "qualite"
    verbose_name = "Qualité des données"

    def ready(self):
        from repertoire.extensions import registre

        registre.ajouter_entree_menu("Qualité", "qualite:tableau", prefixe="/qualite/", rang=60, gestionnaire=True)
        from .a_traiter import fiches_a_verifier

        registre.ajouter_a_traiter(fiches_a_verifier, rang=40)
        from .a_traiter import fiches_de_campagne

        registre.ajouter_a_traiter(fiches_de_campagne, rang=35)

        from repertoire.signals import offre_modifiee

        offre_modifiee.connect(_fiche_modifiee, dispatch_uid="qualite.campagnes")


def _fiche_modifiee(sender, structure_ids, **kwargs):
    from .campagnes import noter_modifications

    noter_modifications(structure_ids)
