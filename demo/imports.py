"""Demo: an import report from a weekly FINESS extract of the demo region.

The extract covers every EG of the region as the Répertoire has them (so nothing closes
for being absent), with what a real weekly extract brings: a new switchboard number, an
establishment that moved down the street, an EHPAD that took its residence's name, the
long official name of a hospital, three new establishments (with their pre-populated
units) and one the Répertoire had closed by mistake, which FINESS still lists.
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
# (J55 category, short name, long official name): new establishments of the week.
NOUVEAUX = [("500", "EHPAD LE CLOS DES VIGNES", "EHPAD LE CLOS DES VIGNES"),
            ("354", "SSIAD LES COTEAUX", "SERVICE DE SOINS INFIRMIERS A DOMICILE LES COTEAUX"),
            ("603", "MSP LES TROIS RIVIERES", "MAISON DE SANTE PLURIPROFESSIONNELLE LES TROIS RIVIERES")]


def _premier(egs, predicat, deja):
    eg = next(e for e in egs if predicat(e) and e.pk not in deja)
    deja.add(eg.pk)
    return eg


def _extrait(egs: list[Structure]) -> bytes:
    structures, geos = lignes_du_repertoire(egs, DATE_EXTRACTION)
    ligne = {eg.pk: structures[i] for i, eg in enumerate(egs)}
    deja: set[int] = set()
    categorie = lambda *codes: lambda e: e.categorie.code in codes  # noqa: E731
    # A new switchboard number (FINESS writes phones without spaces).
    eg = _premier(egs, categorie("354", "460"), deja)
    ligne[eg.pk][COL["telephone"]] = ligne[eg.pk][COL["telephone"]][:6] + "4000"
    # An establishment that moved down the street.
    eg = _premier(egs, categorie("246"), deja)
    ligne[eg.pk][COL["numvoie"]], ligne[eg.pk][COL["typvoie"]], ligne[eg.pk][COL["voie"]] = "12", "RUE", "DES ACACIAS"
    # An EHPAD now named after its residence.
    eg = _premier(egs, lambda e: e.categorie.code == "500" and "RESIDENCE" not in e.nom, deja)
    nom = eg.nom.replace("EHPAD ", "EHPAD RESIDENCE ", 1)
    ligne[eg.pk][COL["rs"]] = ligne[eg.pk][COL["rslongue"]] = nom
    # A hospital's long official name.
    eg = _premier(egs, lambda e: e.categorie.code == "355" and e.nom.startswith("CH ") and e.ej, deja)
    ligne[eg.pk][COL["rslongue"]] = eg.ej.nom
    # New establishments: an EHPAD and a SSIAD under associations already managing others, an MSP
    # with its own (new) legal entity; each a few streets from an establishment of the region.
    associations = [e for e in egs if e.categorie.code == "500" and e.ej.nom.startswith(("ASSOCIATION", "FONDATION"))]
    voisins = [associations[0], associations[len(associations) // 2], egs[len(egs) // 3]]
    for i, ((code, rs, rslongue), voisin) in enumerate(zip(NOUVEAUX, voisins)):
        finess = f"{voisin.departement_id}99000{11 + i}"
        nouvelle = list(ligne[voisin.pk])
        nouvelle[COL["nofinesset"]] = finess
        nouvelle[COL["nofinessej"]] = voisin.ej.finess if code != "603" else f"{voisin.departement_id}9900001"
        nouvelle[COL["rs"]], nouvelle[COL["rslongue"]] = rs, rslongue
        nouvelle[COL["numvoie"]], nouvelle[COL["typvoie"]], nouvelle[COL["voie"]] = str(4 + 7 * i), "RUE", "DU STADE"
        nouvelle[COL["categetab"]], nouvelle[COL["siret"]] = code, f"{finess}00012"
        nouvelle[COL["telephone"]] = nouvelle[COL["telephone"]][:6] + f"{31 + i}00"
        nouvelle[COL["dateouv"]] = "2026-05-04"
        structures.append(nouvelle)
        x, y, epsg = projeter(voisin.latitude + 0.002 * (i + 1), voisin.longitude, voisin.departement_id)
        geos.append(ligne_geolocalisation(finess, x, y, epsg, DATE_EXTRACTION.isoformat()))
    sortie = io.StringIO()
    ecrire(sortie, DATE_EXTRACTION, structures, geos)
    return sortie.getvalue().encode("utf-8")


def peupler_demo(stdout) -> None:
    if ImportFiness.objects.filter(origine=ImportFiness.Origine.DEMONSTRATION).exists():
        return
    deps = settings.FINESS_DEPARTEMENTS or []
    # Every EG of the perimeter the import compares: the extract covers the whole region.
    egs = list(Structure.objects.filter(niveau=Niveau.EG, departement_id__in=deps, ej__isnull=False,
                                        categorie__isnull=False).exclude(finess="")
               .select_related("ej", "type_voie", "categorie", "commune").order_by("finess"))
    if len(egs) < 30:
        stdout.write("Import FINESS de démonstration : pas assez d'établissements dans la région.")
        return
    gestionnaire = get_user_model().objects.filter(username="gestionnaire").first()
    # One establishment closed by mistake in the Répertoire: FINESS still lists it, the import reopens it.
    rouvrir = next(e for e in egs[30:] if e.etat == Etat.OUVERT and e.categorie.code == "500")
    offre.fermer_structure(gestionnaire, rouvrir, raison="Fermeture saisie par erreur (démonstration)",
                           date=date(2026, 1, 31))
    imp = ImportFiness.objects.create(par=gestionnaire, origine=ImportFiness.Origine.DEMONSTRATION,
                                      nom_fichier="etalab-cs1100507-stock-20260512-demonstration.csv")
    imp = executer(imp, _extrait([e for e in egs if e.etat == Etat.OUVERT or e.pk == rouvrir.pk]))
    stdout.write(f"Import FINESS de démonstration : {imp.get_statut_display()} {imp.erreur} — {imp.nb_nouveaux} "
                 f"nouveaux, {imp.nb_modifies} modifiés, {imp.nb_fermes} fermés, {imp.nb_rouverts} rouvert(s).")
