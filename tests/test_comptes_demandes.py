"""Demande d'accès: the public form, its acceptance (account + single-use link) or its refusal."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from repertoire import access
from comptes.models import DemandeAcces
from socle.models import JournalAudit
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db

User = get_user_model()
NOUVEAU_MOT_DE_PASSE = "Tilleuls-Angers-2026!"


def _formulaire(**autres):
    return {"prenom": "Anne", "nom": "Martin", "email": "Anne.Martin@ehpad-tilleuls.fr", "fonction": "Cadre de santé",
            "structure_recherche": "490000023", "role": "referent", "justification": "Je tiens la fiche de l'EHPAD.",
            **autres}


def _demande(region, **autres):
    return DemandeAcces.objects.create(**{"prenom": "Anne", "nom": "Martin", "email": "anne.martin@ehpad-tilleuls.fr",
                                          "structure": region.ehpad, "role": "referent", "justification": "…",
                                          **autres})


def _lien(message) -> str:
    return re.search(r"http://testserver(/compte/nouveau-mot-de-passe/\S+)", message.body).group(1)


def test_la_demande_trouve_la_structure_par_son_finess(client, region):
    reponse = client.post("/compte/demande/", _formulaire())
    assert reponse.status_code == 302 and reponse["Location"] == "/compte/demande/envoyee/"
    demande = DemandeAcces.objects.get()
    assert (demande.structure, demande.email, demande.statut) == (region.ehpad, "anne.martin@ehpad-tilleuls.fr",
                                                                  "en_attente")
    assert JournalAudit.objects.filter(action="demande_acces_recue", cible=f"demande:{demande.pk}").exists()


def test_plusieurs_structures_correspondent_au_nom_le_demandeur_choisit(client, region):
    reponse = client.post("/compte/demande/", _formulaire(structure_recherche="cholet"))
    page = reponse.content.decode()
    assert reponse.status_code == 200 and "Plusieurs structures correspondent" in page
    assert "CENTRE HOSPITALIER DE CHOLET" in page and "CH CHOLET" in page
    assert not DemandeAcces.objects.exists()

    client.post("/compte/demande/", _formulaire(structure_recherche="cholet", structure=region.ch.pk))
    assert DemandeAcces.objects.get().structure == region.ch


def test_une_demande_incomplete_n_enregistre_rien(client, region):
    reponse = client.post("/compte/demande/", _formulaire(email="pas-une-adresse", structure_recherche="zzz"))
    page = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Aucun établissement ni entité juridique ne correspond" in page
    assert "Saisissez une adresse" in page  # the e-mail field's own message
    assert not DemandeAcces.objects.exists()


def test_accepter_cree_le_compte_et_envoie_un_lien_a_usage_unique(client, region):
    demande = _demande(region)
    client.force_login(region.gestionnaire)
    assert "Anne Martin" in client.get("/compte/gestion/demandes/").content.decode()

    reponse = client.post(f"/compte/gestion/demandes/{demande.pk}/accepter/")
    assert reponse.status_code == 302

    compte = User.objects.get(email="anne.martin@ehpad-tilleuls.fr")
    assert not compte.has_usable_password()
    assert compte.groups.filter(name=access.GROUPE_REFERENT).exists()
    assert access.peut(compte, access.MODIFIER, region.uo_hp)
    assert not access.peut(compte, access.MODIFIER, region.uo_rea)
    demande.refresh_from_db()
    assert (demande.statut, demande.compte, demande.traitee_par) == ("acceptee", compte, region.gestionnaire)
    assert {"compte_cree", "droit_accorde", "demande_acces_acceptee"} <= set(
        JournalAudit.objects.values_list("action", flat=True))

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anne.martin@ehpad-tilleuls.fr"]
    lien = _lien(mail.outbox[0])
    client.logout()
    formulaire = client.get(lien, follow=True)
    assert "12 caractères" in formulaire.content.decode()  # the password rules are shown
    url_saisie = formulaire.redirect_chain[-1][0]
    faible = client.post(url_saisie, {"new_password1": "martin", "new_password2": "martin"})
    assert faible.status_code == 200 and not User.objects.get(pk=compte.pk).has_usable_password()
    fait = client.post(url_saisie, {"new_password1": NOUVEAU_MOT_DE_PASSE, "new_password2": NOUVEAU_MOT_DE_PASSE})
    assert fait.status_code == 302
    assert client.login(username=compte.username, password=NOUVEAU_MOT_DE_PASSE)
    client.logout()

    # Single use: the same link no longer works.
    reutilise = client.get(lien, follow=True)
    assert "Ce lien n'est plus valable" in reutilise.content.decode()


def test_le_lien_expire(client, region, settings):
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is already too old
    demande = _demande(region)
    client.force_login(region.gestionnaire)
    client.post(f"/compte/gestion/demandes/{demande.pk}/accepter/")
    client.logout()
    assert "Ce lien n'est plus valable" in client.get(_lien(mail.outbox[0]), follow=True).content.decode()


def test_accepter_pour_une_adresse_deja_connue_ne_cree_pas_de_second_compte(client, region):
    demande = _demande(region, email=region.referent_autre.email, role="directeur")
    client.force_login(region.gestionnaire)
    client.post(f"/compte/gestion/demandes/{demande.pk}/accepter/")
    assert User.objects.filter(email__iexact=region.referent_autre.email).count() == 1
    # the right waits for the holder's confirmation (tests/test_comptes_confirmations.py)
    assert not access.peut(region.referent_autre, access.VALIDER_DOSSIER, region.uo_hp)
    assert "/compte/demande/confirmer/" in mail.outbox[0].body and "nouveau-mot-de-passe" not in mail.outbox[0].body


def test_refuser_exige_un_motif_et_l_envoie(client, region):
    demande = _demande(region)
    client.force_login(region.gestionnaire)
    sans_motif = client.post(f"/compte/gestion/demandes/{demande.pk}/refuser/", {"motif": "  "}, follow=True)
    assert "Indiquez le motif du refus" in sans_motif.content.decode()
    demande.refresh_from_db()
    assert demande.statut == "en_attente" and not mail.outbox

    client.post(f"/compte/gestion/demandes/{demande.pk}/refuser/", {"motif": "Structure hors de la région"})
    demande.refresh_from_db()
    assert (demande.statut, demande.motif_refus) == ("refusee", "Structure hors de la région")
    assert "Structure hors de la région" in mail.outbox[0].body
    assert not User.objects.filter(email=demande.email).exists()


def test_une_demande_traitee_ne_se_traite_pas_deux_fois(client, region):
    demande = _demande(region)
    client.force_login(region.gestionnaire)
    client.post(f"/compte/gestion/demandes/{demande.pk}/refuser/", {"motif": "Non"})
    reponse = client.post(f"/compte/gestion/demandes/{demande.pk}/accepter/", follow=True)
    assert "déjà été traitée" in reponse.content.decode()
    assert not User.objects.filter(email=demande.email).exists()


def _mails_du_worker(dossier):
    """The mails a worker wrote with Django's file backend (one .log file per connection)."""
    return "\n".join(f.read_text() for f in sorted(dossier.glob("*.log"))) if dossier.exists() else ""


@pytest.fixture
def mails_du_worker(monkeypatch, tmp_path):
    """Set before celery_worker starts: its mails go to files under tmp_path/var/mails."""
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("ROR_VAR_DIR", str(tmp_path / "var"))
    return tmp_path / "var" / "mails"


@pytest.mark.django_db(transaction=True)
def test_mot_de_passe_oublie_par_un_vrai_worker(mails_du_worker, celery_worker, client, region):
    import time

    reponse = client.post("/compte/mot-de-passe-oublie/", {"email": "REFERENT@exemple.fr"})
    assert reponse["Location"] == "/compte/mot-de-passe-oublie/envoye/"
    assert not mail.outbox  # nothing sent inside the request: the worker does it
    for _ in range(600):
        texte = _mails_du_worker(mails_du_worker)
        if "nouveau-mot-de-passe" in texte:
            break
        time.sleep(0.1)
    assert "choisir un nouveau mot de passe" in texte and "referent@exemple.fr" in texte
    lien = re.search(r"http://testserver(/compte/nouveau-mot-de-passe/\S+)", texte).group(1)
    url_saisie = client.get(lien, follow=True).redirect_chain[-1][0]
    client.post(url_saisie, {"new_password1": NOUVEAU_MOT_DE_PASSE, "new_password2": NOUVEAU_MOT_DE_PASSE})
    assert client.login(username="referent", password=NOUVEAU_MOT_DE_PASSE)
    assert not client.login(username="referent", password=MOT_DE_PASSE)


def test_mot_de_passe_oublie_ne_revele_pas_si_l_adresse_existe(client, region, monkeypatch):
    from comptes import tasks

    files = []
    monkeypatch.setattr(tasks.envoyer_reinitialisation, "delay", lambda *args: files.append(args))
    connue = client.post("/compte/mot-de-passe-oublie/", {"email": "REFERENT@exemple.fr"})
    inconnue = client.post("/compte/mot-de-passe-oublie/", {"email": "personne@ailleurs.fr"})
    # Same answer, and the same work in the request: a task queued, no lookup, no mail.
    assert (connue.status_code, connue["Location"]) == (inconnue.status_code, inconnue["Location"])
    assert [f[0].lower() for f in files] == ["referent@exemple.fr", "personne@ailleurs.fr"]
    assert not mail.outbox
    for args in files:  # what the worker does with each
        tasks.envoyer_reinitialisation(*args)
    assert [m.to for m in mail.outbox] == [["referent@exemple.fr"]]
    message = mail.outbox[0]
    assert "choisir un nouveau mot de passe" in message.subject
    url_saisie = client.get(_lien(message), follow=True).redirect_chain[-1][0]
    client.post(url_saisie, {"new_password1": NOUVEAU_MOT_DE_PASSE, "new_password2": NOUVEAU_MOT_DE_PASSE})
    assert client.login(username="referent", password=NOUVEAU_MOT_DE_PASSE)
