import os

from django.core.management import call_command
from django.core.management.base import BaseCommand

from nomenclatures.models import Commune, Concept
from repertoire.models import Structure

from demo import campagnes, comptes, disponibilites, dossiers, fiches, finess_json, imports, interop, qualite, recherche

# In this order: accounts first (the other parts act as them), search index before what reads it.
PARTIES = [comptes, fiches, recherche, dossiers, disponibilites, imports, finess_json, campagnes, qualite, interop]


class Command(BaseCommand):
    help = ("Charge nomenclatures, communes et région de démonstration (la première fois seulement), "
            "puis complète la démonstration application par application (lits, dossiers, import, qualité…).")

    def handle(self, **options):
        if not Concept.objects.exists():
            call_command("load_nomenclatures", stdout=self.stdout)
        if not Commune.objects.exists():
            call_command("load_communes", stdout=self.stdout)
        if not Structure.objects.exists():
            call_command("demo_region", stdout=self.stdout)
        call_command("comptes_demo", stdout=open(os.devnull, "w"))  # the apps' demos act as these accounts
        for partie in PARTIES:  # each one idempotent
            partie.peupler_demo(self.stdout)
        call_command("comptes_demo", stdout=self.stdout)
