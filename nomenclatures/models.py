"""ANS reference tables (NOS) and the territories (régions, départements, communes).

The bottom layer: imports nothing of ours.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models


class Nomenclature(models.Model):
    """One NOS file: a jeu de valeurs (JDV_Jxx) or a terminologie (TRE_Rxxx)."""

    cle = models.CharField("clé", max_length=10, unique=True, help_text="J17, R213…")
    type = models.CharField(max_length=3, choices=[("JDV", "Jeu de valeurs"), ("TRE", "Terminologie")])
    nom_fichier = models.CharField("fichier", max_length=200)
    libelle = models.CharField("libellé", max_length=300, blank=True)
    oid = models.CharField("OID", max_length=80, blank=True)
    url = models.URLField(blank=True)
    charge_le = models.DateTimeField("chargée le", auto_now=True)

    class Meta:
        ordering = ["cle"]

    def __str__(self):
        return f"{self.cle} – {self.libelle or self.nom_fichier}"


class ConceptQuerySet(models.QuerySet):
    def du_jeu(self, cle: str):
        return self.filter(nomenclature__cle=cle)

    def actifs(self):
        return self.filter(actif=True)


class Concept(models.Model):
    """A code of a value set, keyed on (système, code) within its nomenclature."""

    nomenclature = models.ForeignKey(Nomenclature, on_delete=models.PROTECT, related_name="concepts")
    systeme = models.CharField("système de codes", max_length=80, help_text="OID ou nom de la TRE")
    code = models.CharField(max_length=40)
    libelle = models.CharField("libellé", max_length=400)
    libelle_court = models.CharField("libellé court", max_length=200, blank=True)
    date_debut = models.DateField("valide depuis", null=True, blank=True)
    date_fin = models.DateField("valide jusqu'au", null=True, blank=True)
    actif = models.BooleanField(default=True)

    objects = ConceptQuerySet.as_manager()

    class Meta:
        ordering = ["nomenclature__cle", "code"]
        constraints = [
            models.UniqueConstraint(fields=["nomenclature", "systeme", "code"], name="concept_unique_par_jeu"),
        ]
        indexes = [models.Index(fields=["nomenclature", "code"])]

    def __str__(self):
        return self.libelle


class _JeuDeValeurs:
    """Shared by the two typed fields: which value set, offered in forms, kept out of migrations' noise."""

    def _preparer(self, jeu, kwargs: dict) -> dict:
        self.jeu = jeu
        kwargs.setdefault("to", "nomenclatures.Concept")
        kwargs.setdefault("related_name", "+")
        if jeu:
            kwargs["limit_choices_to"] = {"nomenclature__cle": jeu}
        return kwargs

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["jeu"] = self.jeu
        kwargs.pop("limit_choices_to", None)
        return name, path, args, kwargs


class ConceptField(_JeuDeValeurs, models.ForeignKey):
    """A foreign key to a Concept of one value set (e.g. ConceptField("J55")).

    Forms only offer the codes of that set, and model validation refuses others.
    """

    def __init__(self, jeu=None, *args, **kwargs):
        kwargs.setdefault("on_delete", models.PROTECT)
        super().__init__(*args, **self._preparer(jeu, kwargs))

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if value is not None and self.jeu:
            if not Concept.objects.filter(pk=value, nomenclature__cle=self.jeu).exists():
                raise ValidationError(f"Ce code n'appartient pas au jeu de valeurs {self.jeu}.")


class ConceptsField(_JeuDeValeurs, models.ManyToManyField):
    """A many-to-many to Concepts of one value set (e.g. ConceptsField("J17"))."""

    def __init__(self, jeu=None, *args, **kwargs):
        kwargs.setdefault("blank", True)
        super().__init__(*args, **self._preparer(jeu, kwargs))


def verifier_jeu(concepts, jeu: str) -> None:
    """Raise ValidationError if any concept is not of value set `jeu`."""
    ids = [c.pk if isinstance(c, Concept) else c for c in concepts]
    intrus = Concept.objects.filter(pk__in=ids).exclude(nomenclature__cle=jeu)
    if intrus.exists() or Concept.objects.filter(pk__in=ids).count() != len(set(ids)):
        raise ValidationError(f"Codes hors du jeu de valeurs {jeu}.")


class Region(models.Model):
    code = models.CharField(max_length=3, primary_key=True)
    nom = models.CharField(max_length=100)

    class Meta:
        ordering = ["nom"]
        verbose_name = "région"

    def __str__(self):
        return self.nom


class Departement(models.Model):
    code = models.CharField(max_length=3, primary_key=True)
    nom = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")
    chef_lieu = models.CharField("chef-lieu (INSEE)", max_length=5, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self):
        return f"{self.code} – {self.nom}"


class Epci(models.Model):
    """An intercommunalité à fiscalité propre (CC, CA, CU, métropole), by its SIREN: a
    territoire d'intervention is often given as one."""

    code = models.CharField("SIREN", max_length=9, primary_key=True)
    nom = models.CharField(max_length=200)
    type = models.CharField(max_length=10, blank=True)
    nom_recherche = models.CharField(max_length=200, db_index=True)

    class Meta:
        ordering = ["nom"]
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"

    def __str__(self):
        return self.nom


class Commune(models.Model):
    code_insee = models.CharField("code INSEE", max_length=5, primary_key=True)
    nom = models.CharField(max_length=100)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    codes_postaux = ArrayField(models.CharField(max_length=5), default=list, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Lower-case name without accents, for prefix search ("st herblain" → "saint-herblain").
    nom_recherche = models.CharField(max_length=100, db_index=True)
    epci = models.ForeignKey(Epci, null=True, blank=True, on_delete=models.SET_NULL, related_name="communes",
                             verbose_name="EPCI")

    class Meta:
        ordering = ["nom"]
        indexes = [
            GinIndex(fields=["codes_postaux"], name="commune_cp_gin"),
            # FHIR near-insee-code (interop.parametres): the communes in a box, and those with half a
            # position (normally none); the table is written only by the reference import.
            models.Index(fields=["latitude", "longitude"], name="commune_position"),
            models.Index(fields=["code_insee"], name="commune_demi_position",
                         condition=models.Q(latitude__isnull=True, longitude__isnull=False)
                         | models.Q(latitude__isnull=False, longitude__isnull=True)),
        ]

    def __str__(self):
        cp = self.codes_postaux[0] if self.codes_postaux else self.departement_id
        return f"{self.nom} ({cp})"
