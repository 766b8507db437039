"""Every write of imports started by a user: one function per action, atomic, recording who."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from repertoire import access
from socle.fichiers import supprimer_apres_commit

from .models import ImportFiness
from .tasks import importer_finess


@transaction.atomic
def lancer_import(acteur, fichier, fichier_activites=None) -> ImportFiness:
    """An uploaded FINESS file (and the activités flux), imported by a Celery worker once this
    transaction commits; it first computes its preview."""
    access.exiger(acteur, access.ADMINISTRER)
    nom = fichier.name[:255] if fichier else fichier_activites.name[:255]
    imp = ImportFiness.objects.create(par=acteur, origine=ImportFiness.Origine.TELEVERSEMENT, nom_fichier=nom,
                                      fichier=fichier, fichier_activites=fichier_activites or "")
    transaction.on_commit(lambda: _demarrer(imp))
    return imp


def _a_confirmer(acteur, imp: ImportFiness) -> ImportFiness:
    access.exiger(acteur, access.ADMINISTRER)
    imp = ImportFiness.objects.select_for_update().get(pk=imp.pk)
    if imp.statut != ImportFiness.Statut.A_CONFIRMER:
        raise PermissionDenied("Cet import n'attend pas de confirmation.")
    return imp


@transaction.atomic
def confirmer_import(acteur, imp: ImportFiness) -> ImportFiness:
    """The gestionnaire confirms the preview: the worker applies exactly what it showed (or
    stops at a new preview if the Répertoire changed meanwhile)."""
    imp = _a_confirmer(acteur, imp)
    ImportFiness.objects.filter(pk=imp.pk).update(statut=ImportFiness.Statut.EN_ATTENTE, confirme=True,
                                                  confirme_par=acteur, confirme_le=timezone.now())
    transaction.on_commit(lambda: _demarrer(imp, confirme=True))
    imp.refresh_from_db()
    return imp


@transaction.atomic
def annuler_import(acteur, imp: ImportFiness) -> ImportFiness:
    """The gestionnaire cancels the preview: nothing was written, nothing will be."""
    imp = _a_confirmer(acteur, imp)
    ImportFiness.objects.filter(pk=imp.pk).update(statut=ImportFiness.Statut.ANNULE, confirme_par=acteur,
                                                  confirme_le=timezone.now())
    oublier_fichier(imp)
    imp.refresh_from_db()
    return imp


def _demarrer(imp: ImportFiness, confirme: bool = False) -> None:
    tache = importer_finess.delay(imp.pk, confirme=confirme)
    ImportFiness.objects.filter(pk=imp.pk).update(tache=tache.id)


@transaction.atomic
def oublier_fichier(imp: ImportFiness) -> None:
    """The uploaded files of a finished import are deleted (they may hold the whole FINESS flux)."""
    noms = ImportFiness.objects.filter(pk=imp.pk).values_list("fichier", "fichier_activites").first() or ()
    if any(noms):
        ImportFiness.objects.filter(pk=imp.pk).update(fichier="", fichier_activites="")
        for nom in noms:
            if nom:
                supprimer_apres_commit(nom)


def conserver_pour_confirmation(imp: ImportFiness, fichiers) -> None:
    """A preview waits for its gestionnaire: its uploaded files, deleted when the run began,
    are stored again from the open files (`fichiers`: (field, open file or path, name))."""
    from pathlib import Path

    from django.core.files import File

    for champ, flux, nom in fichiers:
        if nom and flux is not None and not isinstance(flux, (str, Path)):
            flux.seek(0)
            getattr(imp, champ).save(Path(nom).name, File(flux), save=False)
    ImportFiness.objects.filter(pk=imp.pk).update(fichier=imp.fichier.name or "",
                                                  fichier_activites=imp.fichier_activites.name or "")
