import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from nomenclatures.models import Concept, Departement
from demo.region import DEPARTEMENTS_REGION, generer
from repertoire.models import Niveau, Structure


class Command(BaseCommand):
    help = ("Construit la région de démonstration (Pays de la Loire, ~3 000 EG) ou, avec --scale national, "
            "un jeu national (~100 000 EG, ~1 000 000 UO) pour les mesures de performance. "
            "Déterministe (--graine) ; ne fait rien si le répertoire contient déjà des structures.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["region", "national"], default="region")
        parser.add_argument("--graine", type=int, default=52)

    def handle(self, scale, graine, **options):
        if not Concept.objects.exists():
            raise CommandError("Chargez d'abord les nomenclatures (manage.py load_nomenclatures).")
        if not Departement.objects.exists():
            raise CommandError("Chargez d'abord les communes (manage.py load_communes).")
        if Structure.objects.exists():
            self.stdout.write("Le répertoire contient déjà des structures : rien à faire.")
            return
        debut = time.monotonic()
        if scale == "national":
            departements = list(Departement.objects.values_list("code", flat=True))
            compte = generer(departements, nombre_eg=100_000, nombre_uo=1_000_000, graine=graine)
        else:
            compte = generer(DEPARTEMENTS_REGION, graine=graine)
        duree = time.monotonic() - debut
        par_niveau = dict(Structure.objects.order_by().values_list("niveau").annotate(n=Count("id")))
        self.stdout.write(self.style.SUCCESS(
            f"Région {scale} construite en {duree:.1f} s : {par_niveau.get(Niveau.EJ, 0)} EJ, "
            f"{par_niveau.get(Niveau.EG, 0)} EG, {par_niveau.get(Niveau.OI, 0)} OI, {par_niveau.get(Niveau.UO, 0)} UO, "
            f"{compte['contacts']} contacts, {compte['activites']} activités, {compte['territoire']} communes "
            f"d'intervention."))
