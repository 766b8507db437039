from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
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


class JournalAudit(models.Model):
    """Who did what to accounts and rights (logins, rights given or withdrawn…)."""

    quand = models.DateTimeField(auto_now_add=True, db_index=True)
    acteur = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    action = models.CharField(max_length=60, db_index=True)
    cible = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    adresse_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-quand"]
        verbose_name = "entrée du journal d'audit"
        verbose_name_plural = "journal d'audit"

    def __str__(self):
        return f"{self.quand:%d/%m/%Y %H:%M} {self.action} {self.cible}"
