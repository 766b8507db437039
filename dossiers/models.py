"""Dossier collaboratif: structural changes drafted by a structure, validated by its
directeur, published by the GRADeS.

A dossier holds draft copies (`FicheBrouillon`) of the fiches of one structure (an EG
or an EJ, with everything below it): the fiche's fields and many-to-many code lists as
JSON, plus a snapshot of the live fiche when it was copied, so that publishing can tell
what the dossier changed from what someone else changed meanwhile. Opening writes one
light row per fiche; a fiche's fields are copied the first time someone opens or changes it
(`copiee`): a dossier on an EJ of thousands of fiches opens at once. Nothing touches the
live Répertoire until a gestionnaire publishes (dossiers/services.py).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from repertoire.models import Niveau, Structure


class EtatDossier(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    VALIDATION_DIRECTEUR = "validation_directeur", "En validation directeur"
    VALIDATION_GESTIONNAIRE = "validation_gestionnaire", "En validation gestionnaire"
    PUBLIE = "publie", "Publié"
    REJETE = "rejete", "Rejeté"
    ABANDONNE = "abandonne", "Abandonné"


ETATS_OUVERTS = [EtatDossier.BROUILLON, EtatDossier.VALIDATION_DIRECTEUR, EtatDossier.VALIDATION_GESTIONNAIRE]


class DossierCollaboratif(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="dossiers_collaboratifs",
                                  verbose_name="structure")
    etat = models.CharField("état", max_length=24, choices=EtatDossier.choices, default=EtatDossier.BROUILLON,
                            db_index=True)
    titre = models.CharField(max_length=300, blank=True)
    ouvert_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="ouvert par")
    ouvert_le = models.DateTimeField("ouvert le", default=timezone.now)
    modifie_le = models.DateTimeField("modifié le", default=timezone.now)
    clos_le = models.DateTimeField("clos le", null=True, blank=True)

    class Meta:
        verbose_name = "dossier collaboratif"
        verbose_name_plural = "dossiers collaboratifs"
        ordering = ["-modifie_le"]
        constraints = [
            # One open dossier per structure at a time.
            models.UniqueConstraint(fields=["structure"], condition=models.Q(etat__in=ETATS_OUVERTS),
                                    name="un_dossier_ouvert_par_structure"),
        ]

    def __str__(self):
        return f"{self.reference} – {self.structure.nom}"

    @property
    def reference(self) -> str:
        return f"Dossier collaboratif n° {self.pk}"

    @property
    def est_ouvert(self) -> bool:
        return self.etat in ETATS_OUVERTS

    @property
    def est_brouillon(self) -> bool:
        return self.etat == EtatDossier.BROUILLON


class StatutBrouillon(models.TextChoices):
    """The grey / green icon of a fiche inside the dossier."""

    INCHANGEE = "inchangee", "Non modifiée"
    EN_ATTENTE = "en_attente", "En attente"
    FINALISEE = "finalisee", "Finalisée"


class FicheBrouillon(models.Model):
    dossier = models.ForeignKey(DossierCollaboratif, on_delete=models.CASCADE, related_name="fiches")
    # The live fiche it copies (for a unit created in the dossier: the fiche publishing created).
    structure = models.ForeignKey(Structure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    creation = models.BooleanField("créée dans le dossier", default=False)
    niveau = models.CharField(max_length=2, choices=Niveau.choices)
    # Where the fiche sits (or will sit) in the live tree.
    parent = models.ForeignKey(Structure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    parent_initial = models.ForeignKey(Structure, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    # Under a fiche created in the same dossier (a unit of a new establishment): it has no live
    # fiche yet, publishing creates the parent first and then this one under it.
    parent_fiche = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="enfants_crees")
    donnees = models.JSONField("champs du brouillon", default=dict)
    reference = models.JSONField("fiche du Répertoire au moment de la copie", default=dict)
    version_copiee = models.PositiveIntegerField(null=True, blank=True)
    a_supprimer = models.BooleanField("à supprimer", default=False)
    # False until the fiche is first opened or changed: `donnees` and `reference` are empty,
    # the fiche is untouched (dossiers.services.copier_fiches fills them).
    copiee = models.BooleanField("copiée", default=True, db_default=True)  # db_default: older code inserting rows
    statut = models.CharField(max_length=10, choices=StatutBrouillon.choices, default=StatutBrouillon.INCHANGEE)
    profondeur = models.PositiveSmallIntegerField(default=0)
    modifiee_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    modifiee_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "fiche du dossier"
        verbose_name_plural = "fiches du dossier"
        ordering = ["id"]

    def __str__(self):
        return self.nom

    @property
    def nom(self) -> str:
        if not self.copiee and self.structure_id:  # not copied yet: the live name
            return self.structure.nom
        return self.donnees.get("nom") or "(sans nom)"

    @property
    def est_creation(self) -> bool:
        return self.creation

    @property
    def rattachement(self):
        """Where it sits: the live parent, or the fiche created in the dossier it sits under."""
        return self.parent_fiche if self.parent_fiche_id else self.parent

    @property
    def est_deplacee(self) -> bool:
        return not self.est_creation and self.parent_id != self.parent_initial_id

    @property
    def pictogramme(self) -> str:
        """What the fiche's icon says in the dossier, as words (never colour alone)."""
        if self.a_supprimer:
            return "Supprimée"
        if self.statut == StatutBrouillon.FINALISEE:
            return "Finalisée (nouvelle fiche)" if self.est_creation else "Finalisée (existe dans le répertoire)"
        if self.statut == StatutBrouillon.EN_ATTENTE:
            return "En attente"
        return "Standard"


class Transition(models.Model):
    """One step of the dossier's timeline: who did what, when, with which comment."""

    dossier = models.ForeignKey(DossierCollaboratif, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=80)
    etat_avant = models.CharField(max_length=24, choices=EtatDossier.choices, blank=True)
    etat_apres = models.CharField(max_length=24, choices=EtatDossier.choices)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    le = models.DateTimeField(default=timezone.now)
    commentaire = models.TextField(blank=True)

    class Meta:
        ordering = ["le", "id"]

    def __str__(self):
        return f"{self.action} ({self.le:%d/%m/%Y %H:%M})"
