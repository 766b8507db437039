"""PDF export of a fiche (a UO, or an EG with all its UOs) with WeasyPrint: A4, selectable text."""

from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from . import lecture
from .encadres import encadres_de
from .models import Niveau, Structure


MAX_UO_PAR_PDF = 300


def _section(structure: Structure) -> dict:
    return {
        "structure": structure,
        "blocs": [{"encadre": e, "lignes": lecture.lignes(structure, e)} for e in encadres_de(structure.niveau)
                  if e.cle != "photo"],
        **lecture.details(structure),
    }


def fiche_pdf(structure: Structure, request=None) -> bytes:
    principale = lecture.charger_fiche(structure.pk)
    sections = [_section(principale)]
    if principale.niveau in (Niveau.EG, Niveau.OI):  # an EJ prints alone: some hold hundreds of units
        uos = list(Structure.objects.uo().sous(principale)
                   .order_by("lft")[:MAX_UO_PAR_PDF])
        lecture.attacher_references(uos)
        lecture.prefetch_listes(uos, lecture.M2M_TOUS)
        prefetch_related_objects(uos, *lecture.prefetches(Niveau.UO))
        sections += [_section(uo) for uo in uos]
    html = render_to_string("repertoire/pdf/fiche.html", {
        "principale": principale, "ancetres": list(principale.get_ancestors()), "sections": sections,
        "genere_le": timezone.localtime(),
    })
    base = request.build_absolute_uri("/") if request is not None else None
    return HTML(string=html, base_url=base).write_pdf()
