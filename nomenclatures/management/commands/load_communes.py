import csv
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from nomenclatures.models import Commune, Departement, Epci, Region
from nomenclatures.signals import referentiels_charges
from nomenclatures.texte import normaliser


class Command(BaseCommand):
    help = "Charge les régions, départements et communes (COG) d'un dossier. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("dossier", nargs="?", default=str(Path(settings.BASE_DIR) / "fixtures" / "communes"))

    @transaction.atomic
    def handle(self, dossier, **options):
        dossier = Path(dossier)
        try:
            regions = json.loads((dossier / "regions.json").read_text(encoding="utf-8"))
            departements = json.loads((dossier / "departements.json").read_text(encoding="utf-8"))
            with open(dossier / "communes.csv", encoding="utf-8", newline="") as f:
                lignes = list(csv.DictReader(f, delimiter=";"))
            fichier_epci = dossier / "epci.json"  # optional: the territory pickers take EPCI when it is there
            epcis = json.loads(fichier_epci.read_text(encoding="utf-8")) if fichier_epci.exists() else []
        except (OSError, ValueError) as erreur:
            raise CommandError(f"Lecture impossible, rien n'a été modifié : {erreur}") from None

        Region.objects.bulk_create(
            [Region(code=r["code"], nom=r["nom"]) for r in regions],
            update_conflicts=True, unique_fields=["code"], update_fields=["nom"])
        Departement.objects.bulk_create(
            [Departement(code=d["code"], nom=d["nom"], region_id=d["region"], chef_lieu=d.get("chefLieu", ""))
             for d in departements],
            update_conflicts=True, unique_fields=["code"], update_fields=["nom", "region", "chef_lieu"])
        Epci.objects.bulk_create(
            [Epci(code=e["code"], nom=e["nom"], type=e.get("type", ""), nom_recherche=normaliser(e["nom"]))
             for e in epcis], update_conflicts=True, unique_fields=["code"], update_fields=["nom", "type", "nom_recherche"])
        epci_de = {membre: e["code"] for e in epcis for membre in e["membres"]}
        communes = []
        for numero, ligne in enumerate(lignes, start=2):
            try:
                communes.append(Commune(
                    code_insee=ligne["code_insee"], nom=ligne["nom"], departement_id=ligne["departement"],
                    codes_postaux=ligne["codes_postaux"].split(), population=int(ligne["population"] or 0) or None,
                    latitude=float(ligne["latitude"]) if ligne["latitude"] else None,
                    longitude=float(ligne["longitude"]) if ligne["longitude"] else None,
                    nom_recherche=normaliser(ligne["nom"]), epci_id=epci_de.get(ligne["code_insee"]),
                ))
            except (KeyError, ValueError, AttributeError) as erreur:
                raise CommandError(f"communes.csv, ligne {numero} illisible ({erreur}) : rien n'a été modifié.") from None
        Commune.objects.bulk_create(
            communes, batch_size=5000, update_conflicts=True, unique_fields=["code_insee"],
            update_fields=["nom", "departement", "codes_postaux", "population", "latitude", "longitude",
                           "nom_recherche", "epci"])
        transaction.on_commit(lambda: referentiels_charges.send(sender=Commune))
        self.stdout.write(self.style.SUCCESS(
            f"{len(regions)} régions, {len(departements)} départements, {len(epcis)} EPCI, "
            f"{len(communes)} communes chargés."))
