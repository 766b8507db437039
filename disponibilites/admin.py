"""Admin for reading and support. The history is append-only: no change, no deletion here."""

from django.contrib import admin

from socle.admin_lecture import LectureSeuleAdmin

from .models import Capacite, Relance, SituationLits, SituationTension, UniteMarquee


@admin.register(Capacite)
class CapaciteAdmin(LectureSeuleAdmin):
    list_display = ("uo", "statut", "temporalite", "nombre", "date_maj", "source", "saisi_par")
    list_filter = ("statut", "source", "departement")
    raw_id_fields = ("uo", "eg", "saisi_par", "jeton")
    date_hierarchy = "date_maj"


@admin.register(SituationLits)
class SituationLitsAdmin(LectureSeuleAdmin):
    list_display = ("uo", "disponibles", "disponibles_le", "supplementaires", "fermes", "saisi_par")
    list_filter = ("departement",)
    raw_id_fields = ("uo", "eg", "saisi_par")


@admin.register(Relance)
class RelanceAdmin(LectureSeuleAdmin):
    list_display = ("situation", "uo", "envoyee_le", "destinataires")
    raw_id_fields = ("uo",)


@admin.register(SituationTension)
class SituationTensionAdmin(admin.ModelAdmin):
    list_display = ("type_crise", "departement", "frequence_heures", "debut", "fin")
    raw_id_fields = ("declaree_par", "levee_par")


@admin.register(UniteMarquee)
class UniteMarqueeAdmin(admin.ModelAdmin):
    list_display = ("uo", "suivie", "par", "le")
    raw_id_fields = ("uo", "par")
