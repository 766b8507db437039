"""Bed availability of critical-care units, after the national capacity model.

`Capacite` is the history: one row per figure entered (nature J187 × statut R330 ×
temporalité J189, with genre J190 and source J193), never updated nor deleted.
`SituationLits` is the current picture of a unit, one row per UO, kept in step by
disponibilites/services/enregistrement.py in the same transaction (the latest figure wins); the
board reads it alone. Région, département and EG are copied onto both tables:
joining a million UO through beds rows is too slow.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from nomenclatures.models import ConceptField

# Codes of the national value sets used here.
NATURE_LIT = "01"
STATUT_INSTALLE, STATUT_DISPONIBLE, STATUT_OCCUPE, STATUT_RESERVE, STATUT_FERME, STATUT_SUPPLEMENTAIRE = (
    "01", "02", "03", "04", "05", "06")
TEMPORALITE_COURANT = "01"
SOURCE_SAISIE_MANUELLE = "01"
SOURCE_BED_MANAGEMENT = "02"

# Statut (R330) → column of SituationLits holding its current figure.
COLONNES_PAR_STATUT = {
    STATUT_DISPONIBLE: "disponibles",
    STATUT_OCCUPE: "occupes",
    STATUT_RESERVE: "reserves",
    STATUT_FERME: "fermes",
    STATUT_SUPPLEMENTAIRE: "supplementaires",
}


class Capacite(models.Model):
    """One figure as entered: append-only."""

    uo = models.ForeignKey("repertoire.Structure", on_delete=models.PROTECT, related_name="capacites_lits",
                           verbose_name="unité opérationnelle")
    eg = models.ForeignKey("repertoire.Structure", null=True, on_delete=models.PROTECT, related_name="+")
    departement = models.ForeignKey("nomenclatures.Departement", null=True, on_delete=models.PROTECT,
                                    related_name="+")
    region = models.ForeignKey("nomenclatures.Region", null=True, on_delete=models.PROTECT, related_name="+")
    nature = ConceptField("J187", verbose_name="nature de la capacité")
    statut = ConceptField("R330", verbose_name="statut")
    temporalite = ConceptField("J189", verbose_name="temporalité")
    genre = ConceptField("J190", null=True, blank=True, verbose_name="genre")
    source = ConceptField("J193", verbose_name="source")
    nombre = models.PositiveIntegerField()
    date_maj = models.DateTimeField("date de la donnée")
    saisi_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="saisi par")
    # The API token (scope `lits`) that sent the figure; None when entered on the Saisie screen.
    jeton = models.ForeignKey("repertoire.JetonApi", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    enregistre_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "capacité (historique)"
        ordering = ["-date_maj", "-id"]
        indexes = [
            models.Index(fields=["uo", "date_maj"]),
            models.Index(fields=["departement", "date_maj"]),
            models.Index(fields=["region", "date_maj"]),
        ]
        constraints = [
            # The same fact sent twice (an API retry) is recorded once.
            models.UniqueConstraint(fields=["uo", "nature", "statut", "temporalite", "genre", "date_maj"],
                                    nulls_distinct=False, name="capacite_fait_unique"),
        ]

    def __str__(self):
        return f"{self.uo_id} {self.statut_id}={self.nombre} le {self.date_maj:%d/%m/%Y %H:%M}"


class SituationLits(models.Model):
    """Current beds of one unit: the latest figure per statut (temporalité courant)."""

    uo = models.OneToOneField("repertoire.Structure", primary_key=True, on_delete=models.CASCADE,
                              related_name="situation_lits")
    eg = models.ForeignKey("repertoire.Structure", null=True, on_delete=models.CASCADE, related_name="+")
    departement = models.ForeignKey("nomenclatures.Departement", null=True, on_delete=models.PROTECT,
                                    related_name="+")
    region = models.ForeignKey("nomenclatures.Region", null=True, on_delete=models.PROTECT, related_name="+")
    disponibles = models.PositiveIntegerField(null=True)
    disponibles_le = models.DateTimeField(null=True, db_index=True)
    occupes = models.PositiveIntegerField(null=True)
    occupes_le = models.DateTimeField(null=True)
    reserves = models.PositiveIntegerField(null=True)
    reserves_le = models.DateTimeField(null=True)
    fermes = models.PositiveIntegerField(null=True)
    fermes_le = models.DateTimeField(null=True)
    supplementaires = models.PositiveIntegerField(null=True)
    supplementaires_le = models.DateTimeField(null=True)
    saisi_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    source = ConceptField("J193", null=True)
    modifie_le = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "situation courante des lits"
        verbose_name_plural = "situations courantes des lits"


class UniteMarquee(models.Model):
    """A unit a gestionnaire adds to (suivie) or removes from (not suivie) the followed units."""

    uo = models.OneToOneField("repertoire.Structure", primary_key=True, on_delete=models.CASCADE,
                              related_name="marquage_lits")
    suivie = models.BooleanField(default=True)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    le = models.DateTimeField(default=timezone.now)


class SituationTension(models.Model):
    """A crisis declared by a gestionnaire: units must update within `frequence_heures`."""

    type_crise = ConceptField("J194", verbose_name="type de crise")
    departement = models.ForeignKey("nomenclatures.Departement", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="département (vide : toute la région)")
    frequence_heures = models.PositiveSmallIntegerField("fréquence de mise à jour attendue (heures)", default=4)
    commentaire = models.TextField(blank=True)
    debut = models.DateTimeField(default=timezone.now)
    fin = models.DateTimeField(null=True, blank=True)
    declaree_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    levee_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-debut"]
        verbose_name = "situation de tension"

    def __str__(self):
        territoire = self.departement.nom if self.departement_id else "toute la région"
        return f"{self.type_crise.libelle} — {territoire}"

    @property
    def active(self) -> bool:
        return self.fin is None


class Relance(models.Model):
    """An e-mail sent to a late unit's référents during a situation de tension."""

    situation = models.ForeignKey(SituationTension, on_delete=models.CASCADE, related_name="relances")
    uo = models.ForeignKey("repertoire.Structure", on_delete=models.CASCADE, related_name="+")
    envoyee_le = models.DateTimeField(default=timezone.now)
    destinataires = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["situation", "uo", "envoyee_le"])]

