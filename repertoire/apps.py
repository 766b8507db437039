from django.apps import AppConfig
from django.core import checks


class RepertoireConfig(AppConfig):
    name = "repertoire"
    verbose_name = "Répertoire de l'offre"

    def ready(self):
        from .extensions import registre, verifier_extensions

        checks.register(verifier_extensions)
        registre.ajouter_entree_menu("Répertoire", "repertoire:arbre", prefixe="/repertoire/", rang=20)
        from .a_traiter import anomalies
        from .access import piece_jointe_lisible, photo_lisible

        registre.ajouter_a_traiter(anomalies, rang=20)
        registre.proteger_fichiers("photos", photo_lisible)
        registre.proteger_fichiers("pieces", piece_jointe_lisible)
        from nomenclatures.signals import referentiels_charges

        from .version import changer_version_offre

        # New labels or commune names: pages cached under the version of the offer are read anew.
        referentiels_charges.connect(lambda **_: changer_version_offre(apres_validation=False), weak=False,
                                     dispatch_uid="repertoire.version")
