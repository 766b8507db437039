"""The FHIR API under /fhir/: read and search Organization, HealthcareService, Location.

JSON only (application/fhir+json). A consumer's API token is required
(401 otherwise); an unknown parameter or an unreadable value gets an
OperationOutcome 400; nothing a client sends answers 500.
"""

import json
from functools import wraps
from urllib.parse import urlencode

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from repertoire.models import Niveau, PorteeJeton
from repertoire.services import jetons_api

from . import fhir
from .parametres import COUNT_MAX, PARAMETRES, ParametreInvalide, appliquer, encoder_curseur

TYPE_CONTENU = "application/fhir+json; charset=utf-8"
TYPES = tuple(PARAMETRES)
NIVEAUX = {"Organization": [Niveau.EJ, Niveau.EG], "HealthcareService": [Niveau.UO], "Location": [Niveau.UO]}


def reponse_fhir(donnees: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(donnees, ensure_ascii=False, separators=(",", ":")), status=status,
                        content_type=TYPE_CONTENU)


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
        if jetons_api.authentifier(request.headers.get("Authorization"), PorteeJeton.FHIR) is None:
            return operation_outcome(401, "login", "Jeton d'accès manquant ou révoqué "
                                                   "(en-tête Authorization: Bearer <jeton>).")
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


def capability_statement(base: str) -> dict:
    profils = {"Organization": fhir.PROFIL_ORGANIZATION, "HealthcareService": fhir.PROFIL_HEALTHCARESERVICE,
               "Location": fhir.PROFIL_LOCATION}
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
                "searchParam": [{"name": n, "type": "string" if n.startswith("name") else "token"}
                                for n in sorted(PARAMETRES[t]) if n != "_lastUpdated"]
                + [{"name": "_lastUpdated", "type": "date"}],
            } for t in TYPES],
        }],
    }


@api_fhir
def lecture(request, type_ressource: str, pk: str):
    queryset, fonction = fhir.pour_lecture(type_ressource)
    structure = queryset.de_niveaux(*NIVEAUX[type_ressource]).filter(pk=int(pk)).first() if pk.isdigit() \
        and len(pk) <= 18 else None
    if structure is None:
        return operation_outcome(404, "not-found", f"{type_ressource}/{pk} introuvable.")
    return reponse_fhir(fhir.ressources(type_ressource, [structure])[0])


@api_fhir
def recherche(request, type_ressource: str):
    queryset, _ = fhir.pour_lecture(type_ressource)
    queryset = queryset.de_niveaux(*NIVEAUX[type_ressource])
    queryset, count, curseur = appliquer(type_ressource, queryset, request.GET)
    page = queryset.order_by("modifie_le", "pk")
    if curseur:
        date, pk, total = curseur
        page = page.filter(Q(modifie_le__gt=date) | Q(modifie_le=date, pk__gt=pk))
    else:
        total = queryset.order_by().count()
    # Two steps: the page's ids by the (modifie_le, id) index, then those rows with their joins.
    ids = list(page.values_list("pk", flat=True)[:count + 1]) if count else []
    par_id = {s.pk: s for s in queryset.filter(pk__in=ids)}
    structures = [par_id[pk] for pk in ids]
    suivante = len(structures) > count
    structures = structures[:count]
    base = _base(request)
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "meta": {"lastUpdated": fhir.instant(timezone.now())},
        "total": total,
        "link": [{"relation": "self", "url": request.build_absolute_uri()}],
        "entry": [{"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                  for r in fhir.ressources(type_ressource, structures)],
    }
    if suivante:
        params = [(k, v) for k, vs in request.GET.lists() if k not in ("_curseur", "_count") for v in vs]
        params += [("_count", str(count)), ("_curseur", encoder_curseur(structures[-1], total))]
        bundle["link"].append({"relation": "next", "url": f"{base}{type_ressource}?{urlencode(params)}"})
    if not bundle["entry"]:
        del bundle["entry"]
    return reponse_fhir(bundle)


__all__ = ["metadata", "lecture", "recherche", "COUNT_MAX"]
