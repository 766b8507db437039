"""Interoperability state: the ViaTrajectoire outbox (one row per published change,
with a stable id) and each EG's sync state. FHIR consumers' tokens are
repertoire.JetonApi (scope `fhir`)."""

import uuid

from django.db import models


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


class EtatExport(models.TextChoices):
    EN_COURS = "en_cours", "En cours"
    TERMINE = "termine", "Terminé"
    ERREUR = "erreur", "En erreur"


class ExportFhir(models.Model):
    """One FHIR Bulk Data `$export` of the offer (NDJSON per resource type), asked by a consumer token,
    built by a Celery task, its files kept until `expire_le`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    jeton = models.ForeignKey("repertoire.JetonApi", null=True, on_delete=models.SET_NULL, related_name="+")
    demande = models.CharField(max_length=500, help_text="la requête du consommateur")
    types = models.JSONField(default=list)
    depuis = models.DateTimeField(null=True, blank=True, help_text="_since")
    etat = models.CharField(max_length=10, choices=EtatExport.choices, default=EtatExport.EN_COURS)
    progression = models.CharField(max_length=120, blank=True)
    fichiers = models.JSONField(default=list, help_text="[{type, fichier, nombre}]")
    erreur = models.TextField(blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    termine_le = models.DateTimeField(null=True, blank=True)
    expire_le = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "export FHIR en masse"
