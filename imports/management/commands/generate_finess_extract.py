import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from imports.generateur import generer

NOMBRES = {"national": 103_000, "region": None}


class Command(BaseCommand):
    help = ("Écrit une extraction FINESS synthétique au format exact etalab-cs1100507 : nationale (~103 000 EG, "
            "pour les mesures de performance) ou régionale (départements de FINESS_DEPARTEMENTS).")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["national", "region"], default="national")
        parser.add_argument("--sortie", help="fichier à écrire (défaut : var/finess/etalab-cs1100507-stock-"
                                             "synthetique-<scale>.csv)")
        parser.add_argument("--nombre", type=int, help="nombre d'établissements (défaut : 103 000 en national, "
                                                       "5 % de cela par département de la région)")
        parser.add_argument("--graine", type=int, default=2026)

    def handle(self, scale, sortie, nombre, graine, **options):
        departements = None if scale == "national" else set(settings.FINESS_DEPARTEMENTS or [])
        if nombre is None:
            nombre = NOMBRES["national"] if departements is None else 1_000 * max(len(departements), 1)
        chemin = Path(sortie) if sortie else settings.VAR_DIR / "finess" / f"etalab-cs1100507-stock-synthetique-{scale}.csv"
        chemin.parent.mkdir(parents=True, exist_ok=True)
        debut = time.monotonic()
        n = generer(chemin, departements=departements or None, nombre_eg=nombre, graine=graine)
        self.stdout.write(self.style.SUCCESS(
            f"{n} établissements écrits dans {chemin} ({chemin.stat().st_size / 1e6:.1f} Mo) "
            f"en {time.monotonic() - debut:.1f} s."))
