"""The search form: everything lives in the URL (GET), validated here into a Critere."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from nomenclatures.cache import concepts_actifs
from repertoire.models import Discipline

from .moteur import RAYON_DEFAUT, Critere, lire_age, trouver_lieu

RAYONS = [(5, "5 km"), (10, "10 km"), (20, "20 km"), (30, "30 km"), (50, "50 km"), (100, "100 km")]


def _choix(jeu: str, vide: str) -> list[tuple[str, str]]:
    return [("", vide)] + [(code, libelle) for _, code, libelle in concepts_actifs(jeu)]


class ListeDeroulante(forms.Select):
    """A <select> rendered in one pass: Django's per-option templates cost ~1 ms per option
    here, and the filters have ~90 options."""

    def render(self, name, value, attrs=None, renderer=None):
        valeur = "" if value is None else str(value)
        options = format_html_join("", "<option value=\"{}\"{}>{}</option>", (
            (v, " selected" if str(v) == valeur else "", libelle) for v, libelle in self.choices))
        return format_html("<select name=\"{}\"{}>{}</select>", name, flatatt(self.build_attrs(self.attrs, attrs)),
                           options)


class RechercheForm(forms.Form):
    quoi = forms.CharField(label="Que recherchez-vous ?", required=False, max_length=200,
                           help_text="Type d'unité, activité, spécialisation, nom… (ex. : accueil de jour)")
    ou = forms.CharField(label="Où ?", required=False, max_length=200,
                         help_text="Commune, code postal, département ou établissement ; vide : toute la région")
    lieu = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    rayon = forms.TypedChoiceField(label="Dans un rayon de", choices=RAYONS, coerce=int, required=False,
                                   empty_value=RAYON_DEFAUT, initial=RAYON_DEFAUT, widget=ListeDeroulante)
    intervient = forms.BooleanField(label="Intervient dans cette commune (territoire d'intervention)",
                                    required=False)
    discipline = forms.ChoiceField(label="Champ / discipline", required=False,
                                   choices=[("", "Toutes")] + list(Discipline.choices), widget=ListeDeroulante)
    public = forms.ChoiceField(label="Public pris en charge", required=False, widget=ListeDeroulante)
    age = forms.IntegerField(label="Âge de la personne", required=False, min_value=0, max_value=150,
                             error_messages={"invalid": "Indiquez un âge en années (nombre entier)."})
    mode = forms.ChoiceField(label="Mode de prise en charge", required=False, widget=ListeDeroulante)
    modalite = forms.ChoiceField(label="Modalités d'accueil et d'accès", required=False, widget=ListeDeroulante)
    aide_sociale = forms.BooleanField(label="Habilitée à l'aide sociale", required=False)
    fermees = forms.BooleanField(label="Inclure les unités fermées", required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=100000, widget=forms.HiddenInput)

    CHAMPS_CONCEPTS = {"public": "J29", "mode": "R213", "modalite": "J226"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("rayon"):  # the select shows the default radius
            self.data = self.data.copy()
            self.data["rayon"] = str(RAYON_DEFAUT)
        self.fields["public"].choices = _choix("J29", "Tous")
        self.fields["mode"].choices = _choix("R213", "Tous")
        self.fields["modalite"].choices = _choix("J226", "Toutes")
        self.lieu_trouve = None
        self.compris: list[str] = []  # what the need's words were read as, said on the page
        self.texte = ""

    def clean(self):
        donnees = super().clean()
        lieu = trouver_lieu(donnees.get("lieu", ""), donnees.get("ou", ""))
        if donnees.get("ou") and lieu is None:
            self.add_error("ou", "Lieu introuvable : choisissez une commune, un code postal, un département "
                                 "ou un établissement dans la liste.")
        if donnees.get("intervient") and (lieu is None or lieu.genre != "commune"):
            self.add_error("intervient", "Choisissez une commune pour chercher qui intervient dans cette commune.")
        self.lieu_trouve = lieu
        # "enfant de 8 ans" is the age filter, not words to find in the offer
        self.texte, age, mots_age = lire_age(donnees.get("quoi") or "")
        if age is not None and donnees.get("age") in (None, age) and "age" not in self.errors:
            donnees["age"] = age
            self.data = self.data.copy()  # the age field shows it
            self.data["age"] = str(age)
            self.compris.append(f"« {mots_age} » : âge de la personne, {age} an{'s' if age > 1 else ''}")
        return donnees

    def filtres_actifs(self) -> list[str]:
        """The filters in force, said above the results (on a phone the filters are folded)."""
        d = getattr(self, "cleaned_data", None) or {}
        actifs = []
        if d.get("discipline"):
            actifs.append(f"{self.fields['discipline'].label} : {dict(Discipline.choices).get(d['discipline'])}")
        for champ, jeu in self.CHAMPS_CONCEPTS.items():
            libelle = next((lib for _, code, lib in concepts_actifs(jeu) if d.get(champ) and code == d[champ]), None)
            if libelle:
                actifs.append(f"{self.fields[champ].label} : {libelle}")
        if d.get("age") is not None:
            actifs.append(f"{self.fields['age'].label} : {d['age']} an{'s' if d['age'] > 1 else ''}")
        for champ in ("aide_sociale", "fermees"):
            if d.get(champ):
                actifs.append(self.base_fields[champ].label)
        return actifs

    def critere(self) -> Critere:
        d = self.cleaned_data
        ids = {}
        for champ, jeu in self.CHAMPS_CONCEPTS.items():
            ids[champ] = next((pk for pk, code, _ in concepts_actifs(jeu) if d.get(champ) and code == d[champ]), None)
        return Critere(texte=self.texte, lieu=self.lieu_trouve, rayon=d.get("rayon") or RAYON_DEFAUT,
                       intervient=bool(d.get("intervient")), discipline=d.get("discipline") or "",
                       public=ids["public"], mode=ids["mode"], modalite=ids["modalite"], age=d.get("age"),
                       aide_sociale=bool(d.get("aide_sociale")), fermees=bool(d.get("fermees")))
