from django import template

register = template.Library()


@register.inclusion_tag("disponibilites/_fiche_lits.html")
def lits_de_l_unite(uo):
    """On a UO fiche: its latest available beds and a link to their history, if the unit is followed."""
    from disponibilites.models import SituationLits
    from disponibilites.services.suivi import est_concernee

    if uo.niveau != "UO" or not est_concernee(uo):
        return {"suivie": False}
    return {"suivie": True, "uo": uo, "situation": SituationLits.objects.filter(uo=uo).first()}
