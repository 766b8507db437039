"""The encadrés (boxes) of a fiche, per level, as in the regional guides.

Each encadré lists the fields it shows, those a référent may change directly
(operational data) and those that change only through a dossier collaboratif
(structural data, shown read-only). The fiche page, the edit forms, the service
`modifier_encadre`, the history ("which encadré") and the PDF all read this table.
"""

from dataclasses import dataclass, field

from .models import Niveau


@dataclass(frozen=True)
class Encadre:
    cle: str
    titre: str
    lecture: tuple[str, ...]  # fields shown, in order
    champs: tuple[str, ...] = ()  # editable scalar fields
    m2m: tuple[str, ...] = ()  # editable coded lists
    structurels: tuple[str, ...] = ()  # shown, changed only through a dossier collaboratif
    special: tuple[str, ...] = field(default=())  # "contacts", "responsable", "planning", "pieces"

    @property
    def modifiable(self) -> bool:
        return bool(self.champs or self.m2m or self.special)


ADRESSE = ("numero_voie", "type_voie", "voie", "complement_adresse", "lieu_dit", "code_postal", "commune")


def _adresse():
    return Encadre("adresse", "Adresse", ADRESSE, champs=ADRESSE)


ENCADRES = {
    Niveau.EJ: [
        Encadre("identification", "Identification",
                ("nom", "nom_officiel", "finess", "siren", "statut_juridique", "etat"),
                champs=("statut_juridique",), structurels=("nom", "nom_officiel", "finess", "siren")),
        _adresse(),
        Encadre("contacts", "Contacts", ("telephone", "fax", "email"), champs=("telephone", "fax", "email")),
    ],
    Niveau.EG: [
        Encadre("identification", "Identification",
                ("nom", "nom_officiel", "finess", "siret", "categorie", "etat", "date_ouverture", "date_fermeture",
                 "accessibilite", "commentaire"),
                champs=("accessibilite", "commentaire"),
                structurels=("nom", "nom_officiel", "finess", "siret", "categorie")),
        _adresse(),
        Encadre("contacts", "Contacts", ("telephone", "fax", "email", "site_web"),
                champs=("telephone", "fax", "email", "site_web"), special=("contacts",)),
        Encadre("responsable", "Direction", (), special=("responsable",)),
        Encadre("capacite", "Capacité et aide sociale",
                ("places_aide_sociale", "habilitation_aide_sociale", "aides_financieres"),
                champs=("places_aide_sociale", "habilitation_aide_sociale"), m2m=("aides_financieres",)),
        Encadre("photo", "Photo et pièces jointes", ("photo",), champs=("photo",), special=("pieces",)),
    ],
    Niveau.OI: [
        Encadre("identification", "Identification", ("nom", "type_oi", "etat"), champs=("nom",),
                structurels=("type_oi",)),
        Encadre("contacts", "Contacts", ("telephone", "fax", "email"), champs=("telephone", "fax", "email"),
                special=("contacts",)),
    ],
    Niveau.UO: [
        Encadre("identification", "Identification",
                ("nom", "type_uo", "champ", "discipline", "etat", "date_fermeture", "unite_sensible"),
                champs=("nom",), structurels=("type_uo", "champ", "discipline")),
        _adresse(),
        Encadre("contacts", "Contacts", ("telephone", "fax", "email"), champs=("telephone", "fax", "email"),
                special=("contacts",)),
        Encadre("patientele", "Patientèle", ("age_min", "age_max", "publics"), champs=("age_min", "age_max"),
                m2m=("publics",)),
        Encadre("activites", "Activités opérationnelles", ("activites",), m2m=("activites",)),
        Encadre("actes", "Actes spécifiques", ("actes",), m2m=("actes",)),
        Encadre("equipements", "Équipements spécifiques", ("equipements",), m2m=("equipements",)),
        Encadre("specialisations", "Spécialisations et compétences",
                ("specialisations", "specialites_ordinales", "competences", "professions"),
                m2m=("specialisations", "specialites_ordinales", "competences", "professions")),
        Encadre("modalites", "Modalités d'accès et d'accueil",
                ("modes_prise_en_charge", "temporalites_accueil", "modalites_accueil", "ouverture_annuelle",
                 "conditions_admission"),
                champs=("ouverture_annuelle", "conditions_admission"),
                m2m=("modes_prise_en_charge", "temporalites_accueil", "modalites_accueil")),
        Encadre("capacite", "Capacité",
                ("lits_installes", "places_installees", "patients_par_unite_temps", "places_aide_sociale",
                 "habilitation_aide_sociale", "tarif_mensuel", "aides_financieres"),
                champs=("lits_installes", "places_installees", "patients_par_unite_temps", "places_aide_sociale",
                        "habilitation_aide_sociale", "tarif_mensuel"),
                m2m=("aides_financieres",)),
        Encadre("planning", "Planning", (), special=("planning",)),
        Encadre("territoire", "Territoire d'intervention", ("territoire",), m2m=("territoire",)),
        Encadre("responsable", "Responsable", (), special=("responsable",)),
        Encadre("photo", "Photo et pièces jointes", ("photo",), champs=("photo",), special=("pieces",)),
    ],
}

# Every many-to-many field shown somewhere (prefetched once per fiche).
M2M_AFFICHES = sorted({nom for liste in ENCADRES.values() for e in liste for nom in e.lecture + e.m2m
                       if nom in {"publics", "activites", "actes", "equipements", "specialisations",
                                  "specialites_ordinales", "competences", "professions", "modes_prise_en_charge",
                                  "temporalites_accueil", "modalites_accueil", "aides_financieres", "territoire"}})
TITRES = {e.cle: e.titre for liste in ENCADRES.values() for e in liste}


def encadres_de(niveau: str) -> list[Encadre]:
    return ENCADRES.get(niveau, [])


def encadre_de(niveau: str, cle: str) -> Encadre | None:
    return next((e for e in encadres_de(niveau) if e.cle == cle), None)
