from django.contrib import admin

from .models import Commune, Concept, Departement, Epci, Nomenclature, Region


@admin.register(Nomenclature)
class NomenclatureAdmin(admin.ModelAdmin):
    list_display = ("cle", "type", "libelle", "nom_fichier")
    search_fields = ("cle", "libelle")


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ("nomenclature", "code", "libelle", "actif")
    list_filter = ("nomenclature", "actif")
    search_fields = ("code", "libelle")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "nom")


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "region")


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("code_insee", "nom", "departement")
    search_fields = ("code_insee", "nom_recherche")


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "type")
    search_fields = ("code", "nom_recherche")
