"""Weekly snapshots of the ANS requirements, for their trend on the dashboard."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReleveExigence(models.Model):
    """One requirement's count on one date, for one département and champ."""

    date = models.DateField(db_index=True)
    code = models.CharField("exigence", max_length=8)
    departement = models.CharField(max_length=3, blank=True)
    champ = models.CharField(max_length=20, blank=True)
    total = models.PositiveIntegerField()
    conformes = models.PositiveIntegerField()

    class Meta:
        ordering = ["date", "code", "departement", "champ"]
        constraints = [models.UniqueConstraint(fields=["date", "code", "departement", "champ"],
                                               name="releve_exigence_unique")]
        verbose_name = "relevé d'exigence ANS"

    def __str__(self):
        return f"{self.code} {self.date} {self.departement} {self.champ} : {self.conformes}/{self.total}"


class Perimetre(models.TextChoices):
    REGION = "region", "Toute la région"
    DEPARTEMENT = "departement", "Un département"
    CHAMP = "champ", "Un champ d'activité"
    EJ = "ej", "Une entité juridique (organisme gestionnaire)"


class Campagne(models.Model):
    """A verification campaign: the référents of a perimeter confirm or update their fiches (RE1.2)."""

    nom = models.CharField(max_length=200)
    perimetre = models.CharField("périmètre", max_length=12, choices=Perimetre.choices)
    valeur = models.CharField("code du département ou du champ", max_length=12, blank=True)
    ej = models.ForeignKey("repertoire.Structure", null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name="entité juridique")
    jours_relance = models.PositiveSmallIntegerField("relance du référent après (jours)", default=15)
    jours_escalade = models.PositiveSmallIntegerField("alerte du directeur après (jours)", default=30)
    lancee_le = models.DateTimeField("lancée le", default=timezone.now)
    lancee_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    close_le = models.DateTimeField("close le", null=True, blank=True)
    close_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-lancee_le", "-pk"]
        verbose_name = "campagne de vérification"

    def __str__(self):
        return self.nom

    @property
    def en_cours(self) -> bool:
        return self.close_le is None


class Traitement(models.TextChoices):
    RIEN_CHANGE = "rien_change", "Rien n'a changé"
    MODIFIEE = "modifiee", "Mise à jour"


class FicheCampagne(models.Model):
    """One fiche (EG or unit) to verify in a campaign; `eg` groups them for the progress."""

    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="fiches")
    structure = models.ForeignKey("repertoire.Structure", on_delete=models.CASCADE, related_name="+")
    eg = models.ForeignKey("repertoire.Structure", on_delete=models.CASCADE, related_name="+")
    traitee_le = models.DateTimeField("traitée le", null=True, blank=True)
    traitee_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    traitement = models.CharField(max_length=12, choices=Traitement.choices, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campagne", "structure"], name="fiche_campagne_unique")]
        indexes = [models.Index(fields=["campagne", "eg"])]
        verbose_name = "fiche d'une campagne"


class NatureEnvoi(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    RELANCE = "relance", "Relance"
    ESCALADE = "escalade", "Alerte au directeur"


class EnvoiCampagne(models.Model):
    """An e-mail of a campaign; at most one of each nature per person (reminders are not repeated)."""

    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="envois")
    destinataire = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nature = models.CharField(max_length=12, choices=NatureEnvoi.choices)
    envoye_le = models.DateTimeField(default=timezone.now)
    fiches = models.PositiveIntegerField("fiches en attente")

    class Meta:
        ordering = ["envoye_le"]
        constraints = [models.UniqueConstraint(fields=["campagne", "destinataire", "nature"],
                                               name="envoi_campagne_unique")]
