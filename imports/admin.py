from django.contrib import admin

from .models import Changement, ImportFiness


@admin.register(ImportFiness)
class ImportFinessAdmin(admin.ModelAdmin):
    list_display = ("cree_le", "nom_fichier", "origine", "statut", "nb_nouveaux", "nb_modifies", "nb_fermes",
                    "nb_rouverts")
    list_filter = ("statut", "origine")
    raw_id_fields = ("par",)


@admin.register(Changement)
class ChangementAdmin(admin.ModelAdmin):
    list_display = ("import_finess", "type", "niveau", "finess", "nom", "libelle_champ", "avant", "apres")
    list_filter = ("type", "niveau")
    search_fields = ("finess", "nom")
    raw_id_fields = ("import_finess", "structure")
