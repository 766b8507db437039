import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from nomenclatures.loader import NOM_FICHIER
from nomenclatures.models import Commune, Concept, Nomenclature
from repertoire.models import Structure

from demo import campagnes, comptes, disponibilites, dossiers, fiches, finess_json, imports, interop, qualite, recherche

# In this order: accounts first (the other parts act as them), search index before what reads it.
PARTIES = [comptes, fiches, recherche, dossiers, disponibilites, imports, finess_json, campagnes, qualite, interop]


def _jeux_manquants() -> set[str]:
    """Value sets of fixtures/nomenclatures not loaded yet (a demo built before they were added)."""
    fichiers = (Path(settings.BASE_DIR) / "fixtures" / "nomenclatures").iterdir()
    cles = {m["cle"] for m in (NOM_FICHIER.match(f.name) for f in fichiers) if m}
    return cles - set(Nomenclature.objects.values_list("cle", flat=True))


class Command(BaseCommand):
    help = ("Charge nomenclatures, communes et région de démonstration (la première fois seulement), "
            "puis complète la démonstration application par application (lits, dossiers, import, qualité…).")

    def handle(self, **options):
        if not Concept.objects.exists() or _jeux_manquants():
            call_command("load_nomenclatures", stdout=self.stdout)
        if not Commune.objects.exists():
            call_command("load_communes", stdout=self.stdout)
        if not Structure.objects.exists():
            call_command("demo_region", stdout=self.stdout)
        call_command("comptes_demo", stdout=open(os.devnull, "w"))  # the apps' demos act as these accounts
        for partie in PARTIES:  # each one idempotent
            partie.peupler_demo(self.stdout)
        call_command("comptes_demo", stdout=self.stdout)
