from django.core.management.base import BaseCommand, CommandError

from imports.importer import importer_fichier
from imports.models import ImportFiness


class Command(BaseCommand):
    help = ("Importe une extraction FINESS etalab-cs1100507 (tout ou rien) : crée et met à jour EJ et EG "
            "du périmètre configuré (FINESS_DEPARTEMENTS), ferme les établissements disparus, "
            "et affiche le rapport des changements.")

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="chemin du fichier etalab-cs1100507-stock-*.csv")

    def handle(self, fichier, **options):
        try:
            imp = importer_fichier(fichier, origine=ImportFiness.Origine.COMMANDE,
                                   progres=lambda f, e: self.stdout.write(f"{f:6.1%}  {e}") if options["verbosity"] > 1
                                   else None)
        except OSError as erreur:
            raise CommandError(f"Fichier illisible : {erreur}") from None
        if imp.statut == ImportFiness.Statut.ECHEC:
            ligne = f" (ligne {imp.ligne_erreur})" if imp.ligne_erreur else ""
            raise CommandError(f"Import refusé{ligne} : {imp.erreur} — rien n'a été modifié.")
        self.stdout.write(self.style.SUCCESS(
            f"Import FINESS n° {imp.pk} terminé ({imp.perimetre}) : {imp.nb_etablissements} établissements lus, "
            f"{imp.nb_nouveaux} nouveaux, {imp.nb_modifies} modifiés, {imp.nb_fermes} fermés, "
            f"{imp.nb_rouverts} rouverts, {imp.nb_uo_proposees} unités pré-peuplées."))
