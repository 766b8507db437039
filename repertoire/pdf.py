"""PDF export of a fiche (a UO, or an EG with all its UOs) with WeasyPrint: A4, selectable text.

An EG (or OI) with many units takes seconds to lay out: it is produced by a Celery task
(`repertoire.tasks.produire_pdf`) with its progress, and kept in the media storage under a
name that changes when the fiche or one of its units changes (`nom_fichier`)."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Max, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import lecture
from .encadres import encadres_de
from .models import Niveau, Structure


MAX_UO_PAR_PDF = 300
# A fixed base, never the request's Host: relative URLs of the template resolve here, and only
# here is anything served (the portal's own static files, read from disk).
BASE_PDF = "https://portail.ror.invalid/"


class FichiersStatiques(URLFetcher):
    """WeasyPrint's only way out: the portal's static files. No network (a name or a site typed
    into a fiche can't make the server call an address), no file:// (no /etc/passwd in a PDF)."""

    def fetch(self, url, headers=None):
        morceaux = urlsplit(url)
        prefixe = urlsplit(BASE_PDF + settings.STATIC_URL.lstrip("/"))
        if (morceaux.scheme, morceaux.netloc) != (prefixe.scheme, prefixe.netloc) \
                or not morceaux.path.startswith(prefixe.path):
            raise ValueError(f"Ressource refusée dans un PDF : {url[:200]}")
        relatif = unquote(morceaux.path[len(prefixe.path):])
        if not relatif or ".." in Path(relatif).parts or relatif.startswith("/"):
            raise ValueError(f"Chemin statique refusé : {relatif[:200]}")
        chemin = finders.find(relatif) or (Path(settings.STATIC_ROOT) / relatif)
        chemin = Path(chemin).resolve()
        racines = [Path(r).resolve() for r in [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]]
        if not chemin.is_file() or not any(chemin.is_relative_to(r) for r in racines):
            raise ValueError(f"Fichier statique introuvable : {relatif[:200]}")
        type_mime = mimetypes.guess_type(chemin.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, chemin.read_bytes(), {"Content-Type": type_mime})


def _section(structure: Structure) -> dict:
    return {
        "structure": structure,
        "blocs": [{"encadre": e, "lignes": lecture.lignes(structure, e)} for e in encadres_de(structure.niveau)
                  if e.cle != "photo"],
        **lecture.details(structure),
    }


def nb_uo(structure: Structure) -> int:
    if structure.niveau not in (Niveau.EG, Niveau.OI):
        return 0
    return Structure.objects.uo().sous(structure).count()


def asynchrone(structure: Structure) -> bool:
    """Many units: the PDF is produced in the background (a person never waits on a blank page)."""
    return nb_uo(structure) > settings.ROR_PDF_SEUIL_ASYNCHRONE


def nom_fichier(structure: Structure) -> str:
    """The stored PDF's name: a new one as soon as the fiche or one of its units changes."""
    derniere = Structure.objects.sous(structure, inclus=True).aggregate(m=Max("modifie_le"))["m"]
    return f"pdf/fiche-{structure.pk}-v{structure.version}-{derniere:%Y%m%d%H%M%S%f}.pdf"


def pdf_pret(structure: Structure) -> str | None:
    nom = nom_fichier(structure)
    return nom if default_storage.exists(nom) else None


def produire(structure: Structure, progres=None) -> str:
    """Write the fiche's PDF in the storage (the task's work); returns its name."""
    nom = nom_fichier(structure)
    if not default_storage.exists(nom):
        contenu = fiche_pdf(structure, progres=progres)
        default_storage.save(nom, ContentFile(contenu))
    return nom


def fiche_pdf(structure: Structure, progres=None) -> bytes:
    def etape(fraction, libelle):
        if progres:
            progres(fraction, libelle)

    etape(0.05, "Lecture de la fiche")
    principale = lecture.charger_fiche(structure.pk)
    sections = [_section(principale)]
    if principale.niveau in (Niveau.EG, Niveau.OI):  # an EJ prints alone: some hold hundreds of units
        uos = list(Structure.objects.uo().sous(principale)
                   .order_by("lft")[:MAX_UO_PAR_PDF])
        lecture.attacher_references(uos)
        lecture.prefetch_listes(uos, lecture.M2M_TOUS)
        prefetch_related_objects(uos, *lecture.prefetches(Niveau.UO))
        etape(0.2, f"Lecture des {len(uos)} unités")
        sections += [_section(uo) for uo in uos]
    html = render_to_string("repertoire/pdf/fiche.html", {
        "principale": principale, "ancetres": list(principale.get_ancestors()), "sections": sections,
        "genere_le": timezone.localtime(),
    })
    etape(0.4, "Mise en page")
    document = HTML(string=html, base_url=BASE_PDF, url_fetcher=FichiersStatiques()).render()
    etape(0.85, f"Écriture des {len(document.pages)} pages")
    return document.write_pdf()
