from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from repertoire import access as repertoire_access
from repertoire.access import gestionnaire_requis
from repertoire.models import Favori, Structure
from comptes.models import DemandeAcces
from socle.models import JournalAudit
from socle.audit import Action
from socle.exports import reponse_csv

from . import access, oidc, services
from .ralentissement import en_clair
from .forms import (CGUForm, ChangementMotDePasseForm, DemandeAccesForm, DroitForm, EmailForm,
                    FormulaireReinitialisation, GroupesForm, NouveauMotDePasseForm, RechercheUtilisateurForm,
                    ReferentForm, RefusForm)
from .tasks import envoyer_reinitialisation

User = get_user_model()


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _message_erreur(request, erreur: ValidationError | OSError):
    if isinstance(erreur, OSError):  # smtplib errors are OSError
        messages.error(request, "Le courriel n'a pas pu être envoyé : rien n'a été enregistré. Réessayez plus tard.")
    else:
        messages.error(request, " ".join(erreur.messages))


# -- Demande d'accès (public) ------------------------------------------------------

def demande_acces(request):
    # Coming from Pro Santé Connect without an account: what PSC said about the person fills the form.
    form = DemandeAccesForm(request.POST or None, initial=request.session.get("psc_identite", {}))
    if request.method == "POST" and form.is_valid():
        services.deposer_demande(**form.champs_demande())
        return redirect("comptes:demande_envoyee")
    return render(request, "comptes/demande_acces.html", {"form": form})


def demande_envoyee(request):
    return render(request, "comptes/demande_envoyee.html")


@gestionnaire_requis
def demandes(request):
    en_attente = DemandeAcces.objects.filter(statut=DemandeAcces.Statut.EN_ATTENTE).select_related("structure")
    traitees = (DemandeAcces.objects.exclude(statut=DemandeAcces.Statut.EN_ATTENTE)
                .select_related("structure", "traitee_par").order_by("-traitee_le")[:30])
    return render(request, "comptes/demandes.html", {"en_attente": en_attente, "traitees": traitees})


@gestionnaire_requis
def demande(request, pk):
    demande = get_object_or_404(DemandeAcces.objects.select_related("structure"), pk=pk)
    existant = User.objects.filter(email__iexact=demande.email).first()
    return render(request, "comptes/demande.html",
                  {"demande": demande, "existant": existant, "refus_form": RefusForm()})


@require_POST
@gestionnaire_requis
def demande_accepter(request, pk):
    demande = get_object_or_404(DemandeAcces, pk=pk)
    try:
        user = services.accepter_demande(request.user, demande, _base_url(request))
    except (ValidationError, OSError) as erreur:
        _message_erreur(request, erreur)
        return redirect("comptes:demande", pk=pk)
    demande.refresh_from_db()
    if demande.statut == DemandeAcces.Statut.A_CONFIRMER:
        messages.success(request, f"Demande acceptée. Un compte existait déjà avec cette adresse ({user}) : un lien "
                                  "de confirmation a été envoyé à cette adresse, le rôle ne s'appliquera qu'une "
                                  "fois ce lien suivi.")
    else:
        messages.success(request, f"Demande acceptée : le compte de {user} est prêt, un lien pour choisir "
                                  "son mot de passe lui a été envoyé.")
    return redirect("comptes:demandes")


@require_POST
@gestionnaire_requis
def demande_refuser(request, pk):
    demande = get_object_or_404(DemandeAcces, pk=pk)
    form = RefusForm(request.POST)
    try:
        services.refuser_demande(request.user, demande, form.data.get("motif", ""))
    except (ValidationError, OSError) as erreur:
        _message_erreur(request, erreur)
        return redirect("comptes:demande", pk=pk)
    messages.success(request, "Demande refusée : le demandeur a reçu le motif.")
    return redirect("comptes:demandes")


# -- Habilitations (gestionnaire) -------------------------------------------------

@gestionnaire_requis
def utilisateurs(request):
    """All accounts; the search is POSTed so that names never land in URLs or access logs."""
    comptes = User.objects.prefetch_related("groups").order_by("last_name", "first_name", "username")
    form = RechercheUtilisateurForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.cleaned_data["q"]:
        q = form.cleaned_data["q"]
        comptes = comptes.filter(Q(username__icontains=q) | Q(email__icontains=q) | Q(last_name__unaccent__icontains=q)
                                 | Q(first_name__unaccent__icontains=q))
    page = Paginator(comptes, 50).get_page(request.GET.get("page"))
    return render(request, "comptes/utilisateurs.html", {"form": form, "page": page})


@gestionnaire_requis
def utilisateur(request, pk, droit_form=None):
    compte = get_object_or_404(User, pk=pk)
    return render(request, "comptes/utilisateur.html", {
        "compte": compte,
        "droits": repertoire_access.droits_accordes(user=compte),
        "droit_form": droit_form or DroitForm(),
        "groupes_form": GroupesForm(initial={"groupes": list(compte.groups.values_list("name", flat=True))}),
        "journal": JournalAudit.objects.filter(cible=services.cible(compte)).select_related("acteur")[:20],
        "libelles_droits": {k: v[0] for k, v in services.DROITS.items()},
    })


def _agir_sur_compte(request, pk, action, succes: str):
    """Run one account action; its refusal (ValidationError) becomes a message. Back to the account page."""
    try:
        action()
    except ValidationError as erreur:
        _message_erreur(request, erreur)
    else:
        messages.success(request, succes)
    return redirect("comptes:utilisateur", pk=pk)


@require_POST
@gestionnaire_requis
def utilisateur_droit_ajouter(request, pk):
    compte = get_object_or_404(User, pk=pk)
    form = DroitForm(request.POST)
    if not form.is_valid():
        return utilisateur(request, pk, droit_form=form)
    return _agir_sur_compte(request, pk, lambda: services.donner_droit(
        request.user, compte, form.cleaned_data["droit"], form.cleaned_data["structure"]), "Droit accordé.")


@require_POST
@gestionnaire_requis
def utilisateur_droit_retirer(request, pk):
    compte = get_object_or_404(User, pk=pk)
    pk_structure = request.POST.get("structure", "")
    structure = get_object_or_404(Structure, pk=int(pk_structure) if pk_structure.isdigit() else 0)
    return _agir_sur_compte(request, pk, lambda: services.enlever_droit(
        request.user, compte, request.POST.get("droit", ""), structure), "Droit retiré.")


@require_POST
@gestionnaire_requis
def utilisateur_groupes(request, pk):
    compte = get_object_or_404(User, pk=pk)
    form = GroupesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Rôle inconnu : rien n'a été changé.")
        return redirect("comptes:utilisateur", pk=pk)
    return _agir_sur_compte(request, pk, lambda: services.definir_groupes(
        request.user, compte, form.cleaned_data["groupes"]), "Rôles enregistrés.")


@require_POST
@gestionnaire_requis
def utilisateur_desactiver(request, pk):
    compte = get_object_or_404(User, pk=pk)
    return _agir_sur_compte(request, pk, lambda: services.desactiver_compte(request.user, compte),
                            "Compte désactivé : il ne peut plus se connecter (son historique est conservé).")


@require_POST
@gestionnaire_requis
def utilisateur_reactiver(request, pk):
    compte = get_object_or_404(User, pk=pk)
    return _agir_sur_compte(request, pk, lambda: services.reactiver_compte(request.user, compte), "Compte réactivé.")


# -- Référents named by a directeur --------------------------------------------------

@login_required
def referents(request, pk):
    structure = access.get_structure_or_403(request.user, pk, access.NOMMER_REFERENTS)
    form = ReferentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.donner_droit(request.user, form.user, "referent", structure)
        except ValidationError as erreur:
            _message_erreur(request, erreur)
        else:
            messages.success(request, f"{form.user} est maintenant référent de {structure.nom}.")
            return redirect("comptes:referents", pk=pk)
    actuels = User.objects.filter(pk__in=repertoire_access.droits_accordes(
        structure=structure, droit=repertoire_access.REFERENT).values("user_id"))
    return render(request, "comptes/referents.html",
                  {"structure": structure, "form": form, "referents": actuels.order_by("last_name")})


@require_POST
@login_required
def referent_retirer(request, pk, user_pk):
    structure = access.get_structure_or_403(request.user, pk, access.NOMMER_REFERENTS)
    services.enlever_droit(request.user, get_object_or_404(User, pk=user_pk), "referent", structure)
    messages.success(request, "Le droit de référent a été retiré.")
    return redirect("comptes:referents", pk=pk)


# -- Verrouillages (django-axes) and journal --------------------------------------

@gestionnaire_requis
def verrouillages(request):
    limite = settings.AXES_FAILURE_LIMIT
    depuis = timezone.now() - settings.AXES_COOLOFF_TIME
    tentatives = AccessAttempt.objects.filter(failures_since_start__gte=limite, attempt_time__gte=depuis)
    comptes = {u.username: u for u in User.objects.filter(username__in=[t.username for t in tentatives])}
    lignes = [{"tentative": t, "compte": comptes.get(t.username), "fin": t.attempt_time + settings.AXES_COOLOFF_TIME}
              for t in tentatives.order_by("-attempt_time")]
    return render(request, "comptes/verrouillages.html", {"lignes": lignes, "limite": limite})


@require_POST
@gestionnaire_requis
def deverrouiller(request, pk):
    services.deverrouiller(request.user, get_object_or_404(AccessAttempt, pk=pk))
    messages.success(request, "Compte déverrouillé : la personne peut se reconnecter.")
    return redirect("comptes:verrouillages")


def _journal_filtre(request):
    lignes = JournalAudit.objects.select_related("acteur")
    action = request.GET.get("action", "")
    if action:
        lignes = lignes.filter(action=action)
    return lignes, action


@gestionnaire_requis
def journal(request):
    lignes, action = _journal_filtre(request)
    return render(request, "comptes/journal.html", {
        "page": Paginator(lignes, 50).get_page(request.GET.get("page")), "action": action,
        "actions": sorted(Action.choices, key=lambda choix: choix[1])})


@gestionnaire_requis
def journal_csv(request):
    lignes, _ = _journal_filtre(request)
    services.noter_export_journal(request.user)
    return reponse_csv(
        f"journal-audit-{timezone.localdate():%Y%m%d}.csv",
        ["date", "action", "acteur", "identifiant acteur", "cible", "détails", "adresse IP"],
        ([timezone.localtime(ligne.quand).strftime("%d/%m/%Y %H:%M:%S"), ligne.get_action_display(),
          ligne.acteur or "", ligne.acteur_id or "", ligne.cible, ligne.details_texte, ligne.adresse_ip or ""]
         for ligne in lignes.iterator(chunk_size=2000)))


# -- Mon compte ------------------------------------------------------------------

@login_required
def mon_compte(request):
    return render(request, "comptes/mon_compte.html", {
        "droits": repertoire_access.droits_accordes(user=request.user),
        "libelles_droits": {k: v[0] for k, v in services.DROITS.items()},
        "groupes": request.user.groups.order_by("name"),
        # gestionnaires name référents from the habilitations pages
        "dirigees": (Structure.objects.none() if repertoire_access.est_gestionnaire(request.user)
                     else access.structures_autorisees(request.user, access.NOMMER_REFERENTS).order_by("nom")[:200]),
        "favoris": Favori.objects.filter(user=request.user).select_related("structure")
                                 .order_by("structure__nom")[:100],
        "adresse_en_attente": services.changement_en_attente(request.user),
    })


@login_required
def email_changer(request):
    form = EmailForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            changement = services.demander_changement_email(request.user, form.cleaned_data["email"],
                                                            _base_url(request))
        except ValidationError as erreur:
            form.add_error("email", erreur)
        except OSError as erreur:
            _message_erreur(request, erreur)
        else:
            messages.success(request, f"Un lien de confirmation a été envoyé à {changement.nouvelle_adresse} : "
                                      "votre adresse changera quand vous l'aurez suivi.")
            return redirect("comptes:mon_compte")
    return render(request, "comptes/email_changer.html",
                  {"form": form, "titre": "Changer mon adresse électronique", "bouton": "Envoyer le lien de confirmation",
                   "en_attente": services.changement_en_attente(request.user)})


def _confirmer(request, action, succes):
    """Follow a confirmation link (POST): the service's refusal becomes a message; back to Mon compte."""
    try:
        resultat = action()
    except ValidationError as erreur:
        _message_erreur(request, erreur)
    else:
        messages.success(request, succes(resultat))
    return redirect("comptes:mon_compte")


@login_required
def email_confirmer(request, jeton):
    """GET shows what the link does, POST does it (a mail scanner following links changes nothing)."""
    if request.method == "POST":
        return _confirmer(request, lambda: services.confirmer_changement_email(request.user, jeton),
                          lambda email: f"Adresse électronique confirmée : {email}.")
    changement = services.changement_en_attente(request.user)
    try:
        donnees = services.lire_jeton(jeton, services.SEL_ADRESSE)
        valide = changement is not None and changement.pk == donnees.get("c")
    except ValidationError:
        valide = False
    return render(request, "comptes/confirmation.html", {
        "titre": "Confirmer ma nouvelle adresse électronique", "valide": valide, "erreur": services.LIEN_INVALIDE,
        "texte": f"L'adresse {changement.nouvelle_adresse} deviendra celle de votre compte." if valide else "",
        "bouton": "Confirmer cette adresse"})


@login_required
def demande_confirmer(request, jeton):
    """The holder of an existing account confirms the role a gestionnaire accepted for his address."""
    if request.method == "POST":
        return _confirmer(request, lambda: services.confirmer_demande(request.user, jeton),
                          lambda demande: f"Rôle « {demande.get_role_display()} » ajouté à votre compte pour "
                                          f"{demande.structure.nom}.")
    try:
        demande = services.demande_a_confirmer(request.user, jeton)
    except ValidationError as erreur:
        return render(request, "comptes/confirmation.html", {
            "titre": "Confirmer un rôle demandé", "valide": False, "erreur": " ".join(erreur.messages)})
    return render(request, "comptes/confirmation.html", {
        "titre": "Confirmer un rôle demandé", "valide": True, "bouton": "Ajouter ce rôle à mon compte",
        "texte": f"Une demande d'accès faite avec votre adresse, acceptée par un gestionnaire, ajoute à votre "
                 f"compte le rôle « {demande.get_role_display()} » pour {demande.structure.nom}. "
                 "Confirmez seulement si cette demande vient de vous."})


class MotDePasseChanger(auth_views.PasswordChangeView):
    form_class = ChangementMotDePasseForm
    template_name = "comptes/formulaire.html"
    success_url = reverse_lazy("comptes:mon_compte")
    extra_context = {"titre": "Changer mon mot de passe", "bouton": "Changer mon mot de passe"}

    def form_valid(self, form):
        reponse = super().form_valid(form)
        messages.success(self.request, "Mot de passe modifié.")
        return reponse


@login_required
def cgu(request):
    version = settings.ROR_CGU_VERSION
    suite = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(suite, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        suite = ""
    form = CGUForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.accepter_cgu(request.user, version)
        messages.success(request, "Merci : conditions générales d'utilisation acceptées.")
        return redirect(suite or reverse("comptes:mon_compte"))
    return render(request, "comptes/cgu.html", {
        "form": form, "version": version, "suite": suite,
        "deja_acceptees": request.user.cgu_version == version,
        "ancienne_version": request.user.cgu_version and request.user.cgu_version != version})


# -- Mot de passe oublié / premier mot de passe (Django's token flow) -----------------

class Reinitialisation(auth_views.PasswordResetView):
    """Only queues the mail (comptes.tasks): the answer, and its timing, are the same for every address."""

    form_class = FormulaireReinitialisation
    template_name = "comptes/reinitialisation.html"
    success_url = reverse_lazy("comptes:reinitialisation_envoyee")

    def form_valid(self, form):
        envoyer_reinitialisation.delay(form.cleaned_data["email"], self.request.get_host(), self.request.is_secure())
        return redirect(self.get_success_url())


class ReinitialisationConfirmer(auth_views.PasswordResetConfirmView):
    form_class = NouveauMotDePasseForm
    template_name = "comptes/reinitialisation_confirmer.html"
    success_url = reverse_lazy("comptes:reinitialisation_terminee")


# -- Pro Santé Connect -----------------------------------------------------------

def _exiger_psc():
    if not oidc.est_configure():
        raise Http404("Pro Santé Connect n'est pas configuré sur ce portail.")


def psc_connexion(request):
    _exiger_psc()
    client = oidc.client()
    extra = {"acr_values": settings.ROR_PSC_ACR_VALUES} if settings.ROR_PSC_ACR_VALUES else {}
    return client.authorize_redirect(request, request.build_absolute_uri(reverse("comptes:psc_retour")), **extra)


def psc_retour(request):
    _exiger_psc()
    from authlib.integrations.base_client import OAuthError
    from authlib.jose.errors import JoseError
    from joserfc.errors import JoseError as JoserfcError

    client = oidc.client()
    try:
        jeton = client.authorize_access_token(request)
        claims = oidc.identite_verifiee(dict(jeton.get("userinfo") or {}), dict(client.userinfo(token=jeton)))
    except (OAuthError, JoseError, JoserfcError, ValueError, KeyError, OSError, RuntimeError) as erreur:
        services.noter_echec_psc(erreur, request.META.get("REMOTE_ADDR"))
        messages.error(request, "La connexion par Pro Santé Connect n'a pas abouti. Réessayez ou utilisez "
                                "votre identifiant et votre mot de passe.")
        return redirect("login")
    user = oidc.compte_correspondant(claims)
    if user is None:
        services.noter_psc_sans_compte(request.META.get("REMOTE_ADDR"))
        request.session["psc_identite"] = {"prenom": claims.get("given_name", ""),
                                           "nom": claims.get("family_name", ""), "email": claims.get("email", "")}
        messages.warning(request, "Aucun compte du portail ne correspond à votre identité Pro Santé Connect. "
                                  "Faites une demande d'accès : un gestionnaire la traitera.")
        return redirect("comptes:demande_acces")
    request.ror_methode_connexion = "pro_sante_connect"
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(settings.LOGIN_REDIRECT_URL)


class Connexion(auth_views.LoginView):
    """The login page, with the other ways in: Pro Santé Connect, forgotten password, access request."""

    template_name = "comptes/connexion.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "psc_configure": oidc.est_configure()}

    def form_invalid(self, form):
        attente = getattr(self.request, "ror_attente", 0)  # set by comptes.backends.AxesBackend
        if not attente:
            return super().form_invalid(form)
        form = self.get_form_class()(self.request, initial={"username": form.data.get("username", "")})
        messages.error(self.request, f"Trop de tentatives de connexion : réessayez dans {en_clair(attente)}.")
        return self.render_to_response(self.get_context_data(form=form), status=429)
