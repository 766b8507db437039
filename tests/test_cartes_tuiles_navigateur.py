"""The maps draw their background from the tile server LEAFLET_TILES_URL names: a real HTTP
server on 127.0.0.1 stands in for the Géoplateforme. The page's Content-Security-Policy
(the production one, computed from that URL) lets Chromium load the tiles, and they are
requested and drawn, on the search map, a fiche's map and the beds map."""

import re
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from ror.settings import politique_csp

pytestmark = pytest.mark.django_db(transaction=True)

TUILE = re.compile(r"^/(\d+)/(\d+)/(\d+)\.png$")


def _png_256() -> bytes:
    """A grey 256 × 256 PNG, the size of a tile."""
    def bloc(genre: bytes, donnees: bytes) -> bytes:
        return struct.pack(">I", len(donnees)) + genre + donnees + struct.pack(">I", zlib.crc32(genre + donnees))
    lignes = b"".join(b"\x00" + b"\xcc" * 256 for _ in range(256))
    return (b"\x89PNG\r\n\x1a\n" + bloc(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 0, 0, 0, 0))
            + bloc(b"IDAT", zlib.compress(lignes)) + bloc(b"IEND", b""))


@pytest.fixture
def serveur_de_tuiles(settings):
    """A tile server on 127.0.0.1 that records the tiles asked for; the portal set to use it."""
    demandes: list[str] = []
    image = _png_256()

    class Tuiles(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            demandes.append(self.path)
            if not TUILE.match(self.path):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(image)))
            self.end_headers()
            self.wfile.write(image)

        def log_message(self, *args):
            pass

    serveur = ThreadingHTTPServer(("127.0.0.1", 0), Tuiles)
    fil = threading.Thread(target=serveur.serve_forever, daemon=True)
    fil.start()
    url = f"http://127.0.0.1:{serveur.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    settings.LEAFLET_TILES_URL = url
    settings.LEAFLET_TILES_ATTRIBUTION = "Tuiles de test"
    settings.CONTENT_SECURITY_POLICY = politique_csp(url)  # as settings.py computes it at start
    yield demandes
    serveur.shutdown()
    serveur.server_close()


def _tuiles_dessinees(page, carte: str, demandes: list[str], avant: int) -> None:
    """Tiles were asked of the stand-in server, drawn in the map, and the attribution shows."""
    tuiles = page.locator(f"{carte} img.leaflet-tile")
    expect(tuiles.first).to_be_attached()
    page.wait_for_function("""(carte) => {
        const imgs = document.querySelectorAll(carte + " img.leaflet-tile");
        return imgs.length > 0 && [...imgs].some(i => i.complete && i.naturalWidth === 256);
    }""", arg=carte)
    nouvelles = [d for d in demandes[avant:] if TUILE.match(d)]
    assert nouvelles, demandes
    expect(page.locator(f"{carte} .leaflet-control-attribution")).to_contain_text("Tuiles de test")


def test_les_cartes_chargent_les_tuiles_du_serveur_configure(live_server, page, connecter, region,
                                                             serveur_de_tuiles):
    demandes = serveur_de_tuiles
    refus_csp = []
    page.on("console", lambda m: refus_csp.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    connecter(region.consultant)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Recherche").click()
    page.wait_for_load_state()
    politique = page.evaluate("""async () => (await fetch(location.href)).headers.get("content-security-policy")""")
    assert "img-src 'self' data: http://127.0.0.1:" in politique

    # the search map
    page.click("#id_ou")
    page.keyboard.type("Angers", delay=30)
    page.locator("#id_ou__listbox li", has_text="Angers (49000)").first.click()
    page.select_option("#id_rayon", "100")
    page.click("#bouton-rechercher")
    page.wait_for_load_state()
    avant = len(demandes)
    page.click("#vue-carte")
    page.wait_for_load_state()
    _tuiles_dessinees(page, "#carte", demandes, avant)

    # a fiche's map, from the list
    page.click("#vue-liste")
    page.wait_for_load_state()
    avant = len(demandes)
    page.locator("#resultat-1 a.ror-lien-eg").click()
    page.wait_for_load_state()
    _tuiles_dessinees(page, "#carte", demandes, avant)

    # the beds map
    avant = len(demandes)
    page.goto(f"{live_server.url}/disponibilites/carte/")
    _tuiles_dessinees(page, "#carte-lits", demandes, avant)
    assert not refus_csp, refus_csp
