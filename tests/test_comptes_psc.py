"""Pro Santé Connect against a real OpenID Connect provider on 127.0.0.1 (discovery, JWKS,
token, userinfo; id_token signed with a key generated here). Accounts are matched, never created."""

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from joserfc import jwt
from joserfc.jwk import RSAKey

from socle.models import JournalAudit

CLIENT_ID = "ror-portail"
CLIENT_SECRET = "secret-de-test"


class FournisseurOIDC:
    """A tiny OpenID Connect provider: enough of the protocol for an authorization-code login."""

    def __init__(self):
        self.cle = RSAKey.generate_key(2048, parameters={"kid": "cle-1", "use": "sig", "alg": "RS256"})
        self.cle_de_signature = self.cle  # a test may swap it for a key the JWKS does not publish
        self.userinfo = {}
        self.jeton = {}  # claims of the ID token that differ from the defaults (a test may change sub, acr…)
        self.codes = {}
        self.serveur = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.serveur.server_port}"
        threading.Thread(target=self.serveur.serve_forever, daemon=True).start()

    def arreter(self):
        self.serveur.shutdown()
        self.serveur.server_close()

    def _handler(self):
        fournisseur = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, donnees, statut=200):
                corps = json.dumps(donnees).encode()
                self.send_response(statut)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(corps)))
                self.end_headers()
                self.wfile.write(corps)

            def do_GET(self):
                url = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    i = fournisseur.issuer
                    return self._json({
                        "issuer": i, "authorization_endpoint": f"{i}/authorize", "token_endpoint": f"{i}/token",
                        "userinfo_endpoint": f"{i}/userinfo", "jwks_uri": f"{i}/jwks",
                        "response_types_supported": ["code"], "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "token_endpoint_auth_methods_supported": ["client_secret_basic"]})
                if url.path == "/jwks":
                    return self._json({"keys": [fournisseur.cle.as_dict(private=False)]})
                if url.path == "/authorize":
                    assert params["client_id"] == CLIENT_ID and params["response_type"] == "code"
                    code = secrets.token_urlsafe(16)
                    fournisseur.codes[code] = params
                    self.send_response(302)
                    self.send_header("Location", params["redirect_uri"] + "?" + urlencode(
                        {"code": code, "state": params["state"]}))
                    self.end_headers()
                    return None
                if url.path == "/userinfo":
                    if self.headers.get("Authorization") != "Bearer jeton-d-acces":
                        return self._json({"error": "invalid_token"}, 401)
                    return self._json(fournisseur.userinfo)
                return self._json({"error": "not_found"}, 404)

            def do_POST(self):
                longueur = int(self.headers.get("Content-Length", 0))
                params = {k: v[0] for k, v in parse_qs(self.rfile.read(longueur).decode()).items()}
                attendu = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
                if self.path != "/token" or self.headers.get("Authorization") != attendu:
                    return self._json({"error": "invalid_client"}, 401)
                demande = fournisseur.codes.pop(params.get("code"), None)
                if demande is None:
                    return self._json({"error": "invalid_grant"}, 400)
                maintenant = int(time.time())
                id_token = jwt.encode({"alg": "RS256", "kid": "cle-1"}, {
                    "iss": fournisseur.issuer, "sub": fournisseur.userinfo.get("sub", "sujet"), "aud": CLIENT_ID,
                    "iat": maintenant, "exp": maintenant + 300, "nonce": demande.get("nonce"),
                    "acr": "eidas1", **fournisseur.jeton}, fournisseur.cle_de_signature)
                return self._json({"access_token": "jeton-d-acces", "token_type": "Bearer", "expires_in": 300,
                                   "id_token": id_token})

        return Handler


@pytest.fixture
def psc(settings):
    fournisseur = FournisseurOIDC()
    settings.ROR_PSC_ISSUER = fournisseur.issuer
    settings.ROR_PSC_CLIENT_ID = CLIENT_ID
    settings.ROR_PSC_CLIENT_SECRET = CLIENT_SECRET
    yield fournisseur
    fournisseur.arreter()


def _se_connecter_par_psc(client):
    """Follow the real redirects: portal → provider's authorize endpoint → back to the portal."""
    depart = client.get("/compte/pro-sante-connect/")
    assert depart.status_code == 302
    chez_le_fournisseur = requests.get(depart["Location"], allow_redirects=False, timeout=10)
    assert chez_le_fournisseur.status_code == 302
    retour = urlsplit(chez_le_fournisseur.headers["Location"])
    return client.get(retour.path + "?" + retour.query)


def _connecte(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_la_page_de_connexion_propose_psc_quand_il_est_configure(client, psc):
    assert "Se connecter avec Pro Santé Connect" in client.get("/connexion/").content.decode()


@pytest.mark.django_db
def test_connexion_par_rpps_d_un_compte_existant(client, psc, region):
    region.referent.rpps = "10001234567"
    region.referent.save()
    psc.userinfo = {"sub": "f:550dc1c8:10001234567", "SubjectNameID": "810001234567", "given_name": "Anne"}

    depart = client.get("/compte/pro-sante-connect/")
    assert depart["Location"].startswith(psc.issuer + "/authorize?")
    assert "acr_values=eidas1" in depart["Location"]
    reponse = _se_connecter_par_psc(client)

    assert reponse.status_code == 302
    assert int(client.session["_auth_user_id"]) == region.referent.pk
    entree = JournalAudit.objects.filter(action="connexion").latest("quand")
    assert entree.acteur == region.referent and entree.details == {"methode": "pro_sante_connect"}


@pytest.mark.django_db
def test_connexion_par_adresse_electronique(client, psc, region):
    psc.userinfo = {"sub": "x", "email": "DIRECTEUR@exemple.fr", "email_verified": True}
    _se_connecter_par_psc(client)
    assert int(client.session["_auth_user_id"]) == region.directeur.pk


@pytest.mark.django_db
def test_une_identite_inconnue_ne_cree_aucun_compte(client, psc, region):
    avant = get_user_model().objects.count()
    psc.userinfo = {"sub": "inconnu", "SubjectNameID": "899999999999", "email": "inconnu@exemple.fr",
                    "given_name": "Paul", "family_name": "Inconnu"}
    reponse = _se_connecter_par_psc(client)
    assert reponse["Location"] == "/compte/demande/"
    formulaire = client.get("/compte/demande/").content.decode()  # prefilled from Pro Santé Connect
    assert 'value="inconnu@exemple.fr"' in formulaire and 'value="Inconnu"' in formulaire
    assert not _connecte(client)
    assert get_user_model().objects.count() == avant
    assert JournalAudit.objects.filter(action="connexion_psc_sans_compte").exists()


@pytest.mark.django_db
def test_un_compte_desactive_n_entre_pas_par_psc(client, psc, region):
    region.referent.is_active = False
    region.referent.save()
    psc.userinfo = {"sub": "x", "email": region.referent.email}
    _se_connecter_par_psc(client)
    assert not _connecte(client)


@pytest.mark.django_db
def test_un_jeton_signe_par_une_autre_cle_est_refuse(client, psc, region):
    psc.cle_de_signature = RSAKey.generate_key(2048, parameters={"kid": "cle-1"})
    psc.userinfo = {"sub": "x", "email": region.referent.email}
    reponse = _se_connecter_par_psc(client)
    assert reponse["Location"] == "/connexion/"
    assert not _connecte(client)
    assert JournalAudit.objects.filter(action="connexion_psc_echouee").exists()


@pytest.mark.django_db
def test_un_retour_sans_etat_valide_est_refuse(client, psc, region):
    reponse = client.get("/compte/pro-sante-connect/retour/?code=vole&state=invente")
    assert reponse.status_code == 302 and reponse["Location"] == "/connexion/"
    assert not _connecte(client)


# -- Issue 16: the matching proves one identity, at the level asked for ---------------------

@pytest.mark.django_db
@pytest.mark.parametrize("verifiee", [None, False, "false"], ids=["absente", "faux", "texte-faux"])
def test_une_adresse_non_verifiee_n_identifie_personne(client, psc, region, verifiee):
    psc.userinfo = {"sub": "x", "email": region.directeur.email}
    if verifiee is not None:
        psc.userinfo["email_verified"] = verifiee
    reponse = _se_connecter_par_psc(client)
    assert reponse["Location"] == "/compte/demande/" and not _connecte(client)


@pytest.mark.django_db
def test_l_adresse_d_un_compte_qui_a_un_autre_rpps_ne_sert_pas(client, psc, region):
    region.directeur.rpps = "10001111111"
    region.directeur.save()
    # A professional unknown by his RPPS presents (verified) the address of an account with another RPPS.
    psc.userinfo = {"sub": "y", "SubjectNameID": "810009999999", "email": region.directeur.email,
                    "email_verified": True}
    reponse = _se_connecter_par_psc(client)
    # the identity was read and matched no account (not a failed exchange, which goes to /connexion/)
    assert reponse["Location"] == "/compte/demande/" and not _connecte(client)


@pytest.mark.django_db
def test_le_rpps_d_un_compte_desactive_ne_retombe_pas_sur_l_adresse(client, psc, region):
    region.referent.rpps = "10001234567"
    region.referent.is_active = False
    region.referent.save()
    psc.userinfo = {"sub": "z", "SubjectNameID": "810001234567", "email": region.directeur.email,
                    "email_verified": True}
    reponse = _se_connecter_par_psc(client)
    assert reponse["Location"] == "/compte/demande/" and not _connecte(client)


@pytest.mark.django_db
def test_userinfo_d_un_autre_sujet_est_refuse(client, psc, region):
    region.referent.rpps = "10001234567"
    region.referent.save()
    psc.jeton = {"sub": "f:550dc1c8:19999999999"}  # the ID token names someone else than userinfo
    psc.userinfo = {"sub": "f:550dc1c8:10001234567", "SubjectNameID": "810001234567"}
    reponse = _se_connecter_par_psc(client)
    assert reponse["Location"] == "/connexion/" and not _connecte(client)
    assert JournalAudit.objects.filter(action="connexion_psc_echouee").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("acr", ["eidas0", None], ids=["eidas0", "absent"])
def test_un_niveau_d_authentification_inferieur_est_refuse(client, psc, region, acr):
    region.referent.rpps = "10001234567"
    region.referent.save()
    psc.jeton = {"acr": acr}
    psc.userinfo = {"sub": "s", "SubjectNameID": "810001234567"}
    reponse = _se_connecter_par_psc(client)
    assert reponse["Location"] == "/connexion/" and not _connecte(client)
