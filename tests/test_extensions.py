"""The Répertoire's one extension point: a misconfiguration fails at start-up, never by a
feature silently disappearing."""

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from repertoire.extensions import Registre, registre


def _lire(uo_ids):
    return {}


def _ids():
    return []


def _ids_erreur(erreurs):
    return [e.id for e in erreurs]


def test_un_encadre_enregistre_deux_fois_ou_sur_un_niveau_inconnu_est_refuse():
    r = Registre()
    r.ajouter_encadre_fiche("interop/_fiche.html", niveaux=["EG"])
    with pytest.raises(ImproperlyConfigured, match="deux fois"):
        r.ajouter_encadre_fiche("interop/_fiche.html")
    with pytest.raises(ImproperlyConfigured, match="niveaux inconnus"):
        r.ajouter_encadre_fiche("autre.html", niveaux=["XX"])
    with pytest.raises(ImproperlyConfigured, match="fonction"):
        r.ajouter_encadre_fiche("autre.html", contexte="pas une fonction")


def test_un_second_lecteur_de_lits_ou_une_seconde_adresse_de_dossier_est_refuse():
    r = Registre()
    r.definir_lecteur_lits(lits_disponibles=_lire, uo_avec_lits_disponibles=_ids)
    with pytest.raises(ImproperlyConfigured, match="déjà enregistré"):
        r.definir_lecteur_lits(lits_disponibles=_lire, uo_avec_lits_disponibles=_ids)
    r.definir_url_dossier(lambda s: "/dossiers/")
    with pytest.raises(ImproperlyConfigured, match="déjà définie"):
        r.definir_url_dossier(lambda s: "/autre/")
    with pytest.raises(ImproperlyConfigured, match="fonction"):
        Registre().definir_lecteur_lits(lits_disponibles=None, uo_avec_lits_disponibles=_ids)


def test_deux_entrees_de_menu_au_meme_nom_ou_au_meme_rang_sont_refusees():
    r = Registre()
    r.ajouter_entree_menu("Qualité", "qualite:tableau", prefixe="/qualite/", rang=60)
    with pytest.raises(ImproperlyConfigured, match="en conflit"):
        r.ajouter_entree_menu("Encore", "qualite:tableau", prefixe="/q/", rang=61)
    with pytest.raises(ImproperlyConfigured, match="en conflit"):
        r.ajouter_entree_menu("Autre", "imports:liste", prefixe="/imports/", rang=60)


def test_le_controle_de_demarrage_signale_gabarit_absent_url_inconnue_et_lits_manquants():
    r = Registre()
    r.ajouter_encadre_fiche("nulle_part/_fiche.html")
    r.ajouter_entree_menu("Fantôme", "fantome:liste", prefixe="/fantome/", rang=1)
    r.exiger_lecteur_lits(par="interop")
    assert _ids_erreur(r.verifier()) == ["repertoire.E001", "repertoire.E002", "repertoire.E003"]
    with pytest.raises(ImproperlyConfigured, match="Aucun lecteur"):
        r.lits_disponibles([1])
    r.definir_lecteur_lits(lits_disponibles=_lire, uo_avec_lits_disponibles=_ids)
    assert _ids_erreur(r.verifier()) == ["repertoire.E001", "repertoire.E002"]


def test_sans_application_de_dossiers_pas_de_lien_de_dossier():
    assert Registre().url_dossier(object()) is None


def test_le_projet_tel_qu_installe_passe_le_controle_de_demarrage():
    assert [m for m in checks.run_checks() if m.id and m.id.startswith("repertoire.")] == []
    assert [e.titre for e in registre.menu] == [
        "Recherche", "Répertoire", "Disponibilités en lits", "Dossiers collaboratifs", "Import FINESS", "Qualité",
        "Synchronisation"]
    assert sorted(e.gabarit for e in registre.encadres) == ["disponibilites/_fiche.html", "interop/_fiche.html"]


@pytest.mark.django_db
def test_le_menu_d_un_consultant_sans_les_pages_de_gestion(client, region):
    client.force_login(region.consultant)
    contenu = client.get("/recherche/").content.decode()
    assert 'href="/recherche/" aria-current="page">Recherche' in contenu
    assert "Disponibilités en lits" in contenu and "Import FINESS" not in contenu
    client.force_login(region.gestionnaire)
    assert "Import FINESS" in client.get("/recherche/").content.decode()


def test_aucune_application_ne_contourne_les_couches_en_avalant_une_erreur():
    """What an app needs from above comes through the registry, not by guessing names and
    swallowing the failure (ror/urls.py, the project package, discovers each app's admin)."""
    from pathlib import Path

    racine = Path(__file__).resolve().parent.parent
    motifs = ("import_module(", "apps.get_model(", "except NoReverseMatch", "except LookupError")
    trouves = [f"{chemin.relative_to(racine)}: {motif}"
               for application in ["demo", "recherche", "dossiers", "disponibilites", "imports", "qualite", "interop",
                                   "comptes", "repertoire", "nomenclatures", "socle"]
               for chemin in sorted((racine / application).rglob("*.py")) if "migrations" not in chemin.parts
               for motif in motifs if motif in chemin.read_text()]
    assert not trouves, trouves
