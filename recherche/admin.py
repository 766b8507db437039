"""The search index is derived data (rebuilt by `manage.py reindexer_recherche`): read-only here."""

from django.contrib import admin

from socle.admin_lecture import LectureSeuleAdmin

from .models import Libelle, Mot, UniteIndexee


class LectureSeule(LectureSeuleAdmin):
    show_full_result_count = False  # a million rows: no COUNT(*) on every page


@admin.register(UniteIndexee)
class UniteIndexeeAdmin(LectureSeule):
    list_display = ("uo_id", "eg_id", "nom_eg", "discipline", "departement", "ouverte")
    list_select_related = False
    exclude = ("document",)


@admin.register(Libelle)
class LibelleAdmin(LectureSeule):
    list_display = ("libelle", "source")
    list_filter = ("source",)
    search_fields = ("normalise",)


@admin.register(Mot)
class MotAdmin(LectureSeule):
    list_display = ("mot", "lexeme")
    search_fields = ("mot",)
