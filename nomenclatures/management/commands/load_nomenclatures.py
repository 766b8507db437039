from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from nomenclatures.loader import FichierInvalide, charger, lire_dossier


class Command(BaseCommand):
    help = "Charge les nomenclatures NOS (fichiers .tabs et .csv) d'un dossier. Tout ou rien, idempotent."

    def add_arguments(self, parser):
        parser.add_argument("dossier", nargs="?", default=str(Path(settings.BASE_DIR) / "fixtures" / "nomenclatures"))

    def handle(self, dossier, **options):
        try:
            fichiers = lire_dossier(Path(dossier))
            bilan = charger(fichiers)
        except FichierInvalide as erreur:
            raise CommandError(f"Fichier refusé, rien n'a été modifié. {erreur}") from None
        for nom, chiffres in bilan.par_fichier.items():
            self.stdout.write(f"{nom}: {chiffres['codes']} codes ({chiffres['crees']} créés, "
                              f"{chiffres['modifies']} modifiés, {chiffres['retires']} retirés)")
        self.stdout.write(self.style.SUCCESS(
            f"{len(bilan.par_fichier)} fichiers, {bilan.changements} changements "
            f"({bilan.crees} créés, {bilan.modifies} modifiés, {bilan.retires} retirés)."))
