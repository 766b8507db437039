"""Reading the daily FINESS JSON flux (data.gouv.fr): `structures` and `activités`.

The contract is the ANS's schemas (fixtures/finess/json/schema-structures-v1.json,
schema-activites-v1-0-1.json) as the real files write them (the samples beside them):
`schemaVersion` and `generatedAt` at the top (the activités schema puts them in
`metadata`: both are read), absent values written `null`, and the médico-social nature
written `ASMR` with a `typeActiviteAMSR` (the schema says `AMSR`): both are accepted.

A national file is ~400 MB: it is read as a stream, one `pmej` at a time, never whole:
orjson reads each element cut from a block of bytes (several times faster than building it
from ijson's events); a file this fast reading does not follow is read again with ijson. Each element is checked before anything is written; a defect raises
`FichierInvalide` with the element's path (`pmej[12].ege[0].…`) and the reason.
"""

import functools
import hashlib
import re
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date

import ijson
import orjson

from repertoire.models import NatureActivite
from repertoire.services.import_finess import CHAMPS_AUTORISATION
from socle.validateurs import une_ligne

from .finess import Etablissement, Extrait, FichierInvalide, Referentiel, formater_telephone

VERSIONS_ACCEPTEES = re.compile(r"^v?1\.\d+(\.\d+)?$")  # schema major version 1
ETATS = {"A": False, "I": True}  # etatObjet (TRE_R386) → closed?
CODE_FERMETURE = "005"  # codeEvenement (TRE_R376) of a closure
NATURES = set(NatureActivite.values)  # codeNature of the schema
ALIAS_NATURES = {"ASMR": "AMSR"}  # written so in the real flux of 2026-04-01
# typeActivite<nature> keys → (activite, modalite, forme, mention) of AutorisationFiness.
CLES_TYPE = {
    "activite": ("activiteSanitaireRegulee", "activiteAMF", "activiteAMM", "typeEmlId",
                 "activiteSanitaireDiverseRegulee", "activiteSocialeRegulee", "activiteEnseignementRegulee"),
    "modalite": ("modaliteActivite", "modaliteAMM", "modeFonctionnement"),
    "forme": ("formeActivite", "public", "ptsAMM"),
    "mention": ("mentionAMM",),
}
_FINESS = re.compile(r"^[A-Za-z0-9]{9}$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_TYPES_JSON = {dict: "un objet", list: "une liste", str: "un texte", bool: "un booléen", type(None): "null"}


def _type(valeur) -> str:
    return _TYPES_JSON.get(type(valeur), "un nombre")


class _Verif:
    """Typed reads of one element, each failure naming the element's path."""

    @staticmethod
    def objet(parent, cle, chemin, requis=True) -> dict:
        v = parent.get(cle) if isinstance(parent, dict) else None
        if v is None and not requis:
            return {}
        if not isinstance(v, dict):
            raise FichierInvalide(f"{chemin}.{cle} : un objet est attendu, trouvé {_type(v)}", element=f"{chemin}.{cle}")
        return v

    @staticmethod
    def liste(parent, cle, chemin) -> list:
        v = parent.get(cle)
        if v is None:
            return []
        if not isinstance(v, list):
            raise FichierInvalide(f"{chemin}.{cle} : une liste est attendue, trouvé {_type(v)}",
                                  element=f"{chemin}.{cle}")
        return v

    @staticmethod
    def texte(parent, cle, chemin, requis=False) -> str:
        v = parent.get(cle)
        if v is None:
            if requis:
                raise FichierInvalide(f"{chemin}.{cle} : champ obligatoire absent", element=f"{chemin}.{cle}")
            return ""
        if not isinstance(v, str):
            raise FichierInvalide(f"{chemin}.{cle} : un texte est attendu, trouvé {_type(v)} ({str(v)[:30]})",
                                  element=f"{chemin}.{cle}")
        return une_ligne(v).strip()

    @classmethod
    def finess(cls, parent, cle, chemin) -> str:
        v = cls.texte(parent, cle, chemin, requis=True)
        if not _FINESS.match(v):
            raise FichierInvalide(f"{chemin}.{cle} : numéro FINESS « {v[:20]} » invalide (9 caractères attendus)",
                                  element=f"{chemin}.{cle}")
        return v

    @classmethod
    def date(cls, parent, cle, chemin, requis=False) -> date | None:
        v = cls.texte(parent, cle, chemin, requis)
        if not v:
            return None
        m = _DATE.match(v)
        try:
            if not m:
                raise ValueError
            return date(*(int(x) for x in m.groups()))
        except ValueError:
            raise FichierInvalide(f"{chemin}.{cle} : date « {v[:30]} » illisible (attendu AAAA-MM-JJ)",
                                  element=f"{chemin}.{cle}") from None

    @classmethod
    def code(cls, parent, cle, chemin, valeurs, nom: str, requis=True) -> str:
        v = cls.texte(parent, cle, chemin, requis)
        if v and v not in valeurs:
            raise FichierInvalide(f"{chemin}.{cle} : {nom} « {v[:20]} » inconnu", element=f"{chemin}.{cle}")
        return v


V = _Verif


class _Lent(Exception):
    """The fast reading met something unusual: the checked reading says what (or accepts it)."""


_DATES: dict[str, date] = {}  # the few thousand distinct dates of a flux, parsed once each


def _date_rapide(v) -> date | None:
    if v is None:
        return None
    if type(v) is not str:
        raise _Lent
    d = _DATES.get(v)
    if d is not None:
        return d
    texte = v.strip()
    if not texte:
        return None
    m = _DATE.match(texte)
    if not m:
        raise _Lent
    try:
        d = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise _Lent from None
    if len(_DATES) < 100_000:
        _DATES[v] = d
    return d


def _texte_rapide(d: dict, cle: str) -> str:
    v = d.get(cle)
    if v is None:
        return ""
    if type(v) is not str:
        raise _Lent
    # As the checked reading: control characters become spaces (none in a printable text).
    return v.strip() if v.isprintable() else une_ligne(v).strip()


@dataclass
class EnTete:
    version: str = ""
    genere_le: str = ""
    sorte: str = ""  # "structures" | "activites"


def lire_en_tete(fichier) -> EnTete:
    """Read the schema version, the generation date and which file this is, from the start
    of the stream (the real files write them before `pmej`); the stream is rewound."""
    en_tete = EnTete()
    fichier.seek(0)
    try:
        for prefixe, evenement, valeur in ijson.parse(fichier):
            if prefixe in ("schemaVersion", "metadata.schemaVersion") and evenement == "string":
                en_tete.version = valeur
            elif prefixe in ("generatedAt", "metadata.generatedAt") and evenement == "string":
                en_tete.genere_le = valeur
            elif prefixe == "pmej.item" and evenement == "map_key":
                if valeur in ("numFiness", "pmSmsseId", "activitesAutorisees"):
                    en_tete.sorte = "activites"
                elif valeur in ("informationsGeneralesPMEJ", "adresse", "contact", "evenement", "etatObjet"):
                    en_tete.sorte = "structures"
                if en_tete.sorte and en_tete.version:
                    break
            elif prefixe == "" and evenement == "end_map":
                break
    except ijson.JSONError as erreur:
        raise FichierInvalide(f"ce n'est pas un fichier JSON valide ({str(erreur)[:120]})") from None
    finally:
        fichier.seek(0)
    if not en_tete.version:
        raise FichierInvalide("schemaVersion absent : ce n'est pas un flux FINESS JSON", element="schemaVersion")
    if not VERSIONS_ACCEPTEES.match(en_tete.version):
        raise FichierInvalide(f"version de schéma « {en_tete.version[:20]} » non prise en charge (attendu v1.x)",
                              element="schemaVersion")
    if not en_tete.sorte:
        raise FichierInvalide("pmej absent ou vide : ni un flux structures ni un flux activités", element="pmej")
    return en_tete


def _elements(fichier, rapide: bool, groupes: dict | None = None, paresseux: bool = False):
    """(index, pmej element, its bytes) one at a time; the elements of the other top-level
    arrays named in `groupes` (gcc, gco) are put in its lists. The fast reading (orjson, one
    element at a time) raises `_Illisible` on anything unusual; the checked one (ijson) then
    names the element of a syntax error: the last good one, and gives no bytes. `paresseux`:
    the fast reading gives the bytes only (element None), read by `element_de` if needed."""
    index = -1
    try:
        for cle, element, brut in (_tableaux_rapides if rapide else _tableaux_lents)(fichier,
                                                                                    {"pmej", *(groupes or ())}):
            if cle != "pmej":
                groupes[cle].append(element if brut is None else _Tampon.decoder(brut))
                continue
            index += 1
            if brut is not None and paresseux:
                yield index, None, brut
            else:
                yield index, element_de(index, element, brut), brut
    except ijson.JSONError as erreur:
        apres = f" après pmej[{index}]" if index >= 0 else ""
        raise FichierInvalide(f"JSON invalide ou tronqué{apres} ({str(erreur)[:120]})",
                              element=f"pmej[{index + 1}]") from None


def element_de(index: int, element, brut: bytes | None = None) -> dict:
    if brut is not None:
        element = _Tampon.decoder(brut)
    if not isinstance(element, dict):
        raise FichierInvalide(f"pmej[{index}] : un objet est attendu, trouvé {_type(element)}",
                              element=f"pmej[{index}]")
    return element


def empreinte_element(brut: bytes) -> str:
    return hashlib.blake2b(brut, digest_size=16).hexdigest()


def _avec_repli(lire, fichier, *args):
    """`lire(..., rapide=True)`, and when the fast reading gives up, the checked reading."""
    try:
        return lire(fichier, *args, rapide=True)
    except _Illisible:
        fichier.seek(0)
        return lire(fichier, *args, rapide=False)


# -- reading the stream ------------------------------------------------------------------------

class _Illisible(Exception):
    """The fast reading cannot go on (a syntax it does not follow, a defect): the file is read
    again with ijson, which accepts it or names the element and the reason."""


_BLOC = 16 << 20  # bytes read at a time
_TAILLE_MAX = 64 << 20  # an element larger than this: the checked reading
_BLANCS = b" \t\r\n"
# Where a value may end: an object in an array before « , { » or « ] », any object or array
# before « , » « } » or « ] ».
_FIN_ELEMENT = re.compile(rb"\}(?=[ \t\r\n]*(?:,[ \t\r\n]*\{|\]))")
_FIN_OBJET = re.compile(rb"\}(?=[ \t\r\n]*[,}\]])")
_FIN_TABLEAU = re.compile(rb"\](?=[ \t\r\n]*[,}\]])")
_CLE = re.compile(rb'[ \t\r\n]*"((?:[^"\\]|\\.)*)"[ \t\r\n]*:[ \t\r\n]*', re.S)
_SCALAIRE = re.compile(rb'"(?:[^"\\]|\\.)*"|[-+0-9.eE]+|true|false|null', re.S)


class _Tampon:
    """A window on the file that grows as an element needs it: memory stays one block plus
    the element being read (a national flux is ~400 MB, never loaded whole)."""

    def __init__(self, fichier):
        self.fichier, self.octets, self.pos, self.fini = fichier, b"", 0, False

    def lire(self) -> bool:
        bloc = self.fichier.read(_BLOC)
        if not bloc:
            self.fini = True
            return False
        self.octets = self.octets[self.pos:] + bloc
        self.pos = 0
        return True

    def sauter_blancs(self) -> int:
        """The next byte that is not a blank (its code), reading on as needed; -1 at the end."""
        while True:
            while self.pos < len(self.octets) and self.octets[self.pos] in _BLANCS:
                self.pos += 1
            if self.pos < len(self.octets):
                return self.octets[self.pos]
            if not self.lire():
                return -1

    def valeur(self, element: bool = False) -> tuple[bytes, object]:
        """The next JSON value: its bytes and orjson's reading of them. An object ends where
        its braces balance and orjson reads it whole (a brace in a text unbalances the count:
        orjson then fails and the checked reading takes over). `element`: an object in an
        array, which can end only before « , { » or « ] » (few places to try)."""
        debut = self.pos
        premier = self.octets[debut]
        if premier != 0x7B and (element or premier != 0x5B):  # not « { » (nor « [ » at the top)
            m = _SCALAIRE.match(self.octets, debut)
            if not m or m.end() == len(self.octets):  # a value cut by the block: read on
                if not self.fini and self.lire():
                    return self.valeur(element)
                raise _Illisible
            self.pos = m.end()
            return m[0], None
        ouvrant, fermant = (b"{", b"}") if premier == 0x7B else (b"[", b"]")
        fins = _FIN_ELEMENT if element else (_FIN_OBJET if premier == 0x7B else _FIN_TABLEAU)
        profondeur, vu = 0, debut
        while True:
            m = fins.search(self.octets, vu)
            if m is None:
                if len(self.octets) - debut > _TAILLE_MAX or not self.lire():
                    raise _Illisible
                vu -= debut
                debut = 0
                continue
            fin = m.end()
            o = self.octets
            profondeur += o.count(ouvrant, vu, fin) - o.count(fermant, vu, fin)
            vu = fin
            if profondeur == 0:
                brut = o[debut:fin]
                self.pos = fin
                return brut, None
            if profondeur < 0:
                raise _Illisible

    @staticmethod
    def decoder(brut: bytes):
        try:
            return orjson.loads(brut)
        except orjson.JSONDecodeError:
            raise _Illisible from None

    def attendre(self, octet: bytes) -> None:
        if self.sauter_blancs() != octet[0]:
            raise _Illisible
        self.pos += 1


def _tableaux_rapides(fichier, cles: set[str]):
    """(key, None, element's bytes) of the top-level arrays named `cles`, in file order; the
    other top-level values are checked and passed over."""
    tampon = _Tampon(fichier)
    tampon.attendre(b"{")
    if tampon.sauter_blancs() == ord("}"):
        return
    while True:
        tampon.sauter_blancs()
        m = _CLE.match(tampon.octets, tampon.pos)
        while m is None or m.end() == len(tampon.octets):
            if not tampon.lire():
                raise _Illisible
            m = _CLE.match(tampon.octets, tampon.pos)
        cle = m[1].decode("utf-8", "replace")
        tampon.pos = m.end()
        if tampon.sauter_blancs() == ord("["):
            tampon.pos += 1
            if tampon.sauter_blancs() == ord("]"):
                tampon.pos += 1
            else:
                while True:
                    tampon.sauter_blancs()
                    brut, _ = tampon.valeur(element=True)
                    if cle in cles:
                        yield cle, None, brut
                    else:
                        tampon.decoder(brut)  # checked, passed over
                    suivant = tampon.sauter_blancs()
                    tampon.pos += 1
                    if suivant == ord("]"):
                        break
                    if suivant != ord(","):
                        raise _Illisible
        else:
            if tampon.sauter_blancs() < 0:
                raise _Illisible
            tampon.decoder(tampon.valeur()[0])  # checked, passed over
        suivant = tampon.sauter_blancs()
        tampon.pos += 1
        if suivant == ord("}"):
            if tampon.sauter_blancs() != -1:
                raise _Illisible
            return
        if suivant != ord(","):
            raise _Illisible


def _tableaux_lents(fichier, cles: set[str]):
    """The same as `_tableaux_rapides` with ijson's events: slower, and says what is wrong."""
    prefixes = {f"{c}.item": c for c in cles}
    constructeur, profondeur, cle = None, 0, ""
    for prefixe, evenement, valeur in ijson.parse(fichier):
        if constructeur is None:
            if prefixe not in prefixes or evenement in ("map_key", "end_map", "end_array"):
                continue
            constructeur, cle = ijson.ObjectBuilder(), prefixes[prefixe]
        constructeur.event(evenement, valeur)
        if evenement in ("start_map", "start_array"):
            profondeur += 1
        elif evenement in ("end_map", "end_array"):
            profondeur -= 1
        if profondeur == 0:
            yield cle, constructeur.value, None
            constructeur = None


def date_du_flux(en_tete: EnTete) -> date:
    m = _DATE.match(en_tete.genere_le or "")
    try:
        return date(*(int(x) for x in m.groups())) if m else date.today()
    except ValueError:
        raise FichierInvalide(f"generatedAt « {en_tete.genere_le[:30]} » illisible", element="generatedAt") from None


# -- structures ----------------------------------------------------------------------------

@dataclass
class EntiteJuridique:
    finess: str
    nom: str
    siren: str
    commune_insee: str
    departement: str
    pm_smsse_id: str = ""  # FINESS's own id, by which the groupings name their members


@dataclass
class ExtraitJson(Extrait):
    entites: dict[str, EntiteJuridique] = field(default_factory=dict)
    departements_couverts: set[str] = field(default_factory=set)
    # Fingerprints (digest → (finess_ej, its EG, [(EG, département, closed)] of the perimeter))
    # of the elements read, None after the checked reading; those passed over as unchanged
    # (digest → the stored (finess_ej, its EG, « EG|dép|fermé|empreinte » of the perimeter)).
    empreintes: dict | None = None
    inchangees: dict = field(default_factory=dict)
    nb_inchanges: int = 0  # EG of the perimeter in the elements passed over
    nb_ignores_inchanges: int = 0  # of which closed in FINESS and absent here
    groupements: list[dict] = field(default_factory=list)  # gcc and gco, see _groupements


def _departement(cog: str, referentiel: Referentiel) -> str:
    if cog in referentiel.communes:
        return referentiel.communes[cog]
    return cog[:3] if cog[:2] in ("97", "98") else cog[:2]


def _adresse(adresses: list, chemin: str) -> tuple[dict, str]:
    """The geographic address (usage 03) if any, else the first."""
    for i, a in enumerate(adresses):
        if isinstance(a, dict) and a.get("usageAdresse") == "03":
            return a, f"{chemin}.adresse[{i}]"
    if adresses:
        if not isinstance(adresses[0], dict):
            raise FichierInvalide(f"{chemin}.adresse[0] : un objet est attendu", element=f"{chemin}.adresse[0]")
        return adresses[0], f"{chemin}.adresse[0]"
    return {}, f"{chemin}.adresse"


def _coordonnee(geo: dict, cle: str, chemin: str, borne: float) -> float | None:
    v = V.texte(geo, cle, chemin)
    if not v:
        return None
    try:
        x = float(v)
    except ValueError:
        raise FichierInvalide(f"{chemin}.{cle} : coordonnée « {v[:20]} » illisible", element=f"{chemin}.{cle}") \
            from None
    if not -borne <= x <= borne:
        raise FichierInvalide(f"{chemin}.{cle} : coordonnée {x} hors limites", element=f"{chemin}.{cle}")
    return x


def _telephones(contacts: list, chemin: str) -> tuple[str, str]:
    telephone = fax = ""
    for i, c in enumerate(contacts):
        telecom = V.objet(c, "telecom", f"{chemin}.contact[{i}]", requis=False)
        telephone = telephone or V.texte(telecom, "telephone", f"{chemin}.contact[{i}].telecom")
        fax = fax or V.texte(telecom, "telecopie", f"{chemin}.contact[{i}].telecom")
    return formater_telephone(telephone), formater_telephone(fax)


def _fermeture(ege: dict, infos: dict, chemin: str) -> date | None:
    """The closing date: dateFermeture, else the latest closure event (code 005)."""
    quand = V.date(infos, "dateFermeture", f"{chemin}.informationsGeneralesEGE")
    if quand:
        return quand
    dates = [V.date(ev, "dateEvenement", f"{chemin}.evenement[{i}]")
             for i, ev in enumerate(V.liste(ege, "evenement", chemin))
             if isinstance(ev, dict) and ev.get("codeEvenement") == CODE_FERMETURE]
    dates = [d for d in dates if d]
    return max(dates) if dates else None


def _etablissement(ege: dict, chemin: str, finess_ej: str, referentiel: Referentiel) -> Etablissement:
    infos = V.objet(ege, "informationsGeneralesEGE", chemin)
    chemin_infos = f"{chemin}.informationsGeneralesEGE"
    finess = V.finess(infos, "numFinessEge", chemin_infos)
    etat = V.code(ege, "etatObjet", chemin, ETATS, "état (etatObjet)")
    adresse, chemin_adresse = _adresse(V.liste(ege, "adresse", chemin), chemin)
    cog = V.texte(adresse, "cogCommune", chemin_adresse)
    departement = _departement(cog, referentiel) if cog else ""
    geo = V.objet(adresse, "coordonneesGeographique", chemin_adresse, requis=False)
    chemin_geo = f"{chemin_adresse}.coordonneesGeographique"
    telephone, fax = _telephones(V.liste(ege, "contact", chemin), chemin)
    siret = V.texte(infos, "siret", chemin_infos)
    if siret and not re.fullmatch(r"\d{14}", siret):
        raise FichierInvalide(f"{chemin_infos}.siret : SIRET « {siret[:20]} » invalide (14 chiffres attendus)",
                              element=f"{chemin_infos}.siret")
    score = V.texte(geo, "scoreBAN", chemin_geo)
    try:
        score_ban = float(score) if score else None
    except ValueError:
        raise FichierInvalide(f"{chemin_geo}.scoreBAN : « {score[:20]} » illisible", element=f"{chemin_geo}.scoreBAN") \
            from None
    numero = V.texte(adresse, "numeroVoie", chemin_adresse)
    complement = V.texte(adresse, "complementVoie", chemin_adresse)
    etab = Etablissement(
        ligne=0, finess=finess, finess_ej=finess_ej,
        rs=V.texte(infos, "nomEgeCourt", chemin_infos, requis=True),
        rslongue=V.texte(infos, "nomEgeLong", chemin_infos),
        compldistrib=V.texte(adresse, "complementPointGeographique", chemin_adresse),
        numvoie=numero, typvoie=V.texte(adresse, "typeVoie", chemin_adresse),
        voie=V.texte(adresse, "libelleVoie", chemin_adresse), compvoie=complement,
        lieuditbp=V.texte(adresse, "lieuDit", chemin_adresse),
        commune_insee=cog if cog in referentiel.communes else "", departement=departement,
        code_postal=V.texte(adresse, "codePostal", chemin_adresse)[:5],
        telephone=telephone, telecopie=fax,
        categorie=V.texte(ege, "categorieentiteGeographiqueExercice", chemin),
        siret=siret, date_ouverture=V.date(infos, "dateOuverture", chemin_infos),
        latitude=_coordonnee(geo, "directionLatitude", chemin_geo, 90),
        longitude=_coordonnee(geo, "directionLongitude", chemin_geo, 180),
    )
    etab.ferme = ETATS[etat]
    etab.date_fermeture = _fermeture(ege, infos, chemin) if etab.ferme else None
    etab.cle_ban = V.texte(geo, "cleInInteropBAN", chemin_geo)[:40]
    etab.score_ban = score_ban
    etab.date_maj = V.date(ege, "dateDerniereMaj", chemin)
    etab.chemin = chemin
    return etab


_SIRET = re.compile(r"\d{14}")


def _etablissement_rapide(ege, chemin: str, finess_ej: str, referentiel: Referentiel) -> Etablissement:
    """The same reading as `_etablissement` for a well-formed open EG, without the element
    paths of each field; anything unusual (a closed EG too) raises `_Lent`."""
    if type(ege) is not dict:
        raise _Lent
    infos = ege.get("informationsGeneralesEGE")
    if type(infos) is not dict or ege.get("etatObjet") != "A":
        raise _Lent
    finess = infos.get("numFinessEge")
    if type(finess) is not str or not _FINESS.match(finess := finess.strip()):
        raise _Lent
    adresses = ege.get("adresse")
    adresse = {}
    if adresses is not None:
        if type(adresses) is not list:
            raise _Lent
        for a in adresses:
            if type(a) is dict and a.get("usageAdresse") == "03":
                adresse = a
                break
        else:
            if adresses:
                adresse = adresses[0]
                if type(adresse) is not dict:
                    raise _Lent
    cog = _texte_rapide(adresse, "cogCommune")
    geo = adresse.get("coordonneesGeographique")
    if geo is None:
        geo = {}
    elif type(geo) is not dict:
        raise _Lent
    telephone = fax = ""
    contacts = ege.get("contact")
    if contacts is not None:
        if type(contacts) is not list:
            raise _Lent
        for c in contacts:
            telecom = c.get("telecom") if type(c) is dict else None
            if telecom is None:
                continue
            if type(telecom) is not dict:
                raise _Lent
            telephone = telephone or _texte_rapide(telecom, "telephone")
            fax = fax or _texte_rapide(telecom, "telecopie")
    siret = _texte_rapide(infos, "siret")
    if siret and not _SIRET.fullmatch(siret):
        raise _Lent
    score = _texte_rapide(geo, "scoreBAN")
    latitude = _texte_rapide(geo, "directionLatitude")
    longitude = _texte_rapide(geo, "directionLongitude")
    try:
        score_ban = float(score) if score else None
        latitude = float(latitude) if latitude else None
        longitude = float(longitude) if longitude else None
    except ValueError:
        raise _Lent from None
    if (latitude is not None and not -90 <= latitude <= 90) or (longitude is not None and not -180 <= longitude <= 180):
        raise _Lent
    rs = infos.get("nomEgeCourt")
    if type(rs) is not str:
        raise _Lent
    etab = Etablissement(
        ligne=0, finess=finess, finess_ej=finess_ej, rs=rs.strip(), rslongue=_texte_rapide(infos, "nomEgeLong"),
        compldistrib=_texte_rapide(adresse, "complementPointGeographique"),
        numvoie=_texte_rapide(adresse, "numeroVoie"), typvoie=_texte_rapide(adresse, "typeVoie"),
        voie=_texte_rapide(adresse, "libelleVoie"), compvoie=_texte_rapide(adresse, "complementVoie"),
        lieuditbp=_texte_rapide(adresse, "lieuDit"),
        commune_insee=cog if cog in referentiel.communes else "",
        departement=_departement(cog, referentiel) if cog else "",
        code_postal=_texte_rapide(adresse, "codePostal")[:5],
        telephone=formater_telephone(telephone), telecopie=formater_telephone(fax),
        categorie=_texte_rapide(ege, "categorieentiteGeographiqueExercice"),
        siret=siret, date_ouverture=_date_rapide(infos.get("dateOuverture")),
        latitude=latitude, longitude=longitude,
    )
    etab.ferme = False
    etab.cle_ban = _texte_rapide(geo, "cleInInteropBAN")[:40]
    etab.score_ban = score_ban
    etab.date_maj = _date_rapide(ege.get("dateDerniereMaj"))
    etab.chemin = chemin
    return etab


def _lire_etablissement(ege, chemin: str, finess_ej: str, referentiel: Referentiel) -> Etablissement:
    try:
        return _etablissement_rapide(ege, chemin, finess_ej, referentiel)
    except _Lent:
        return _etablissement(ege if isinstance(ege, dict) else None, chemin, finess_ej, referentiel)


def lire_structures(fichier, referentiel: Referentiel, progres=None, connues: dict | None = None) -> ExtraitJson:
    """Parse and check the structures flux; the EG of the perimeter, open and closed.
    `connues`: the fingerprints of the elements whose EG are in the Répertoire exactly as the
    last import left them (EmpreinteStructures): such an element with the same bytes is passed
    over, unread (applying it again would change nothing)."""
    en_tete = lire_en_tete(fichier)
    if en_tete.sorte != "structures":
        raise FichierInvalide("ce fichier est le flux activités, pas le flux structures", element="pmej")
    return _avec_repli(_lire_structures, fichier, en_tete, referentiel, progres, connues or {})


def _a_lire(fichier, rapide: bool, extrait, connues: dict, passer, progres, flux: str, groupes=None):
    """(index, element, fingerprint) of the elements to read: one whose fingerprint is known
    and that `passer(fingerprint, stored)` counts is passed over, unread."""
    for index, pm, brut in _elements(fichier, rapide, groupes, paresseux=True):
        extrait.nb_lignes = index + 1
        if progres and index % 2000 == 0:
            progres(min(0.95, index / 60_000), f"Lecture du flux {flux} : {index + 1} entités juridiques")
        empreinte = None
        if brut is not None:
            empreinte = empreinte_element(brut)
            connue = connues.get(empreinte)
            if connue is not None and passer(empreinte, connue):
                continue
            pm = element_de(index, None, brut)
        yield index, pm, empreinte


def _passer(extrait: ExtraitJson, empreinte: str, connue) -> bool:
    """Count an unchanged element's EG as read, unless one is already (read twice: the
    element is read, to name it)."""
    _ej, egs, gardes = connue
    egs = egs.split()
    if extrait.numeros.intersection(egs):
        return False
    extrait.numeros.update(egs)
    extrait.nb_structures += len(egs)
    for garde in gardes.split():
        _eg, departement, ferme, empreinte_eg = garde.split("|")
        extrait.nb_inchanges += 1
        if ferme == "0":
            extrait.departements_couverts.add(departement)
        elif not empreinte_eg:
            extrait.nb_ignores_inchanges += 1
    extrait.inchangees[empreinte] = connue
    return True


def _lire_structures(fichier, en_tete: EnTete, referentiel: Referentiel, progres, connues: dict,
                     rapide: bool) -> ExtraitJson:
    extrait = ExtraitJson(date_extraction=date_du_flux(en_tete), empreintes={} if rapide else None)
    passer = functools.partial(_passer, extrait)
    groupes = {"gcc": [], "gco": []}
    for index, pm, empreinte in _a_lire(fichier, rapide, extrait, connues, passer, progres, "structures", groupes):
        gardes, tous = [], []
        chemin = f"pmej[{index}]"
        infos = V.objet(pm, "informationsGeneralesPMEJ", chemin)
        finess_ej = V.finess(infos, "numFinessPm", f"{chemin}.informationsGeneralesPMEJ")
        siren = V.texte(infos, "siren", f"{chemin}.informationsGeneralesPMEJ")
        V.code(pm, "etatObjet", chemin, ETATS, "état (etatObjet)")
        dans_le_perimetre = False
        for i, ege in enumerate(V.liste(pm, "ege", chemin)):
            etab = _lire_etablissement(ege, f"{chemin}.ege[{i}]", finess_ej, referentiel)
            tous.append(etab.finess)
            if etab.finess in extrait.numeros:
                raise FichierInvalide(f"{etab.chemin} : établissement {etab.finess} présent deux fois",
                                      element=etab.chemin)
            extrait.numeros.add(etab.finess)
            extrait.nb_structures += 1
            if referentiel.departements is not None and etab.departement not in referentiel.departements:
                continue
            # A category is written only for an open establishment: the retired categories of
            # long-closed ones (108, 200, 321 in the sample) are not an error.
            if not etab.ferme and etab.categorie not in referentiel.categories:
                raise FichierInvalide(f"{etab.chemin}.categorieentiteGeographiqueExercice : catégorie « "
                                      f"{etab.categorie[:10]} » inconnue (absente de la nomenclature J55)",
                                      element=f"{etab.chemin}.categorieentiteGeographiqueExercice")
            extrait.etablissements[etab.finess] = etab
            gardes.append((etab.finess, etab.departement, etab.ferme))
            if not etab.ferme:
                extrait.departements_couverts.add(etab.departement)
            dans_le_perimetre = True
        if dans_le_perimetre:
            adresse, chemin_adresse = _adresse(V.liste(pm, "adresse", chemin), chemin)
            cog = V.texte(adresse, "cogCommune", chemin_adresse)
            extrait.entites[finess_ej] = EntiteJuridique(
                finess=finess_ej,
                nom=V.texte(infos, "denominationLonguePmSmsse", f"{chemin}.informationsGeneralesPMEJ")
                or V.texte(infos, "denominationPm", f"{chemin}.informationsGeneralesPMEJ"),
                siren=siren if re.fullmatch(r"\d{9}", siren) else "",
                commune_insee=cog if cog in referentiel.communes else "",
                departement=_departement(cog, referentiel) if cog else "",
                pm_smsse_id=V.texte(infos, "pmSmsseId", f"{chemin}.informationsGeneralesPMEJ")[:20])
        if empreinte is not None:
            extrait.empreintes[empreinte] = (finess_ej, " ".join(tous), gardes)
    extrait.groupements = _groupements(groupes)
    return extrait


TYPE_GCC_GHT = "001"  # TRE_R371: the GHT (the sample's gcc are the GHT « 77 Nord », « Yvelines Sud »…)
ROLE_SUPPORT = "S"  # TRE_R360 typeRoleEntiteGroupe: the support (M: a member)


def _membres(groupe: dict, cle: str, chemin: str) -> tuple[list[str], list[str]]:
    """The pmSmsseId of a grouping's legal entities, and those of its support."""
    membres, supports = [], []
    for i, m in enumerate(V.liste(groupe, cle, chemin)):
        pm = V.texte(m, "pmSmsseId", f"{chemin}.{cle}[{i}]", requis=True)
        (supports if V.texte(m, "typeRoleEntiteGroupe", f"{chemin}.{cle}[{i}]") == ROLE_SUPPORT else membres).append(pm)
    return membres, supports


def _groupements(groupes: dict) -> list[dict]:
    """The gcc (conventional groupings, a GHT for type 001) and gco (organic ones, a legal
    person named by its pmSmsseId) of the flux, checked; members by pmSmsseId."""
    lus = []
    for i, g in enumerate(groupes["gcc"]):
        chemin = f"gcc[{i}]"
        if not isinstance(g, dict):
            raise FichierInvalide(f"{chemin} : un objet est attendu, trouvé {_type(g)}", element=chemin)
        type_finess = V.texte(g, "typeGcc", chemin, requis=True)
        membres, supports = _membres(g, "pmejDuGcc", chemin)
        lus.append({"identifiant": f"gcc:{V.texte(g, 'gccId', chemin, requis=True)[:19]}",
                    "type": "GHT" if type_finess == TYPE_GCC_GHT else "GCC", "type_finess": type_finess[:3],
                    "nom": V.texte(g, "nomGcc", chemin, requis=True),
                    "actif": not ETATS[V.code(g, "etatObjet", chemin, ETATS, "état (etatObjet)")],
                    "membres": membres, "supports": supports, "pm": ""})
    for i, g in enumerate(groupes["gco"]):
        chemin = f"gco[{i}]"
        if not isinstance(g, dict):
            raise FichierInvalide(f"{chemin} : un objet est attendu, trouvé {_type(g)}", element=chemin)
        pm = V.texte(g, "pmSmsseId", chemin, requis=True)[:19]
        membres, supports = _membres(g, "pmejDuGco", chemin)
        lus.append({"identifiant": f"gco:{pm}", "type": "GCO", "type_finess": V.texte(g, "typeGco", chemin, requis=True)[:3],
                    "nom": "", "actif": True, "membres": membres, "supports": supports, "pm": pm})
    return lus


# -- activités -----------------------------------------------------------------------------

def _activite(a: dict, chemin: str, finess_ej: str, finess_eg: str, exercee: bool) -> dict:
    generiques = V.objet(a, "caracteristiquesGeneriques", chemin)
    cg = f"{chemin}.caracteristiquesGeneriques"
    nature_objet = V.objet(a, "nature", chemin)
    nature = V.texte(nature_objet, "codeNature", f"{chemin}.nature", requis=True)
    nature = ALIAS_NATURES.get(nature, nature)
    if nature not in NATURES:
        raise FichierInvalide(f"{chemin}.nature.codeNature : nature d'activité « {nature[:10]} » inconnue",
                              element=f"{chemin}.nature.codeNature")
    specifiques = V.objet(nature_objet, "caracteristiquesSpecifiques", f"{chemin}.nature")
    type_activite = {}
    for cle, valeur in specifiques.items():
        if cle.startswith("typeActivite"):
            type_activite = V.objet(specifiques, cle, f"{chemin}.nature.caracteristiquesSpecifiques")
    chemin_type = f"{chemin}.nature.caracteristiquesSpecifiques.typeActivite{nature}"
    codes = {champ: next((V.texte(type_activite, c, chemin_type) for c in cles if type_activite.get(c)), "")[:10]
             for champ, cles in CLES_TYPE.items()}
    capacites = []
    for i, c in enumerate(V.liste(a, "capacite", chemin)):
        nombre = V.texte(c, "nombre", f"{chemin}.capacite[{i}]")
        if nombre and not nombre.lstrip("-").isdigit():
            raise FichierInvalide(f"{chemin}.capacite[{i}].nombre : « {nombre[:20]} » n'est pas un nombre",
                                  element=f"{chemin}.capacite[{i}].nombre")
        capacites.append({"statut": V.texte(c, "statutCapacite", f"{chemin}.capacite[{i}]"),
                          "unite": V.texte(c, "uniteMesureCapacite", f"{chemin}.capacite[{i}]"),
                          "nombre": int(nombre) if nombre else None})
    return {
        "activite_id": V.texte(generiques, "activiteAeId", cg, requis=True)[:20],
        "autorisation_id": (V.texte(generiques, "identifiantAutorisation", cg) if exercee else "")[:20],
        "exercee": exercee, "finess_ej": finess_ej, "finess_eg": finess_eg, "nature": nature,
        "type_activite": V.texte(generiques, "typeActiviteSMSSE", cg)[:10], **codes,
        "num_arhgos": V.texte(generiques, "numAutorisationArhgos", cg)[:30],
        "active": not ETATS[V.code(generiques, "etatObjet", cg, ETATS, "état (etatObjet)")],
        "date_debut": V.date(generiques, "dateDebutActiviteAutorisee", cg),
        "date_fin": V.date(generiques, "dateFinActiviteAutorisee", cg),
        "date_fin_effective": V.date(generiques, "dateFinEffectiveActivite", cg),
        "date_caducite": V.date(generiques, "dateCaduciteAutorisation", cg),
        "capacites": capacites,
    }


# One activity of the flux, a row of AutorisationFiness: a tuple, since a national flux has
# ~250,000 of them and a dict each would cost the memory budget.
Activite = namedtuple("Activite", ["activite_id", *CHAMPS_AUTORISATION])


_CLES_CODES = tuple(CLES_TYPE.items())


def _activite_rapide(a, finess_ej: str, finess_eg: str, exercee: bool) -> Activite:
    """The same reading as `_activite` for a well-formed activity, without building the
    element paths (a national flux has ~250,000 activities); anything unusual raises `_Lent`."""
    if type(a) is not dict:
        raise _Lent
    generiques = a.get("caracteristiquesGeneriques")
    nature_objet = a.get("nature")
    if type(generiques) is not dict or type(nature_objet) is not dict:
        raise _Lent
    nature = _texte_rapide(nature_objet, "codeNature")
    nature = ALIAS_NATURES.get(nature, nature)
    specifiques = nature_objet.get("caracteristiquesSpecifiques")
    if nature not in NATURES or type(specifiques) is not dict:
        raise _Lent
    type_activite = {}
    for cle, valeur in specifiques.items():
        if cle.startswith("typeActivite"):
            if type(valeur) is not dict:
                raise _Lent
            type_activite = valeur
    codes = []
    for _champ, cles in _CLES_CODES:
        code = ""
        for c in cles:
            if type_activite.get(c):
                code = _texte_rapide(type_activite, c)[:10]
                break
        codes.append(code)
    capacites = []
    liste = a.get("capacite")
    if liste is not None:
        if type(liste) is not list:
            raise _Lent
        for c in liste:
            if type(c) is not dict:
                raise _Lent
            nombre = _texte_rapide(c, "nombre")
            if nombre and not nombre.lstrip("-").isdigit():
                raise _Lent
            capacites.append({"statut": _texte_rapide(c, "statutCapacite"),
                              "unite": _texte_rapide(c, "uniteMesureCapacite"),
                              "nombre": int(nombre) if nombre else None})
    activite_id = generiques.get("activiteAeId")
    etat = generiques.get("etatObjet")
    if type(activite_id) is not str or not activite_id.strip() or type(etat) is not str or etat.strip() not in ETATS:
        raise _Lent
    return Activite(
        activite_id.strip()[:20],
        (_texte_rapide(generiques, "identifiantAutorisation") if exercee else "")[:20],
        exercee, finess_ej, finess_eg, nature, _texte_rapide(generiques, "typeActiviteSMSSE")[:10], *codes,
        _texte_rapide(generiques, "numAutorisationArhgos")[:30], not ETATS[etat.strip()],
        _date_rapide(generiques.get("dateDebutActiviteAutorisee")),
        _date_rapide(generiques.get("dateFinActiviteAutorisee")),
        _date_rapide(generiques.get("dateFinEffectiveActivite")),
        _date_rapide(generiques.get("dateCaduciteAutorisation")),
        capacites)


def _lire_activite(a, chemin_de, finess_ej: str, finess_eg: str, exercee: bool) -> Activite:
    try:
        return _activite_rapide(a, finess_ej, finess_eg, exercee)
    except _Lent:
        return Activite(**_activite(a, chemin_de(), finess_ej, finess_eg, exercee))


@dataclass
class ExtraitActivites:
    date_extraction: date
    activites: list[Activite] = field(default_factory=list)  # in the perimeter
    ej_couvertes: set[str] = field(default_factory=set)
    eg_couverts: set[str] = field(default_factory=set)
    nb_lignes: int = 0
    # Fingerprints (digest → (finess_ej, its EG, those kept, EJ kept, activities kept)) of the
    # elements read, and of those passed over as unchanged; None: the checked reading, no bytes.
    empreintes: dict | None = None
    inchangees: dict = field(default_factory=dict)
    nb_inchangees: int = 0  # activities of the elements passed over


def lire_activites(fichier, dans_le_perimetre, progres=None, connues: dict | None = None) -> ExtraitActivites:
    """Parse and check the activités flux. `dans_le_perimetre(finess_ej, finess_eg)` says
    which structures' activities are kept (the région's, or all). `connues`: the fingerprints
    of the elements as the last import applied them (EmpreinteActivites): an element with the
    same bytes and the same structures in the perimeter is passed over, unread; its structures
    are then not « covered » (their stored authorisations are left as they are)."""
    en_tete = lire_en_tete(fichier)
    if en_tete.sorte != "activites":
        raise FichierInvalide("ce fichier est le flux structures, pas le flux activités", element="pmej")
    return _avec_repli(_lire_activites, fichier, en_tete, dans_le_perimetre, progres, connues or {})


def _lire_activites(fichier, en_tete: EnTete, dans_le_perimetre, progres, connues: dict,
                    rapide: bool) -> ExtraitActivites:
    extrait = ExtraitActivites(date_extraction=date_du_flux(en_tete), empreintes={} if rapide else None)
    vus = set()

    def passer(empreinte, connue) -> bool:
        ej, egs, gardes, ej_dedans, nb = connue
        if " ".join(eg for eg in egs.split() if dans_le_perimetre(ej, eg)) != gardes or \
                (bool(gardes) or dans_le_perimetre(ej, "")) != ej_dedans:
            return False  # the perimeter moved: read it
        extrait.inchangees[empreinte] = connue
        extrait.nb_inchangees += nb
        return True

    for index, pm, empreinte in _a_lire(fichier, rapide, extrait, connues, passer, progres, "activités"):
        chemin = f"pmej[{index}]"
        finess_ej = V.finess(pm, "numFiness", chemin)
        lignes = []
        for i, a in enumerate(V.liste(pm, "activitesAutorisees", chemin)):
            lignes.append(_lire_activite(a, lambda: f"{chemin}.activitesAutorisees[{i}]", finess_ej, "", False))
        egs, tous = [], []
        for j, ege in enumerate(V.liste(pm, "ege", chemin)):
            finess_eg = V.finess(ege, "numFinessEge", f"{chemin}.ege[{j}]")
            tous.append(finess_eg)
            if not dans_le_perimetre(finess_ej, finess_eg):
                continue
            egs.append(finess_eg)
            for i, a in enumerate(V.liste(ege, "activitesExercees", f"{chemin}.ege[{j}]")):
                lignes.append(_lire_activite(a, lambda: f"{chemin}.ege[{j}].activitesExercees[{i}]", finess_ej,
                                             finess_eg, True))
        ej_dedans = bool(egs) or dans_le_perimetre(finess_ej, "")
        nb = 0
        for ligne in lignes:
            if (ligne.exercee or ej_dedans) and ligne.activite_id not in vus:
                vus.add(ligne.activite_id)
                extrait.activites.append(ligne)
                nb += 1
        if ej_dedans:
            extrait.ej_couvertes.add(finess_ej)
        extrait.eg_couverts.update(egs)
        if empreinte is not None:
            extrait.empreintes[empreinte] = (finess_ej, " ".join(tous), " ".join(egs), ej_dedans, nb)
    return extrait
