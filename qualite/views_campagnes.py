"""Verification campaigns: launched and followed by the gestionnaire, answered by the référents."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nomenclatures.models import Departement
from repertoire.access import gestionnaire_requis

from . import campagnes as services
from .indicateurs import CHAMPS
from .models import Campagne, FicheCampagne, Perimetre
from .views import _departements_utilises


class CampagneForm(forms.Form):
    nom = forms.CharField(label="Nom de la campagne", max_length=200,
                          help_text="Par exemple : « Vérification 2026 des EHPAD de Loire-Atlantique ».")
    perimetre = forms.ChoiceField(label="Périmètre", choices=Perimetre.choices, widget=forms.RadioSelect,
                                  initial=Perimetre.DEPARTEMENT)
    departement = forms.ChoiceField(label="Département", required=False)
    champ = forms.ChoiceField(label="Champ d'activité", required=False,
                              choices=[("", "—")] + [(c, lib) for c, lib in CHAMPS if c])
    finess_ej = forms.CharField(label="N° FINESS de l'entité juridique", required=False, max_length=9)
    jours_relance = forms.IntegerField(label="Relancer le référent après (jours)", min_value=1, max_value=364,
                                       initial=15)
    jours_escalade = forms.IntegerField(label="Alerter le directeur après (jours)", min_value=2, max_value=365,
                                        initial=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "—")] + [
            (d.code, str(d)) for d in Departement.objects.filter(code__in=_departements_utilises()).order_by("code")]

    def clean(self):
        donnees = super().clean()
        if self.errors:
            return donnees
        perimetre = donnees["perimetre"]
        donnees["valeur"] = {Perimetre.DEPARTEMENT: donnees.get("departement", ""),
                             Perimetre.CHAMP: donnees.get("champ", "")}.get(perimetre, "")
        if donnees["jours_relance"] >= donnees["jours_escalade"]:
            raise forms.ValidationError("La relance du référent doit précéder l'alerte du directeur.")
        try:
            ej = services._ej(donnees.get("finess_ej")) if perimetre == Perimetre.EJ else None
            donnees["ej"] = ej
            donnees["apercu"] = services.apercu(perimetre, donnees["valeur"], ej)
        except services.CampagneInvalide as e:
            raise forms.ValidationError(str(e))
        if not donnees["apercu"].fiches:
            raise forms.ValidationError("Aucune fiche ouverte dans ce périmètre.")
        return donnees


def _libelle_perimetre(donnees, departements: dict | None = None) -> str:
    perimetre = donnees["perimetre"]
    if perimetre == Perimetre.DEPARTEMENT:
        if departements is not None and donnees["valeur"] in departements:
            return departements[donnees["valeur"]]
        return str(Departement.objects.get(code=donnees["valeur"]))
    if perimetre == Perimetre.CHAMP:
        return f"champ {dict(CHAMPS)[donnees['valeur']]}"
    if perimetre == Perimetre.EJ:
        return f"{donnees['ej'].nom} ({donnees['ej'].finess})"
    return "toute la région"


def libelle(campagne: Campagne, departements: dict | None = None) -> str:
    """The campaign's perimeter in words; `departements` (code → name): read once for a list."""
    donnees = {"perimetre": campagne.perimetre, "valeur": campagne.valeur, "ej": campagne.ej}
    return _libelle_perimetre(donnees, departements) if campagne.perimetre != Perimetre.EJ or campagne.ej \
        else "entité juridique retirée"


@gestionnaire_requis
@require_http_methods(["GET", "POST"])
def liste(request):
    """The campaigns and the form launching one: a first POST shows what it would concern, the
    second (« confirme ») launches it."""
    form = CampagneForm(request.POST or None)
    statut = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            if request.POST.get("confirme") == "1":
                try:
                    campagne = services.lancer_campagne(
                        request.user, d["nom"], d["perimetre"], d["valeur"], finess_ej=d.get("finess_ej", ""),
                        jours_relance=d["jours_relance"], jours_escalade=d["jours_escalade"])
                except services.CampagneInvalide as e:
                    form.add_error(None, str(e))
                    statut = 400
                else:
                    messages.success(request, f"Campagne lancée : {d['apercu'].referents} référent(s) vont recevoir "
                                              "le lien de leurs fiches par courriel.")
                    return redirect("qualite:campagne", pk=campagne.pk)
            else:
                return render(request, "qualite/campagne_apercu.html", {
                    "form": form, "apercu": d["apercu"], "perimetre": _libelle_perimetre(d)})
        else:
            statut = 400
    campagnes = list(services.avec_avancement(Campagne.objects.select_related("ej"))[:50])
    codes = {c.valeur for c in campagnes if c.perimetre == Perimetre.DEPARTEMENT}
    departements = {d.code: str(d) for d in Departement.objects.filter(code__in=codes)} if codes else {}
    lignes = [(c, libelle(c, departements), services.avancement_rapide(c)) for c in campagnes]
    return render(request, "qualite/campagnes.html", {"form": form, "campagnes": lignes}, status=statut)


@gestionnaire_requis
@require_GET
def campagne(request, pk):
    c = get_object_or_404(Campagne.objects.select_related("ej", "lancee_par", "close_par"), pk=pk)
    return render(request, "qualite/campagne.html", {
        "campagne": c, "perimetre": libelle(c), "avancement": services.avancement(c),
        "envois": services.envois_par_nature(c)})


@gestionnaire_requis
@require_POST
def clore(request, pk):
    c = get_object_or_404(Campagne, pk=pk)
    services.clore_campagne(request.user, c)
    messages.success(request, "La campagne est close : les fiches ne sont plus relancées.")
    return redirect("qualite:campagne", pk=pk)


def _campagne_du_referent(request, pk):
    c = get_object_or_404(Campagne, pk=pk)
    fiches = services.fiches_de(request.user, c)
    if not fiches.exists():  # deny by default: only who may verify one of its fiches
        raise PermissionDenied("Aucune fiche de cette campagne ne relève de vous.")
    return c, fiches


@login_required
@require_GET
def fiches(request, pk):
    """The référent's fiches of a campaign, each confirmed in one click."""
    c, qs = _campagne_du_referent(request, pk)
    qs = qs.select_related("structure", "eg", "traitee_par").order_by("eg__nom", "eg_id", "structure__lft")
    restantes = qs.filter(traitee_le__isnull=True).count()
    total = qs.count()
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(request, "qualite/campagne_fiches.html", {
        "campagne": c, "page": page, "total": total, "restantes": restantes, "traitees": total - restantes,
        "taux": round(100 * (total - restantes) / total) if total else 0})


@login_required
@require_POST
def confirmer(request, pk, fiche):
    c, qs = _campagne_du_referent(request, pk)
    f = get_object_or_404(FicheCampagne.objects.select_related("structure"), pk=fiche, campagne=c)
    try:
        services.confirmer_fiche(request.user, f)
    except services.CampagneInvalide as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"« {f.structure.nom} » : vérification enregistrée, rien n'a changé.")
    suite = reverse("qualite:campagne_fiches", args=[c.pk])
    page = request.POST.get("page", "")
    return redirect(f"{suite}?page={page}#fiche-{f.pk}" if page.isdigit() else f"{suite}#fiche-{f.pk}")


@login_required
@require_GET
def lien(request, jeton):
    """The signed link of the e-mails: for its addressee only, it opens their fiches."""
    try:
        campagne_id, user_id = services.lire_jeton(jeton)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404("Ce lien n'est pas valide ou a expiré : retrouvez vos fiches depuis la page d'accueil.")
    if user_id != request.user.pk:
        raise PermissionDenied("Ce lien a été envoyé à une autre personne : connectez-vous avec votre propre compte.")
    return redirect("qualite:campagne_fiches", pk=campagne_id)
