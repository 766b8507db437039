"""Offline conformance check of the FHIR resources against the ANS ROR guide.

No profile validator or IG package can be fetched here, so the constraints the API must
meet are written down, each with the guide's file and commit it comes from, in
interop/data/contraintes_ror.json: cardinalities per element and per slice (with the
slice's discriminator), fixed values, required bindings (checked against the value sets
of fixtures/nomenclatures/, loaded in nomenclatures.Concept), extension URLs and value
types. `Verificateur().verifier(resource)` lists the violations of one resource.
"""

import json
from collections import Counter
from functools import cached_property
from pathlib import Path

from nomenclatures.models import Concept

from . import nos

CONTRAINTES = Path(__file__).resolve().parent / "data" / "contraintes_ror.json"
SUBSETTED = "SUBSETTED"


def charger() -> dict:
    return json.loads(CONTRAINTES.read_text(encoding="utf-8"))


def _segments(chemin: str) -> list[str]:
    """'ext(https://…/x).valueCode' → ['ext(https://…/x)', 'valueCode'] (URLs keep their dots)."""
    segments, courant, profondeur = [], "", 0
    for car in chemin:
        if car == "(":
            profondeur += 1
        elif car == ")":
            profondeur -= 1
        if car == "." and profondeur == 0:
            segments.append(courant)
            courant = ""
        else:
            courant += car
    return segments + [courant]


def valeurs(noeud, chemin: str) -> list:
    """Every value at `chemin` under `noeud` (lists flattened); ext(URL) selects extensions by url."""
    courants = [noeud]
    for segment in _segments(chemin):
        suivants = []
        for c in courants:
            if not isinstance(c, dict):
                continue
            if segment.startswith("ext(") and segment.endswith(")"):
                suivants += [e for e in c.get("extension", []) if e.get("url") == segment[4:-1]]
                continue
            v = c.get(segment)
            if v is None:
                continue
            suivants += v if isinstance(v, list) else [v]
        courants = suivants
    return courants


def _dans_la_tranche(element, discriminateur: dict) -> bool:
    for chemin, attendu in discriminateur.items():
        trouves = valeurs(element, chemin)
        if attendu is None:
            if trouves:
                return False
        elif isinstance(attendu, list):  # a slice bound to a value set of several systems (J51)
            if not set(attendu) & set(trouves):
                return False
        elif attendu not in trouves:
            return False
    return True


def _max(regle) -> float:
    return float("inf") if regle["max"] == "*" else regle["max"]


def _codings(valeur) -> list[dict]:
    if isinstance(valeur, dict) and "coding" in valeur:
        return valeur["coding"]
    if isinstance(valeur, dict) and "code" in valeur and "system" in valeur:
        return [valeur]
    return []


class Verificateur:
    def __init__(self, contraintes: dict | None = None):
        self.contraintes = contraintes or charger()
        self.non_verifiables: Counter = Counter()  # bindings whose value set is not in fixtures/nomenclatures

    @cached_property
    def jeux(self) -> dict[str, set]:
        """JDV key → {(system URL, code)} and {code} (codes, for `code`-typed values)."""
        jeux: dict[str, set] = {}
        for cle, systeme, code in Concept.objects.values_list("nomenclature__cle", "systeme", "code"):
            jeux.setdefault(cle, set()).update({(nos.url_systeme(systeme), code), code})
        return jeux

    def _binding(self, violations, ou: str, jdv: str, valeur) -> None:
        jeu = self.jeux.get(jdv)
        if jeu is None:
            self.non_verifiables[jdv] += 1
            return
        if isinstance(valeur, str):
            if valeur not in jeu:
                violations.append(f"{ou} : code « {valeur} » hors de {jdv}")
            return
        codings = _codings(valeur)
        if not codings:
            violations.append(f"{ou} : aucun code (lié à {jdv})")
        for c in codings:
            if (c.get("system"), c.get("code")) not in jeu:
                violations.append(f"{ou} : {c.get('system')}|{c.get('code')} hors de {jdv}")

    def verifier(self, ressource: dict) -> list[str]:
        type_ressource = ressource.get("resourceType")
        profil = self.contraintes["profils"].get(type_ressource)
        if profil is None:
            return [f"{type_ressource} : aucun profil du guide n'est servi pour ce type"]
        violations = []
        quoi = f"{type_ressource}/{ressource.get('id')}"
        if profil["url"] not in ressource.get("meta", {}).get("profile", []):
            violations.append(f"{quoi} : meta.profile ne déclare pas {profil['url']}")
        sous_ensemble = SUBSETTED in [t.get("code") for t in ressource.get("meta", {}).get("tag", [])]
        for regle in profil["regles"]:
            elements = valeurs(ressource, regle["chemin"])
            ou = f"{quoi} {regle['chemin']}" + (f"[{regle['tranche']}]" if "tranche" in regle else "")
            if "discriminateur" in regle:
                elements = [e for e in elements if _dans_la_tranche(e, regle["discriminateur"])]
            if "min" in regle and not sous_ensemble and not regle["min"] <= len(elements) <= _max(regle):
                violations.append(f"{ou} : {len(elements)} élément(s), attendu {regle['min']}..{regle['max']}")
            for element in elements:
                # "chaque": cardinalities inside each element (e.g. every telecom has one channel).
                for sous_chemin, (mini, maxi) in regle.get("chaque", {}).items():
                    n = len(valeurs(element, sous_chemin))
                    if not mini <= n <= maxi:
                        violations.append(f"{ou}.{sous_chemin} : {n} élément(s), attendu {mini}..{maxi}")
                for cle, attendu in regle.get("fixe", {}).items():
                    if element.get(cle) != attendu:
                        violations.append(f"{ou}.{cle} : « {element.get(cle)} » au lieu de la valeur fixée "
                                          f"« {attendu} »")
                if "jdv" in regle:
                    self._binding(violations, ou, regle["jdv"], element)
        self._extensions(violations, quoi, ressource)
        self._codings_sans_oid(violations, quoi, ressource)
        return violations

    def _extensions(self, violations, quoi: str, noeud) -> None:
        """Every extension has a known URL, its value type, its sub-extensions' cardinalities and bindings."""
        if isinstance(noeud, list):
            for n in noeud:
                self._extensions(violations, quoi, n)
            return
        if not isinstance(noeud, dict):
            return
        for cle, valeur in noeud.items():
            if cle in ("extension", "modifierExtension"):
                for ext in valeur:
                    self._extension(violations, quoi, ext)
            elif cle.startswith("_") or isinstance(valeur, (dict, list)):
                self._extensions(violations, quoi, valeur)

    def _extension(self, violations, quoi: str, ext: dict) -> None:
        definition = self.contraintes["extensions"].get(ext.get("url"))
        if definition is None:
            violations.append(f"{quoi} : extension inconnue du guide « {ext.get('url')} »")
            return
        self._valeur(violations, f"{quoi} {ext['url']}", definition, ext)
        sous = definition.get("sous")
        if sous is None:
            return
        presents = Counter(e.get("url") for e in ext.get("extension", []))
        for nom, regle in sous.items():
            if not regle["min"] <= presents[nom] <= _max(regle):
                violations.append(f"{quoi} {ext['url']}#{nom} : {presents[nom]} élément(s), "
                                  f"attendu {regle['min']}..{regle['max']}")
        for e in ext.get("extension", []):
            regle = sous.get(e.get("url"))
            if regle is None:
                violations.append(f"{quoi} {ext['url']} : sous-extension inconnue « {e.get('url')} »")
                continue
            if regle.get("imbriquee"):
                # A sub-extension that is an extension of the guide in its own right: its own definition.
                self._extension(violations, quoi, e)
                continue
            self._valeur(violations, f"{quoi} {ext['url']}#{e['url']}", regle, e)
            for chemin in regle.get("requis", []):
                if not valeurs(e, chemin):
                    violations.append(f"{quoi} {ext['url']}#{e['url']} : {chemin} manque")

    def _valeur(self, violations, ou: str, definition: dict, ext: dict) -> None:
        types = [k for k in ext if k.startswith("value")]
        attendu = definition.get("valeur")
        if attendu and types != [attendu]:
            violations.append(f"{ou} : valeur {types or 'absente'} au lieu de {attendu}")
            return
        if attendu and "jdv" in definition:
            self._binding(violations, ou, definition["jdv"], ext[attendu])

    def _codings_sans_oid(self, violations, quoi: str, noeud) -> None:
        """No urn:oid: system in a coding where the NOS publishes a URL."""
        if isinstance(noeud, list):
            for n in noeud:
                self._codings_sans_oid(violations, quoi, n)
        elif isinstance(noeud, dict):
            if "code" in noeud and str(noeud.get("system", "")).startswith("urn:oid:"):
                violations.append(f"{quoi} : code {noeud['code']} dans le système {noeud['system']} (OID sans URL NOS)")
            for valeur in noeud.values():
                if isinstance(valeur, (dict, list)):
                    self._codings_sans_oid(violations, quoi, valeur)
