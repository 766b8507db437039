"""Forms of the dossier: a draft fiche, the creation of units, a move, a comment."""

import re

import django_filters
from django import forms

from nomenclatures.models import Commune, Concept
from repertoire.models import Discipline, Niveau, Structure

from .brouillon import champs_de, en_json, valeurs_pour_modele
from .disciplines import disciplines_du_type, type_convient
from .models import DossierCollaboratif, EtatDossier

GROUPES = [
    ("Identification", ["nom", "nom_officiel", "finess", "siren", "siret", "statut_juridique", "categorie",
                        "type_oi", "discipline", "type_uo", "champ", "unite_sensible"]),
    ("Offre", ["activites", "modes_prise_en_charge", "publics", "temporalites_accueil", "modalites_accueil",
               "specialisations", "competences", "professions", "specialites_ordinales", "equipements", "actes",
               "ouverture_annuelle", "niveau_expertise", "conditions_admission"]),
    ("Patientèle", ["age_min", "age_max"]),
    ("Capacité", ["lits_installes", "places_installees", "patients_par_unite_temps", "places_aide_sociale",
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
    """Communes typed as INSEE codes separated by spaces or commas (a territory has hundreds)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2, "class": "fr-input"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return " ".join(str(getattr(v, "pk", v)) for v in value)
        return value

    def clean(self, value):
        codes = [c for c in re.split(r"[\s,;]+", super().clean(value) or "") if c]
        trouvees = set(Commune.objects.filter(pk__in=codes).values_list("pk", flat=True))
        inconnues = [c for c in codes if c not in trouvees]
        if inconnues:
            raise forms.ValidationError(f"Codes INSEE inconnus : {', '.join(inconnues[:10])}.")
        return sorted(set(codes))


class FicheForm(forms.ModelForm):
    """The draft of one fiche. Never saved as a Structure: its values go to the draft JSON."""

    class Meta:
        model = Structure
        fields: list = []

    def __init__(self, *args, fiche, **kwargs):
        self.fiche = fiche
        instance = Structure(niveau=fiche.niveau, parent_id=fiche.parent_id)
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
            if isinstance(widget, forms.SelectMultiple):
                widget.attrs["size"] = 6

    def clean(self):
        return verifier_type_et_discipline(self, super().clean())

    def donnees(self) -> dict:
        return {nom: en_json(nom, self.cleaned_data.get(nom)) for nom in self.fields}

    def groupes(self):
        return [(titre, [self[n] for n in noms if n in self.fields]) for titre, noms in GROUPES
                if any(n in self.fields for n in noms)]


def formulaire_de_fiche(fiche, *args, **kwargs) -> FicheForm:
    niveau = fiche.niveau
    surcharges = {"commune": forms.ModelChoiceField(
        queryset=Commune.objects.all(), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        label="Commune (code INSEE)", error_messages={"invalid_choice": "Code INSEE de commune inconnu."})}
    if niveau == Niveau.UO:
        surcharges["type_uo"] = champ_type_uo(required=False)
        surcharges["territoire"] = CommunesField(required=False, label="Territoire d'intervention (codes INSEE)")
    classe = forms.models.modelform_factory(Structure, form=FicheForm, fields=champs_de(niveau))
    classe.base_fields.update(surcharges)
    return classe(*args, fiche=fiche, **kwargs)


class CreerUnitesForm(forms.Form):
    nombre = forms.IntegerField(label="Nombre d'unités à créer", min_value=1, max_value=20, initial=1,
                                widget=forms.NumberInput(attrs={"class": "fr-input"}))
    parent = forms.ModelChoiceField(queryset=Structure.objects.none(), label="Rattachées à",
                                    widget=forms.Select(attrs={"class": "fr-select"}))
    nom = forms.CharField(label="Nom de l'unité", required=False, max_length=240,
                          help_text="Laissé vide : le nom du type d'UO.",
                          widget=forms.TextInput(attrs={"class": "fr-input"}))
    discipline = forms.ChoiceField(label="Grand groupe de disciplines", choices=[("", "—")] + Discipline.choices,
                                   widget=forms.Select(attrs={"class": "fr-select"}))

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_uo"] = champ_type_uo()
        racine = dossier.structure
        self.fields["parent"].queryset = Structure.objects.de_niveaux(Niveau.EG, Niveau.OI).sous(
            racine, inclus=True).order_by("lft")
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
