from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "Interopérabilité (FHIR, ViaTrajectoire, open data)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from repertoire.extensions import registre
        from repertoire.models import Niveau

        from .viatrajectoire import encadre_fiche

        registre.ajouter_entree_menu("Synchronisation", "interop:synchronisation", prefixe="/interop/", rang=70,
                                     gestionnaire=True)
        registre.ajouter_encadre_fiche("interop/_fiche.html", niveaux=[Niveau.EG], contexte=encadre_fiche)
        registre.exiger_lecteur_lits(par="interop (capacités FHIR)")
