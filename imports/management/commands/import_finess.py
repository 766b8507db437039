from django.core.management.base import BaseCommand, CommandError

from imports.importer import importer_fichier
from imports.models import ImportFiness


class Command(BaseCommand):
    help = ("Importe FINESS (tout ou rien) : le flux JSON quotidien (structures, et/ou activités avec "
            "--activites) ou l'extraction CSV etalab-cs1100507. Crée et met à jour EJ et EG du périmètre configuré "
            "(FINESS_DEPARTEMENTS), leurs autorisations, et affiche le rapport. Un import qui fermerait plus que le "
            "seuil ou couvre moins de départements que le périmètre s'arrête à l'aperçu (--confirmer pour "
            "l'appliquer).")

    def add_arguments(self, parser):
        parser.add_argument("fichier", nargs="?", help="flux structures JSON, ou extraction etalab-cs1100507-*.csv")
        parser.add_argument("--activites", help="flux activités JSON (autorisations)")
        parser.add_argument("--confirmer", action="store_true",
                            help="appliquer même si l'aperçu demande une confirmation (fermetures, fichier partiel)")

    def handle(self, fichier, activites, confirmer, **options):
        if not fichier and not activites:
            raise CommandError("Indiquer un fichier FINESS (et/ou --activites).")
        try:
            imp = importer_fichier(fichier, activites=activites, origine=ImportFiness.Origine.COMMANDE,
                                   confirme=confirmer,
                                   progres=lambda f, e: self.stdout.write(f"{f:6.1%}  {e}") if options["verbosity"] > 1
                                   else None)
        except OSError as erreur:
            raise CommandError(f"Fichier illisible : {erreur}") from None
        if imp.statut == ImportFiness.Statut.ECHEC:
            ou = f" (ligne {imp.ligne_erreur})" if imp.ligne_erreur else ""
            ou = f" ({imp.element_erreur})" if imp.element_erreur and imp.element_erreur not in imp.erreur else ou
            raise CommandError(f"Import refusé{ou} : {imp.erreur} — rien n'a été modifié.")
        bilan = (f"{imp.nb_etablissements} établissements lus, {imp.nb_nouveaux} nouveaux, {imp.nb_modifies} modifiés, "
                 f"{imp.nb_fermes} fermés, {imp.nb_rouverts} rouverts, {imp.nb_uo_proposees} unités pré-peuplées, "
                 f"{imp.nb_autorisations} autorisations lues ({imp.nb_autorisations_modifiees} nouvelles ou "
                 f"modifiées, {imp.nb_autorisations_retirees} retirées)")
        if imp.statut == ImportFiness.Statut.A_CONFIRMER:
            self.stdout.write(self.style.WARNING(
                f"Import FINESS n° {imp.pk} arrêté à l'aperçu, rien n'a été modifié : "
                + " ; ".join(imp.motifs_confirmation.splitlines())
                + f".\nIl appliquerait : {bilan}.\nConfirmer dans la page de l'import, ou relancer avec --confirmer."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Import FINESS n° {imp.pk} terminé ({imp.perimetre}) : {bilan}."))
