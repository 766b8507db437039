"""Pages that list many rows read them in a fixed number of queries (no N+1).

Each test opens a page, adds rows of what it lists, opens it again and compares the counts:
a query per row shows as growth. The rows added must appear on the page, so the second
reading really lists them (a page that hid them would pass for the wrong reason).
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comptes import services as comptes_services
from comptes.models import DemandeAcces
from disponibilites.services import enregistrement
from repertoire.models import Favori, Niveau
from repertoire.services import offre
from socle.audit import journaliser
from socle.models import Action
from tests.factories import concept, utilisateur

pytestmark = pytest.mark.django_db


def _requetes(client, url: str, **entetes) -> tuple[int, str]:
    cache.clear()  # pages and board bodies are cached: count the page computed
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(url, **entetes)
    assert reponse.status_code == 200
    return len(requetes), reponse.content.decode()


def _sans_croissance(client, url: str, ajouter, attendus, **entetes) -> None:
    avant, _ = _requetes(client, url, **entetes)
    ajouter()
    apres, page = _requetes(client, url, **entetes)
    for texte in attendus():
        assert texte in page
    assert apres <= avant, f"{url}: {avant} requêtes avec peu de lignes, {apres} avec plus"


def test_fiche_d_un_eg_avec_beaucoup_d_uo(client, region):
    client.force_login(region.referent)
    noms = [f"Unité numéro {i}" for i in range(12)]
    _sans_croissance(
        client, reverse("repertoire:fiche", args=[region.ehpad.pk]),
        lambda: [offre.creer_structure(region.gestionnaire, Niveau.UO, region.ehpad, nom=nom,
                                       lits_installes=5) for nom in noms],
        lambda: noms)


def _unites_suivies_en_lits(region, n: int, prefixe: str) -> list:
    unites = [offre.creer_structure(region.gestionnaire, Niveau.UO, region.ch, nom=f"{prefixe} {i}",
                                    age_min=18, age_max=120, lits_installes=10,
                                    m2m={"activites": [concept("J17", "127")]}) for i in range(n)]
    enregistrement.enregistrer_figures([enregistrement.Figure(uo, "02", 3, timezone.now()) for uo in unites],
                                       user=region.referent_autre)
    return unites


@pytest.mark.parametrize("nom", ["disponibilites:tableau", "disponibilites:tableau_contenu", "disponibilites:carte"])
def test_tableau_et_carte_des_lits(client, region, nom):
    _unites_suivies_en_lits(region, 2, "Rea A")
    client.force_login(region.consultant)
    _sans_croissance(client, reverse(nom), lambda: _unites_suivies_en_lits(region, 12, "Rea B"),
                     lambda: [f"Rea B {i}" for i in range(12)])


def test_saisie_des_lits(client, region):
    _unites_suivies_en_lits(region, 2, "Rea A")
    client.force_login(region.referent_autre)
    _sans_croissance(client, reverse("disponibilites:saisie"), lambda: _unites_suivies_en_lits(region, 12, "Rea B"),
                     lambda: [f"Rea B {i}" for i in range(12)])


def test_demandes_d_acces(client, region):
    def deposer(n, prefixe):
        for i in range(n):
            comptes_services.deposer_demande(prenom="Jeanne", nom=f"{prefixe}{i}", email=f"{prefixe}{i}@chu.fr",
                                             structure=region.ch, role="referent", justification="Pour saisir.")

    deposer(2, "avant")
    refusee = DemandeAcces.objects.first()
    comptes_services.refuser_demande(region.gestionnaire, refusee, "Inconnue du service.")
    client.force_login(region.gestionnaire)

    def ajouter():
        deposer(12, "apres")
        for demande in DemandeAcces.objects.filter(nom__in=["apres0", "apres1", "apres2"]):
            comptes_services.refuser_demande(region.gestionnaire, demande, "Inconnue du service.")

    _sans_croissance(client, reverse("comptes:demandes"), ajouter, lambda: [f"apres{i}" for i in range(12)])


def test_utilisateurs(client, region):
    client.force_login(region.gestionnaire)
    _sans_croissance(client, reverse("comptes:utilisateurs"),
                     lambda: [utilisateur(f"compte{i:02d}", "Référent structure") for i in range(12)],
                     lambda: [f"compte{i:02d}" for i in range(12)])


def test_fiche_d_un_compte_avec_ses_droits_et_son_journal(client, region):
    compte = utilisateur("paul", "Référent structure")
    client.force_login(region.gestionnaire)
    eg = [offre.creer_structure(region.gestionnaire, Niveau.EG, region.ej, nom=f"Site {i}") for i in range(12)]

    def ajouter():
        for structure in eg:
            comptes_services.donner_droit(region.gestionnaire, compte, "referent", structure)

    _sans_croissance(client, reverse("comptes:utilisateur", args=[compte.pk]), ajouter,
                     lambda: [f"Site {i}" for i in range(12)])


def test_journal_d_audit(client, region):
    acteurs = [utilisateur(f"acteur{i:02d}") for i in range(12)]
    client.force_login(region.gestionnaire)
    _sans_croissance(client, reverse("comptes:journal"),
                     lambda: [journaliser(acteur, Action.CONNEXION, cible=f"user:{acteur.pk}") for acteur in acteurs],
                     lambda: [f"acteur{i:02d}" for i in range(12)])


def test_mon_compte(client, region):
    directeur = region.directeur
    client.force_login(directeur)
    eg = [offre.creer_structure(region.gestionnaire, Niveau.EG, region.ej, nom=f"Site {i}") for i in range(12)]

    def ajouter():
        for structure in eg:
            comptes_services.donner_droit(region.gestionnaire, directeur, "directeur", structure)
            Favori.objects.create(user=directeur, structure=structure)

    _sans_croissance(client, reverse("comptes:mon_compte"), ajouter,
                     lambda: [f"Gérer les référents de Site {i}" for i in range(12)])
