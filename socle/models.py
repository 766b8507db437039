import json

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from .validateurs import UneLigneMixin


class User(UneLigneMixin, AbstractUser):
    """A portal account. Accounts are deactivated, never deleted (history keeps names)."""

    email = models.EmailField("adresse électronique professionnelle", unique=True, null=True, blank=True)
    rpps = models.CharField("numéro RPPS", max_length=11, blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    fonction = models.CharField(max_length=120, blank=True)
    cgu_version = models.CharField("version des CGU acceptée", max_length=20, blank=True)
    cgu_acceptees_le = models.DateTimeField("CGU acceptées le", null=True, blank=True)

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username


class Action(models.TextChoices):
    """Every action the audit journal records, with the label the gestionnaire reads.
    The codes are stored: never rename one (old rows keep it)."""

    # accounts and logins
    CONNEXION = "connexion", "Connexion"
    CONNEXION_ECHOUEE = "connexion_echouee", "Échec de connexion"
    COMPTE_VERROUILLE = "compte_verrouille", "Compte verrouillé (trop d'échecs)"
    DEVERROUILLAGE = "deverrouillage", "Compte déverrouillé"
    COMPTE_CREE = "compte_cree", "Compte créé"
    COMPTE_DESACTIVE = "compte_desactive", "Compte désactivé"
    COMPTE_REACTIVE = "compte_reactive", "Compte réactivé"
    DROIT_ACCORDE = "droit_accorde", "Droit accordé"
    DROIT_RETIRE = "droit_retire", "Droit retiré"
    ROLES_MODIFIES = "roles_modifies", "Rôles modifiés"
    DEMANDE_ACCES_RECUE = "demande_acces_recue", "Demande d'accès reçue"
    DEMANDE_ACCES_ACCEPTEE = "demande_acces_acceptee", "Demande d'accès acceptée"
    DEMANDE_ACCES_REFUSEE = "demande_acces_refusee", "Demande d'accès refusée"
    CGU_ACCEPTEES = "cgu_acceptees", "CGU acceptées"
    EMAIL_MODIFIE = "email_modifie", "Adresse électronique modifiée"
    MOT_DE_PASSE_MODIFIE = "mot_de_passe_modifie", "Mot de passe modifié"
    MOT_DE_PASSE_DEFINI = "mot_de_passe_defini", "Mot de passe choisi (lien reçu par courriel)"
    CONNEXION_PSC_ECHOUEE = "connexion_psc_echouee", "Échec de connexion Pro Santé Connect"
    CONNEXION_PSC_SANS_COMPTE = "connexion_psc_sans_compte", "Pro Santé Connect : aucun compte correspondant"
    JOURNAL_EXPORTE = "journal_exporte", "Journal exporté"
    # offer
    ANOMALIE_SIGNALEE = "anomalie_signalee", "Anomalie signalée"
    ANOMALIE_TRAITEE = "anomalie_traitee", "Anomalie traitée"
    GROUPEMENT_CREE = "groupement_cree", "Groupement (GHT) créé"
    # dossiers: one action per state a dossier enters (the code is "dossier_" + the state)
    DOSSIER_BROUILLON = "dossier_brouillon", "Dossier ouvert ou renvoyé au référent"
    DOSSIER_VALIDATION_DIRECTEUR = "dossier_validation_directeur", "Dossier envoyé en validation directeur"
    DOSSIER_VALIDATION_GESTIONNAIRE = "dossier_validation_gestionnaire", "Dossier envoyé en validation gestionnaire"
    DOSSIER_PUBLIE = "dossier_publie", "Dossier publié"
    DOSSIER_REJETE = "dossier_rejete", "Dossier rejeté"
    DOSSIER_ABANDONNE = "dossier_abandonne", "Dossier abandonné"
    # beds
    LITS_JETON_CREE = "disponibilites.jeton_cree", "Jeton d'envoi des lits créé"
    LITS_JETON_REVOQUE = "disponibilites.jeton_revoque", "Jeton d'envoi des lits révoqué"
    LITS_UNITE_SUIVIE = "disponibilites.unite_suivie", "Unité suivie en lits"
    LITS_UNITE_RETIREE = "disponibilites.unite_retiree", "Unité retirée du suivi des lits"
    TENSION_DECLAREE = "disponibilites.tension_declaree", "Situation de tension déclarée"
    TENSION_LEVEE = "disponibilites.tension_levee", "Situation de tension levée"
    TENSION_RELANCE = "disponibilites.relance", "Relance des lits (situation de tension)"
    # interoperability
    JETON_API_CREE = "jeton_api_cree", "Jeton d'API créé"
    JETON_API_REVOQUE = "jeton_api_revoque", "Jeton d'API révoqué"
    JETON_API_MODIFIE = "jeton_api_modifie", "Jeton d'API modifié (expiration, profil d'accès)"
    VIATRAJECTOIRE_RESYNCHRONISATION = "viatrajectoire_resynchronisation", "Resynchronisation ViaTrajectoire demandée"
    VIATRAJECTOIRE_REPRISE_EXISTANT = "viatrajectoire_reprise_existant", "Reprise de l'existant ViaTrajectoire"

    @classmethod
    def dossier(cls, etat: str) -> "Action":
        """The action of a dossier entering `etat`."""
        return cls(f"dossier_{etat}")


class JournalAudit(models.Model):
    """Who did what to accounts and rights (logins, rights given or withdrawn…)."""

    quand = models.DateTimeField(auto_now_add=True, db_index=True)
    acteur = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    action = models.CharField(max_length=60, db_index=True, choices=Action.choices)
    cible = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    adresse_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-quand"]
        verbose_name = "entrée du journal d'audit"
        verbose_name_plural = "journal d'audit"

    def __str__(self):
        return f"{self.quand:%d/%m/%Y %H:%M} {self.action} {self.cible}"

    @property
    def details_texte(self) -> str:
        """The details as a gestionnaire reads them (« clé : valeur ; … »), never Python's repr."""
        if not isinstance(self.details, dict):
            return _valeur_lisible(self.details)
        return " ; ".join(f"{cle} : {_valeur_lisible(valeur)}" for cle, valeur in self.details.items())


def _valeur_lisible(valeur) -> str:
    if valeur is None:
        return "—"
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, str | int | float):
        return str(valeur)
    return json.dumps(valeur, ensure_ascii=False)
