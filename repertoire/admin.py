from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from mptt.admin import MPTTModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from socle.admin_lecture import LectureSeuleAdmin

from .models import (AutorisationFiness, Contact, EntiteFiness, EtablissementFiness, Favori, Groupement, Horaire,
                     JetonApi, PictogrammeFiche, PieceJointe, SignalementAnomalie, Structure)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    autocomplete_fields = ()


class HoraireInline(admin.TabularInline):
    model = Horaire
    extra = 0


@admin.register(Structure)
class StructureAdmin(SimpleHistoryAdmin, GuardedModelAdmin, MPTTModelAdmin):
    list_display = ("nom", "niveau", "finess", "departement", "etat")
    list_filter = ("niveau", "etat", "discipline", "departement")
    search_fields = ("nom", "finess")
    raw_id_fields = ("parent", "ej", "eg", "commune", "verifie_par")
    filter_horizontal = ()
    inlines = [ContactInline, HoraireInline]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ("structure", "libelle", "nom", "telephone")
    raw_id_fields = ("structure",)


@admin.register(Horaire)
class HoraireAdmin(SimpleHistoryAdmin):
    list_display = ("structure", "jour", "debut", "fin")
    raw_id_fields = ("structure",)


@admin.register(PieceJointe)
class PieceJointeAdmin(admin.ModelAdmin):
    list_display = ("structure", "titre", "ajoutee_le")
    raw_id_fields = ("structure",)


@admin.register(Favori)
class FavoriAdmin(admin.ModelAdmin):
    list_display = ("user", "structure", "ajoute_le")
    raw_id_fields = ("user", "structure")


@admin.register(SignalementAnomalie)
class SignalementAnomalieAdmin(admin.ModelAdmin):
    list_display = ("structure", "auteur", "cree_le", "traitee_le")
    list_filter = ("traitee_le",)
    raw_id_fields = ("structure", "auteur", "traitee_par")


@admin.register(JetonApi)
class JetonApiAdmin(LectureSeuleAdmin):
    """Tokens are created and revoked on the FHIR and beds token pages (the clear token is shown once there)."""

    list_display = ("libelle", "portee", "eg", "prefixe", "cree_le", "utilise_le", "revoque_le")
    list_filter = ("portee",)
    exclude = ("empreinte",)
    raw_id_fields = ("eg", "cree_par", "revoque_par")


@admin.register(EtablissementFiness)
class EtablissementFinessAdmin(LectureSeuleAdmin):
    """FINESS's register as the imports recorded it: written by the FINESS import only."""

    list_display = ("finess", "nom", "categorie", "departement", "ferme", "date_fermeture", "date_maj")
    list_filter = ("ferme", "departement")
    search_fields = ("finess", "finess_ej", "nom")


@admin.register(EntiteFiness)
class EntiteFinessAdmin(LectureSeuleAdmin):
    """FINESS number ↔ pmSmsseId of each legal entity: written by the FINESS import only."""

    list_display = ("finess", "pm_smsse_id", "nom")
    search_fields = ("finess", "pm_smsse_id", "nom")


@admin.register(AutorisationFiness)
class AutorisationFinessAdmin(LectureSeuleAdmin):
    """FINESS activities and authorisations: written by the FINESS import only."""

    list_display = ("activite_id", "finess_ej", "finess_eg", "nature", "activite", "modalite", "forme", "active",
                    "date_debut", "date_fin")
    list_filter = ("nature", "exercee", "active")
    search_fields = ("activite_id", "finess_ej", "finess_eg", "num_arhgos")


@admin.register(Groupement)
class GroupementAdmin(LectureSeuleAdmin):
    """GHT are created through repertoire.services.groupements (journalised), never by hand here."""

    list_display = ("nom", "type", "departement", "support")
    list_filter = ("type", "departement")
    raw_id_fields = ("support", "membres")


@admin.register(PictogrammeFiche)
class PictogrammeFicheAdmin(LectureSeuleAdmin):
    """The "in a dossier" mark of a fiche, set by the dossiers' services."""

    list_display = ("structure", "statut")
    raw_id_fields = ("structure",)
