from django.core.management import call_command
from django.core.management.base import BaseCommand

from nomenclatures.models import Commune, Concept
from repertoire.models import Structure


class Command(BaseCommand):
    help = "Charge nomenclatures, communes et région de démonstration, la première fois seulement."

    def handle(self, **options):
        if not Concept.objects.exists():
            call_command("load_nomenclatures", stdout=self.stdout)
        if not Commune.objects.exists():
            call_command("load_communes", stdout=self.stdout)
        if not Structure.objects.exists():
            call_command("demo_region", stdout=self.stdout)
        else:
            self.stdout.write("Données déjà chargées : rien à faire.")
