"""One-line fields (names, labels, codes, addresses): no control characters.

A newline in a structure name breaks a mail subject (BadHeaderError) and fakes lines in
exports; a NUL is refused by PostgreSQL. The rule is checked by the models' clean_fields
(UneLigneMixin), so forms (ModelForm) and services (full_clean) both refuse such a value
with the same French message; imports pass outside text through une_ligne().
"""

import re

from django.core.exceptions import ValidationError
from django.db import models

# C0 controls (newline, CR, tab, NUL…), DEL, C1 controls (NEL…), and Unicode line/paragraph separators.
CARACTERES_DE_CONTROLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
MESSAGE = ("Ce champ tient sur une ligne : retirez les retours à la ligne, tabulations et autres caractères "
           "de contrôle.")


def refuser_caracteres_de_controle(valeur) -> None:
    if isinstance(valeur, str) and CARACTERES_DE_CONTROLE.search(valeur):
        raise ValidationError(MESSAGE, code="caractere_de_controle")


def une_ligne(texte: str) -> str:
    """Outside text (an import, an old row put in a mail subject): each run of control characters becomes a space."""
    return CARACTERES_DE_CONTROLE.sub(" ", texte).strip() if texte else texte


class UneLigneMixin:
    """For a model: every CharField (names, codes, e-mails…) refuses control characters.
    TextFields (justifications, comments) keep their newlines."""

    def clean_fields(self, exclude=None):
        erreurs = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as erreur:
            erreurs = erreur.update_error_dict(erreurs)
        for champ in self._meta.concrete_fields:
            if (isinstance(champ, models.CharField) and champ.name not in erreurs
                    and not (exclude and champ.name in exclude)):
                try:
                    refuser_caracteres_de_controle(getattr(self, champ.attname))
                except ValidationError as erreur:
                    erreurs[champ.name] = erreur.error_list
        if erreurs:
            raise ValidationError(erreurs)
