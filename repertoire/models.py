"""The offer: one tree EJ → EG → [organisation interne] → UO.

All levels live in one MPTT table, `Structure`, so the tree, the rights that flow
down it and the history are one mechanism; `EntiteJuridique`, `EntiteGeographique`,
`OrganisationInterne` and `UniteOperationnelle` are proxies that name each level.
Writes go through the repertoire/services/ package.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
import simple_history
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from nomenclatures.models import Commune, ConceptField, ConceptsField
from socle.validateurs import UneLigneMixin

from . import schema


class Niveau(models.TextChoices):
    EJ = "EJ", "Entité juridique"
    EG = "EG", "Entité géographique"
    OI = "OI", "Organisation interne"
    UO = "UO", "Unité opérationnelle"


# Which level may sit under which: a UO is never directly under an EJ.
PARENTS_AUTORISES = {
    Niveau.EJ: {None},
    Niveau.EG: {Niveau.EJ},
    Niveau.OI: {Niveau.EG, Niveau.OI},
    Niveau.UO: {Niveau.EG, Niveau.OI},
}


class Discipline(models.TextChoices):
    """The portal's disciplines / champs, used as filters in every screen."""

    MCO = "MCO", "Médecine, chirurgie, obstétrique (MCO)"
    PSY = "PSY", "Psychiatrie (PSY)"
    SMA = "SMA", "Santé mentale des adolescents (SMA)"
    SMR = "SMR", "Soins médicaux et de réadaptation (SSR/SMR)"
    SLD = "SLD", "Soins de longue durée (SLD)"
    MSS = "MSS", "Médico-social et social (MSS)"
    VIL = "VIL", "Médecine de ville, CPTS, maisons de santé (VIL)"


class Etat(models.TextChoices):
    OUVERT = "ouvert", "Ouvert"
    FERME = "ferme", "Fermé"


class StatutFiche(models.TextChoices):
    """The pictogram of a fiche in the Répertoire (set by dossiers collaboratifs)."""

    STANDARD = "standard", "Standard"
    MODIFICATION = "modification", "En cours de modification"
    CREATION = "creation", "En cours de création"
    FINALISEE = "finalisee", "Finalisée"
    SUPPRIMEE = "supprimee", "Supprimée"
    DEPLACEE = "deplacee", "Déplacée"


def q_sous(structure, *, inclus: bool = False, prefixe: str = "") -> Q:
    """Rows under `structure` (anything with tree_id, lft, rght) in its tree: its MPTT interval.
    `prefixe` ("structure__") filters rows that point to a structure."""
    egal = "e" if inclus else ""
    return Q(**{f"{prefixe}tree_id": structure.tree_id, f"{prefixe}lft__gt{egal}": structure.lft,
                f"{prefixe}rght__lt{egal}": structure.rght})


class StructureQuerySet(TreeQuerySet):
    """The words the code uses for sets of structures: `.uo().ouvertes().sous(eg)`."""

    def ej(self):
        return self.filter(niveau=Niveau.EJ)

    def eg(self):
        return self.filter(niveau=Niveau.EG)

    def oi(self):
        return self.filter(niveau=Niveau.OI)

    def uo(self):
        return self.filter(niveau=Niveau.UO)

    def de_niveaux(self, *niveaux):
        return self.filter(niveau__in=niveaux)

    def ouvertes(self):
        return self.filter(etat=Etat.OUVERT)

    def sous(self, structure, *, inclus: bool = False):
        """The descendants of `structure` (itself too with `inclus`), by its MPTT interval."""
        return self.filter(q_sous(structure, inclus=inclus))

    def de_la_region(self):
        """In the départements of the served region (settings.ROR_REGION_CODE); all of them when unset."""
        if not settings.ROR_REGION_CODE:
            return self
        return self.filter(departement__region_id=settings.ROR_REGION_CODE)


class StructureManager(TreeManager.from_queryset(StructureQuerySet)):
    pass


telephone_validator = RegexValidator(
    r"^\+?[0-9 .()-]{6,20}$", "Saisissez un numéro de téléphone (chiffres, espaces, points ou tirets)."
)
finess_validator = RegexValidator(r"^[0-9][0-9AB][0-9]{7}$", "Un numéro FINESS compte 9 caractères.")


class Structure(UneLigneMixin, MPTTModel):
    objects = StructureManager()

    # niveau, ej, eg and the tree number have no index of their own: the composite indexes that
    # start with them (Meta.indexes, MPTT's (tree_id, lft)) answer the same lookups, and each
    # index is one more entry to write for every row a publication rewrites (13,431 for an EJ).
    niveau = models.CharField(max_length=2, choices=Niveau.choices)
    parent = TreeForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="enfants")
    tree_id = models.PositiveIntegerField(editable=False)  # as MPTT declares it, without its own index
    # Denormalised ancestors: every search and board joins a UO to its EG and EJ,
    # and walking the MPTT ancestors per row is too slow at a million UO.
    ej = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                           verbose_name="entité juridique", db_index=False)
    eg = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                           verbose_name="entité géographique", db_index=False)

    # Identification
    nom = models.CharField("nom", max_length=250)
    nom_officiel = models.CharField("nom officiel", max_length=250, blank=True)
    finess = models.CharField("numéro FINESS", max_length=9, blank=True, db_index=True,
                              validators=[finess_validator])
    siren = models.CharField("SIREN", max_length=9, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    statut_juridique = ConceptField("J173", null=True, blank=True, verbose_name="statut juridique")
    categorie = ConceptField("J55", null=True, blank=True, verbose_name="catégorie d'établissement")
    type_oi = ConceptField("J203", null=True, blank=True, verbose_name="type d'organisation interne")
    type_uo = ConceptField("J34", null=True, blank=True, verbose_name="type d'unité (catégorie d'organisation)")
    champ = ConceptField("J20", null=True, blank=True, verbose_name="champ d'activité")
    discipline = models.CharField(max_length=3, choices=Discipline.choices, blank=True, db_index=True)
    etat = models.CharField("état", max_length=6, choices=Etat.choices, default=Etat.OUVERT, db_index=True)
    date_ouverture = models.DateField("date d'ouverture", null=True, blank=True)
    date_fermeture = models.DateField("date de fermeture", null=True, blank=True)
    pre_peuplee = models.BooleanField("pré-peuplée, à vérifier", default=False)
    unite_sensible = models.BooleanField("unité sensible", default=False)
    commentaire = models.TextField(blank=True)

    # Adresse (a UO without its own address uses its EG's)
    numero_voie = models.CharField("numéro de voie", max_length=10, blank=True)
    type_voie = ConceptField("J219", null=True, blank=True, verbose_name="type de voie")
    voie = models.CharField("libellé de la voie", max_length=200, blank=True)
    complement_adresse = models.CharField("complément d'adresse", max_length=200, blank=True)
    lieu_dit = models.CharField("lieu-dit / boîte postale", max_length=200, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(Commune, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    departement = models.ForeignKey("nomenclatures.Departement", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", db_index=True, verbose_name="département")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    # Contacts of the structure itself
    telephone = models.CharField("téléphone", max_length=20, blank=True, validators=[telephone_validator])
    fax = models.CharField(max_length=20, blank=True, validators=[telephone_validator])
    email = models.EmailField("adresse électronique", blank=True)
    site_web = models.URLField("site internet", blank=True)
    accessibilite = ConceptField("J50", null=True, blank=True, verbose_name="accessibilité du lieu")
    aides_financieres = ConceptsField("J31", verbose_name="aides financières")

    # Offre (UO)
    activites = ConceptsField("J17", related_name="structures_activite", verbose_name="activités opérationnelles")
    actes = ConceptsField("J16", verbose_name="actes spécifiques")
    equipements = ConceptsField("J18", verbose_name="équipements spécifiques")
    specialisations = ConceptsField("J35", verbose_name="spécialisations de prise en charge")
    competences = ConceptsField("J33", verbose_name="compétences spécifiques")
    professions = ConceptsField("J186", verbose_name="professions ressources")
    specialites_ordinales = ConceptsField("J210", verbose_name="spécialités ordinales")
    modes_prise_en_charge = ConceptsField("R213", verbose_name="modes de prise en charge")
    temporalites_accueil = ConceptsField("J30", verbose_name="temporalités d'accueil")
    modalites_accueil = ConceptsField("J226", verbose_name="modalités d'accueil et d'accès")
    publics = ConceptsField("J29", verbose_name="publics pris en charge")
    ouverture_annuelle = ConceptField("J28", null=True, blank=True, verbose_name="ouverture annuelle")
    niveau_expertise = ConceptField("J227", null=True, blank=True, verbose_name="niveau d'expertise")
    # The guide's familleActiviteOperationnelle (J51): the NOS gives no activity → family link, so it is
    # entered, one per unit (every offer of the unit carries it); required for médico-social offers.
    famille_activite = ConceptField("J51", null=True, blank=True, db_index=False,
                                    verbose_name="famille d'activités opérationnelles")
    conditions_admission = models.TextField("conditions d'admission et d'accueil", blank=True)

    # Patientèle
    age_min = models.PositiveSmallIntegerField("âge minimum", null=True, blank=True,
                                               validators=[MaxValueValidator(150)])
    age_max = models.PositiveSmallIntegerField("âge maximum", null=True, blank=True,
                                               validators=[MaxValueValidator(150)])

    # Capacité (installed; beds availability lives in disponibilites)
    lits_installes = models.PositiveIntegerField("lits installés", null=True, blank=True)
    places_installees = models.PositiveIntegerField("places installées", null=True, blank=True)
    # The place (Location): its function (J198) and its housing (J32, the guide's residential capacity).
    # No index: columns added to a million rows must migrate at once; nothing searches them yet.
    fonction_lieu = ConceptField("J198", null=True, blank=True, db_index=False, verbose_name="fonction du lieu")
    type_habitation = ConceptField("J32", null=True, blank=True, db_index=False, verbose_name="type d'habitation")
    nombre_habitations = models.PositiveIntegerField("nombre d'habitations", null=True, blank=True)
    patients_par_unite_temps = models.PositiveIntegerField("patients par unité de temps", null=True, blank=True)
    places_aide_sociale = models.PositiveIntegerField("places habilitées à l'aide sociale", null=True, blank=True)
    habilitation_aide_sociale = models.BooleanField("habilitée à l'aide sociale", null=True, blank=True)
    tarif_mensuel = models.DecimalField("tarification mensuelle (€)", max_digits=8, decimal_places=2,
                                        null=True, blank=True, validators=[MinValueValidator(0)])

    # Territoire d'intervention (home services, SSIAD, SAAD, CPTS, DAC)
    territoire = models.ManyToManyField(Commune, blank=True, related_name="structures_intervenant",
                                        verbose_name="territoire d'intervention")

    photo = models.ImageField(upload_to="photos/%Y/", blank=True)

    # Verification and concurrency
    # The FINESS authorisation a UO serves (regulated offers: réanimation, urgences…).
    autorisation = models.ForeignKey("AutorisationFiness", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="unites", verbose_name="autorisation FINESS servie")
    date_verification = models.DateTimeField("dernière vérification", null=True, blank=True)
    verifie_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    version = models.PositiveIntegerField(default=1, help_text="incrémentée à chaque écriture (pas de mise à jour perdue)")
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    modifie_le = models.DateTimeField(default=timezone.now, db_index=True)

    class MPTTMeta:
        order_insertion_by = ["nom"]

    class Meta:
        verbose_name = "structure"
        permissions = [
            ("referent", "Référent de la structure"),
            ("directeur", "Directeur de la structure"),
            ("saisie_lits", "Saisie des lits disponibles"),
        ]
        indexes = [
            models.Index(fields=["eg", "niveau"]),
            models.Index(fields=["ej", "niveau"]),
            models.Index(fields=["niveau", "departement"]),
            models.Index(fields=["niveau", "nom", "id"], name="structure_niveau_nom"),  # the tree, A–Z
            GinIndex(fields=["nom"], name="structure_nom_trgm", opclasses=["gin_trgm_ops"]),
            # FHIR near / near-insee-code (interop.parametres): the positions in a box, each side of the
            # served position (a unit's own, its EG's). Partial: only located rows (EJ, EG, the few units
            # with their own) write an entry; the other units cost nothing.
            models.Index(fields=["latitude", "longitude"], name="structure_position",
                         condition=models.Q(latitude__isnull=False, longitude__isnull=False)),
            # Half a position (a latitude without longitude or the reverse): normally empty, so that the
            # proximity search finds these rows without reading the table.
            models.Index(fields=["id"], name="structure_demi_position",
                         condition=models.Q(latitude__isnull=True, longitude__isnull=False)
                         | models.Q(latitude__isnull=False, longitude__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True) | models.Q(age_max__isnull=True)
                | models.Q(age_min__lte=models.F("age_max")),
                name="structure_age_min_inferieur_max",
            ),
        ]

    # The pictogram a dossier collaboratif gives its fiches, kept apart (PictogrammeFiche): marking
    # the thousands of fiches of a large EJ then writes a narrow table, not this wide, indexed one.
    @property
    def statut_fiche(self) -> str:
        if not hasattr(self, "_statut_fiche"):
            self._statut_fiche = PictogrammeFiche.objects.filter(structure_id=self.pk).values_list(
                "statut", flat=True).first() or StatutFiche.STANDARD if self.pk else StatutFiche.STANDARD
        return self._statut_fiche

    @statut_fiche.setter
    def statut_fiche(self, valeur) -> None:  # an annotation (lecture.noeuds) sets it
        self._statut_fiche = valeur or StatutFiche.STANDARD

    def get_statut_fiche_display(self) -> str:
        return StatutFiche(self.statut_fiche).label

    def __str__(self):
        return self.nom

    # -- rules -------------------------------------------------------------
    # What clean() reads: a bulk write (services.offre.modifier_structures) reads only these and
    # the fields it writes, not the whole wide rows; a field missing here is one query per fiche.
    CHAMPS_DE_CLEAN = {"niveau", "parent", "age_min", "age_max", "nombre_habitations", "type_habitation"}

    def clean(self):
        parent_niveau = self.parent.niveau if self.parent_id else None
        if parent_niveau not in PARENTS_AUTORISES.get(self.niveau, set()):
            attendu = ", ".join(sorted(n or "aucun" for n in PARENTS_AUTORISES.get(self.niveau, set())))
            raise ValidationError({"parent": f"Une {self.get_niveau_display().lower()} ne peut être placée "
                                             f"que sous : {attendu}."})
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValidationError({"age_min": "L'âge minimum doit être inférieur ou égal à l'âge maximum."})
        if self.nombre_habitations is not None and not self.type_habitation_id:
            # The guide's residential capacity needs its type (residentialType 1..1).
            raise ValidationError({"type_habitation": "Indiquez le type d'habitation du nombre d'habitations saisi."})

    def save(self, *args, **kwargs):
        self.clean()
        self._set_ancetres()
        super().save(*args, **kwargs)

    def _set_ancetres(self):
        parent = self.parent
        if self.niveau == Niveau.EJ:
            self.ej, self.eg = None, None
        elif self.niveau == Niveau.EG:
            self.ej_id = parent.pk
            self.eg = None
        else:
            self.ej_id = parent.ej_id
            self.eg_id = parent.pk if parent.niveau == Niveau.EG else parent.eg_id
        if not self.departement_id and self.commune_id:
            self.departement_id = self.commune.departement_id

    # -- reading helpers ---------------------------------------------------
    @property
    def code_niveau(self) -> str:
        """Level code shown in the tree: EJ, EG, P, S, UF, UE or UO."""
        if self.niveau == Niveau.OI and self.type_oi_id:
            return {"1": "P", "2": "S", "3": "UF", "4": "UE"}.get(self.type_oi.code, "OI")
        return self.niveau

    @property
    def est_ferme(self) -> bool:
        return self.etat == Etat.FERME

    @property
    def code_patientele(self) -> str:
        """Short patientèle code from the ages: E (enfants), A (adultes), PA (personnes âgées)…"""
        return code_patientele(self.age_min, self.age_max)


def code_patientele(age_min, age_max) -> str:
    if age_min is None and age_max is None:
        return ""
    lo = age_min or 0
    hi = 150 if age_max is None else age_max
    groupes = []
    if lo < 18:
        groupes.append("E")
    if hi >= 18 and lo < 60:
        groupes.append("A")
    if hi >= 60:
        groupes.append("PA")
    if lo == 0 and hi >= 60:
        return "T"
    return "/".join(groupes)


LIBELLES_PATIENTELE = {"E": "Enfants", "A": "Adultes", "PA": "Personnes âgées", "T": "Tous âges"}


class NiveauManager(models.Manager.from_queryset(StructureQuerySet)):
    """The manager of a level's proxy: the structures of that level, with the same words.
    Not a TreeManager: MPTT would take it as the proxy's tree manager, and a UO's
    ancestors (EG, EJ) would then be searched among UOs only."""

    def __init__(self, niveau):
        super().__init__()
        self.niveau = niveau

    def get_queryset(self):
        return super().get_queryset().filter(niveau=self.niveau)


class EntiteJuridique(Structure):
    objects = NiveauManager(Niveau.EJ)

    class Meta:
        proxy = True
        verbose_name = "entité juridique"


class EntiteGeographique(Structure):
    objects = NiveauManager(Niveau.EG)

    class Meta:
        proxy = True
        verbose_name = "entité géographique"


class OrganisationInterne(Structure):
    objects = NiveauManager(Niveau.OI)

    class Meta:
        proxy = True
        verbose_name = "organisation interne"


class UniteOperationnelle(Structure):
    objects = NiveauManager(Niveau.UO)

    class Meta:
        proxy = True
        verbose_name = "unité opérationnelle"


class Contact(UneLigneMixin, models.Model):
    """A contact of a structure: secrétariat, téléphone médical, responsable d'UO, directeur…"""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="contacts")
    fonction = ConceptField("J220", null=True, blank=True, verbose_name="fonction")
    libelle = models.CharField("nature du contact", max_length=120, blank=True,
                               help_text="Secrétariat, accueil, téléphone médical…")
    civilite = ConceptField("J207", null=True, blank=True, verbose_name="civilité")
    titre = models.CharField(max_length=80, blank=True)
    nom = models.CharField(max_length=120, blank=True)
    prenom = models.CharField("prénom", max_length=120, blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True, validators=[telephone_validator])
    email = models.EmailField("adresse électronique", blank=True)
    confidentialite = ConceptField("J222", null=True, blank=True, verbose_name="confidentialité")
    est_responsable = models.BooleanField("responsable de l'unité", default=False)

    class Meta:
        ordering = ["-est_responsable", "id"]

    def __str__(self):
        return " ".join(x for x in [self.libelle, self.prenom, self.nom] if x) or "Contact"


class Jour(models.IntegerChoices):
    LUNDI = 1, "Lundi"
    MARDI = 2, "Mardi"
    MERCREDI = 3, "Mercredi"
    JEUDI = 4, "Jeudi"
    VENDREDI = 5, "Vendredi"
    SAMEDI = 6, "Samedi"
    DIMANCHE = 7, "Dimanche"


class Horaire(models.Model):
    """Planning: opening hours by weekday."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="horaires")
    type_horaire = ConceptField("J41", null=True, blank=True, verbose_name="type d'horaire")
    jour = models.PositiveSmallIntegerField(choices=Jour.choices)
    debut = models.TimeField("début")
    fin = models.TimeField()

    class Meta:
        ordering = ["jour", "debut"]

    def clean(self):
        if self.debut and self.fin and self.debut >= self.fin:
            raise ValidationError("L'heure de fin doit suivre l'heure de début.")


class PieceJointe(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="pieces_jointes")
    titre = models.CharField(max_length=200)
    fichier = models.FileField(upload_to="pieces/%Y/")
    ajoutee_le = models.DateTimeField(auto_now_add=True)
    ajoutee_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")


# Per-structure rights with direct foreign keys (fast "which nodes may this user act on").
class StructureUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Structure, on_delete=models.CASCADE)


class StructureGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Structure, on_delete=models.CASCADE)


# History: every offer model, many-to-many fields included (those the field schema says
# the history tracks). Registered after the classes and without the MPTT bookkeeping
# fields (simple-history + MPTT trap).
HISTORY_M2M_FIELDS = [f.name for f in Structure._meta.many_to_many if schema.historise(f.name)]


class ChangementsHistorises(models.Model):
    """What one write changed, kept on its history record (repertoire.services.offre writes it):
    {"champs": {field: value before}, "listes": {m2m field: [before, after]}}. Null on records
    written before it existed (their lists are snapshots in the historical m2m tables)."""

    changements = models.JSONField("changements", null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        abstract = True


class HistoriqueStructure(HistoricalRecords):
    """Snapshots the 13 lists only for records without `changements` (older writers): a
    record that carries its changes stores the changed lists there, not every list again."""

    def create_historical_record_m2ms(self, history_instance, instance):
        if history_instance.changements is None:
            super().create_historical_record_m2ms(history_instance, instance)


simple_history.register(
    Structure,
    records_class=HistoriqueStructure,
    bases=[ChangementsHistorises],
    excluded_fields=["lft", "rght", "tree_id", "level"],
    m2m_fields=HISTORY_M2M_FIELDS,
    # History is read by fiche (id) and by date, never by a copied column: without this, the
    # history table copied ~30 indexes of the live one, written for every record.
    no_db_index=[f.name for f in Structure._meta.concrete_fields if f.name != "id"],
)


# A contact's record carries its values before too (repertoire.services.encadres writes them):
# contacts loaded in bulk (reprise, demo) have no record before their first change.
simple_history.register(Contact, bases=[ChangementsHistorises])
simple_history.register(Horaire)


@receiver(pre_create_historical_record, sender=Structure.history.model)
@receiver(pre_create_historical_record, sender=Contact.history.model)
def _noter_changements(sender, instance, history_instance, **kwargs):
    history_instance.changements = getattr(instance, "_changements_historises", None)


class TypeGroupement(models.TextChoices):
    GHT = "GHT", "Groupement hospitalier de territoire"
    # FINESS's groupings (structures flux): conventional (gcc, a GHT when typeGcc is 001) and
    # organic ones (gco: a legal person itself, a GCS for instance).
    GCC = "GCC", "Groupement de coopération conventionnelle"
    GCO = "GCO", "Groupement de coopération organique"


class Groupement(UneLigneMixin, models.Model):
    """Legal entities working together: a GHT joins a département's public hospitals around
    its support establishment. Shown on the fiches of its members and their establishments."""

    type = models.CharField(max_length=8, choices=TypeGroupement.choices, default=TypeGroupement.GHT)
    nom = models.CharField(max_length=250)
    departement = models.ForeignKey("nomenclatures.Departement", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="département")
    support = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
                                verbose_name="établissement support")  # FINESS may name none
    membres = models.ManyToManyField(Structure, related_name="groupements", verbose_name="membres")
    # A grouping of the FINESS flux: « gcc:<gccId> » or « gco:<pmSmsseId> », and its FINESS type
    # code (TRE_R371 / TRE_R372); empty for one entered here.
    identifiant_finess = models.CharField(max_length=24, blank=True, db_index=True)
    type_finess = models.CharField("type FINESS", max_length=3, blank=True)

    class Meta:
        ordering = ["nom"]
        constraints = [models.UniqueConstraint(fields=["type", "nom"], name="groupement_unique")]

    def __str__(self):
        return self.nom


class Favori(models.Model):
    """A fiche a user starred: the tree's "Favoris" display mode lists them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favoris_ror")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    ajoute_le = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "structure"], name="favori_unique")]

    def __str__(self):  # the admin and any list say which fiche, never "Favori object (1)"
        return self.structure.nom


class SignalementAnomalie(models.Model):
    """"Signaler une anomalie": any user reports an error on a fiche; the référents of the
    structure and the gestionnaires see it and mark it treated with a reply."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="anomalies")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    description = models.TextField("ce qui est erroné")
    cree_le = models.DateTimeField("signalée le", default=timezone.now, db_index=True)
    traitee_le = models.DateTimeField("traitée le", null=True, blank=True)
    traitee_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reponse = models.TextField("réponse", blank=True)

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = "signalement d'anomalie"

    @property
    def est_traitee(self) -> bool:
        return self.traitee_le is not None


class PorteeJeton(models.TextChoices):
    """What an API token opens: one scope per token."""

    FHIR = "fhir", "API FHIR (lecture de l'offre)"
    LITS = "lits", "API des lits disponibles (un établissement)"


class ProfilAcces(models.IntegerChoices):
    """The ANS data-access profiles given to a consumer (ansforge/ROR-fhir-documentation,
    docs/pages/guide/acces-donnees/vue-ensemble.md, « Politique d'accès aux données », commit
    51b6bfbc0545565d4e9e435849e1fbd2a98f1d33). Only 1 and 4 reach the "données en accès très
    restreint" (sensitive units); 0 has the open data only; 2, 3 and 5 all exclude them."""

    LIBRE = 0, "0 — données en libre accès"
    TOUT = 1, "1 — toutes les données"
    HORS_TRES_RESTREINT = 2, "2 — toutes les données hors accès très restreint"
    MEDICO_SOCIAL = 3, "3 — médico-social hors accès très restreint ; sanitaire en libre accès"
    HORS_CONTACTS = 4, "4 — toutes les données sauf contacts et données personnelles"
    HORS_CAPACITAIRE = 5, "5 — hors accès très restreint et hors capacitaire et disponibilités"


# The profiles that see the units marked `unite_sensible` (accès très restreint), per the page above.
PROFILS_UNITES_SENSIBLES = frozenset({ProfilAcces.TOUT, ProfilAcces.HORS_CONTACTS})


def expiration_jeton_par_defaut():
    return timezone.now() + timedelta(days=settings.ROR_JETON_DUREE_JOURS)


class JetonApi(models.Model):
    """An API token of a consumer's software (Authorization: Bearer <jeton>).

    Scope `fhir`: reads the offer (ViaTrajectoire, Santé.fr, SAS…); scope `lits`: sends the
    beds of one EG. Only its SHA-256 is stored; the token itself is shown once, at creation.
    Written through repertoire.services.jetons_api only.
    """

    portee = models.CharField("portée", max_length=8, choices=PorteeJeton.choices)
    eg = models.ForeignKey(Structure, null=True, blank=True, on_delete=models.CASCADE, related_name="jetons_api",
                           verbose_name="établissement")
    libelle = models.CharField("consommateur / logiciel", max_length=120)
    prefixe = models.CharField("début du jeton", max_length=12, help_text="pour le reconnaître dans la liste")
    empreinte = models.CharField(max_length=64, unique=True)
    cree_le = models.DateTimeField("créé le", default=timezone.now)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)
    revoque_par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    utilise_le = models.DateTimeField("dernière utilisation", null=True, blank=True)
    # A token that never expires outlives the contract and the people behind it.
    expire_le = models.DateTimeField("expire le", default=expiration_jeton_par_defaut, db_index=True)
    # The smallest number of days before expiry already announced to the gestionnaires (30, 7…).
    rappel_jours = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    profil_acces = models.PositiveSmallIntegerField(
        "profil d'accès ANS", choices=ProfilAcces.choices, default=ProfilAcces.HORS_TRES_RESTREINT,
        help_text="Seuls les profils 1 et 4 voient les unités sensibles.")

    class Meta:
        ordering = ["revoque_le", "libelle", "-cree_le"]
        verbose_name = "jeton d'accès à l'API"
        constraints = [
            # A beds token speaks for one establishment: it may only update that EG's units.
            models.CheckConstraint(condition=~models.Q(portee="lits") | models.Q(eg__isnull=False),
                                   name="jeton_lits_a_un_eg"),
        ]

    def __str__(self):
        return f"{self.libelle} ({self.prefixe}…)"

    @property
    def expire(self) -> bool:
        return self.expire_le <= timezone.now()

    @property
    def actif(self) -> bool:
        return self.revoque_le is None and not self.expire

    @property
    def voit_unites_sensibles(self) -> bool:
        return self.profil_acces in PROFILS_UNITES_SENSIBLES


# -- The FINESS register as last imported -------------------------------------------------
# The ANS measures the Répertoire against FINESS (EX1.2, EX2, EX3-5, ST2/CO4, CO1): those
# need FINESS's own view of each establishment, kept apart from the offer the structures
# describe. Written only by the FINESS import (repertoire.services.finess).

class EntiteFiness(models.Model):
    """One FINESS legal entity (EJ) as the structures flux gives it: its number and FINESS's own
    id of it (pmSmsseId, informationsGeneralesPMEJ), by which the groupings (gcc, gco) name
    their members."""

    finess = models.CharField("numéro FINESS", max_length=9, unique=True)
    pm_smsse_id = models.CharField("identifiant FINESS (pmSmsseId)", max_length=20, db_index=True)
    nom = models.CharField(max_length=250, blank=True)

    class Meta:
        verbose_name = "entité juridique FINESS"
        verbose_name_plural = "entités juridiques FINESS"

    def __str__(self):
        return f"{self.finess} {self.nom}"


class EtablissementFiness(models.Model):
    """One FINESS establishment (EG) as the register gives it, open or closed."""

    finess = models.CharField("numéro FINESS", max_length=9, unique=True)
    finess_ej = models.CharField("numéro FINESS de l'entité juridique", max_length=9, db_index=True)
    nom = models.CharField("raison sociale", max_length=250)
    categorie = models.CharField("catégorie FINESS", max_length=4, blank=True)
    departement = models.CharField("département", max_length=3, blank=True, db_index=True)
    date_ouverture = models.DateField("date d'ouverture", null=True, blank=True)
    date_fermeture = models.DateField("date de fermeture", null=True, blank=True)
    ferme = models.BooleanField("fermé dans FINESS", default=False)
    cle_ban = models.CharField("clé d'interopérabilité BAN", max_length=40, blank=True)
    score_ban = models.FloatField("score de géocodage BAN", null=True, blank=True)
    date_maj = models.DateField("dernière mise à jour dans FINESS", null=True, blank=True)

    class Meta:
        verbose_name = "établissement FINESS"
        verbose_name_plural = "établissements FINESS"

    def __str__(self):
        return f"{self.finess} {self.nom}"


class NatureActivite(models.TextChoices):
    """codeNature of the FINESS activités flux (schema-activites v1.0.1)."""

    AASA = "AASA", "Autre activité de soins autorisée"
    ASR = "ASR", "Activité soumise à reconnaissance"
    EML = "EML", "Équipement matériel lourd"
    ASDR = "ASDR", "Activité sanitaire diverse régulée"
    ASOCR = "ASOCR", "Activité sociale régulée"
    AMSR = "AMSR", "Activité médico-sociale régulée"
    AER = "AER", "Activité d'enseignement régulée"
    AMF = "AMF", "Activité de soins autorisée"
    AMM = "AMM", "Activité de soins (mention)"


class AutorisationFiness(models.Model):
    """An activity FINESS records: authorised to an EJ (`exercee` False) or exercised by one of
    its EG (`exercee` True, `autorisation_id` names the authorisation it exercises)."""

    activite_id = models.CharField("identifiant FINESS de l'activité", max_length=20, unique=True)
    autorisation_id = models.CharField("identifiant de l'autorisation", max_length=20, blank=True, db_index=True)
    exercee = models.BooleanField("activité exercée par l'établissement", default=False)
    finess_ej = models.CharField("FINESS de l'entité juridique", max_length=9, db_index=True)
    finess_eg = models.CharField("FINESS de l'établissement", max_length=9, blank=True, db_index=True)
    nature = models.CharField(max_length=5, choices=NatureActivite.choices)
    type_activite = models.CharField("type d'activité régulée", max_length=10, blank=True)
    activite = models.CharField("activité", max_length=10, blank=True)
    modalite = models.CharField("modalité / mode de fonctionnement", max_length=10, blank=True)
    forme = models.CharField("forme / public", max_length=10, blank=True)
    mention = models.CharField(max_length=10, blank=True)
    num_arhgos = models.CharField("numéro ARHGOS", max_length=30, blank=True)
    active = models.BooleanField(default=True, help_text="état A dans FINESS")
    date_debut = models.DateField("début", null=True, blank=True)
    date_fin = models.DateField("fin", null=True, blank=True)
    date_fin_effective = models.DateField("fin effective", null=True, blank=True)
    date_caducite = models.DateField("caducité", null=True, blank=True)
    capacites = models.JSONField("capacités", default=list, blank=True)

    class Meta:
        ordering = ["finess_eg", "activite", "modalite", "forme", "activite_id"]
        verbose_name = "autorisation FINESS"
        verbose_name_plural = "autorisations FINESS"

    def __str__(self):
        return f"{self.get_nature_display()} {self.libelle}"

    @property
    def libelle(self) -> str:
        from .autorisations import libelle_autorisation

        return libelle_autorisation(self)

    @property
    def en_vigueur(self) -> bool:
        from .autorisations import en_vigueur

        return en_vigueur(self)


class PictogrammeFiche(models.Model):
    """The pictogram of a fiche while a dossier collaboratif works on it (no row: standard).
    Not offer data: no history, no version."""

    structure = models.OneToOneField(Structure, on_delete=models.CASCADE, primary_key=True,
                                     related_name="pictogramme")
    statut = models.CharField("statut de la fiche", max_length=12, choices=StatutFiche.choices)

    class Meta:
        verbose_name = "pictogramme de fiche"
