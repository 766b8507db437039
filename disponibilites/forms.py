from django import forms

from nomenclatures.models import Concept, Departement
from repertoire.models import Structure

from .services.enregistrement import erreur_capacite
from .services.saisie_lits import LigneSaisie


class LitsUniteForm(forms.Form):
    """One row of the Saisie screen (prefixed by the unit's id)."""

    disponibles = forms.IntegerField(label="Lits disponibles", min_value=0, max_value=10000, required=False)
    supplementaires = forms.IntegerField(label="Lits supplémentaires", min_value=0, max_value=10000, required=False)
    fermes = forms.IntegerField(label="Lits fermés", min_value=0, max_value=10000, required=False)
    confirmer = forms.BooleanField(label="Valeurs inchangées, je confirme", required=False)

    def __init__(self, *args, uo: Structure, situation=None, **kwargs):
        self.uo, self.situation = uo, situation
        initial = {}
        if situation is not None:
            initial = {"disponibles": situation.disponibles, "supplementaires": situation.supplementaires,
                       "fermes": situation.fermes}
        super().__init__(*args, prefix=f"u{uo.pk}", initial=initial, **kwargs)

    def clean(self):
        donnees = super().clean()
        message = erreur_capacite(self.uo, donnees.get("disponibles"), donnees.get("supplementaires"))
        if message:
            self.add_error("disponibles", message)
        return donnees

    def ligne(self) -> LigneSaisie | None:
        """What to record: the values that changed, or all of them when confirmed; None if nothing."""
        d = self.cleaned_data
        champs = ("disponibles", "supplementaires", "fermes")
        changes = {c: d.get(c) for c in champs if d.get(c) is not None and d.get(c) != self.initial.get(c)}
        if d.get("confirmer"):
            changes = {c: d.get(c) for c in champs if d.get(c) is not None}
        if not changes:
            return None
        return LigneSaisie(self.uo, **changes)


class TensionForm(forms.Form):
    type_crise = forms.ModelChoiceField(label="Type de crise", queryset=Concept.objects.none(),
                                        empty_label=None)
    departement = forms.ModelChoiceField(label="Territoire", queryset=Departement.objects.none(), required=False,
                                         empty_label="Toute la région")
    frequence_heures = forms.IntegerField(label="Mise à jour attendue toutes les (heures)", min_value=1,
                                          max_value=72, initial=4)
    commentaire = forms.CharField(label="Consignes (facultatif)", widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False, max_length=2000)

    def __init__(self, *args, departements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_crise"].queryset = Concept.objects.filter(nomenclature__cle="J194", actif=True)
        self.fields["departement"].queryset = departements if departements is not None else Departement.objects.all()


class JetonForm(forms.Form):
    eg = forms.ModelChoiceField(label="Établissement (EG)", queryset=Structure.objects.eg(),
                                widget=forms.NumberInput, help_text="Identifiant ROR de l'entité géographique")
    libelle = forms.CharField(label="Logiciel ou usage", max_length=120)
    expire_le = forms.DateField(label="Expire le", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                help_text="Dans un an si vide ; les gestionnaires sont prévenus par courriel 30 puis 7 jours avant.",
                                error_messages={"invalid": "Date d'expiration illisible (attendu JJ/MM/AAAA)."})

    def __init__(self, *args, etablissements=None, **kwargs):
        super().__init__(*args, **kwargs)
        if etablissements is not None:
            self.fields["eg"] = forms.ModelChoiceField(label="Établissement (EG)", queryset=etablissements)


class RechercheUniteForm(forms.Form):
    q = forms.CharField(label="Nom de l'unité ou de l'établissement", max_length=100, required=False)
