"""Open data export of the published offer: one row per open UO (EG without UO: one row
with the UO columns empty). No personal data: no person's name, no contact person,
no personal phone or e-mail; only the structures' standard phone and website. City
practices (cabinets, whose names are often a person's) are left out, and so are the
sensitive units (a shelter's address is « accès très restreint » for the ANS: never open).

The files are produced on a schedule (Celery beat, and by preparer_demo), each replaced
atomically, and served as files with their date: an anonymous request never rebuilds them."""

import json
import os
import tempfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from repertoire.models import Discipline, Structure
from socle.adresse import lignes_adresse
from socle.exports import ecrire_csv

# Catégories J55 of "secteurs d'activité des cabinets" (TRE_R02): named after people.
SYSTEME_CABINETS = "1.2.250.1.71.4.2.4"
LICENCE = "Licence Ouverte / Open Licence version 2.0 (Etalab)"


def _codes(concepts) -> str:
    return "|".join(c.code for c in concepts)


def _libelles(concepts) -> str:
    return "|".join(c.libelle for c in concepts)


def _adresse(s) -> str:
    """Number and street only (the other parts have their own columns)."""
    return " ".join(lignes_adresse(numero=s.numero_voie, type_voie=s.type_voie.libelle if s.type_voie_id else "",
                                   voie=s.voie))


@dataclass
class Colonne:
    nom: str
    description: str
    valeur: Callable  # (eg, uo or None) -> value


def _uo(fonction):
    return lambda eg, uo: fonction(uo) if uo is not None else ""


def _lieu(eg, uo):
    """The UO's own address when it has one, else its EG's."""
    return uo if uo is not None and (uo.voie or uo.commune_id) else eg


COLONNES = [
    Colonne("eg_id", "Identifiant de l'entité géographique dans le ROR régional", lambda eg, uo: eg.pk),
    Colonne("eg_finess", "Numéro FINESS de l'établissement (entité géographique)", lambda eg, uo: eg.finess),
    Colonne("eg_siret", "SIRET de l'établissement", lambda eg, uo: eg.siret),
    Colonne("eg_nom", "Nom de l'établissement", lambda eg, uo: eg.nom_officiel or eg.nom),
    Colonne("eg_categorie_code", "Catégorie d'établissement FINESS (code, JDV_J55 / TRE_R66)",
            lambda eg, uo: eg.categorie.code if eg.categorie_id else ""),
    Colonne("eg_categorie", "Catégorie d'établissement FINESS (libellé)",
            lambda eg, uo: eg.categorie.libelle if eg.categorie_id else ""),
    Colonne("ej_finess", "Numéro FINESS de l'entité juridique gestionnaire", lambda eg, uo: eg.parent.finess),
    Colonne("ej_nom", "Raison sociale de l'entité juridique gestionnaire",
            lambda eg, uo: eg.parent.nom_officiel or eg.parent.nom),
    Colonne("eg_telephone", "Téléphone standard de l'établissement", lambda eg, uo: eg.telephone),
    Colonne("eg_site_web", "Site internet de l'établissement", lambda eg, uo: eg.site_web),
    Colonne("uo_id", "Identifiant de l'unité opérationnelle (offre) dans le ROR régional", _uo(lambda u: u.pk)),
    Colonne("uo_nom", "Nom de l'unité opérationnelle", _uo(lambda u: u.nom)),
    Colonne("uo_type_code", "Type d'unité / catégorie d'organisation (code, JDV_J34 / TRE_R244)",
            _uo(lambda u: u.type_uo.code if u.type_uo_id else "")),
    Colonne("uo_type", "Type d'unité (libellé)", _uo(lambda u: u.type_uo.libelle if u.type_uo_id else "")),
    Colonne("champ_activite_code", "Champ d'activité (code, JDV_J20 / TRE_R227)",
            _uo(lambda u: u.champ.code if u.champ_id else "")),
    Colonne("champ_activite", "Champ d'activité (libellé)", _uo(lambda u: u.champ.libelle if u.champ_id else "")),
    Colonne("discipline", "Discipline du portail (MCO, PSY, SMA, SMR, SLD, MSS)", _uo(lambda u: u.discipline)),
    Colonne("activites_codes", "Activités opérationnelles (codes JDV_J17 / TRE_R211, séparés par |)",
            _uo(lambda u: _codes(u.activites.all()))),
    Colonne("activites", "Activités opérationnelles (libellés, séparés par |)",
            _uo(lambda u: _libelles(u.activites.all()))),
    Colonne("modes_prise_en_charge", "Modes de prise en charge (libellés TRE_R213, séparés par |)",
            _uo(lambda u: _libelles(u.modes_prise_en_charge.all()))),
    Colonne("publics", "Publics pris en charge (libellés JDV_J29, séparés par |)",
            _uo(lambda u: _libelles(u.publics.all()))),
    Colonne("age_min", "Âge minimum des personnes accueillies (ans)",
            _uo(lambda u: "" if u.age_min is None else u.age_min)),
    Colonne("age_max", "Âge maximum des personnes accueillies (ans)",
            _uo(lambda u: "" if u.age_max is None else u.age_max)),
    Colonne("lits_installes", "Lits installés", _uo(lambda u: "" if u.lits_installes is None else u.lits_installes)),
    Colonne("places_installees", "Places installées",
            _uo(lambda u: "" if u.places_installees is None else u.places_installees)),
    Colonne("adresse", "Numéro et voie (adresse de l'unité, sinon de l'établissement)",
            lambda eg, uo: _adresse(_lieu(eg, uo))),
    Colonne("code_postal", "Code postal", lambda eg, uo: _lieu(eg, uo).code_postal or (
        _lieu(eg, uo).commune.codes_postaux[0] if _lieu(eg, uo).commune_id and _lieu(eg, uo).commune.codes_postaux
        else "")),
    Colonne("commune_insee", "Code INSEE (COG) de la commune",
            lambda eg, uo: _lieu(eg, uo).commune_id or ""),
    Colonne("commune", "Commune", lambda eg, uo: _lieu(eg, uo).commune.nom if _lieu(eg, uo).commune_id else ""),
    Colonne("departement", "Code du département", lambda eg, uo: _lieu(eg, uo).departement_id or ""),
    Colonne("latitude", "Latitude WGS84 (de l'unité, sinon de l'établissement)",
            lambda eg, uo: _coord(uo, eg, "latitude")),
    Colonne("longitude", "Longitude WGS84 (de l'unité, sinon de l'établissement)",
            lambda eg, uo: _coord(uo, eg, "longitude")),
    Colonne("date_mise_a_jour", "Date de dernière mise à jour de la fiche (ISO 8601)",
            lambda eg, uo: (uo or eg).modifie_le.isoformat(timespec="seconds")),
]
NOMS_COLONNES = [c.nom for c in COLONNES]


def _coord(uo, eg, champ):
    for s in (uo, eg):
        if s is not None and getattr(s, champ) is not None:
            return round(getattr(s, champ), 6)
    return ""


def _uos(eg_ids):
    return (Structure.objects.uo().ouvertes().filter(eg_id__in=eg_ids)
            .exclude(discipline=Discipline.VIL).exclude(unite_sensible=True)
            .select_related("type_uo", "champ", "commune", "type_voie")
            .prefetch_related("activites", "modes_prise_en_charge", "publics").order_by("nom", "pk"))


def _egs():
    return (Structure.objects.eg().ouvertes()
            .exclude(Q(categorie__systeme=SYSTEME_CABINETS))
            .select_related("categorie", "commune", "type_voie", "parent")
            .order_by("departement_id", "nom", "pk"))


def lignes(taille_lot: int = 500):
    """Yield one dict per row (column order as COLONNES), reading EG by batches (with their UO: what a
    batch holds is all that is in memory)."""
    egs = _egs()
    ids = list(egs.values_list("pk", flat=True))
    for debut in range(0, len(ids), taille_lot):
        lot = list(egs.filter(pk__in=ids[debut:debut + taille_lot]))
        par_eg = {}
        for uo in _uos([eg.pk for eg in lot]):
            par_eg.setdefault(uo.eg_id, []).append(uo)
        for eg in lot:
            for uo in par_eg.get(eg.pk) or [None]:
                yield {c.nom: c.valeur(eg, uo) for c in COLONNES}


# -- files produced on a schedule ------------------------------------------------------------

FICHIERS = {"csv": "offre-ror.csv", "json": "offre-ror.json"}
TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def dossier() -> Path:
    """OPENDATA_DIR, else MEDIA_ROOT/opendata (never served by /media/: only by the open data views)."""
    return Path(getattr(settings, "OPENDATA_DIR", "") or Path(settings.MEDIA_ROOT) / "opendata")


def chemin(format_: str) -> Path:
    return dossier() / FICHIERS[format_]


def date_production() -> datetime | None:
    """When the files last available were produced (the older of the two), None if one is missing."""
    try:
        return min(datetime.fromtimestamp(chemin(f).stat().st_mtime, tz=timezone.get_current_timezone())
                   for f in FICHIERS)
    except FileNotFoundError:
        return None


@contextmanager
def _remplacer(*cibles: Path):
    """Open a temporary file beside each target, then rename them over when the block ends
    without error: a reader gets the old file or the new one, never half of one."""
    temporaires, sorties = [], []
    try:
        with ExitStack() as pile:
            for cible in cibles:
                cible.parent.mkdir(parents=True, exist_ok=True)
                descripteur, temporaire = tempfile.mkstemp(dir=cible.parent, prefix=f".{cible.name}.", suffix=".tmp")
                temporaires.append(temporaire)
                sorties.append(pile.enter_context(os.fdopen(descripteur, "w", encoding="utf-8", newline="")))
            yield sorties
        for temporaire, cible in zip(temporaires, cibles):
            os.chmod(temporaire, 0o644)
            os.replace(temporaire, cible)
    except BaseException:
        for temporaire in temporaires:
            Path(temporaire).unlink(missing_ok=True)
        raise


def produire() -> int:
    """Write both files in one pass over the offer, each row as it is read (a national offer has a
    million rows: no longer all held in memory before writing): CSV through the portal's one CSV
    writer, JSON as json.dump writes the whole object. Returns the row count."""
    tete = {
        "titre": "Offre de santé et médico-sociale publiée dans le ROR",
        "licence": LICENCE,
        "genere_le": timezone.now().isoformat(timespec="seconds"),
        "colonnes": [{"nom": c.nom, "description": c.description} for c in COLONNES],
    }
    nombre = 0
    with _remplacer(chemin("csv"), chemin("json")) as (sortie_csv, sortie_json):
        sortie_json.write(json.dumps(tete, ensure_ascii=False)[:-1] + ', "donnees": [')

        def valeurs_csv():
            nonlocal nombre
            for rang in lignes():  # its JSON written on the way, its CSV cells given to the CSV writer
                sortie_json.write((", " if nombre else "") + json.dumps(rang, ensure_ascii=False))
                nombre += 1
                yield [rang[n] for n in NOMS_COLONNES]

        ecrire_csv(sortie_csv, NOMS_COLONNES, valeurs_csv())
        sortie_json.write("]}")
    return nombre
