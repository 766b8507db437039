from django.contrib import admin

from .models import ChangementSync, CurseurSync, EtatSyncEG, ExportFhir


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


@admin.register(ExportFhir)
class ExportFhirAdmin(admin.ModelAdmin):
    list_display = ("id", "jeton", "etat", "cree_le", "termine_le", "expire_le")
    list_filter = ("etat",)
    readonly_fields = ("fichiers", "erreur", "progression")
