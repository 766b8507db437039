"""FINESS import runs and their change reports."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class ImportFiness(models.Model):
    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        EN_COURS = "en_cours", "En cours"
        TERMINE = "termine", "Terminé"
        ECHEC = "echec", "Refusé"
        A_CONFIRMER = "a_confirmer", "À confirmer"
        ANNULE = "annule", "Annulé"

    class Origine(models.TextChoices):
        TELEVERSEMENT = "televersement", "Fichier téléversé"
        COMMANDE = "commande", "Commande import_finess"
        PLANIFIE = "planifie", "Import quotidien planifié"
        DEMONSTRATION = "demonstration", "Démonstration"

    cree_le = models.DateTimeField("lancé le", auto_now_add=True, db_index=True)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+", verbose_name="lancé par")
    origine = models.CharField(max_length=14, choices=Origine.choices, default=Origine.TELEVERSEMENT)
    fichier = models.FileField(upload_to="imports/finess/%Y/", blank=True)
    fichier_activites = models.FileField("flux activités", upload_to="imports/finess/%Y/", blank=True)
    chemin_activites = models.CharField("flux activités lu", max_length=500, blank=True)
    format = models.CharField(max_length=30, blank=True, help_text="csv, structures, activites ou structures + activites")
    chemin = models.CharField("fichier lu", max_length=500, blank=True, help_text="chemin du fichier importé")
    nom_fichier = models.CharField("nom du fichier", max_length=255, blank=True)
    empreinte = models.CharField("empreinte SHA-256", max_length=64, blank=True, db_index=True)
    perimetre = models.CharField("périmètre", max_length=200, blank=True)
    date_extraction = models.DateField("date de l'extraction", null=True, blank=True)
    statut = models.CharField(max_length=12, choices=Statut.choices, default=Statut.EN_ATTENTE, db_index=True)
    tache = models.CharField("tâche Celery", max_length=64, blank=True)
    erreur = models.TextField("motif du refus", blank=True)
    ligne_erreur = models.PositiveIntegerField("ligne en erreur", null=True, blank=True)
    element_erreur = models.CharField("élément en erreur", max_length=300, blank=True)
    # The preview: why the import waits for a gestionnaire, and the fingerprint of the changes
    # shown (a confirmation applies exactly these, or stops again if the Répertoire moved).
    motifs_confirmation = models.TextField("pourquoi confirmer", blank=True)
    empreinte_apercu = models.CharField(max_length=64, blank=True)
    confirme = models.BooleanField("confirmé", default=False)
    confirme_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="confirmé par")
    confirme_le = models.DateTimeField("confirmé le", null=True, blank=True)
    nb_lignes = models.PositiveIntegerField("lignes lues", default=0)
    nb_etablissements = models.PositiveIntegerField("établissements du périmètre", default=0)
    nb_nouveaux = models.PositiveIntegerField("nouveaux", default=0)
    nb_modifies = models.PositiveIntegerField("modifiés", default=0)
    nb_fermes = models.PositiveIntegerField("fermés", default=0)
    nb_rouverts = models.PositiveIntegerField("rouverts", default=0)
    nb_uo_proposees = models.PositiveIntegerField("unités pré-peuplées", default=0)
    nb_ignores = models.PositiveIntegerField("fermés dans FINESS, absents du Répertoire", default=0)
    nb_autorisations = models.PositiveIntegerField("autorisations lues", default=0)
    nb_autorisations_modifiees = models.PositiveIntegerField("autorisations nouvelles ou modifiées", default=0)
    nb_autorisations_retirees = models.PositiveIntegerField("autorisations retirées", default=0)
    nb_groupements = models.PositiveIntegerField("groupements créés, modifiés ou retirés", default=0)

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = "import FINESS"
        verbose_name_plural = "imports FINESS"

    def __str__(self):
        return f"Import FINESS du {self.cree_le:%d/%m/%Y %H:%M}"

    def get_absolute_url(self):
        return reverse("imports:detail", args=[self.pk])

    @property
    def est_fini(self) -> bool:
        return self.statut in {self.Statut.TERMINE, self.Statut.ECHEC, self.Statut.A_CONFIRMER, self.Statut.ANNULE}

    @property
    def a_confirmer(self) -> bool:
        return self.statut == self.Statut.A_CONFIRMER

    @property
    def nb_changements(self) -> int:
        return (self.nb_nouveaux + self.nb_modifies + self.nb_fermes + self.nb_rouverts
                + self.nb_autorisations_modifiees + self.nb_autorisations_retirees)


class Changement(models.Model):
    """One line of the change report: a new, closed or reopened structure, or one changed field."""

    class Type(models.TextChoices):
        NOUVEAU = "nouveau", "Nouveau"
        MODIFIE = "modifie", "Modifié"
        FERME = "ferme", "Fermé"
        ROUVERT = "rouvert", "Rouvert"
        AUTORISATION = "autorisation", "Autorisation"

    import_finess = models.ForeignKey(ImportFiness, on_delete=models.CASCADE, related_name="changements")
    type = models.CharField(max_length=12, choices=Type.choices, db_index=True)
    niveau = models.CharField(max_length=2)
    structure = models.ForeignKey("repertoire.Structure", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    finess = models.CharField("numéro FINESS", max_length=9)
    nom = models.CharField(max_length=250)
    champ = models.CharField(max_length=40, blank=True)
    libelle_champ = models.CharField("champ", max_length=80, blank=True)
    avant = models.TextField(blank=True)
    apres = models.TextField("après", blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["import_finess", "type"])]

    def __str__(self):
        return f"{self.get_type_display()} {self.finess} {self.libelle_champ}"


class EmpreinteActivites(models.Model):
    """One element (an EJ) of the activités flux as the last import applied it: the digest of
    its bytes, what was kept of it, and the authorisations table's checksum then. The next
    import passes over an element whose bytes and perimeter are the same (its authorisations
    are already stored as it says) without reading it: an unchanged national flux is ~250,000
    activities. A checksum that no longer matches the table (a row changed elsewhere) voids
    them all."""

    empreinte = models.CharField(max_length=32, unique=True)  # BLAKE2b-128 of the element's bytes, hex
    finess_ej = models.CharField(max_length=9)
    egs = models.TextField(blank=True)  # its EG, space-separated
    gardes = models.TextField(blank=True)  # those in the perimeter then
    ej_dedans = models.BooleanField(default=False)  # its EJ's own activities kept then
    nb = models.PositiveIntegerField(default=0)  # activities kept
    controle = models.CharField(max_length=40)

    class Meta:
        verbose_name = "empreinte du flux activités"


class EmpreinteStructures(models.Model):
    """One element (an EJ) of the structures flux as the last import applied it: the digest of
    its bytes, its EG, and for those of the perimeter their département, state and the digest
    of their Répertoire row (FINESS fields, state, EJ) after that import. The next import
    passes over an element with the same bytes whose EG rows are still those (applying it
    again would change nothing), without reading it; `controle` (the perimeter, the
    nomenclatures read, FINESS's register) voids them all when it moves."""

    empreinte = models.CharField(max_length=32, unique=True)  # BLAKE2b-128 of the element's bytes, hex
    finess_ej = models.CharField(max_length=9)
    egs = models.TextField(blank=True)
    gardes = models.TextField(blank=True)  # « EG|département|0 or 1 (closed)|row digest or empty », space-separated
    controle = models.CharField(max_length=64)

    class Meta:
        verbose_name = "empreinte du flux structures"
