from django.contrib import admin

from socle.admin_lecture import LectureSeuleAdmin

from .models import Changement, EmpreinteActivites, EmpreinteStructures, ImportFiness


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


@admin.register(EmpreinteActivites, EmpreinteStructures)
class EmpreinteAdmin(LectureSeuleAdmin):
    """What the last FINESS import applied of each element: written by the import only."""

    list_display = ("finess_ej", "empreinte")
    search_fields = ("finess_ej",)
