from django.contrib import admin

from .models import ChangementSync, CurseurSync, EtatSyncEG, JetonApi


@admin.register(JetonApi)
class JetonApiAdmin(admin.ModelAdmin):
    """Read-mostly: tokens are created and revoked from /interop/jetons/ (the clear token is shown once there)."""

    list_display = ("consommateur", "prefixe", "cree_le", "derniere_utilisation", "revoque_le")
    readonly_fields = ("empreinte", "prefixe", "cree_le", "cree_par", "derniere_utilisation")

    def has_add_permission(self, request):
        return False


@admin.register(ChangementSync)
class ChangementSyncAdmin(admin.ModelAdmin):
    list_display = ("id", "structure_id", "eg_id", "niveau", "date_changement", "etat", "tentatives", "origine")
    list_filter = ("etat", "niveau", "origine")
    search_fields = ("=structure_id", "=eg_id", "cle")


@admin.register(EtatSyncEG)
class EtatSyncEGAdmin(admin.ModelAdmin):
    list_display = ("eg", "etat", "date_erreur", "dernier_envoi")
    list_filter = ("etat",)
    raw_id_fields = ("eg",)


@admin.register(CurseurSync)
class CurseurSyncAdmin(admin.ModelAdmin):
    list_display = ("nom", "history_date")
