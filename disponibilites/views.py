import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from nomenclatures.models import Departement
from repertoire import access as repertoire_access
from repertoire.access import gestionnaire_requis
from repertoire.forms import ChampsJetonForm
from repertoire.models import JetonApi, PorteeJeton, Structure, expiration_jeton_par_defaut
from repertoire.services import jetons_api
from socle.exports import reponse_csv

from . import access, historique, tableau
from .forms import JetonForm, LitsUniteForm, RechercheUniteForm, TensionForm
from .models import SituationLits, SituationTension, UniteMarquee
from .services import api, enregistrement, saisie_lits, situations_tension, suivi


# -- regional board --------------------------------------------------------------

def _contenu_tableau(filtres: tableau.Filtres) -> tuple[str, str]:
    """The board's body and its ETag. Identical for every user, so rendered once per change
    (or per minute, for the ages) however many pages poll it."""
    maintenant = timezone.now()
    etag = hashlib.sha1(tableau.signature(filtres, maintenant).encode()).hexdigest()
    cle = f"disponibilites:tableau:{etag}"
    html = cache.get(cle)
    if html is None:
        departements, total = tableau.grouper(tableau.lignes(filtres, maintenant))
        html = render_to_string("disponibilites/_tableau_contenu.html", {
            "departements": departements, "total": total, "tensions": situations_tension.situations_actives()})
        cache.set(cle, html, 120)
    return html, f'"{etag}"'


@login_required
@require_GET
def tableau_regional(request):
    from django.conf import settings

    filtres = tableau.Filtres.depuis(request.GET)
    contenu, _ = _contenu_tableau(filtres)
    return render(request, "disponibilites/tableau.html", {
        "contenu": contenu, "filtres": filtres, "maintenant": timezone.now(),
        "choix_types": tableau.types_unite(), "choix_ages": tableau.GROUPES_AGE,
        "choix_departements": tableau.departements_de_la_region(),
        "peut_saisir": repertoire_access.peut(request.user, repertoire_access.SAISIR_LITS),
        "rafraichissement": settings.DISPONIBILITES_RAFRAICHISSEMENT_SECONDES, "query": request.GET.urlencode(),
    })


@login_required
@require_GET
def tableau_contenu(request):
    """The board's body alone, fetched by the page every few seconds (no reload)."""
    contenu, etag = _contenu_tableau(tableau.Filtres.depuis(request.GET))
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers={"ETag": etag})
    return HttpResponse(contenu, headers={"ETag": etag, "Cache-Control": "no-cache"})


@login_required
@require_GET
def export_csv(request):
    filtres = tableau.Filtres.depuis(request.GET)
    lignes = sorted(tableau.lignes(filtres), key=lambda x: (x.departement or "", x.eg_nom, x.nom))
    return reponse_csv(
        f"disponibilites-{timezone.localdate():%Y%m%d}.csv",
        ["Département", "Établissement", "Unité", "Identifiant ROR", "Types", "Patientèle", "Lits installés",
         "Lits disponibles", "Lits supplémentaires", "Lits fermés", "Date de la donnée", "État de la donnée",
         "Saisi par"],
        ([ligne.departement, ligne.eg_nom, ligne.nom, ligne.uo_id, " / ".join(ligne.types), ligne.patientele,
          ligne.installes, ligne.disponibles, ligne.supplementaires, ligne.fermes,
          timezone.localtime(ligne.date_maj).strftime("%d/%m/%Y %H:%M") if ligne.date_maj else "",
          ligne.fraicheur.libelle, ligne.saisi_par] for ligne in lignes))


@login_required
@require_GET
def carte(request):
    filtres = tableau.Filtres.depuis(request.GET)
    marqueurs = [{
        "lat": ligne.latitude, "lon": ligne.longitude, "nom": ligne.nom, "eg": ligne.eg_nom,
        "disponibles": ligne.disponibles, "installes": ligne.installes, "etat": ligne.fraicheur.libelle,
        "age": ligne.fraicheur.age, "code": ligne.fraicheur.code,
    } for ligne in tableau.lignes(filtres) if ligne.latitude is not None and ligne.longitude is not None]
    return render(request, "disponibilites/carte.html", {
        "marqueurs": marqueurs, "filtres": filtres, "choix_types": tableau.types_unite(),
        "choix_ages": tableau.GROUPES_AGE, "choix_departements": tableau.departements_de_la_region(),
        "query": request.GET.urlencode(),
    })


# -- Saisie ----------------------------------------------------------------------

MAX_UNITES_SAISIE = 300

@login_required
def saisie(request):
    """All my units on one screen; one submit; nothing saved when one value is wrong."""
    repertoire_access.exiger(request.user, repertoire_access.SAISIR_LITS)  # somewhere
    unites = (access.unites_autorisees(request.user, repertoire_access.SAISIR_LITS).select_related("eg")
              .order_by("eg__nom", "nom"))
    departement = request.GET.get("departement", "")
    if departement:
        unites = unites.filter(Q(departement_id=departement) | Q(departement__isnull=True,
                                                                  eg__departement_id=departement))
    trop = not departement and unites.count() > MAX_UNITES_SAISIE
    if trop:  # a gestionnaire's whole region: one département at a time
        unites = unites.none()
    situations = {s.uo_id: s for s in SituationLits.objects.filter(uo__in=unites)}
    donnees = request.POST if request.method == "POST" else None
    formulaires = [LitsUniteForm(donnees, uo=uo, situation=situations.get(uo.pk)) for uo in unites]
    if request.method == "POST":
        if all([f.is_valid() for f in formulaires]):
            lignes = [ligne for ligne in (f.ligne() for f in formulaires) if ligne]
            try:
                bilan = saisie_lits.saisir_lits(request.user, lignes)
            except enregistrement.SaisieInvalide as erreur:
                messages.error(request, f"Rien n'a été enregistré : {erreur}")
            else:
                messages.success(request, f"{len(bilan.unites)} unité(s) mise(s) à jour."
                                 if bilan.unites else "Aucune valeur modifiée : rien à enregistrer.")
                return redirect(request.get_full_path())
        else:
            nb = sum(1 for f in formulaires if f.errors)
            messages.error(request, f"Rien n'a été enregistré : {nb} unité(s) à corriger (voir ci-dessous).")
    return render(request, "disponibilites/saisie.html", {
        "formulaires": formulaires, "departement": departement, "trop": trop,
        "choix_departements": tableau.departements_de_la_region(),
        "est_gestionnaire": repertoire_access.est_gestionnaire(request.user),
    }, status=400 if request.method == "POST" and any(f.errors for f in formulaires) else 200)


# -- history ---------------------------------------------------------------------

@login_required
@require_GET
def historique_unite(request, pk):
    uo = access.get_unite_or_403(request.user, pk, repertoire_access.LIRE)
    serie = historique.serie(Q(uo_id=uo.pk))
    figures = (uo.capacites_lits.select_related("statut", "temporalite", "source", "saisi_par", "genre")
               .order_by("-date_maj", "-id")[:50])
    return render(request, "disponibilites/historique_unite.html", {
        "uo": uo, "graphique": historique.graphique(serie), "figures": figures,
        "situation": SituationLits.objects.filter(uo=uo).first(),
        "peut_saisir": repertoire_access.peut(request.user, repertoire_access.SAISIR_LITS, uo),
    })


@login_required
@require_GET
def historique_territoire(request):
    from django.conf import settings

    departements = tableau.departements_de_la_region()
    code = request.GET.get("departement", "")
    if code and code in dict(departements):
        filtre, titre = Q(departement_id=code), dict(departements)[code]
    else:
        code = ""
        filtre = Q(region_id=settings.ROR_REGION_CODE) if settings.ROR_REGION_CODE else Q()
        titre = settings.ROR_REGION_NOM
    return render(request, "disponibilites/historique_territoire.html", {
        "graphique": historique.graphique(historique.serie(filtre)), "titre": titre, "departement": code,
        "choix_departements": departements,
    })


# -- situations de tension -------------------------------------------------------

@gestionnaire_requis
def tensions(request):
    departements = Departement.objects.filter(code__in=[c for c, _ in tableau.departements_de_la_region()])
    form = TensionForm(request.POST or None, departements=departements)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            situation = situations_tension.declarer_tension(request.user, d["type_crise"], d["departement"],
                                                            d["frequence_heures"], d["commentaire"])
            messages.success(request, f"Situation de tension déclarée : {situation}.")
            return redirect("disponibilites:tension", pk=situation.pk)
        messages.error(request, "Rien n'a été déclaré : corrigez le formulaire.")
    return render(request, "disponibilites/tensions.html", {
        "form": form, "situations": SituationTension.objects.select_related("type_crise", "departement")[:50],
    }, status=400 if form.errors else 200)


@gestionnaire_requis
def tension(request, pk):
    situation = get_object_or_404(SituationTension.objects.select_related("type_crise", "departement"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "relancer":
            n = situations_tension.relancer_retards(request.user, situation)
            messages.success(request, f"{n} unité(s) relancée(s) par courriel.")
        elif action == "lever":
            situations_tension.lever_tension(request.user, situation)
            messages.success(request, "La situation de tension est levée.")
        else:
            messages.error(request, "Action inconnue : rien n'a été fait.")
        return redirect("disponibilites:tension", pk=situation.pk)
    return render(request, "disponibilites/tension.html", {
        "situation": situation,
        "retards": situations_tension.unites_en_retard(situation) if situation.active else [],
    })


# -- followed units --------------------------------------------------------------

@gestionnaire_requis
def unites_suivies(request):
    if request.method == "POST":
        pk = request.POST.get("uo", "")
        uo = get_object_or_404(Structure.objects.uo(), pk=int(pk) if pk.isdigit() else 0)  # junk: 404, not 500
        suivie = request.POST.get("suivie") == "1"
        suivi.marquer_unite(request.user, uo, suivie)
        messages.success(request, f"« {uo.nom} » est {'désormais suivie' if suivie else 'retirée du suivi'}.")
        return redirect(reverse("disponibilites:unites_suivies") + "?" + request.GET.urlencode())
    form = RechercheUniteForm(request.GET or None)
    trouvees = []
    if form.is_valid() and form.cleaned_data["q"]:
        q = form.cleaned_data["q"]
        trouvees = (Structure.objects.uo().filter(Q(nom__icontains=q) | Q(eg__nom__icontains=q))
                    .select_related("eg").order_by("eg__nom", "nom")[:30])
    return render(request, "disponibilites/unites_suivies.html", {
        "form": form, "trouvees": trouvees,
        "suivies": set(suivi.unites_concernees().filter(pk__in=[u.pk for u in trouvees])
                       .values_list("pk", flat=True)),
        "marquees": UniteMarquee.objects.select_related("uo", "uo__eg", "par").order_by("-le")[:100],
    })


# -- API tokens (gestionnaire) ---------------------------------------------------

def _etablissements_suivis():
    return Structure.objects.eg().filter(pk__in=suivi.unites_concernees().values("eg_id")).order_by(
        "nom")


def _formulaire_jeton(data=None):
    return JetonForm(data, etablissements=_etablissements_suivis(),
                     initial={"expire_le": timezone.localdate(expiration_jeton_par_defaut())})


@gestionnaire_requis
def jetons(request):
    form = _formulaire_jeton(request.POST or None)
    clair = None
    if request.method == "POST":
        if form.is_valid():
            try:
                jeton, clair = jetons_api.creer_jeton(request.user, PorteeJeton.LITS, form.cleaned_data["libelle"],
                                                      eg=form.cleaned_data["eg"],
                                                      expire_le=form.cleaned_data["expire_le"])
                messages.success(request, "Jeton créé : copiez-le maintenant, il ne sera plus affiché.")
                form = _formulaire_jeton()
            except ValidationError as erreur:
                form.add_error("expire_le", erreur)
        if form.errors:
            messages.error(request, "Aucun jeton créé : corrigez le formulaire.")
    jetons_lits = JetonApi.objects.filter(portee=PorteeJeton.LITS).select_related("eg", "cree_par")
    return render(request, "disponibilites/jetons.html", {
        "form": form, "clair": clair, "jetons": jetons_lits.order_by("eg__nom", "-cree_le")[:200],
    }, status=400 if form.errors else 200)


@gestionnaire_requis
@require_POST
def modifier_jeton(request, pk):
    jeton = get_object_or_404(JetonApi, pk=pk, portee=PorteeJeton.LITS)
    form = ChampsJetonForm(request.POST, profil=False)
    try:
        if not form.is_valid() or not form.cleaned_data.get("expire_le"):
            raise ValidationError(form.errors.get("expire_le") or ["Indiquez la nouvelle date d'expiration."])
        jetons_api.modifier_jeton(request.user, jeton, expire_le=form.cleaned_data["expire_le"])
        messages.success(request, f"Le jeton {jeton.prefixe}… expire le {timezone.localtime(jeton.expire_le):%d/%m/%Y}.")
    except ValidationError as erreur:
        messages.error(request, f"Jeton {jeton.prefixe}… inchangé : {' '.join(erreur.messages)}")
    return redirect("disponibilites:jetons")


@gestionnaire_requis
@require_POST
def revoquer_jeton(request, pk):
    jeton = get_object_or_404(JetonApi, pk=pk, portee=PorteeJeton.LITS)
    jetons_api.revoquer_jeton(request.user, jeton)
    messages.success(request, f"Le jeton {jeton.prefixe}… est révoqué.")
    return redirect("disponibilites:jetons")


# -- API for bed-management software ---------------------------------------------

@csrf_exempt
@require_POST
def api_lits(request):
    """POST {"disponibilites": [{"uo", "statut", "nombre", "date_maj", …}]} with `Authorization: Bearer <jeton>`."""
    jeton, refus = jetons_api.verifier(request.headers.get("Authorization"), PorteeJeton.LITS)
    if jeton is None:
        return JsonResponse({"erreur": refus}, status=401,
                            headers={"WWW-Authenticate": 'Bearer realm="ror-disponibilites"'})
    try:
        corps = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse({"erreur": "Le corps de la requête n'est pas du JSON valide.", "erreurs": []}, status=400)
    elements = corps.get("disponibilites") if isinstance(corps, dict) else None
    try:
        bilan = api.appliquer_api(jeton, elements)
    except enregistrement.SaisieInvalide as erreur:
        return JsonResponse({
            "erreur": "Aucune donnée n'a été enregistrée : corrigez les éléments signalés.",
            "erreurs": [{"element": cle, "raisons": raisons} for cle, raisons in erreur.erreurs.items()],
        }, status=400)
    return JsonResponse({"enregistrees": bilan.enregistrees, "deja_connues": bilan.deja_connues,
                         "unites": len(bilan.unites)})
