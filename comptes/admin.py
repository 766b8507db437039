from django.contrib import admin

from socle.admin_lecture import LectureSeuleAdmin

from .models import AcceptationCGU, ChangementAdresse, DemandeAcces


@admin.register(DemandeAcces)
class DemandeAccesAdmin(admin.ModelAdmin):
    list_display = ("cree_le", "prenom", "nom", "structure", "role", "statut")
    list_filter = ("statut", "role")
    raw_id_fields = ("structure", "traitee_par", "compte")


@admin.register(AcceptationCGU)
class AcceptationCGUAdmin(admin.ModelAdmin):
    list_display = ("acceptee_le", "user", "version")
    readonly_fields = ("user", "version", "acceptee_le")


@admin.register(ChangementAdresse)
class ChangementAdresseAdmin(LectureSeuleAdmin):
    """E-mail changes wait for the signed link (comptes services only)."""

    list_display = ("user", "nouvelle_adresse", "demande_le", "confirme_le")
