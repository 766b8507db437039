"""The FHIR API under /fhir/: read and search Organization, HealthcareService, Location.

JSON only (application/fhir+json). A consumer's API token is required
(401 otherwise). An unknown parameter is ignored and reported (Bundle.link self without
it, and an OperationOutcome entry), or refused with `Prefer: handling=strict`; an
unreadable value gets an OperationOutcome 400; nothing a client sends answers 500.
Searches follow the guide's scenarios (input/pagecontent/specifications_techniques_*.md):
_include, _revinclude, _summary=count, _elements, _sort=_lastUpdated, _count ≤ 200.
"""

import hashlib
import json
from functools import wraps
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from repertoire.models import Niveau, PorteeJeton, Structure
from repertoire.services import jetons_api
from repertoire.version import DUREE_FRAGMENTS, version_offre

from . import fhir, personnes
from .parametres import (COUNT_MAX, INCLUDES, PARAMETRES, REVINCLUDES, ParametreInvalide, appliquer, encoder_curseur,
                         intervalle_date)

TYPE_CONTENU = "application/fhir+json; charset=utf-8"
PERSONNES = ("Practitioner", "PractitionerRole")
TYPES = tuple(PARAMETRES) + PERSONNES


def reponse_fhir(donnees: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(fhir.en_json(donnees), status=status, content_type=TYPE_CONTENU)


def operation_outcome(status: int, code: str, message: str) -> HttpResponse:
    reponse = reponse_fhir({
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    }, status)
    if status == 401:
        reponse["WWW-Authenticate"] = 'Bearer realm="ROR FHIR"'
    return reponse


def api_fhir(vue):
    """Token required; bad parameters → 400; unknown type → 404; all as OperationOutcome."""

    @wraps(vue)
    def enveloppe(request, type_ressource=None, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return operation_outcome(405, "not-supported", "API en lecture seule : utilisez GET.")
        jeton, refus = jetons_api.verifier(request.headers.get("Authorization"), PorteeJeton.FHIR)
        if jeton is None:
            return operation_outcome(401, "login", refus)
        request.jeton_api = jeton  # what this consumer may see: fhir.pour_le_consommateur
        if type_ressource is not None and type_ressource not in TYPES:
            return operation_outcome(404, "not-supported", f"Type de ressource non servi : {type_ressource}. "
                                                           f"Types servis : {', '.join(TYPES)}.")
        try:
            return vue(request, type_ressource=type_ressource, **kwargs) if type_ressource else vue(request, **kwargs)
        except ParametreInvalide as erreur:
            return operation_outcome(400, erreur.code, erreur.message)

    return enveloppe


def _base(request) -> str:
    return request.build_absolute_uri("/fhir/")


@require_safe
def metadata(request):
    """CapabilityStatement: public, as FHIR servers do, so consumers can discover the API."""
    return reponse_fhir(capability_statement(_base(request)))


SP = "http://hl7.org/fhir/SearchParameter"
# Parameter types and canonical definitions (core SearchParameters, or the guide's ror-sp-*).
TYPES_PARAMETRES = {
    "_id": ("token", f"{SP}/Resource-id"), "_lastUpdated": ("date", f"{SP}/Resource-lastUpdated"),
    "_tag": ("token", f"{SP}/Resource-tag"), "name": ("string", None), "name:contains": ("string", None),
    "age-range-low": ("quantity", f"{fhir.IG.replace('StructureDefinition', 'SearchParameter')}/"
                                  "ror-healthcareservice-age-range-low"),
    "age-range-high": ("quantity", f"{fhir.IG.replace('StructureDefinition', 'SearchParameter')}/"
                                   "ror-healthcareservice-age-range-high"),
    "organization": ("reference", None), "partof": ("reference", f"{SP}/Organization-partof"),
    # near: core Location-near, listed by the guide's server (input/fsh/instances/ror-serveur.fsh
    # @7197940fbc3eddd61149790a71852ae0788ae85f).
    "near": ("special", f"{SP}/Location-near"),
    "near-insee-code": ("special", f"{fhir.IG.replace('StructureDefinition', 'SearchParameter')}/"
                                   "ror-location-near-insee-code"),
    "address-postalcode": ("string", f"{SP}/Location-address-postalcode"),
    "address-city": ("string", f"{SP}/Location-address-city"),
    "nb-capacity": ("number", f"{fhir.IG.replace('StructureDefinition', 'SearchParameter')}/ror-sp-nb-capacity"),
    "capacity-update-date": ("date", f"{fhir.IG.replace('StructureDefinition', 'SearchParameter')}/"
                                     "ror-sp-capacity-update-date"),
    "practitioner": ("reference", f"{SP}/PractitionerRole-practitioner"),
    "residential-number": ("number", None), "period-end": ("date", None),
    "service": ("reference", f"{SP}/PractitionerRole-service"),
}
SP_ROR = {"intervention-zone": "ror-healthcareservice-intervention-zone",
          "patient-type": "ror-healthcareservice-patient-type", "capacity-status": "ror-capacity-status",
          "capacity-type": "ror-sp-capacity-type", "temporality-capacity": "ror-sp-temporality-capacity",
          "commune-cog": "ror-location-commune-cog", "residential-type": "ror-sp-residential-type",
          "residential-number": "ror-sp-residential-number", "equipment-type": "ror-sp-equipment-type",
          "period-end": "ror-sp-organization-period-end"}
SP_CORE = {"HealthcareService": {"specialty", "service-category", "service-type", "characteristic", "identifier",
                                 "active", "organization", "name"},
           "Location": {"identifier", "organization", "name", "type", "status", "operational-status"}, "Organization": {"identifier", "type", "active", "name"},
           "Practitioner": {"identifier"}, "PractitionerRole": {"organization"}}


def _parametre(type_ressource: str, nom: str) -> dict:
    type_sp, definition = TYPES_PARAMETRES.get(nom, ("token", None))
    if definition is None and nom in SP_ROR:
        definition = f"{fhir.IG.replace('StructureDefinition', 'SearchParameter')}/{SP_ROR[nom]}"
    if definition is None and nom in SP_CORE.get(type_ressource, ()):
        definition = f"{SP}/{type_ressource}-{nom}"
    return {k: v for k, v in (("name", nom), ("definition", definition), ("type", type_sp)) if v}


def capability_statement(base: str) -> dict:
    profils = {"Organization": fhir.PROFIL_ORGANIZATION, "HealthcareService": fhir.PROFIL_HEALTHCARESERVICE,
               "Location": fhir.PROFIL_LOCATION, "Practitioner": personnes.PROFIL_PRACTITIONER,
               "PractitionerRole": personnes.PROFIL_PRACTITIONERROLE}
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "kind": "instance",
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "implementation": {"description": "Portail régional ROR – API FHIR en lecture", "url": base},
        "implementationGuide": ["https://interop.esante.gouv.fr/ig/fhir/ror/ImplementationGuide/ans.fhir.fr.ror"],
        "rest": [{
            "mode": "server",
            "security": {"description": "Jeton d'accès par consommateur : Authorization: Bearer <jeton>."},
            "resource": [{
                "type": t,
                "profile": profils[t],
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchInclude": sorted(INCLUDES.get(t, ())),
                "searchRevInclude": sorted(REVINCLUDES.get(t, ())),
                "searchParam": [_parametre(t, n) for n in sorted(PARAMETRES.get(t) or PARAMETRES_PERSONNES[t])],
            } for t in TYPES],
        }],
    }


@api_fhir
def lecture(request, type_ressource: str, pk: str):
    introuvable = operation_outcome(404, "not-found", f"{type_ressource}/{pk} introuvable.")
    if type_ressource in PERSONNES:
        trouvees = [r for r in _personnes(type_ressource, _contact_de(type_ressource, pk), request.jeton_api)
                    if r["id"] == pk]
        return reponse_fhir(trouvees[0]) if trouvees else introuvable
    if type_ressource == "HealthcareService":
        parties = fhir.lire_id_offre(pk)
        uo = fhir.structures_de(type_ressource, request.jeton_api).filter(pk=parties[0]).first() if parties else None
        trouvees = [r for r in fhir.ressources(type_ressource, [uo]) if r["id"] == pk] if uo else []
        return reponse_fhir(trouvees[0]) if trouvees else introuvable
    structure = (fhir.structures_de(type_ressource, request.jeton_api).filter(pk=int(pk)).first()
                 if pk.isdigit() and len(pk) <= 18 else None)
    if structure is None:
        return introuvable
    return reponse_fhir(fhir.ressources(type_ressource, [structure])[0])


def _page(type_ressource: str, queryset, recherche):
    """One page in (modifie_le, id) order: [(structure, its resources on this page, how many of its
    resources are served up to this page)], more to come?"""
    count = recherche.count
    page = queryset.order_by("modifie_le", "pk")
    deja, depuis = 0, None
    if recherche.curseur:
        date, depuis, _, deja = recherche.curseur
        # (modifie_le, id) >= the cursor's, as one row comparison: the (modifie_le, id) index starts its
        # range at the cursor itself. As an OR, only modifie_le bounded the range, and every page walked
        # again the rows of the pages before it that share its date (as OFFSET does): a million units
        # written at one instant (an import) made a page in the middle of a sync 400 ms, not 10.
        table = Structure._meta.db_table
        page = page.filter(RawSQL(f'("{table}"."modifie_le", "{table}"."id") >= (%s, %s)', (date, depuis),
                                  output_field=BooleanField()))
    # The page's ids by the (modifie_le, id) index, then those rows read and mapped by batches. A unit
    # gives several offers: without an offer-level filter, the ids come with their offer counts (two
    # index probes each) and the first batch holds just the units that fill the page; else the first
    # half of the ids usually does (a second batch, its queries again, took 4 pages in 5).
    taille = None
    if not count:
        ids = []
    elif type_ressource == "HealthcareService" and not recherche.restriction:
        lignes = list(page.annotate(nombre=fhir.nombre_offres()).values_list("pk", "nombre")[:count + 1])
        ids, cumul, taille = [pk for pk, _ in lignes], 0, len(lignes)
        for i, (pk, nombre) in enumerate(lignes):
            cumul += (nombre or 0) - (deja if pk == depuis else 0)
            if cumul >= count:
                taille = i + 1
                break
    else:
        ids = list(page.values_list("pk", flat=True)[:count + 1])
    plus_loin = len(ids) > count
    if taille is None:
        taille = count // 2 + 1 if type_ressource == "HealthcareService" else len(ids)
    resultat, n, position = [], 0, 0
    while position < len(ids):
        lot_ids, position = ids[position:position + taille], position + taille
        par_id = {s.pk: s for s in fhir.pour_lecture(type_ressource).filter(pk__in=lot_ids)}
        structures = [par_id[pk] for pk in lot_ids]
        lot = fhir.Lot(type_ressource, structures, recherche.restriction)
        for structure in structures:
            debut = deja if structure.pk == depuis else 0
            reste = lot.elements(structure)[debut:]
            if n + len(reste) > count:
                resultat.append((structure, [lot.ressource(e) for e in reste[:count - n]], debut + count - n))
                return resultat, True
            if reste:
                resultat.append((structure, [lot.ressource(e) for e in reste], debut + len(reste)))
                n += len(reste)
            if n == count:
                # Full page: more to come if this structure's later resources or other structures remain.
                return resultat, plus_loin or structure.pk != ids[-1]
        # Then as many units as offers still missing (each unit has one at least, unless the search
        # narrows its offers): reading the whole rest read and mapped ~100 units for a few offers.
        taille = len(ids) if recherche.restriction else count - n
    return resultat, plus_loin


def _inclusions(type_ressource: str, structures, ressources: list[dict], recherche, jeton) -> list[dict]:
    """The resources _include/_revinclude ask for, once each, none already a match (from
    `structures`, already filtered for the consumer, and filtered again where read anew)."""
    vus = {(r["resourceType"], r["id"]) for r in ressources}
    inclus = []

    def ajouter(liste):
        for r in liste:
            if (r["resourceType"], r["id"]) not in vus:
                vus.add((r["resourceType"], r["id"]))
                inclus.append(r)

    demandes = recherche.includes | recherche.revincludes
    organisations = set()
    if type_ressource == "HealthcareService" and "PractitionerRole:service" in demandes:
        offres_par_uo = {}
        for r in ressources:
            offres_par_uo.setdefault(int(r["id"].split("-")[0]), []).append(r["id"])
        roles = personnes.personnes_de(structures, "PractitionerRole", offres_par_uo)
        ajouter(roles)
        if "PractitionerRole:practitioner" in demandes:
            ids = {r["practitioner"]["reference"].split("/")[1] for r in roles}
            ajouter([p for p in personnes.personnes_de(structures, "Practitioner") if p["id"] in ids])
    if type_ressource == "HealthcareService":
        if "HealthcareService:location" in demandes:  # read again with what a place needs (address, EG)
            ajouter(fhir.ressources("Location", list(fhir.locations_queryset().filter(
                pk__in=[s.pk for s in structures]).order_by("pk"))))
        if demandes & {"HealthcareService:organization", "HealthcareService:providedBy"}:
            organisations |= {s.eg_id for s in structures if s.eg_id}
    elif type_ressource == "Location":
        if "HealthcareService:location" in demandes:
            ajouter(fhir.ressources("HealthcareService", list(fhir.structures_de("HealthcareService", jeton).filter(
                pk__in=[s.pk for s in structures]).order_by("pk"))))
        if "Location:organization" in demandes:
            organisations |= {s.eg_id for s in structures if s.eg_id}
    parents = set()
    if "Organization:partof" in demandes or (recherche.iterer and organisations):
        sources = list(structures) if type_ressource == "Organization" else []
        sources += list(fhir.organizations_queryset().filter(pk__in=organisations))
        parents = {s.parent_id for s in sources if s.niveau == Niveau.EG and s.parent_id}
    if organisations | parents:
        ajouter(fhir.ressources("Organization", list(fhir.organizations_queryset().filter(
            pk__in=organisations | parents).order_by("pk"))))
    return inclus


def _sous_ensemble(ressource: dict, elements: list[str]) -> dict:
    """_elements: the asked elements only, tagged SUBSETTED as FHIR asks."""
    garde = {k: v for k, v in ressource.items() if k in ("resourceType", "id", "meta") or k in elements}
    meta = dict(garde.get("meta", {}))
    meta["tag"] = list(meta.get("tag", [])) + [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
                                                 "code": "SUBSETTED", "display": "subsetted"}]
    garde["meta"] = meta
    return garde


def _issue_ignores(ignores: list[str]) -> dict:
    return {"resourceType": "OperationOutcome", "issue": [
        {"severity": "warning", "code": "not-supported", "diagnostics": f"Paramètre ignoré : {i}"} for i in ignores]}


# Searches whose answer moves with the beds (Location, capacity-status, _include of places) or with
# the clock (_lastUpdated "ap") are never cached: the version of the offer does not follow them.
PARAMETRES_NON_CACHES = ("_include", "_revinclude", "_lastUpdated", "capacity-status")


def _cle_en_cache(request, type_ressource: str, strict: bool) -> str | None:
    """The cache key of a search's Bundle: the query, what this consumer may see (its access
    profile: sensitive units), the host of the links and the version of the offer (read first)."""
    if type_ressource not in ("HealthcareService", "Organization"):
        return None
    if any(nom.split(":")[0].startswith(PARAMETRES_NON_CACHES) for nom in request.GET):
        return None
    profil = getattr(request.jeton_api, "profil_acces", None)
    cle = f"{type_ressource}|{profil}|{strict}|{_base(request)}|{request.META.get('QUERY_STRING', '')}"
    return f"fhir:recherche:{version_offre()}:" + hashlib.sha256(cle.encode()).hexdigest()


@api_fhir
def recherche(request, type_ressource: str):
    strict = "handling=strict" in request.headers.get("Prefer", "").replace(" ", "").lower()
    if type_ressource in PERSONNES:
        return recherche_personnes(request, type_ressource, strict)
    cle = _cle_en_cache(request, type_ressource, strict)
    bundle = cache.get(cle) if cle else None
    if bundle is None:
        bundle = _bundle_recherche(request, type_ressource, strict)
        # An estimate not known yet may be known at the next page (counted by a _total=accurate).
        if cle and not (request.GET.get("_total") == "estimate" and "total" not in bundle):
            cache.set(cle, bundle, DUREE_FRAGMENTS)
    bundle["meta"]["lastUpdated"] = fhir.instant(timezone.now())
    return reponse_fhir(bundle)


def _bundle_recherche(request, type_ressource: str, strict: bool) -> dict:
    queryset, demande = appliquer(type_ressource, fhir.structures_de(type_ressource, request.jeton_api), request.GET,
                                  strict)
    # Bundle.total is optional in FHIR: counted when the client asks for it (_total=accurate,
    # _summary=count), or when it is free (a first page that holds every match). Counting a
    # national search costs seconds, more than the page a synchronising consumer wants.
    total = None
    if demande.curseur:
        total = demande.curseur[2]
    elif demande.total == "accurate" or demande.summary == "count":
        total = fhir.compter(type_ressource, queryset, demande.restriction)
    elif demande.total == "estimate":
        total = fhir.total_connu(type_ressource, queryset, demande.restriction)
    base = _base(request)
    liens = [{"relation": "self", "url": f"{base}{type_ressource}" + (f"?{urlencode(demande.utilises)}"
                                                                         if demande.utilises else "")}]
    bundle = {"resourceType": "Bundle", "type": "searchset", "meta": {"lastUpdated": fhir.instant(timezone.now())},
              "total": total, "link": liens}
    entrees = []
    if demande.summary != "count":
        page, suivante = _page(type_ressource, queryset, demande)
        correspondances = [r for _, groupe, _ in page for r in groupe]
        if total is None and not suivante and not demande.curseur:
            total = bundle["total"] = len(correspondances)
        inclus = _inclusions(type_ressource, [s for s, _, _ in page], correspondances, demande, request.jeton_api)
        if demande.elements:
            correspondances = [_sous_ensemble(r, demande.elements) for r in correspondances]
        entrees = [{"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": mode}}
                   for mode, liste in (("match", correspondances), ("include", inclus)) for r in liste]
        if suivante:
            structure, _, deja = page[-1]
            params = [(k, v) for k, v in demande.utilises if k not in ("_curseur", "_count")]
            params += [("_count", str(demande.count)), ("_curseur", encoder_curseur(structure, total, deja))]
            liens.append({"relation": "next", "url": f"{base}{type_ressource}?{urlencode(params)}"})
    if demande.ignores:
        entrees.append({"resource": _issue_ignores(demande.ignores), "search": {"mode": "outcome"}})
    if entrees:
        bundle["entry"] = entrees
    if bundle["total"] is None:
        del bundle["total"]
    return bundle


__all__ = ["metadata", "lecture", "recherche", "COUNT_MAX", "INCLUDES", "REVINCLUDES"]


# -- Bulk Data $export ----------------------------------------------------------------------------

def _jeton(request):
    return jetons_api.verifier(request.headers.get("Authorization"), PorteeJeton.FHIR)


def _export_du_jeton(request, pk):
    from .models import ExportFhir

    jeton, refus = _jeton(request)
    if jeton is None:
        return None, operation_outcome(401, "login", refus)
    export = ExportFhir.objects.filter(pk=pk, jeton=jeton).first()
    if export is None or (export.expire_le and export.expire_le < timezone.now()):
        return None, operation_outcome(404, "not-found", "Export inconnu ou expiré : relancez $export.")
    return export, None


@csrf_exempt
def export_lancer(request):
    """GET [base]/$export (Prefer: respond-async) → 202, Content-Location: the status URL to poll."""
    from django.db import transaction

    from . import export as bulk
    from .models import ExportFhir
    from .tasks import exporter_fhir

    if request.method != "GET":
        return operation_outcome(405, "not-supported", "$export se lance en GET.")
    jeton, refus = _jeton(request)
    if jeton is None:
        return operation_outcome(401, "login", refus)
    if "respond-async" not in request.headers.get("Prefer", ""):
        return operation_outcome(400, "invalid", "$export est asynchrone : envoyez l'en-tête Prefer: respond-async.")
    format_sortie = request.GET.get("_outputFormat", "application/fhir+ndjson")
    if format_sortie not in ("application/fhir+ndjson", "application/ndjson", "ndjson"):
        return operation_outcome(400, "not-supported", f"_outputFormat « {format_sortie} » non pris en charge "
                                                       "(application/fhir+ndjson).")
    types = [t for t in request.GET.get("_type", ",".join(bulk.TYPES)).split(",") if t]
    inconnus = [t for t in types if t not in bulk.TYPES]
    if inconnus:
        return operation_outcome(400, "not-supported", f"_type : type(s) non servi(s) {', '.join(inconnus)} "
                                                       f"(possibles : {', '.join(bulk.TYPES)}).")
    depuis = None
    if request.GET.get("_since"):
        try:
            depuis = intervalle_date(request.GET["_since"])[0]
        except ParametreInvalide as erreur:
            return operation_outcome(400, erreur.code, f"_since : {erreur.message}")
    export = ExportFhir.objects.create(jeton=jeton, demande=request.get_full_path()[:500], types=types, depuis=depuis)
    transaction.on_commit(lambda: exporter_fhir.delay(str(export.pk)))
    reponse = HttpResponse(status=202)
    reponse["Content-Location"] = request.build_absolute_uri(f"/fhir/$export-status/{export.pk}")
    return reponse


@csrf_exempt
def export_etat(request, pk):
    """Poll: 202 + X-Progress while running, 200 + manifest when done; DELETE cancels and deletes."""
    from . import export as bulk
    from .models import EtatExport

    export, refus = _export_du_jeton(request, pk)
    if refus:
        return refus
    if request.method == "DELETE":
        bulk.supprimer(export)
        return HttpResponse(status=202)
    if request.method not in ("GET", "HEAD"):
        return operation_outcome(405, "not-supported", "GET pour suivre l'export, DELETE pour l'annuler.")
    if export.etat == EtatExport.EN_COURS:
        reponse = HttpResponse(status=202)
        reponse["X-Progress"] = export.progression or "en file d'attente"
        reponse["Retry-After"] = "5"
        return reponse
    if export.etat == EtatExport.ERREUR:
        return operation_outcome(500, "exception", f"L'export a échoué : {export.erreur}")
    reponse = HttpResponse(json.dumps({
        "transactionTime": fhir.instant(export.cree_le),
        "request": request.build_absolute_uri(export.demande),
        "requiresAccessToken": True,
        "output": [{"type": f["type"], "url": request.build_absolute_uri(f"/fhir/$export-fichier/{export.pk}/"
                                                                          f"{f['fichier']}"), "count": f["nombre"]}
                   for f in export.fichiers],
        "error": [],
    }, ensure_ascii=False), content_type="application/json")
    reponse["Expires"] = http_date(export.expire_le.timestamp())
    return reponse


@require_safe
def export_fichier(request, pk, nom):
    from django.http import FileResponse

    from . import export as bulk

    export, refus = _export_du_jeton(request, pk)
    if refus:
        return refus
    type_ressource = nom.removesuffix(".ndjson")
    if type_ressource not in [f["type"] for f in export.fichiers]:
        return operation_outcome(404, "not-found", f"Pas de fichier {nom} dans cet export.")
    return FileResponse(open(bulk.fichier(export, type_ressource), "rb"), content_type="application/fhir+ndjson")


# -- Practitioner, PractitionerRole (a unit's responsable, an EG's director: interop.personnes) --------

PARAMETRES_PERSONNES = {"Practitioner": {"_id", "identifier"},
                        "PractitionerRole": {"_id", "practitioner", "service", "organization"}}


def _contact_de(type_ressource: str, valeur: str):
    """The contact behind a Practitioner id (`<contact>`) or a PractitionerRole id (`<contact>-<offer>`)."""
    tete = valeur.split("-")[0] if type_ressource == "PractitionerRole" else valeur
    if not tete.isdigit() or len(tete) > 18:
        return None
    from repertoire.models import Contact

    return Contact.objects.filter(pk=int(tete)).select_related("structure", "fonction", "civilite",
                                                               "confidentialite").first()


def _personnes(type_ressource: str, contact, jeton) -> list[dict]:
    return _personnes_des_contacts(type_ressource, [contact] if contact is not None else [], jeton)


def _personnes_des_contacts(type_ressource: str, contacts: list, jeton) -> list[dict]:
    """The people of `contacts`, in their order: their structures read at once (two queries, their
    offers' activities and modes with them), not one by one (a page of 200 people made 600 queries)."""
    # A sensitive unit's responsable would name the unit: the same filter as the unit itself.
    structures = {}
    for type_structure, uo in (("HealthcareService", True), ("Organization", False)):
        ids = [c.structure_id for c in contacts if (c.structure.niveau == Niveau.UO) == uo]
        if ids:
            lues = list(fhir.pour_le_consommateur(fhir.pour_lecture(type_structure), jeton).filter(pk__in=ids))
            if uo and type_ressource == "PractitionerRole":
                fhir.precharger(lues, ["activites", "modes_prise_en_charge"])
            structures.update((s.pk, s) for s in lues)
    resultat = []
    for contact in contacts:
        structure = structures.get(contact.structure_id)
        if structure is not None:
            structure._pf_contacts = [contact]
            resultat += personnes.personnes_de([structure], type_ressource)
    return resultat


def recherche_personnes(request, type_ressource: str, strict: bool):
    """Search by _id, identifier (Practitioner), practitioner, service, organization (PractitionerRole);
    pages of `_count` people in id order (`_apres`)."""
    connus = PARAMETRES_PERSONNES[type_ressource]
    contacts = personnes.contacts_servis().order_by("pk")
    ignores, utilises, count, apres, offre_demandee = [], [], COUNT_MAX, 0, None
    for nom, valeur in request.GET.items():
        if nom == "_count":
            from .parametres import entier

            count = min(entier(valeur, "_count", 0), COUNT_MAX)
            continue
        if nom == "_apres":
            if not valeur.isdigit() or len(valeur) > 18:
                raise ParametreInvalide("« _apres » : repartez du lien « next » du Bundle.")
            apres = int(valeur)
            continue
        if nom in ("_format", "_total"):
            continue
        if nom not in connus:
            if strict:
                raise ParametreInvalide(f"Paramètre inconnu pour {type_ressource} : « {nom}={valeur} ».",
                                        code="not-supported")
            ignores.append(f"{nom}={valeur} (paramètre inconnu pour {type_ressource})")
            continue
        utilises.append((nom, valeur))
        tetes = [v.strip().split("/")[-1] for v in valeur.split(",") if v.strip()]
        if nom == "_id" or nom == "practitioner":
            ids = [int(t.split("-")[0]) for t in tetes if t.split("-")[0].isdigit() and len(t) < 80]
            contacts = contacts.filter(pk__in=ids)
        elif nom == "identifier":
            ids = [int(t.rsplit("/", 1)[-1]) for t in (v.split("|")[-1] for v in valeur.split(","))
                   if "/" in t and t.rsplit("/", 1)[-1].isdigit()]
            contacts = contacts.filter(pk__in=ids)
        elif nom == "service":
            parties = [fhir.lire_id_offre(t) for t in tetes]
            offre_demandee = {t for t, p in zip(tetes, parties) if p}
            contacts = contacts.filter(structure_id__in=[p[0] for p in parties if p])
        elif nom == "organization":
            ids = [int(t) for t in tetes if t.isdigit() and len(t) <= 18]
            contacts = contacts.filter(Q(structure__eg_id__in=ids) | Q(structure_id__in=ids))
    page = list(contacts.filter(pk__gt=apres).select_related("structure", "fonction", "civilite", "confidentialite")
                [:count + 1]) if count else []
    suivante = len(page) > count
    page = page[:count]
    resultat = []
    for r in _personnes_des_contacts(type_ressource, page, request.jeton_api):
        if offre_demandee is not None and r["healthcareService"][0]["reference"].split("/")[1] not in offre_demandee:
            continue
        if "_id" in dict(utilises) and type_ressource == "PractitionerRole" and r["id"] not in {
                v.strip() for v in dict(utilises)["_id"].split(",")}:
            continue
        resultat.append(r)
    base = _base(request)
    liens = [{"relation": "self", "url": f"{base}{type_ressource}" + (f"?{urlencode(utilises)}" if utilises else "")}]
    if suivante:
        liens.append({"relation": "next", "url": f"{base}{type_ressource}?" + urlencode(
            utilises + [("_count", str(count)), ("_apres", str(page[-1].pk))])})
    entrees = [{"fullUrl": f"{base}{type_ressource}/{r['id']}", "resource": r, "search": {"mode": "match"}}
               for r in resultat]
    if ignores:
        entrees.append({"resource": _issue_ignores(ignores), "search": {"mode": "outcome"}})
    bundle = {"resourceType": "Bundle", "type": "searchset", "meta": {"lastUpdated": fhir.instant(timezone.now())},
              "link": liens}
    if type_ressource == "Practitioner" and not apres:
        bundle["total"] = contacts.count()
    if entrees:
        bundle["entry"] = entrees
    return reponse_fhir(bundle)
