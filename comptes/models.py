from django.conf import settings
from django.db import models

from socle.validateurs import UneLigneMixin


class DemandeAcces(UneLigneMixin, models.Model):
    """A request for an account (public form), accepted or refused by a gestionnaire."""

    class Role(models.TextChoices):
        CONSULTANT = "consultant", "Consultant (lecture seule)"
        REFERENT = "referent", "Référent de la structure"
        DIRECTEUR = "directeur", "Directeur de la structure"

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        # accepted for an address that already has an account: its holder confirms from that mailbox
        A_CONFIRMER = "a_confirmer", "Acceptée, en attente de confirmation du titulaire du compte"
        ACCEPTEE = "acceptee", "Acceptée"
        REFUSEE = "refusee", "Refusée"

    prenom = models.CharField("prénom", max_length=150)
    nom = models.CharField(max_length=150)
    email = models.EmailField("adresse électronique professionnelle")
    fonction = models.CharField(max_length=120, blank=True)
    structure = models.ForeignKey("repertoire.Structure", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("rôle demandé", max_length=20, choices=Role.choices)
    justification = models.TextField()
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.EN_ATTENTE, db_index=True)
    cree_le = models.DateTimeField("reçue le", auto_now_add=True)
    traitee_le = models.DateTimeField("traitée le", null=True, blank=True)
    traitee_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    motif_refus = models.TextField("motif du refus", blank=True)
    compte = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="demandes_acces")

    class Meta:
        db_table = "ror_demandeacces"  # created by the ground app before accounts had their own
        ordering = ["cree_le"]
        verbose_name = "demande d'accès"
        verbose_name_plural = "demandes d'accès"

    def __str__(self):
        return f"Demande n° {self.pk} ({self.get_statut_display()})"


class AcceptationCGU(models.Model):
    """Each acceptance of a version of the conditions générales d'utilisation (the user row keeps the last)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acceptations_cgu")
    version = models.CharField(max_length=20)
    acceptee_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "ror_acceptationcgu"
        ordering = ["-acceptee_le"]
        verbose_name = "acceptation des CGU"
        verbose_name_plural = "acceptations des CGU"


class ChangementAdresse(models.Model):
    """A new e-mail asked for on Mon compte. It replaces the old one only when the signed link
    sent to the new address is followed: nobody takes an address (and what comes with it) unproven."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="changements_adresse")
    nouvelle_adresse = models.EmailField("nouvelle adresse électronique")
    demande_le = models.DateTimeField("demandé le", auto_now_add=True)
    confirme_le = models.DateTimeField("confirmé le", null=True, blank=True)

    class Meta:
        ordering = ["-demande_le"]
        verbose_name = "changement d'adresse électronique"
        verbose_name_plural = "changements d'adresse électronique"
