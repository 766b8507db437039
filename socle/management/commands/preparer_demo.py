import os
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand

from nomenclatures.models import Commune, Concept
from repertoire.models import Structure


class Command(BaseCommand):
    help = ("Charge nomenclatures, communes et région de démonstration (la première fois seulement), "
            "puis laisse chaque application compléter la démonstration (module <app>/demo.py).")

    def handle(self, **options):
        if not Concept.objects.exists():
            call_command("load_nomenclatures", stdout=self.stdout)
        if not Commune.objects.exists():
            call_command("load_communes", stdout=self.stdout)
        if not Structure.objects.exists():
            call_command("demo_region", stdout=self.stdout)
        call_command("comptes_demo", stdout=open(os.devnull, "w"))  # the apps' demos act as these accounts
        # Each feature app may add its part (beds, dossiers, import report…): idempotent functions.
        modules = [f"{config.name}.demo" for config in apps.get_app_configs() if config.name != "repertoire"]
        for module in ["comptes.demo", "repertoire.demo_fiches"] + modules:
            if find_spec(module):
                import_module(module).peupler_demo(self.stdout)
        call_command("comptes_demo", stdout=self.stdout)
