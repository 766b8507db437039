"""Account actions: one function per user step, atomic, recorded in the audit log.

Rights are checked here (gestionnaires; a directeur for his référents). Rights on
structures go through repertoire.services.droits (accorder_droit / retirer_droit).
Audit rows name accounts by id (user:<pk>), never by e-mail or name.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from comptes.models import AcceptationCGU, ChangementAdresse, DemandeAcces
from repertoire import access
from repertoire.services import droits
from socle.audit import Action, journaliser

from .access import NIVEAUX_HABILITABLES, NOMMER_REFERENTS, peut
from .ralentissement import oublier_echecs

User = get_user_model()

# Rights that may be given on a structure, with their label and the global group that goes with them.
DROITS = {
    "referent": ("Référent structure", access.GROUPE_REFERENT),
    "directeur": ("Directeur", access.GROUPE_DIRECTEUR),
    "saisie_lits": ("Saisie des lits", None),
}
GROUPE_PAR_ROLE = {
    DemandeAcces.Role.CONSULTANT: access.GROUPE_CONSULTANT,
    DemandeAcces.Role.REFERENT: access.GROUPE_REFERENT,
    DemandeAcces.Role.DIRECTEUR: access.GROUPE_DIRECTEUR,
}


def cible(user) -> str:
    return f"user:{user.pk}"


def groupe(nom: str) -> Group:
    return Group.objects.get_or_create(name=nom)[0]


def lien_definir_mot_de_passe(user, base_url: str) -> str:
    """A single-use, expiring link (Django's password-reset token: it dies when the password changes)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("comptes:reinitialisation_confirmer", kwargs={"uidb64": uid, "token": token})


LIEN_INVALIDE = ("Ce lien n'est plus valable (déjà utilisé, expiré ou remplacé par un plus récent). "
                 "Recommencez la démarche depuis le portail.")
SEL_ADRESSE = "comptes.changement_adresse"
SEL_DEMANDE = "comptes.confirmation_demande"


def _lien_signe(base_url: str, nom_url: str, donnees: dict, sel: str) -> str:
    """A link carrying signed data; it expires with the password-reset links (PASSWORD_RESET_TIMEOUT)."""
    jeton = signing.dumps(donnees, salt=sel, compress=True)
    return base_url.rstrip("/") + reverse(nom_url, kwargs={"jeton": jeton})


def lire_jeton(jeton: str, sel: str) -> dict:
    try:
        return signing.loads(jeton, salt=sel, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError(LIEN_INVALIDE) from None


def _envoyer(sujet: str, gabarit: str, destinataire: str, contexte: dict) -> None:
    contexte = {"ROR_SITE_TITLE": settings.ROR_SITE_TITLE, **contexte}
    send_mail(f"[{settings.ROR_SITE_TITLE}] {sujet}", render_to_string(gabarit, contexte),
              settings.DEFAULT_FROM_EMAIL, [destinataire])


@transaction.atomic
def deposer_demande(**champs) -> DemandeAcces:
    demande = DemandeAcces(**champs)
    demande.full_clean()
    demande.save()
    journaliser(None, Action.DEMANDE_ACCES_RECUE, cible=f"demande:{demande.pk}",
                details={"structure": demande.structure_id, "role": demande.role})
    return demande


def _verrouiller_demande(demande: DemandeAcces) -> DemandeAcces:
    demande = DemandeAcces.objects.select_for_update().get(pk=demande.pk)
    if demande.statut != DemandeAcces.Statut.EN_ATTENTE:
        raise ValidationError("Cette demande a déjà été traitée.")
    return demande


@transaction.atomic
def accepter_demande(acteur, demande: DemandeAcces, base_url: str) -> User:
    """Create the account, give the requested role, mail a link to set a password.

    If the address already belongs to an account, nothing is given yet: anyone may type any
    address in a request, so the rights wait until the holder of that mailbox confirms
    (confirmer_demande), logged in to that very account.
    """
    access.exiger(acteur, access.ADMINISTRER)
    demande = _verrouiller_demande(demande)
    user = User.objects.filter(email__iexact=demande.email).first()
    nouveau = user is None
    if nouveau:
        user = User(username=demande.email.lower(), email=demande.email.lower(), first_name=demande.prenom,
                    last_name=demande.nom, fonction=demande.fonction)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        journaliser(acteur, Action.COMPTE_CREE, cible=cible(user), details={"demande": demande.pk})
    elif not user.is_active:
        raise ValidationError("Un compte désactivé existe avec cette adresse : réactivez-le depuis sa fiche.")
    demande.traitee_le = timezone.now()
    demande.traitee_par = acteur
    demande.compte = user
    if nouveau:
        _appliquer_demande(acteur, demande, user)
        contexte = {"user": user, "demande": demande, "lien": lien_definir_mot_de_passe(user, base_url)}
        gabarit = "comptes/mails/demande_acceptee.txt"
    else:
        demande.statut = DemandeAcces.Statut.A_CONFIRMER
        contexte = {"user": user, "demande": demande, "lien": _lien_signe(
            base_url, "comptes:demande_confirmer",
            {"d": demande.pk, "u": user.pk, "e": user.email.lower()}, SEL_DEMANDE)}
        gabarit = "comptes/mails/demande_a_confirmer.txt"
    demande.save()
    journaliser(acteur, Action.DEMANDE_ACCES_ACCEPTEE, cible=f"demande:{demande.pk}",
                details={"compte": user.pk, "confirmation_demandee": not nouveau})
    # Sent inside the transaction: if the mail cannot leave, nothing is accepted and the gestionnaire is told.
    _envoyer("Votre accès au ROR", gabarit, user.email, contexte)
    return user


def _appliquer_demande(acteur, demande: DemandeAcces, user) -> None:
    user.groups.add(groupe(GROUPE_PAR_ROLE[demande.role]))
    if demande.role in DROITS:
        droits.accorder_droit(acteur, user, demande.role, demande.structure)
    demande.statut = DemandeAcces.Statut.ACCEPTEE


def demande_a_confirmer(user, jeton: str) -> DemandeAcces:
    """The accepted request this link (sent to the account's mailbox) confirms, for this logged-in account."""
    donnees = lire_jeton(jeton, SEL_DEMANDE)
    demande = (DemandeAcces.objects.select_related("structure")
               .filter(pk=donnees.get("d"), compte_id=donnees.get("u"), statut=DemandeAcces.Statut.A_CONFIRMER)
               .first())
    if demande is not None and demande.compte_id != user.pk:
        raise ValidationError("Ce lien concerne un autre compte : connectez-vous avec le compte qui a reçu le "
                              "courriel.")
    if demande is None or not user.is_active or (user.email or "").lower() != donnees.get("e"):
        raise ValidationError(LIEN_INVALIDE)
    return demande


@transaction.atomic
def confirmer_demande(user, jeton: str) -> DemandeAcces:
    """The holder of the account confirms: the role accepted by the gestionnaire applies now."""
    demande = demande_a_confirmer(user, jeton)
    demande = DemandeAcces.objects.select_for_update().get(pk=demande.pk)
    if demande.statut != DemandeAcces.Statut.A_CONFIRMER:
        raise ValidationError(LIEN_INVALIDE)
    _appliquer_demande(demande.traitee_par, demande, user)
    demande.save(update_fields=["statut"])
    journaliser(user, Action.DEMANDE_ACCES_ACCEPTEE, cible=f"demande:{demande.pk}",
                details={"compte": user.pk, "confirmee_par_le_titulaire": True})
    return demande


@transaction.atomic
def refuser_demande(acteur, demande: DemandeAcces, motif: str) -> DemandeAcces:
    access.exiger(acteur, access.ADMINISTRER)
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError("Indiquez le motif du refus : il est envoyé au demandeur.")
    demande = _verrouiller_demande(demande)
    demande.statut = DemandeAcces.Statut.REFUSEE
    demande.motif_refus = motif
    demande.traitee_le = timezone.now()
    demande.traitee_par = acteur
    demande.save()
    journaliser(acteur, Action.DEMANDE_ACCES_REFUSEE, cible=f"demande:{demande.pk}")
    _envoyer("Votre demande d'accès au ROR", "comptes/mails/demande_refusee.txt", demande.email,
             {"demande": demande})
    return demande


def _exiger_habilitation(acteur, codename: str, structure) -> None:
    """Gestionnaires give and take every right; a directeur, the référents of his own EJ/EG."""
    if access.est_gestionnaire(acteur):
        return
    if codename != access.REFERENT or not peut(acteur, NOMMER_REFERENTS, structure):
        raise PermissionDenied("Seul le directeur de la structure (ou un gestionnaire) nomme ses référents.")


@transaction.atomic
def donner_droit(acteur, user, codename: str, structure) -> None:
    """A right on an EJ or EG (valid below it), with the global group that goes with it."""
    _exiger_habilitation(acteur, codename, structure)
    if codename not in DROITS:
        raise ValidationError("Droit inconnu.")
    if structure.niveau not in NIVEAUX_HABILITABLES:
        raise ValidationError("Les droits se donnent sur une entité juridique ou géographique.")
    if not user.is_active:
        raise ValidationError("Ce compte est désactivé.")
    droits.accorder_droit(acteur, user, codename, structure)
    nom_groupe = DROITS[codename][1]
    if nom_groupe:
        user.groups.add(groupe(nom_groupe))


@transaction.atomic
def enlever_droit(acteur, user, codename: str, structure) -> None:
    _exiger_habilitation(acteur, codename, structure)
    if codename not in DROITS:
        raise ValidationError("Droit inconnu.")
    droits.retirer_droit(acteur, user, codename, structure)


@transaction.atomic
def definir_groupes(acteur, user, noms: list[str]) -> None:
    """The global roles (groups) of an account."""
    access.exiger(acteur, access.ADMINISTRER)
    inconnus = set(noms) - set(access.GROUPES)
    if inconnus:
        raise ValidationError("Rôle inconnu.")
    avant = set(user.groups.values_list("name", flat=True))
    user.groups.set([groupe(nom) for nom in noms])
    access.oublier_droits(user)
    if avant != set(noms):
        journaliser(acteur, Action.ROLES_MODIFIES, cible=cible(user),
                    details={"ajoutes": sorted(set(noms) - avant), "retires": sorted(avant - set(noms))})


@transaction.atomic
def desactiver_compte(acteur, user) -> None:
    """Never delete: history keeps the name. A deactivated account can no longer log in."""
    access.exiger(acteur, access.ADMINISTRER)
    if user.pk == acteur.pk:
        raise ValidationError("Vous ne pouvez pas désactiver votre propre compte.")
    if user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        journaliser(acteur, Action.COMPTE_DESACTIVE, cible=cible(user))


@transaction.atomic
def reactiver_compte(acteur, user) -> None:
    access.exiger(acteur, access.ADMINISTRER)
    if not user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True
        journaliser(acteur, Action.COMPTE_REACTIVE, cible=cible(user))


@transaction.atomic
def accepter_cgu(user, version: str) -> None:
    AcceptationCGU.objects.create(user=user, version=version)
    user.cgu_version = version
    user.cgu_acceptees_le = timezone.now()
    user.save(update_fields=["cgu_version", "cgu_acceptees_le"])
    journaliser(user, Action.CGU_ACCEPTEES, cible=cible(user), details={"version": version})


def _adresse_prise(user, email: str) -> bool:
    return User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()


def changement_en_attente(user) -> ChangementAdresse | None:
    return user.changements_adresse.filter(confirme_le__isnull=True).first() if user.pk else None


@transaction.atomic
def demander_changement_email(user, email: str, base_url: str) -> ChangementAdresse:
    """Nothing changes yet: a signed link goes to the new address, a notice to the old one."""
    email = email.strip().lower()
    if email == (user.email or "").lower():
        raise ValidationError("C'est déjà votre adresse électronique.")
    if _adresse_prise(user, email):
        raise ValidationError("Cette adresse est déjà utilisée par un autre compte.")
    user.changements_adresse.filter(confirme_le__isnull=True).delete()  # the newest request replaces the others
    changement = ChangementAdresse.objects.create(user=user, nouvelle_adresse=email)
    lien = _lien_signe(base_url, "comptes:email_confirmer", {"c": changement.pk, "e": email}, SEL_ADRESSE)
    contexte = {"user": user, "nouvelle": email, "lien": lien}
    _envoyer("Confirmez votre nouvelle adresse électronique", "comptes/mails/adresse_a_confirmer.txt", email,
             contexte)
    if user.email:
        _envoyer("Changement d'adresse électronique demandé", "comptes/mails/adresse_changement_signale.txt",
                 user.email, contexte)
    return changement


@transaction.atomic
def confirmer_changement_email(user, jeton: str) -> str:
    """The link sent to the new address was followed (by the logged-in owner): the address changes."""
    donnees = lire_jeton(jeton, SEL_ADRESSE)
    changement = (ChangementAdresse.objects.select_for_update()
                  .filter(pk=donnees.get("c"), user=user, nouvelle_adresse=donnees.get("e"), confirme_le__isnull=True)
                  .first())
    if changement is None:
        raise ValidationError(LIEN_INVALIDE)
    if _adresse_prise(user, changement.nouvelle_adresse):
        raise ValidationError("Cette adresse est déjà utilisée par un autre compte.")
    changement.confirme_le = timezone.now()
    changement.save(update_fields=["confirme_le"])
    user.email = changement.nouvelle_adresse
    user.save(update_fields=["email"])
    journaliser(user, Action.EMAIL_MODIFIE, cible=cible(user))
    return user.email


def deverrouiller(acteur, tentative) -> None:
    """Lift an axes lockout (account + IP) before its 15 minutes."""
    access.exiger(acteur, access.ADMINISTRER)
    user = User.objects.filter(username=tentative.username).first()
    tentative.delete()
    journaliser(acteur, Action.DEVERROUILLAGE, cible=cible(user) if user else "compte:inconnu")


@transaction.atomic
def changer_mot_de_passe(user, mot_de_passe: str) -> None:
    """The user changes his own password (Mon compte)."""
    user.set_password(mot_de_passe)
    user.save(update_fields=["password"])
    journaliser(user, Action.MOT_DE_PASSE_MODIFIE, cible=cible(user))


@transaction.atomic
def definir_mot_de_passe(user, mot_de_passe: str) -> None:
    """The password chosen through a single-use link (forgotten password, first password).
    The link proved the mailbox: a lockout of this account is lifted (its owner gets back in)."""
    user.set_password(mot_de_passe)
    user.save(update_fields=["password"])
    journaliser(user, Action.MOT_DE_PASSE_DEFINI, cible=cible(user))
    if oublier_echecs(user.username):
        journaliser(user, Action.DEVERROUILLAGE, cible=cible(user), details={"par": "lien_reinitialisation"})


def noter_export_journal(acteur) -> None:
    """The audit journal was downloaded (its rows name people): that is recorded too."""
    access.exiger(acteur, access.ADMINISTRER)
    journaliser(acteur, Action.JOURNAL_EXPORTE, cible=cible(acteur))


def noter_echec_psc(erreur: Exception, adresse_ip: str | None) -> None:
    journaliser(None, Action.CONNEXION_PSC_ECHOUEE, details={"erreur": type(erreur).__name__}, adresse_ip=adresse_ip)


def noter_psc_sans_compte(adresse_ip: str | None) -> None:
    journaliser(None, Action.CONNEXION_PSC_SANS_COMPTE, adresse_ip=adresse_ip)
