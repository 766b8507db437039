from django.db.models import Count, Max
from django.shortcuts import render

from repertoire.models import Niveau, Structure


def accueil(request):
    """Home page: the region's offer in figures."""
    comptes = dict(
        Structure.objects.filter(etat="ouvert").order_by().values_list("niveau").annotate(n=Count("id"))
    )
    derniere_maj = Structure.objects.aggregate(m=Max("modifie_le"))["m"]
    return render(request, "accueil.html", {
        "nb_ej": comptes.get(Niveau.EJ, 0),
        "nb_eg": comptes.get(Niveau.EG, 0),
        "nb_uo": comptes.get(Niveau.UO, 0),
        "derniere_maj": derniere_maj,
    })
