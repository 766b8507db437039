from django import forms

TAILLE_MAX = 200 * 1024 * 1024  # the national extract is about 40 MB


class TeleversementForm(forms.Form):
    fichier = forms.FileField(
        label="Extraction FINESS (etalab-cs1100507-stock-….csv)",
        help_text="Fichier public de data.gouv.fr, séparateur « ; », UTF-8 ou Windows-1252.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            raise forms.ValidationError("Fichier trop volumineux (200 Mo au plus).")
        if fichier.size == 0:
            raise forms.ValidationError("Le fichier est vide.")
        return fichier
