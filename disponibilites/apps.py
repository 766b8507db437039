from django.apps import AppConfig


class DisponibilitesConfig(AppConfig):
    name = "disponibilites"

    def ready(self):
        from repertoire.extensions import registre
        from repertoire.models import Niveau

        from . import lecture

        registre.ajouter_entree_menu("Disponibilités en lits", "disponibilites:tableau", prefixe="/disponibilites/",
                                     rang=30)
        registre.ajouter_encadre_fiche("disponibilites/_fiche.html", niveaux=[Niveau.UO],
                                       contexte=lecture.encadre_fiche)
        registre.definir_lecteur_lits(lits_disponibles=lecture.lits_disponibles,
                                      uo_avec_lits_disponibles=lecture.uo_avec_lits_disponibles)
