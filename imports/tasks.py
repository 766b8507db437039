import hashlib
from pathlib import Path

from celery import shared_task
from django.conf import settings

from .importer import executer, importer_fichier
from .models import ImportFiness


@shared_task(bind=True)
def importer_finess(self, import_id: int) -> dict:
    """Run an uploaded import; its progress is published as the task state (read by the page)."""
    imp = ImportFiness.objects.get(pk=import_id)

    def progres(fraction, etape):
        self.update_state(state="PROGRESS", meta={"progression": round(100 * fraction), "etape": etape})

    with imp.fichier.open("rb") as f:
        contenu = f.read()
    imp = executer(imp, contenu, progres)
    return {"statut": imp.statut, "changements": imp.nb_changements}


@shared_task
def import_hebdomadaire() -> str:
    """Weekly: import settings.FINESS_FICHIER_PLANIFIE if set and changed since the last import."""
    chemin = Path(settings.FINESS_FICHIER_PLANIFIE) if settings.FINESS_FICHIER_PLANIFIE else None
    if chemin is None or not chemin.is_file():
        return "aucun fichier FINESS configuré"
    empreinte = hashlib.sha256(chemin.read_bytes()).hexdigest()
    if ImportFiness.objects.filter(empreinte=empreinte, statut=ImportFiness.Statut.TERMINE).exists():
        return "fichier déjà importé"
    imp = importer_fichier(chemin, origine=ImportFiness.Origine.PLANIFIE)
    return f"import {imp.pk} : {imp.get_statut_display()}"
