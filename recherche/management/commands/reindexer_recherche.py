import time

from django.core.management.base import BaseCommand

from recherche.indexation import reindexer_tout


class Command(BaseCommand):
    help = "Reconstruit l'index de la recherche (une ligne par unité opérationnelle) et ses dictionnaires."

    def handle(self, **options):
        debut = time.monotonic()
        nombre = reindexer_tout()
        self.stdout.write(f"Index de recherche reconstruit : {nombre} unités en {time.monotonic() - debut:.1f} s.")
