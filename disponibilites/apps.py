from django.apps import AppConfig


class DisponibilitesConfig(AppConfig):
    name = "disponibilites"

    def ready(self):
        from repertoire.extensions import registre
        from repertoire.models import Niveau

        from . import lecture
        from .a_traiter import lits_en_retard

        registre.ajouter_entree_menu("Disponibilités en lits", "disponibilites:tableau", prefixe="/disponibilites/",
                                     rang=30)
        registre.ajouter_encadre_fiche("disponibilites/_fiche.html", niveaux=[Niveau.UO],
                                       contexte=lecture.encadre_fiche)
        registre.ajouter_a_traiter(lits_en_retard, rang=30)
        registre.definir_lecteur_lits(lits_disponibles=lecture.lits_disponibles,
                                      uo_avec_lits_disponibles=lecture.uo_avec_lits_disponibles,
                                      situations_lits=lecture.situations_lits, uo_avec_lits=lecture.uo_avec_lits,
                                      uo_lits_modifies=lecture.uo_lits_modifies, uo_lits_dates=lecture.uo_lits_dates)
