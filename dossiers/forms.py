"""Forms of the dossier: a draft fiche, the creation of units, a move, a comment."""

import json

import django_filters
from django import forms
from django.urls import reverse

from nomenclatures.models import Commune, Concept
from nomenclatures.territoires import Territoires
from repertoire.forms import (AIDE_TERRITOIRE, CommuneField, FormulairesParties, filtrer_activites, libelle_departement,
                              libelle_epci, lire_territoire)
from repertoire.models import Discipline, Niveau, Structure

from . import parties
from .brouillon import CHAMPS, CHAMPS_M2M, en_json, valeurs_pour_modele
from .disciplines import disciplines_du_type, type_convient
from .models import DossierCollaboratif, EtatDossier, FicheBrouillon
from .services import rattachements

GROUPES = [
    ("Identification", ["nom", "nom_officiel", "finess", "siren", "siret", "statut_juridique", "categorie",
                        "type_oi", "discipline", "type_uo", "champ", "unite_sensible"]),
    ("Offre", ["activites", "famille_activite", "modes_prise_en_charge", "publics", "temporalites_accueil", "modalites_accueil",
               "specialisations", "competences", "professions", "specialites_ordinales", "equipements", "actes",
               "ouverture_annuelle", "niveau_expertise", "conditions_admission"]),
    ("Patientèle", ["age_min", "age_max"]),
    ("Capacité", ["lits_installes", "places_installees", "patients_par_unite_temps", "fonction_lieu",
                  "type_habitation", "nombre_habitations", "places_aide_sociale",
                  "habilitation_aide_sociale", "tarif_mensuel", "aides_financieres"]),
    ("Adresse", ["numero_voie", "type_voie", "voie", "complement_adresse", "lieu_dit", "code_postal", "commune",
                 "accessibilite"]),
    ("Contacts", ["telephone", "fax", "email", "site_web"]),
    ("Territoire d'intervention", ["territoire"]),
    ("Commentaire", ["commentaire"]),
]


class TypeUOSelect(forms.Select):
    """A select of types d'UO whose options say their disciplines (static/dossiers/js filters them)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-disciplines"] = " ".join(sorted(disciplines_du_type(instance.code)))
        return option


def champ_type_uo(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Concept.objects.du_jeu("J34").order_by("libelle"), widget=TypeUOSelect(
            attrs={"class": "fr-select", "data-filtre-discipline": "id_discipline"}),
        label="Type d'UO", help_text="Choisissez d'abord la discipline : la liste ne montre que ses types.",
        **kwargs)


def verifier_type_et_discipline(form, donnees: dict) -> dict:
    """A type d'UO chosen (or a discipline changed) must match; a fiche's old pair is left alone."""
    type_uo, discipline = donnees.get("type_uo"), donnees.get("discipline")
    choisis = {"type_uo", "discipline"} & set(form.changed_data)
    if choisis and type_uo and discipline and not type_convient(type_uo.code, discipline):
        form.add_error("type_uo", "Ce type d'UO ne correspond pas à la discipline choisie.")
    return donnees


class CommunesField(forms.CharField):
    """A territory typed or pasted in one step, read as the Répertoire's encadré reads it
    (repertoire.forms.lire_territoire: communes, départements, EPCI)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "class": "fr-input", "autocomplete": "off",
                                                          "data-communes": reverse("repertoire:communes"),
                                                          "data-territoire": ""}))
        kwargs.setdefault("help_text", AIDE_TERRITOIRE)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        """The territory as the référent would type it: whole départements and EPCI by their
        name (« Maine-et-Loire (49) », « CU Angers Loire Métropole (EPCI) »), then the communes."""
        if isinstance(value, (list, tuple)):
            communes = list(Commune.objects.filter(pk__in=[str(getattr(v, "pk", v)) for v in value]))
            territoires = Territoires(communes)
            entiers, restantes = territoires.grouper([c.pk for c in communes])
            libelles = {c.pk: str(c) for c in communes}
            return ", ".join([libelle_departement(nom, code) if sorte == "departement" else libelle_epci(nom)
                              for sorte, code, nom, *_ in entiers] + sorted(libelles[c] for c in restantes))
        return value

    def clean(self, value):
        return lire_territoire(super().clean(value) or "")


class FicheForm(forms.ModelForm):
    """The draft of one fiche. Never saved as a Structure: its values go to the draft JSON.
    Its contacts, responsable and planning are the Répertoire's own forms (`self.parties`),
    filled from the draft."""

    class Meta:
        model = Structure
        fields: list = []

    def __init__(self, *args, fiche, **kwargs):
        self.fiche = fiche
        data = args[0] if args else kwargs.get("data")
        speciaux = [parties.SPECIAUX[p] for p in parties.PARTIES[fiche.niveau]]
        if data is not None:  # a part the page did not send is left as it is
            speciaux = [s for s in speciaux if any(cle.startswith(f"{s}-") for cle in data)]
        self.parties = FormulairesParties(speciaux, data, brouillon=fiche.donnees)
        instance = Structure(niveau=fiche.niveau, parent_id=fiche.parent_id)
        if fiche.parent_fiche_id:  # under a fiche created in the dossier: a stand-in of its level
            instance.parent = Structure(pk=-1, niveau=fiche.parent_fiche.niveau)
        scalaires, m2m = valeurs_pour_modele(fiche.niveau, fiche.donnees)
        for nom, valeur in scalaires.items():
            setattr(instance, nom, valeur)
        super().__init__(*args, instance=instance, initial=m2m, **kwargs)
        for nom, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "fr-select")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "fr-checkbox")
            else:
                widget.attrs.setdefault("class", "fr-input")
            if isinstance(widget, forms.SelectMultiple):  # the Répertoire's searchable picker
                widget.attrs.update({"size": 6, "data-multiselect": ""})
        if "activites" in self.fields:  # those of the type and discipline chosen above, first
            filtrer_activites(self.fields["activites"].widget, source_type="id_type_uo",
                              source_discipline="id_discipline")

    def clean(self):
        return verifier_type_et_discipline(self, super().clean())

    def is_valid(self) -> bool:
        return all([super().is_valid()] + [f.is_valid() for f in self.parties.formulaires])

    def donnees(self) -> dict:
        return {**{nom: en_json(nom, self.cleaned_data.get(nom)) for nom in self.fields},
                **parties.en_json(self.parties.donnees())}

    def groupes(self):
        groupes = [(titre, [self[n] for n in noms if n in self.fields]) for titre, noms in GROUPES
                   if any(n in self.fields for n in noms)]
        # A field the schema gives the dossier but no group names is still shown (and so still editable).
        ranges = {n for _, noms in GROUPES for n in noms}
        autres = [self[n] for n in self.fields if n not in ranges]
        return groupes + ([("Autres informations", autres)] if autres else [])


def formulaire_de_fiche(fiche, *args, **kwargs) -> FicheForm:
    niveau = fiche.niveau
    # The Répertoire's commune suggestions: by name or postcode.
    surcharges = {"commune": CommuneField(required=False, label="Commune", help_text="Nom ou code postal.",
                                          widget=forms.TextInput(attrs={"data-communes": reverse("repertoire:communes"),
                                                                        "autocomplete": "off"}))}
    if niveau == Niveau.UO:
        surcharges["type_uo"] = champ_type_uo(required=False)
        surcharges["territoire"] = CommunesField(required=False, label="Territoire d'intervention")
    classe = forms.models.modelform_factory(Structure, form=FicheForm, fields=CHAMPS[niveau] + CHAMPS_M2M[niveau])
    classe.base_fields.update({nom: champ for nom, champ in surcharges.items() if nom in classe.base_fields})
    return classe(*args, fiche=fiche, **kwargs)


class RattachementSelect(forms.Select):
    """Its options say their level (data-niveau): the page offers only those the level created can go under."""

    niveaux: dict = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.niveaux:
            option["attrs"]["data-niveau"] = self.niveaux[str(value)]
        return option


class RattachementField(forms.ChoiceField):
    """Where a fiche is created: a live fiche (its pk) or a fiche created in the dossier
    (« fiche-<pk> », listed as « … (créé dans le dossier) »)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", RattachementSelect(attrs={"class": "fr-select"}))
        super().__init__(**kwargs)
        self.possibles = {}

    def proposer(self, possibles) -> None:
        self.possibles = {self.valeur(p): p for p in possibles}
        self.widget.niveaux = {cle: p.niveau for cle, p in self.possibles.items()}
        self.choices = [(cle, f"{p.nom} (créé dans le dossier)" if isinstance(p, FicheBrouillon) else str(p))
                        for cle, p in self.possibles.items()]

    @staticmethod
    def valeur(objet) -> str:
        return f"fiche-{objet.pk}" if isinstance(objet, FicheBrouillon) else str(objet.pk)

    def prepare_value(self, value):
        return self.valeur(value) if hasattr(value, "pk") else value

    def clean(self, value):
        return self.possibles[super().clean(value)]


class CreerUnitesForm(forms.Form):
    nombre = forms.IntegerField(label="Nombre d'unités à créer", min_value=1, max_value=20, initial=1,
                                widget=forms.NumberInput(attrs={"class": "fr-input"}))
    parent = RattachementField(label="Rattachées à")
    nom = forms.CharField(label="Nom de l'unité", required=False, max_length=240,
                          help_text="Laissé vide : un nom selon les règles de nommage, d'après le type d'UO "
                                    "(ex. : « Hebergement permanent – personnes agees »).",
                          widget=forms.TextInput(attrs={"class": "fr-input"}))
    discipline = forms.ChoiceField(label="Grand groupe de disciplines", choices=[("", "—")] + Discipline.choices,
                                   widget=forms.Select(attrs={"class": "fr-select"}))

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_uo"] = champ_type_uo()
        # in the order the page asks for them: where, the discipline, its type, then the name
        self.order_fields(["parent", "discipline", "type_uo", "nom", "nombre"])
        racine = dossier.structure
        self.fields["parent"].proposer(rattachements(dossier))
        if racine.niveau == Niveau.EG:
            self.fields["parent"].initial = racine.pk

    def clean(self):
        return verifier_type_et_discipline(self, super().clean())


class DeplacerForm(forms.Form):
    parent = forms.ModelChoiceField(queryset=Structure.objects.none(), label="Nouveau rattachement",
                                    widget=forms.Select(attrs={"class": "fr-select"}))

    def __init__(self, *args, destinations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = destinations


class CommentaireForm(forms.Form):
    commentaire = forms.CharField(label="Commentaire", required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3, "class": "fr-input"}))


class DossierFilter(django_filters.FilterSet):
    etat = django_filters.ChoiceFilter(label="État", choices=EtatDossier.choices, empty_label="Tous les états",
                                       widget=forms.Select(attrs={"class": "fr-select"}))
    structure = django_filters.CharFilter(label="Structure", method="filtrer_structure",
                                          widget=forms.TextInput(attrs={"class": "fr-input",
                                                                        "placeholder": "Nom ou FINESS"}))

    class Meta:
        model = DossierCollaboratif
        fields = ["etat", "structure"]

    def filtrer_structure(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(structure__finess__startswith=value)
        return queryset.filter(structure__nom__icontains=value) if value else queryset


# Under what an establishment and an organisation interne are created (checked again in clean()).
PARENTS_POSSIBLES = {Niveau.EG: [Niveau.EJ], Niveau.OI: [Niveau.EG, Niveau.OI]}


class CreerStructureForm(forms.Form):
    """An establishment (in a dossier on its EJ) or an organisation interne, created in the dossier."""

    niveau = forms.ChoiceField(label="Structure à créer", widget=forms.Select(attrs={"class": "fr-select"}))
    parent = RattachementField(label="Rattachée à")
    nom = forms.CharField(label="Nom", max_length=240, widget=forms.TextInput(attrs={"class": "fr-input"}))
    nom_officiel = forms.CharField(label="Nom officiel (établissement)", required=False, max_length=240,
                                   widget=forms.TextInput(attrs={"class": "fr-input"}))
    categorie = forms.ModelChoiceField(queryset=Concept.objects.du_jeu("J55").order_by("libelle"), required=False,
                                       label="Catégorie d'établissement",
                                       widget=forms.Select(attrs={"class": "fr-select"}))
    type_oi = forms.ModelChoiceField(queryset=Concept.objects.du_jeu("J203").order_by("libelle"), required=False,
                                     label="Type d'organisation interne",
                                     widget=forms.Select(attrs={"class": "fr-select"}))
    commune = CommuneField(required=False, label="Commune (établissement)", help_text="Nom ou code postal.")
    finess = forms.RegexField(regex=r"^\d[\dAB]\d{7}$", required=False, label="Numéro FINESS (établissement)",
                              error_messages={"invalid": "Un numéro FINESS a 9 caractères (ex. : 490000023)."},
                              widget=forms.TextInput(attrs={"class": "fr-input", "inputmode": "numeric"}))
    siret = forms.RegexField(regex=r"^\d{14}$", required=False, label="SIRET (établissement)",
                             error_messages={"invalid": "Un SIRET a 14 chiffres."},
                             widget=forms.TextInput(attrs={"class": "fr-input", "inputmode": "numeric"}))
    malgre_doublons = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, dossier, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].widget.attrs.update({"data-communes": reverse("repertoire:communes"),
                                                    "class": "fr-input", "autocomplete": "off"})
        choix = [(Niveau.OI, "Organisation interne (pôle, service…)")]
        if dossier.structure.niveau == Niveau.EJ:
            choix.insert(0, (Niveau.EG, "Établissement (entité géographique)"))
        self.fields["niveau"].choices = choix
        self.fields["parent"].proposer(parents)
        # which level each field is for: the page shows only those of the level chosen (dossiers.js)
        for nom in ("nom_officiel", "categorie", "commune", "finess", "siret"):
            self.fields[nom].widget.attrs["data-pour-niveau"] = Niveau.EG
        self.fields["type_oi"].widget.attrs["data-pour-niveau"] = Niveau.OI
        self.fields["niveau"].widget.attrs["data-parents"] = json.dumps(PARENTS_POSSIBLES)

    def clean(self):
        donnees = super().clean()
        niveau, parent = donnees.get("niveau"), donnees.get("parent")
        if niveau == Niveau.EG:
            if parent is not None and parent.niveau not in PARENTS_POSSIBLES[Niveau.EG]:
                self.add_error("parent", "Un établissement se rattache à l'entité juridique.")
            if not donnees.get("categorie"):
                self.add_error("categorie", "Choisissez la catégorie de l'établissement.")
        elif niveau == Niveau.OI:
            if parent is not None and parent.niveau not in PARENTS_POSSIBLES[Niveau.OI]:
                self.add_error("parent", "Une organisation interne se rattache à un établissement ou à une autre "
                                         "organisation interne.")
            if not donnees.get("type_oi"):
                self.add_error("type_oi", "Choisissez le type d'organisation interne.")
        return donnees

    def donnees(self) -> dict:
        d = self.cleaned_data
        noms = ["nom", "nom_officiel", "categorie", "commune", "finess", "siret"] if d["niveau"] == Niveau.EG \
            else ["nom", "type_oi"]
        return {nom: en_json(nom, d.get(nom)) for nom in noms}
