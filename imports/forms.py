from django import forms

TAILLE_MAX = 600 * 1024 * 1024  # the national JSON structures flux is about 400 MB


def _verifier(fichier):
    if fichier is None:
        return fichier
    if fichier.size > TAILLE_MAX:
        raise forms.ValidationError("Fichier trop volumineux (600 Mo au plus).")
    if fichier.size == 0:
        raise forms.ValidationError("Le fichier est vide.")
    return fichier


class TeleversementForm(forms.Form):
    fichier = forms.FileField(
        label="Flux FINESS structures (JSON) ou extraction CSV",
        help_text="Flux quotidien de data.gouv.fr (finess-structures-journalier-….json), ou l'ancienne extraction "
                  "etalab-cs1100507-stock-….csv.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json,.csv,text/csv"}))
    fichier_activites = forms.FileField(
        label="Flux FINESS activités (JSON, facultatif)", required=False,
        help_text="finess-activites-journalier-….json : les autorisations des entités juridiques et les activités "
                  "exercées par les établissements.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}))

    def clean_fichier(self):
        return _verifier(self.cleaned_data["fichier"])

    def clean_fichier_activites(self):
        return _verifier(self.cleaned_data.get("fichier_activites"))
