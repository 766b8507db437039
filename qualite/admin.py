from django.contrib import admin

from socle.admin_lecture import LectureSeuleAdmin

from .models import Campagne, EnvoiCampagne, FicheCampagne, ReleveExigence


@admin.register(ReleveExigence)
class ReleveExigenceAdmin(LectureSeuleAdmin):
    """Weekly snapshots of the ANS requirements: written by qualite.services.relever_exigences."""

    list_display = ("date", "code", "departement", "champ", "conformes", "total")
    list_filter = ("code", "date")


@admin.register(Campagne)
class CampagneAdmin(LectureSeuleAdmin):
    """Verification campaigns: launched and closed through qualite.campagnes only."""

    list_display = ("nom", "perimetre", "valeur", "lancee_le", "close_le")
    list_filter = ("perimetre",)


@admin.register(FicheCampagne)
class FicheCampagneAdmin(LectureSeuleAdmin):
    list_display = ("campagne", "structure", "eg", "traitee_le", "traitement")
    list_filter = ("traitement",)
    raw_id_fields = ("structure", "eg")


@admin.register(EnvoiCampagne)
class EnvoiCampagneAdmin(LectureSeuleAdmin):
    list_display = ("campagne", "destinataire", "nature", "envoye_le", "fiches")
    list_filter = ("nature",)
