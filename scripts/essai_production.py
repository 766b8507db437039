"""HTTP checks of a portal started as production starts it (see scripts/essai_production.sh).

Usage: essai_production.py URL JOURNAL_ACCES MEDIA_ROOT FICHIER_FINESS
Prints one line per check; exits 1 at the first failed check. Writes the consultant's session
cookie and an API token to the files named by ESSAI_SESSION / ESSAI_JETON for the load test.
"""

import json
import os
import re
import sys
import time
import uuid
from pathlib import Path

import requests
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # the test's self-signed certificate

URL, JOURNAL, MEDIA, FINESS = sys.argv[1].rstrip("/"), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
MOT_DE_PASSE = "demo-ror-2026"


def ok(message: str) -> None:
    print(f"  ok  {message}", flush=True)


def echec(message: str) -> None:
    print(f"ÉCHEC {message}", flush=True)
    sys.exit(1)


def verifier(condition, message: str, detail: str = "") -> None:
    if not condition:
        echec(f"{message}{' : ' + detail if detail else ''}")
    ok(message)


def session() -> requests.Session:
    s = requests.Session()
    s.verify = False
    s.trust_env = False  # no CA bundle or proxy from the environment: straight to the portal
    return s


def csrf(html: str) -> str:
    trouve = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not trouve:
        echec("jeton CSRF absent du formulaire")
    return trouve.group(1)


def poster(s, chemin: str, donnees: dict, page: str | None = None, **kwargs):
    html = s.get(URL + (page or chemin)).text
    return s.post(URL + chemin, data={"csrfmiddlewaretoken": csrf(html), **donnees},
                  headers={"Referer": URL + (page or chemin)}, **kwargs)


def connecter(identifiant: str) -> requests.Session:
    s = session()
    r = poster(s, "/connexion/", {"username": identifiant, "password": MOT_DE_PASSE})
    if "/compte/cgu/" in r.url:  # first login: the conditions of use are accepted, as a person does
        r = poster(s, "/compte/cgu/", {"accepte": "on", "next": "/"})
    verifier(r.status_code == 200 and s.cookies.get("sessionid") and "/connexion/" not in r.url,
             f"connexion de « {identifiant} » (cookie de session sécurisé sur HTTPS)", f"{r.status_code} {r.url}")
    return s


def pid_du_journal(marque: str, delai: float = 5) -> str:
    """The gunicorn worker (pid) that served the request carrying `marque` (access log: '%(p)s %(r)s')."""
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        for ligne in JOURNAL.read_text().splitlines():
            if marque in ligne:
                return ligne.split()[0]
        time.sleep(0.1)
    echec(f"requête {marque} absente du journal d'accès")


def total_disponibles(s) -> tuple[int, str]:
    marque = f"essai={uuid.uuid4().hex}"
    # A new connection each time (no keep-alive): either gunicorn worker may take it.
    r = s.get(f"{URL}/disponibilites/tableau/contenu/?{marque}", headers={"Connection": "close"})
    if r.status_code != 200:
        echec(f"tableau des lits : HTTP {r.status_code}")
    total = re.search(r'id="total-disponibles">(\d+)<', r.text)
    if not total:
        echec("tableau des lits : total des lits disponibles introuvable")
    return int(total.group(1)), pid_du_journal(marque)


def main() -> None:
    anonyme = session()
    r = anonyme.get(URL + "/sante/")
    corps = r.json() if r.headers.get("Content-Type", "").startswith("application/json") else {}
    verifier(r.status_code == 200 and corps.get("base", {}).get("ok") and corps.get("redis", {}).get("configure"),
             "/sante/ : JSON, base et Redis joignables", r.text[:300])
    fin = time.monotonic() + 60
    while not (corps.get("worker", {}).get("ok") and corps.get("beat", {}).get("ok")) and time.monotonic() < fin:
        time.sleep(1)
        corps = anonyme.get(URL + "/sante/").json()
    verifier(corps["etat"] == "ok", "/sante/ : worker et beat Celery vus récemment", json.dumps(corps))
    verifier(not re.search(r"@|consultant|gestionnaire", json.dumps(corps)), "/sante/ : aucune donnée personnelle")

    r = anonyme.get(URL + "/page-qui-n-existe-pas/")
    verifier(r.status_code == 404 and "Page introuvable" in r.text and 'lang="fr"' in r.text,
             "page 404 en français", f"{r.status_code} {r.text[:200]}")
    r = anonyme.get(URL + "/recherche/", allow_redirects=False)
    verifier(r.status_code == 302 and "/connexion/" in r.headers.get("Location", ""),
             "page protégée : un anonyme est envoyé à la connexion")

    consultant = connecter("consultant")
    r = consultant.get(URL + "/recherche/", params={"quoi": "EHPAD", "ou": ""})
    fiches = sorted(set(re.findall(r'href="/(?:repertoire|recherche/resultat)/(\d+)/[?\"]', r.text)))
    verifier(r.status_code == 200 and fiches, f"recherche « EHPAD » : {len(fiches)} résultats sur la page",
             str(r.status_code))
    r = consultant.get(f"{URL}/repertoire/{fiches[0]}/")
    verifier(r.status_code == 200 and "<h1" in r.text, f"fiche {fiches[0]}")
    fiche = r.text
    # An EG with many units is produced by the Celery worker: poll the waiting page as the browser does.
    r = consultant.get(f"{URL}/repertoire/{fiches[0]}/pdf/")
    for _ in range(90):
        if r.headers.get("Content-Type") == "application/pdf":
            break
        time.sleep(1)
        attente = consultant.get(f"{URL}/repertoire/{fiches[0]}/pdf/", headers={"HX-Request": "true"})
        if attente.headers.get("HX-Redirect"):
            r = consultant.get(URL + attente.headers["HX-Redirect"])
    verifier(r.status_code == 200 and r.headers["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF"),
             f"PDF de la fiche {fiches[0]} ({len(r.content)} octets)")

    css = re.findall(r'href="(/static/[^"]+\.css)"', fiche)
    js = re.findall(r'src="(/static/[^"]+\.js)"', fiche)
    verifier(css and js, f"la fiche charge {len(css)} feuilles de style et {len(js)} scripts")
    for chemin in (css[0], js[-1]):
        r = anonyme.get(URL + chemin, headers={"Accept-Encoding": "gzip, br"})
        cache = r.headers.get("Cache-Control", "")
        verifier(r.status_code == 200 and "max-age=315360000" in cache and "immutable" in cache
                 and re.search(r"\.[0-9a-f]{12}\.(css|js)$", chemin),
                 f"statique {chemin} : 200, nom haché, « {cache} », {r.headers.get('Content-Encoding', 'non compressé')}",
                 f"{r.status_code} {cache}")

    # Beds: entered through one gunicorn worker, seen on the board served by the other.
    vus = {}
    for _ in range(40):
        total, pid = total_disponibles(consultant)
        vus[pid] = total
        if len(vus) == 2:
            break
    verifier(len(vus) == 2 and len(set(vus.values())) == 1,
             f"tableau des lits servi par les deux workers gunicorn {sorted(vus)} : {set(vus.values())} lits disponibles")
    avant = next(iter(vus.values()))
    saisisseur = connecter("referent.hopital")
    page = saisisseur.get(URL + "/disponibilites/saisie/").text
    champs = re.findall(r'name="(u\d+-disponibles)"[^>]*?value="(\d+)"', page) or \
        re.findall(r'value="(\d+)"[^>]*?name="(u\d+-disponibles)"', page)
    if champs and champs[0][0].isdigit():
        champs = [(n, v) for v, n in champs]
    champ, valeur = next(((n, int(v)) for n, v in champs if int(v) >= 1), (None, None))
    if champ is None:
        echec("saisie des lits : aucune unité avec des lits disponibles à modifier")
    marque = f"essai={uuid.uuid4().hex}"
    r = poster(saisisseur, f"/disponibilites/saisie/?{marque}", {champ: valeur - 1}, page="/disponibilites/saisie/")
    verifier(r.status_code == 200 and "mise(s) à jour" in r.text, f"saisie : {champ} {valeur} → {valeur - 1}")
    pid_saisie = pid_du_journal(marque)
    for _ in range(40):
        total, pid = total_disponibles(consultant)
        if pid != pid_saisie:
            break
    verifier(pid != pid_saisie and total == avant - 1,
             f"saisie servie par le worker {pid_saisie}, tableau servi par le worker {pid} : {avant} → {total} lits")

    # Service time of each page alone (sequential, warm): what the load test divides the cores by.
    jeton = os.environ.get("ESSAI_JETON_FHIR", "")
    for nom, chemin, entetes in [("recherche", "/recherche/?quoi=EHPAD&ou=Angers", {}),
                                 ("fiche", f"/repertoire/{fiches[1]}/", {}),
                                 ("tableau des lits", "/disponibilites/tableau/contenu/", {}),
                                 ("page FHIR", "/fhir/HealthcareService?_count=20",
                                  {"Authorization": f"Bearer {jeton}"})]:
        durees = []
        for _ in range(8):
            debut = time.perf_counter()
            r = consultant.get(URL + chemin, headers=entetes)
            durees.append(1000 * (time.perf_counter() - debut))
        durees.sort()
        print(f"     {nom:<18} HTTP {r.status_code}, seul : médiane {durees[len(durees) // 2]:.0f} ms", flush=True)

    Path(os.environ["ESSAI_SESSION"]).write_text(consultant.cookies["sessionid"])
    print(f"     fiches pour la charge : {len(fiches)}", flush=True)
    Path(os.environ["ESSAI_FICHES"]).write_text(",".join(fiches))


def suivre(gestionnaire: requests.Session, pk: str) -> list[dict]:
    """The import's progress, read as its page does, until it stops (finished or waiting)."""
    etats, fin = [], time.monotonic() + 300
    while time.monotonic() < fin:
        etats.append(gestionnaire.get(f"{URL}/imports/finess/{pk}/progression/").json())
        if etats[-1]["fini"]:
            break
        time.sleep(0.2)
    return etats


def finess() -> None:
    """A FINESS upload, run by the Celery worker, its progress followed as the page does."""
    gestionnaire = connecter("gestionnaire")
    with FINESS.open("rb") as f:
        r = poster(gestionnaire, "/imports/finess/lancer/", {}, page="/imports/finess/",
                   files={"fichier": (FINESS.name, f, "text/csv")})
    trouve = re.search(r"/imports/finess/(\d+)/$", r.url)
    verifier(r.status_code == 200 and trouve, f"import FINESS téléversé ({FINESS.stat().st_size // 1024} Kio)", r.url)
    pk = trouve.group(1)
    etats = suivre(gestionnaire, pk)
    if etats[-1]["statut"] == "a_confirmer":  # the import would close or change much: it asks first
        apercu = gestionnaire.get(f"{URL}/imports/finess/{pk}/").text
        verifier(f"/imports/finess/{pk}/confirmer/" in apercu, f"import {pk} : aperçu de ce qui changera, à confirmer")
        poster(gestionnaire, f"/imports/finess/{pk}/confirmer/", {}, page=f"/imports/finess/{pk}/")
        etats = suivre(gestionnaire, pk)  # the progress of the application itself
    verifier(etats[-1]["fini"] and etats[-1]["statut"] == "termine", f"import {pk} terminé par le worker Celery",
             json.dumps(etats[-1], ensure_ascii=False))
    pourcentages = [e["progression"] for e in etats]
    etapes = sorted({e["etape"] for e in etats if 0 < e["progression"] < 100})
    verifier(any(0 < p < 100 for p in pourcentages) and pourcentages == sorted(pourcentages),
             f"progression suivie : {sorted(set(pourcentages))[:12]}… ({len(etapes)} étapes, ex. « {etapes[0] if etapes else ''} »)")
    rapport = gestionnaire.get(f"{URL}/imports/finess/{pk}/").text
    verifier('id="rapport"' in rapport, "rapport de l'import affiché")
    restants = [p for p in (MEDIA / "imports").rglob("*") if p.is_file()] if (MEDIA / "imports").exists() else []
    verifier(not restants, "fichier téléversé supprimé après l'import", str(restants))


if __name__ == "__main__":
    finess() if os.environ.get("ESSAI_ETAPE") == "finess" else main()
