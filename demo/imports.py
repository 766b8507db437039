"""Demo: an import report from a small FINESS extract of the demo region.

The extract describes the region's EG as the Répertoire has them, with what a real
weekly extract brings: a few new establishments (with their pre-populated units), a few
changed phones, addresses and names, two that vanished (closed) and one reopened.
Idempotent: done once.
"""

import io
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model

from repertoire.models import Etat, Niveau, Structure
from repertoire.services import offre

from imports.finess import COL
from imports.generateur import ecrire, ligne_geolocalisation, lignes_du_repertoire, projeter
from imports.importer import executer
from imports.models import ImportFiness

DATE_EXTRACTION = date(2026, 5, 12)


def _extrait(egs: list[Structure]) -> bytes:
    structures, geos = lignes_du_repertoire(egs, DATE_EXTRACTION)
    # Changes FINESS brings: phones, a street, an official name.
    structures[1][COL["telephone"]] = "0240" + structures[1][COL["nofinesset"]][-6:]
    structures[5][COL["numvoie"]], structures[5][COL["voie"]] = "3", "DES ACACIAS"
    structures[9][COL["rslongue"]] = structures[9][COL["rs"]] + " (ETABLISSEMENT RENOMME)"
    structures[13][COL["telephone"]] = "0241" + structures[13][COL["nofinesset"]][-6:]
    # Two establishments vanish from the register.
    disparus = {structures[20][COL["nofinesset"]], structures[21][COL["nofinesset"]]}
    structures = [s for s in structures if s[COL["nofinesset"]] not in disparus]
    geos = [g for g in geos if g[1] not in disparus]
    # New establishments: an EHPAD under an existing EJ, a SSIAD and a MSP with their new EJ.
    modele = egs[0]
    for i, (categorie, nom, ej) in enumerate([("500", "EHPAD LES NOUVEAUX JARDINS", modele.ej.finess),
                                              ("354", "SSIAD DU BOCAGE", "449900001"),
                                              ("603", "MAISON DE SANTE DES TROIS RIVIERES", "449900002")]):
        finess = f"4499000{11 + i}"
        ligne = list(structures[0])
        ligne[COL["nofinesset"]], ligne[COL["nofinessej"]] = finess, ej
        ligne[COL["rs"]] = ligne[COL["rslongue"]] = nom
        ligne[COL["categetab"]], ligne[COL["siret"]] = categorie, f"4499000{11 + i}00012"
        structures.append(ligne)
        x, y, epsg = projeter(modele.latitude + 0.01 * (i + 1), modele.longitude, modele.departement_id)
        geos.append(ligne_geolocalisation(finess, x, y, epsg, DATE_EXTRACTION.isoformat()))
    sortie = io.StringIO()
    ecrire(sortie, DATE_EXTRACTION, structures, geos)
    return sortie.getvalue().encode("utf-8")


def peupler_demo(stdout) -> None:
    if ImportFiness.objects.filter(origine=ImportFiness.Origine.DEMONSTRATION).exists():
        return
    deps = settings.FINESS_DEPARTEMENTS or []
    egs = list(Structure.objects.filter(niveau=Niveau.EG, etat=Etat.OUVERT, departement_id__in=deps,
                                        latitude__isnull=False, categorie__isnull=False, ej__isnull=False)
               .exclude(finess="").select_related("ej", "type_voie", "categorie", "commune").order_by("finess"))
    if len(egs) < 30:
        stdout.write("Import FINESS de démonstration : pas assez d'établissements dans la région.")
        return
    gestionnaire = get_user_model().objects.filter(username="gestionnaire").first()
    # One establishment closed earlier by hand: FINESS still lists it, the import reopens it.
    offre.fermer_structure(gestionnaire, egs[30], raison="Fermeture (démonstration)", date=date(2026, 1, 31))
    imp = ImportFiness.objects.create(par=gestionnaire, origine=ImportFiness.Origine.DEMONSTRATION,
                                      nom_fichier="etalab-cs1100507-stock-20260512-demonstration.csv")
    imp = executer(imp, _extrait(egs))
    stdout.write(f"Import FINESS de démonstration : {imp.get_statut_display()} {imp.erreur} — {imp.nb_nouveaux} "
                 f"nouveaux, {imp.nb_modifies} modifiés, {imp.nb_fermes} fermés, {imp.nb_rouverts} rouvert(s).")
