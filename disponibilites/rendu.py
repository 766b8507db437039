"""HTML of the board's rows, built in Python.

The board may list thousands of units and is fetched by every open page every few
seconds in a crisis: Django's template engine takes ~0.5 ms a row, this ~10 µs.
The surrounding page stays in templates (_tableau_contenu.html).
"""

from html import escape

from django.utils.safestring import SafeString, mark_safe

from .tableau import GroupeDepartement, Ligne


def _nombre(valeur) -> str:
    return "—" if valeur is None else str(valeur)


def ligne_unite(ligne: Ligne) -> str:
    f = ligne.fraicheur
    par = f", par {escape(ligne.saisi_par)}" if ligne.saisi_par else ""
    return (
        f'<tr id="uo-{ligne.uo_id}" data-fraicheur="{f.code}">'
        f'<th scope="row"><a href="{ligne.url_historique}">{escape(ligne.nom)}</a></th>'
        f'<td class="ror-dispo"><strong>{_nombre(ligne.disponibles)}</strong></td>'
        f"<td>{_nombre(ligne.installes)}</td>"
        f"<td>{_nombre(ligne.supplementaires)}</td><td>{_nombre(ligne.fermes)}</td>"
        f'<td><p class="fr-badge fr-badge--sm {f.classe}">{f.libelle}</p> '
        f'<span class="fr-text--xs">{escape(f.age)}{par}</span></td>'
        f'<td>{escape(", ".join(ligne.types))}</td><td>{escape(ligne.patientele or "—")}</td></tr>'
    )


def corps_departement(departement: GroupeDepartement) -> SafeString:
    """The <tbody> content of one département: each EG's total row, then its units."""
    morceaux = []
    for eg in departement.etablissements:
        t = eg.totaux
        morceaux.append(
            f'<tr class="ror-ligne-eg"><th scope="rowgroup">{escape(eg.nom)}</th>'
            f"<td>{t.disponibles}</td><td>{t.installes}</td><td>{t.supplementaires}</td><td></td>"
            f'<td>{t.unites} unité{"s" if t.unites > 1 else ""}</td><td colspan="2"></td></tr>')
        morceaux.extend(ligne_unite(ligne) for ligne in eg.lignes)
    return mark_safe("".join(morceaux))  # every value above is escaped
