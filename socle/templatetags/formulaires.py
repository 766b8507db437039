from django import template
from django.forms.utils import ErrorList

register = template.Library()


def _formulaires(objets):
    """Forms, the forms of formsets, skipping None (an encadré without contacts…)."""
    for objet in objets:
        if objet is None:
            continue
        if hasattr(objet, "forms"):  # a formset
            yield None, objet.non_form_errors()
            for form in objet.forms:
                yield form, form.non_field_errors()
        else:
            yield objet, objet.non_field_errors()


@register.inclusion_tag("socle/_resume_erreurs.html")
def resume_erreurs(*objets):
    """Above a form: what the * means, and after a failed submit the error summary, which gets the
    focus (static/ror/js/formulaires.js) and links to each field in error (RGAA 11.10, 11.11)."""
    generales, champs, obligatoires = [], [], False
    for form, non_champ in _formulaires(objets):
        generales += list(non_champ or ErrorList())
        for champ in form or ():
            if champ.is_hidden:
                continue
            obligatoires = obligatoires or champ.field.required
            if champ.errors:
                champs.append({"id": champ.auto_id, "libelle": champ.label, "message": " ".join(champ.errors)})
    return {"generales": generales, "champs": champs, "obligatoires": obligatoires,
            "nombre": len(generales) + len(champs)}
