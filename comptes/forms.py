from django import forms
from django.contrib.auth import get_user_model
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm

from repertoire import access
from repertoire.models import Structure
from comptes.models import DemandeAcces

from .access import NIVEAUX_HABILITABLES
from . import services
from .services import DROITS

MAX_CANDIDATS = 20


def structures_habilitables():
    return Structure.objects.de_niveaux(*NIVEAUX_HABILITABLES)


def chercher_structures(texte: str):
    """EJ and EG by FINESS (exact) or by name (accents and case ignored)."""
    texte = (texte or "").strip()
    if not texte:
        return Structure.objects.none()
    qs = structures_habilitables()
    if texte.isdigit():
        return qs.filter(finess=texte)
    return qs.filter(nom__unaccent__icontains=texte).order_by("nom")


class ChoixStructureMixin:
    """A structure typed as text (name or FINESS); when several match, the form offers them as choices."""

    candidats = ()

    def choisir_structure(self, cleaned):
        structure = cleaned.get("structure")
        if structure:
            return structure
        if self.errors.get("structure_recherche"):
            return None
        trouvees = list(chercher_structures(cleaned.get("structure_recherche"))[:MAX_CANDIDATS + 1])
        if len(trouvees) == 1:
            cleaned["structure"] = trouvees[0]
            return trouvees[0]
        if not trouvees:
            self.add_error("structure_recherche", "Aucun établissement ni entité juridique ne correspond : "
                                                  "essayez le numéro FINESS ou une partie du nom.")
        else:
            self.candidats = trouvees[:MAX_CANDIDATS]
            self.add_error("structure", "Plusieurs structures correspondent : choisissez la vôtre ci-dessous"
                                        + (" (ou précisez la recherche)." if len(trouvees) > MAX_CANDIDATS else "."))
        return None


class DemandeAccesForm(ChoixStructureMixin, forms.ModelForm):
    structure_recherche = forms.CharField(label="Votre structure", max_length=250,
                                          help_text="Nom ou numéro FINESS de l'établissement ou de l'entité juridique")
    structure = forms.ModelChoiceField(structures_habilitables(), required=False, widget=forms.RadioSelect,
                                       label="Structure trouvée")

    class Meta:
        model = DemandeAcces
        fields = ["prenom", "nom", "email", "fonction", "role", "justification"]
        labels = {"email": "Adresse électronique professionnelle", "role": "Rôle demandé",
                  "justification": "Pourquoi avez-vous besoin de cet accès ?"}
        # The applicant's own identity: browsers may fill it in (RGAA 11.13, WCAG 1.3.5).
        widgets = {"justification": forms.Textarea(attrs={"rows": 4}),
                   "prenom": forms.TextInput(attrs={"autocomplete": "given-name"}),
                   "nom": forms.TextInput(attrs={"autocomplete": "family-name"}),
                   "email": forms.EmailInput(attrs={"autocomplete": "email"}),
                   "fonction": forms.TextInput(attrs={"autocomplete": "organization-title"})}

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        self.choisir_structure(cleaned)
        return cleaned

    def champs_demande(self) -> dict:
        champs = {f: self.cleaned_data[f] for f in self.Meta.fields}
        champs["structure"] = self.cleaned_data["structure"]
        return champs


class RefusForm(forms.Form):
    motif = forms.CharField(label="Motif du refus (envoyé au demandeur)", widget=forms.Textarea(attrs={"rows": 3}))


class DroitForm(ChoixStructureMixin, forms.Form):
    droit = forms.ChoiceField(label="Droit", choices=[(k, v[0]) for k, v in DROITS.items()])
    structure_recherche = forms.CharField(label="Structure", max_length=250,
                                          help_text="Nom ou numéro FINESS (entité juridique ou géographique)")
    structure = forms.ModelChoiceField(structures_habilitables(), required=False, widget=forms.RadioSelect,
                                       label="Structure trouvée")

    def clean(self):
        cleaned = super().clean()
        self.choisir_structure(cleaned)
        return cleaned


class GroupesForm(forms.Form):
    groupes = forms.MultipleChoiceField(label="Rôles", choices=[(g, g) for g in access.GROUPES], required=False,
                                        widget=forms.CheckboxSelectMultiple)


class RechercheUtilisateurForm(forms.Form):
    q = forms.CharField(label="Nom, identifiant ou adresse électronique", max_length=150, required=False)


class ReferentForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique du compte à nommer référent",
                             help_text="La personne doit déjà avoir un compte (sinon : demande d'accès).")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError("Aucun compte actif avec cette adresse : la personne doit d'abord "
                                        "faire une demande d'accès.")
        self.user = user
        return email


class CGUForm(forms.Form):
    accepte = forms.BooleanField(label="J'ai lu et j'accepte les conditions générales d'utilisation",
                                 error_messages={"required": "Cochez la case pour accepter les conditions."})


class EmailForm(forms.Form):
    email = forms.EmailField(label="Nouvelle adresse électronique professionnelle",
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    mot_de_passe = forms.CharField(label="Votre mot de passe actuel",
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_mot_de_passe(self):
        if not self.user.check_password(self.cleaned_data["mot_de_passe"]):
            raise forms.ValidationError("Mot de passe incorrect.")
        return ""


class ChangementMotDePasseForm(PasswordChangeForm):
    """Mon compte: the new password is saved (and recorded) by the service."""

    def save(self, commit=True):
        services.changer_mot_de_passe(self.user, self.cleaned_data["new_password1"])
        return self.user


class NouveauMotDePasseForm(SetPasswordForm):
    """The password chosen through a single-use link, saved (and recorded) by the service."""

    def save(self, commit=True):
        services.definir_mot_de_passe(self.user, self.cleaned_data["new_password1"])
        return self.user


class FormulaireReinitialisation(PasswordResetForm):
    """Also reaches accounts that have never chosen a password (accepted demande whose link expired)."""

    def get_users(self, email):
        return get_user_model()._default_manager.filter(email__iexact=email, is_active=True)

    def envoyer(self, domaine: str, https: bool) -> None:
        """Send the link to the accounts of this address (none: nothing sent), outside any request."""
        self.save(domain_override=domaine, use_https=https,
                  email_template_name="comptes/mails/reinitialisation.txt",
                  subject_template_name="comptes/mails/reinitialisation_sujet.txt",
                  extra_email_context={"ROR_SITE_TITLE": settings.ROR_SITE_TITLE})
