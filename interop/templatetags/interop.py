from django import template

register = template.Library()


@register.filter
def get_item(dictionnaire, cle):
    return dictionnaire.get(cle) if dictionnaire else None


@register.inclusion_tag("interop/_etat_sync.html")
def etat_sync_viatrajectoire(eg):
    """The ViaTrajectoire sync state of an EG, for its fiche: {% load interop %}{% etat_sync_viatrajectoire eg %}."""
    from interop.viatrajectoire import etat_de

    return {"etat": etat_de(eg)}
