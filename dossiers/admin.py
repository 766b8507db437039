from django.contrib import admin

from .models import DossierCollaboratif, FicheBrouillon, Transition


class FicheBrouillonInline(admin.TabularInline):
    model = FicheBrouillon
    extra = 0
    fields = ("niveau", "structure", "parent", "statut", "a_supprimer", "creation")
    raw_id_fields = ("structure", "parent", "parent_initial", "modifiee_par")
    readonly_fields = fields


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    readonly_fields = ("action", "etat_avant", "etat_apres", "par", "le", "commentaire")


@admin.register(DossierCollaboratif)
class DossierCollaboratifAdmin(admin.ModelAdmin):
    """Read-mostly: the workflow steps go through the dossier pages (dossiers/services.py)."""

    list_display = ("id", "structure", "etat", "ouvert_par", "modifie_le")
    list_filter = ("etat",)
    search_fields = ("structure__nom", "titre")
    raw_id_fields = ("structure", "ouvert_par")
    readonly_fields = ("etat",)
    inlines = [FicheBrouillonInline, TransitionInline]


@admin.register(FicheBrouillon)
class FicheBrouillonAdmin(admin.ModelAdmin):
    list_display = ("id", "dossier", "niveau", "statut", "a_supprimer", "creation")
    list_filter = ("niveau", "statut")
    raw_id_fields = ("dossier", "structure", "parent", "parent_initial", "modifiee_par")


@admin.register(Transition)
class TransitionAdmin(admin.ModelAdmin):
    list_display = ("dossier", "action", "etat_apres", "par", "le")
    raw_id_fields = ("dossier", "par")
