"""One registry of the fields of a `Structure` (as acceslibre's `erp/schema.py`).

Per field: the encadré (box) of the fiche that shows it and at which levels, where a
référent edits it directly and where it is structural (changed only through a dossier
collaboratif), which levels a dossier carries it for and requires it at, the ANS
population criterion it counts for, whether FINESS owns it on an EG, whether the
Historique shows it. Its label is the model's `verbose_name`.

The encadrés (encadres.py), the dossier's fields (dossiers/brouillon.py), the quality
criteria (qualite/indicateurs.py), the fields a FINESS import writes and the value
formatting of the fiche, the history and the dossier comparison are read from here.
A new field of `Structure` goes here or in TECHNIQUES (tests/test_repertoire_schema.py).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.formats import number_format

from nomenclatures.models import Commune
from nomenclatures.territoires import Territoires
from nomenclatures.texte import normaliser

EJ, EG, OI, UO = "EJ", "EG", "OI", "UO"  # the values of models.Niveau (this module loads before the models)
TOUS = frozenset({EJ, EG, OI, UO})


def _niveaux(texte: str) -> frozenset:
    return TOUS if texte == "*" else frozenset(texte.split())


@dataclass(frozen=True)
class Champ:
    nom: str
    encadre: str = ""  # key of the fiche's box ("" = shown in none)
    fiche: frozenset = frozenset()  # levels whose fiche shows it
    modifiable: frozenset = frozenset()  # levels where a référent edits it in its encadré
    structurel: frozenset = frozenset()  # levels where it changes only through a dossier collaboratif
    dossier: frozenset = frozenset()  # levels whose dossier carries it
    obligatoire: frozenset = frozenset()  # levels where finalising a dossier requires it
    critere_ans: str = ""  # code of the ANS population criterion it counts for (CRITERES_ANS)
    finess: bool = False  # FINESS owns it on an EG: an import overwrites it
    historise: bool = True  # the Historique shows its changes


def _champ(nom, encadre="", fiche="", modifiable="", structurel="", dossier="", obligatoire="", **autres) -> Champ:
    return Champ(nom, encadre, _niveaux(fiche), _niveaux(modifiable), _niveaux(structurel), _niveaux(dossier),
                 _niveaux(obligatoire), **autres)


def _adresse(nom, **autres) -> Champ:
    return _champ(nom, "adresse", "EJ EG UO", "EJ EG UO", dossier="EJ EG UO", finess=True, **autres)


def _uo(nom, encadre, **autres) -> Champ:
    """An offer field of a unit: shown, edited and carried by a dossier at UO level."""
    return _champ(nom, encadre, "UO", "UO", dossier="UO", **autres)


# In the order the encadrés show them.
CHAMPS: dict[str, Champ] = {c.nom: c for c in [
    # Identification
    _champ("nom", "identification", "*", "OI UO", "EJ EG", "*", "*", finess=True),
    _champ("nom_officiel", "identification", "EJ EG", structurel="EJ EG", dossier="EJ EG", finess=True),
    _champ("finess", "identification", "EJ EG", structurel="EJ EG", dossier="EJ EG"),
    _champ("siren", "identification", "EJ", structurel="EJ", dossier="EJ"),
    _champ("siret", "identification", "EG", structurel="EG", dossier="EG", finess=True),
    _champ("statut_juridique", "identification", "EJ", "EJ", dossier="EJ"),
    _champ("categorie", "identification", "EG", structurel="EG", dossier="EG", obligatoire="EG", finess=True),
    _champ("type_oi", "identification", "OI", structurel="OI", dossier="OI", obligatoire="OI"),
    _champ("type_uo", "identification", "UO", structurel="UO", dossier="UO", obligatoire="UO",
           critere_ans="categorie"),
    _champ("champ", "identification", "UO", structurel="UO", dossier="UO", critere_ans="champ"),
    _champ("discipline", "identification", "UO", structurel="UO", dossier="UO", obligatoire="UO"),
    _champ("etat", "identification", "*", finess=True),
    _champ("date_ouverture", "identification", "EG", finess=True),
    _champ("date_fermeture", "identification", "EG UO", finess=True),
    _champ("unite_sensible", "identification", "UO", dossier="UO"),
    _champ("accessibilite", "identification", "EG", "EG", dossier="EG"),
    _champ("commentaire", "identification", "EG", "EG", dossier="*"),
    # Adresse (a UO without its own uses its EG's)
    _adresse("numero_voie"),
    _adresse("type_voie"),
    _adresse("voie", critere_ans="adresse"),
    _adresse("complement_adresse"),
    _adresse("lieu_dit", critere_ans="adresse"),
    _adresse("code_postal", critere_ans="adresse"),
    _adresse("commune", obligatoire="EG", critere_ans="adresse"),
    _champ("departement", finess=True),
    _champ("latitude", finess=True),
    _champ("longitude", finess=True),
    # Contacts
    _champ("telephone", "contacts", "*", "*", dossier="EJ EG UO", finess=True),
    _champ("fax", "contacts", "*", "*", dossier="EJ EG UO", finess=True),
    _champ("email", "contacts", "*", "*", dossier="EJ EG UO"),
    _champ("site_web", "contacts", "EG", "EG", dossier="EJ EG UO"),
    # Offre of a unit
    _uo("age_min", "patientele", obligatoire="UO", critere_ans="ages"),
    _uo("age_max", "patientele", obligatoire="UO", critere_ans="ages"),
    _uo("publics", "patientele"),
    _uo("activites", "activites", obligatoire="UO", critere_ans="activite"),
    _uo("famille_activite", "activites"),
    _uo("actes", "actes"),
    _uo("equipements", "equipements"),
    _uo("specialisations", "specialisations"),
    _uo("specialites_ordinales", "specialisations"),
    _uo("competences", "specialisations"),
    _uo("professions", "specialisations"),
    _uo("modes_prise_en_charge", "modalites", critere_ans="mode"),
    _uo("temporalites_accueil", "modalites"),
    _uo("modalites_accueil", "modalites"),
    _uo("ouverture_annuelle", "modalites"),
    _uo("conditions_admission", "modalites"),
    _champ("niveau_expertise", dossier="UO"),
    # Capacité
    _uo("lits_installes", "capacite"),
    _uo("places_installees", "capacite"),
    _uo("patients_par_unite_temps", "capacite"),
    _uo("fonction_lieu", "capacite"),
    _uo("type_habitation", "capacite"),
    _uo("nombre_habitations", "capacite"),
    _champ("places_aide_sociale", "capacite", "EG UO", "EG UO", dossier="UO"),
    _champ("habilitation_aide_sociale", "capacite", "EG UO", "EG UO", dossier="UO"),
    _uo("tarif_mensuel", "capacite"),
    _champ("aides_financieres", "capacite", "EG UO", "EG UO", dossier="EG"),
    _uo("territoire", "territoire"),
    _champ("photo", "photo", "EG UO", "EG UO"),
    # Life of the fiche
    _champ("pre_peuplee"),
    _champ("date_verification"),
    _champ("verifie_par", historise=False),
]}

# Technical fields: the tree, the denormalised ancestors, the bookkeeping. Never written
# through the generic services; the history shows only the place in the tree.
TECHNIQUES = frozenset({"id", "niveau", "parent", "ej", "eg", "lft", "rght", "tree_id", "level", "version",
                        "cree_le", "modifie_le", "autorisation"})
TECHNIQUES_HISTORISES = frozenset({"niveau", "parent"})

# The ANS population criteria of a UO (code, what is missing in words), in the order shown.
# "contact" is read from the contacts of the unit, not from a field.
CRITERES_ANS = [
    ("champ", "champ d'activité valide"),
    ("categorie", "catégorie d'organisation (type d'unité)"),
    ("activite", "activité opérationnelle valide"),
    ("mode", "mode de prise en charge"),
    ("ages", "âges minimum et maximum"),
    ("adresse", "adresse (voie ou lieu-dit, code postal, commune)"),
    ("contact", "contact avec fonction et téléphone ou courriel"),
]


# -- what the rest of the code reads --------------------------------------------------------

def du_niveau(niveau: str, attribut: str) -> list[str]:
    """Names of the fields whose `attribut` (fiche, dossier, obligatoire…) holds `niveau`, in order."""
    return [c.nom for c in CHAMPS.values() if niveau in getattr(c, attribut)]


def de_l_encadre(niveau: str, cle: str) -> list[Champ]:
    return [c for c in CHAMPS.values() if c.encadre == cle and niveau in c.fiche]


def est_structurel(niveau: str, nom: str) -> bool:
    champ = CHAMPS.get(nom)
    return champ is not None and niveau in champ.structurel


def champs_finess() -> tuple[str, ...]:
    return tuple(c.nom for c in CHAMPS.values() if c.finess)


def champs_du_critere(code: str) -> list[str]:
    return [c.nom for c in CHAMPS.values() if c.critere_ans == code]


def historise(nom: str) -> bool:
    return nom in TECHNIQUES_HISTORISES or (nom in CHAMPS and CHAMPS[nom].historise)


def champ_modele(nom: str) -> models.Field:
    from .models import Structure

    return Structure._meta.get_field(nom)


def libelle(nom: str) -> str:
    """The one label of a field (its verbose_name), lower case as the model writes it."""
    return str(champ_modele(nom).verbose_name)


# -- values in words: the fiche, the history, the dossier comparison ------------------------

def est_vide(valeur) -> bool:
    return valeur is None or valeur == "" or valeur == []


class Libelles:
    """Labels of the objects met as raw values (ids of codes, communes, users…), fetched
    in bulk: `noter` every value, `charger` once, then `texte`. `libeller` names one object."""

    def __init__(self, libeller=None):
        self.libeller = libeller or libelle_objet
        self.ids: dict[type, set] = {}
        self.textes: dict[type, dict] = {}
        self.territoires: Territoires | None = None  # when a list of communes was noted

    def noter(self, champ: models.Field | None, valeur) -> None:
        cible = _modele_cible(champ)
        if cible is None or est_vide(valeur):
            return
        if cible is Commune and isinstance(valeur, (list, tuple)) and len(valeur) > 1:
            self.territoires = self.territoires or Territoires([])
        for v in valeur if isinstance(valeur, (list, tuple)) else [valeur]:
            self.noter_objet(cible, getattr(v, "pk", v))

    def noter_objet(self, modele, pk) -> None:
        if pk is not None:
            self.ids.setdefault(modele, set()).add(pk)

    def de(self, modele, pk, defaut: str = "") -> str:
        """The label of a noted object (after `charger`)."""
        return self.textes.get(modele, {}).get(pk, defaut)

    def charger(self) -> None:
        for modele, ids in self.ids.items():
            objets = list(modele._default_manager.filter(pk__in=ids))
            self.textes[modele] = {o.pk: self.libeller(o) for o in objets}
            if modele is Commune and self.territoires is not None:
                self.territoires = Territoires(objets)

    def texte(self, champ: models.Field | None, valeur, deja=()) -> str:
        """A value as text: labels for codes, communes and users, Oui/Non, dates in French.
        A list of communes names whole départements and EPCI as such (`deja`: the communes a
        territory had, when `valeur` is what a change adds)."""
        if est_vide(valeur):
            return ""
        if isinstance(valeur, (list, tuple)) and self.territoires is not None and _modele_cible(champ) is Commune:
            return self.territoires.resumer([getattr(v, "pk", v) for v in valeur],
                                            lambda code: self.de(Commune, code, code), deja)
        if isinstance(valeur, (list, tuple)):
            return ", ".join(sorted(self.texte(champ, v) for v in valeur))
        if isinstance(valeur, models.Model):
            return self.libeller(valeur)
        cible = _modele_cible(champ)
        if cible is not None:
            return self.de(cible, valeur, str(valeur))
        if getattr(champ, "choices", None):
            return str(dict(champ.flatchoices).get(valeur, valeur))
        if isinstance(valeur, bool):
            return "Oui" if valeur else "Non"
        if isinstance(valeur, FieldFile):
            return valeur.url
        if isinstance(valeur, str) and isinstance(champ, models.DateField):  # a date stored as JSON
            valeur = champ.to_python(valeur)
        if hasattr(valeur, "strftime"):
            return valeur.strftime("%d/%m/%Y %H:%M" if hasattr(valeur, "hour") else "%d/%m/%Y")
        if isinstance(valeur, (int, float, Decimal)):  # "3 094,00 €", "1 200"
            return nombre_fr(valeur, euros="(€)" in str(getattr(champ, "verbose_name", "")))
        return str(valeur)


def nombre_fr(valeur, euros: bool = False) -> str:
    """A number as French write it: grouped thousands, decimal comma; prices with two decimals and €."""
    decimales = 2 if euros or (isinstance(valeur, Decimal) and valeur != valeur.to_integral_value()) else None
    texte = number_format(valeur, decimal_pos=decimales, use_l10n=True, force_grouping=True)
    return f"{texte}\u00a0€" if euros else texte


# First words of feminine labels ("Capacité", "Tarification mensuelle", "Adresse"…): "Non renseignée".
_FEMININS = {"adresse", "date", "capacite", "tarification", "habilitation", "discipline", "categorie",
             "commune", "patientele", "specialisation", "specialisations", "activite", "activites", "modalite",
             "modalites", "competence", "competences", "profession", "professions", "photo", "latitude",
             "longitude", "civilite", "raison", "description", "telecopie", "zone", "place", "places", "personne",
             "condition", "conditions", "autorisation", "autorisations", "mention", "structure", "unite", "entite",
             "situation", "appellation", "denomination", "forme", "nature", "origine", "source", "population",
             "periode", "frequence", "precision", "information", "informations", "version", "langue", "langues"}


def non_renseigne(libelle: str) -> str:
    """"Non renseigné" agreeing with the label's noun: "Non renseignée" for "Capacité", plural when plural."""
    premier = normaliser(libelle).split(" ", 1)[0] if libelle else ""
    feminin = premier in _FEMININS or premier.endswith(("tion", "ite", "ure", "ance", "ence"))
    pluriel = premier.endswith("s") and premier not in {"fois", "temps", "cours"}
    return "Non renseigné" + ("e" if feminin else "") + ("s" if pluriel else "")


def libelle_objet(objet) -> str:
    """A user by name; a code by its label, a commune as "Angers (49000)" (their str)."""
    if isinstance(objet, AbstractBaseUser):
        return objet.get_full_name() or objet.get_username()
    return str(objet)


def _modele_cible(champ):
    if champ is None or not champ.is_relation:
        return None
    return champ.related_model


def texte(nom: str, valeur, libeller=None) -> str:
    """One raw value of a Structure field (ids, lists of ids, JSON of a draft) in words."""
    champ = champ_modele(nom)
    libelles = Libelles(libeller)
    libelles.noter(champ, valeur)
    libelles.charger()
    return libelles.texte(champ, valeur)


def afficher(structure, nom: str) -> str:
    """A field of a live fiche in words ("" when empty); a list gives its labels joined."""
    if champ_modele(nom).many_to_many:
        return ", ".join(afficher_liste(structure, nom))
    return Libelles().texte(champ_modele(nom), getattr(structure, nom))


def afficher_liste(structure, nom: str) -> list[str]:
    """The labels of a many-to-many field of a live fiche (a prefetched list is read as it is)."""
    return [libelle_objet(objet) for objet in getattr(structure, nom).all()]
