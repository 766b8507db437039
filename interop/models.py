"""Interoperability state: API tokens of FHIR consumers, the ViaTrajectoire
outbox (one row per published change, with a stable id) and each EG's sync state."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def empreinte(jeton: str) -> str:
    """SHA-256 of a token: tokens are long random strings, so a fast hash is enough."""
    return hashlib.sha256(jeton.encode()).hexdigest()


class JetonApi(models.Model):
    """An API token of one consumer of the FHIR API (ViaTrajectoire, Santé.fr, SAS…).

    Only its SHA-256 is stored; the token itself is shown once, at creation.
    """

    consommateur = models.CharField("consommateur", max_length=120)
    prefixe = models.CharField("début du jeton", max_length=12, help_text="pour le reconnaître dans la liste")
    empreinte = models.CharField(max_length=64, unique=True)
    cree_le = models.DateTimeField(default=timezone.now)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)
    revoque_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    derniere_utilisation = models.DateTimeField("dernière utilisation", null=True, blank=True)

    class Meta:
        ordering = ["revoque_le", "consommateur", "-cree_le"]
        verbose_name = "jeton d'accès à l'API"

    def __str__(self):
        return f"{self.consommateur} ({self.prefixe}…)"

    @property
    def actif(self) -> bool:
        return self.revoque_le is None


class EtatChangement(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente d'envoi"
    ENVOYE = "envoye", "Envoyé"
    REJETE = "rejete", "Refusé par ViaTrajectoire"
    REMPLACE = "remplace", "Remplacé par un envoi plus récent"


class ChangementSync(models.Model):
    """One published change of an EG or UO to send to ViaTrajectoire.

    `id` is the stable id sent with the change: the same change sent twice
    carries the same id, so the receiver can ignore the repeat. `cle` ties the
    change to its source (a history record), so collecting twice adds nothing.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cle = models.CharField(max_length=80, unique=True)
    structure_id = models.BigIntegerField(db_index=True)
    eg_id = models.BigIntegerField(db_index=True, help_text="l'EG de la structure (elle-même pour une EG)")
    niveau = models.CharField(max_length=2)
    suppression = models.BooleanField(default=False)
    date_changement = models.DateTimeField(db_index=True)
    origine = models.CharField(max_length=20, default="historique")
    etat = models.CharField(max_length=12, choices=EtatChangement.choices, default=EtatChangement.EN_ATTENTE,
                            db_index=True)
    tentatives = models.PositiveIntegerField(default=0)
    derniere_erreur = models.TextField(blank=True)
    derniere_tentative = models.DateTimeField(null=True, blank=True)
    envoye_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date_changement", "cle"]
        indexes = [models.Index(fields=["etat", "date_changement"])]
        verbose_name = "changement à synchroniser"


class CurseurSync(models.Model):
    """Up to which history date the outbox was filled (one row)."""

    nom = models.CharField(max_length=40, unique=True, default="viatrajectoire")
    history_date = models.DateTimeField(null=True, blank=True)


class EtatSync(models.TextChoices):
    JAMAIS = "jamais", "Jamais synchronisée"
    A_JOUR = "a_jour", "À jour"
    EN_ATTENTE = "en_attente", "En attente"
    EN_ERREUR = "en_erreur", "En erreur"


class EtatSyncEG(models.Model):
    """The ViaTrajectoire sync state of one EG (its UO included)."""

    eg = models.OneToOneField("repertoire.Structure", on_delete=models.CASCADE, related_name="etat_sync_viatrajectoire")
    etat = models.CharField(max_length=12, choices=EtatSync.choices, default=EtatSync.JAMAIS, db_index=True)
    message = models.TextField(blank=True)
    date_erreur = models.DateTimeField(null=True, blank=True)
    dernier_envoi = models.DateTimeField(null=True, blank=True)
    maj_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "état de synchronisation ViaTrajectoire"
