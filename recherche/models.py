"""The search index: one row per UO, denormalised from the offer so that a search is
one indexed scan (full text GIN, geographic GiST, filter arrays), never a walk through
the tree and its many-to-many tables.

Rows are written only by recherche/indexation.py (raw SQL, INSERT … SELECT).
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class UniteIndexee(models.Model):
    uo = models.OneToOneField("repertoire.Structure", primary_key=True, on_delete=models.CASCADE, related_name="+")
    eg = models.ForeignKey("repertoire.Structure", on_delete=models.CASCADE, related_name="+", db_index=True)
    ouverte = models.BooleanField(help_text="la UO et son EG sont ouvertes")
    nom_eg = models.CharField(max_length=250, blank=True, help_text="pour trier sans jointure")
    document = SearchVectorField()
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    departement = models.CharField(max_length=3, blank=True)
    age_min = models.PositiveSmallIntegerField(default=0)
    age_max = models.PositiveSmallIntegerField(default=150)
    discipline = models.CharField(max_length=3, blank=True)
    publics = ArrayField(models.BigIntegerField(), default=list)
    modes = ArrayField(models.BigIntegerField(), default=list)
    modalites = ArrayField(models.BigIntegerField(), default=list)
    aide_sociale = models.BooleanField(default=False)
    territoire = ArrayField(models.CharField(max_length=5), default=list)

    class Meta:
        verbose_name = "unité indexée pour la recherche"
        indexes = [
            GinIndex(fields=["document"], name="rech_document_gin"),
            GinIndex(fields=["territoire"], name="rech_territoire_gin"),
            models.Index(fields=["departement"], name="rech_departement"),
        ]


class Libelle(models.Model):
    """A label offered by the "Que recherchez-vous ?" autocomplete (types d'UO, activités…)."""

    libelle = models.CharField(max_length=400)
    normalise = models.CharField(max_length=400)
    source = models.CharField(max_length=40, help_text="type d'UO, activité, acte…")
    rang = models.PositiveSmallIntegerField(default=9, help_text="ordre d'affichage des sources")

    class Meta:
        indexes = [GinIndex(fields=["normalise"], name="rech_libelle_trgm", opclasses=["gin_trgm_ops"])]
        constraints = [models.UniqueConstraint(fields=["normalise", "source"], name="rech_libelle_unique")]


class Mot(models.Model):
    """A word of the labels and names, to correct one-letter typos in the query."""

    mot = models.CharField(max_length=100, primary_key=True)
    lexeme = models.CharField(max_length=100, db_index=True)

    class Meta:
        indexes = [GinIndex(fields=["mot"], name="rech_mot_trgm", opclasses=["gin_trgm_ops"])]
