"""Nobody takes an address, nor the rights sent to it, without proving the mailbox (issue 16):
an e-mail change waits for the link sent to the new address; an accepted request for an address
that already has an account waits for that account's holder to confirm."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from comptes.models import DemandeAcces
from repertoire import access
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db
User = get_user_model()
ADRESSE_DIRECTRICE = "directrice@ehpad-tilleuls.fr"


def _lien(message, chemin: str) -> str:
    return re.search(rf"http://testserver({chemin}\S+)", message.body).group(1)


def _recharger(user):
    return User.objects.get(pk=user.pk)


def _demander_adresse(client, user, adresse):
    client.force_login(user)
    return client.post("/compte/adresse/", {"email": adresse, "mot_de_passe": MOT_DE_PASSE})


def test_la_nouvelle_adresse_ne_vaut_qu_apres_le_lien_envoye_a_cette_adresse(client, region):
    ancienne = region.referent.email
    reponse = _demander_adresse(client, region.referent, "Nouvelle@Exemple.fr")
    assert reponse["Location"] == "/compte/"
    assert _recharger(region.referent).email == ancienne  # nothing changed yet
    destinataires = {m.to[0]: m for m in mail.outbox}
    assert set(destinataires) == {"nouvelle@exemple.fr", ancienne}  # the old address is told
    assert "nouvelle@exemple.fr" in destinataires[ancienne].body
    assert "/compte/adresse/confirmer/" not in destinataires[ancienne].body
    # Until the link is followed, the pages say the change is pending.
    assert "Changement d'adresse en attente : nouvelle@exemple.fr" in client.get("/compte/").content.decode()
    assert "Changement en attente : nouvelle@exemple.fr" in client.get("/compte/adresse/").content.decode()

    lien = _lien(destinataires["nouvelle@exemple.fr"], "/compte/adresse/confirmer/")
    page = client.get(lien).content.decode()  # a mail scanner opening the link changes nothing
    assert "Confirmer cette adresse" in page and _recharger(region.referent).email == ancienne
    client.post(lien)
    assert _recharger(region.referent).email == "nouvelle@exemple.fr"
    assert "adresse-en-attente" not in client.get("/compte/").content.decode()
    assert "n&#x27;est plus valable" in client.post(lien, follow=True).content.decode()  # single use


def test_une_nouvelle_demande_de_changement_d_adresse_remplace_la_precedente(client, region):
    """The page says « Une nouvelle demande remplace celle-ci »: the first link no longer works."""
    _demander_adresse(client, region.referent, "premiere@exemple.fr")
    premier = _lien(mail.outbox[0], "/compte/adresse/confirmer/")
    mail.outbox.clear()
    _demander_adresse(client, region.referent, "seconde@exemple.fr")
    second = _lien(next(m for m in mail.outbox if m.to == ["seconde@exemple.fr"]), "/compte/adresse/confirmer/")
    assert "Changement en attente : seconde@exemple.fr" in client.get("/compte/adresse/").content.decode()
    assert "n&#x27;est plus valable" in client.post(premier, follow=True).content.decode()
    assert _recharger(region.referent).email == region.referent.email
    client.post(second)
    assert _recharger(region.referent).email == "seconde@exemple.fr"


def test_le_lien_de_changement_d_adresse_expire_et_ne_sert_qu_a_son_compte(client, region, settings):
    _demander_adresse(client, region.referent, "nouvelle@exemple.fr")
    lien = _lien(mail.outbox[0], "/compte/adresse/confirmer/")
    client.force_login(region.consultant)  # someone else's link does nothing for this account
    client.post(lien)
    assert _recharger(region.consultant).email == region.consultant.email
    assert _recharger(region.referent).email == region.referent.email
    client.force_login(region.referent)
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert "n&#x27;est plus valable" in client.post(lien, follow=True).content.decode()
    assert _recharger(region.referent).email == region.referent.email
    falsifie = lien.replace("/confirmer/", "/confirmer/x")
    settings.PASSWORD_RESET_TIMEOUT = 3600
    assert "n&#x27;est plus valable" in client.post(falsifie, follow=True).content.decode()


def test_une_adresse_deja_prise_est_refusee_des_la_demande(client, region):
    reponse = _demander_adresse(client, region.referent, region.consultant.email)
    assert "déjà utilisée" in reponse.content.decode() and not mail.outbox


def test_l_attaque_de_la_revue_ne_donne_plus_les_droits_du_directeur(client, region):
    """Issue 16: a consultant types a director's address on /compte/adresse/, then asks to be
    directeur with that address; the gestionnaire accepts. The consultant must get nothing."""
    _demander_adresse(client, region.consultant, ADRESSE_DIRECTRICE)
    client.logout()
    client.post("/compte/demande/", {
        "prenom": "Claire", "nom": "Directrice", "email": ADRESSE_DIRECTRICE, "fonction": "Directrice",
        "structure_recherche": "490000023", "role": "directeur", "justification": "Je dirige l'EHPAD."})
    demande = DemandeAcces.objects.get()
    client.force_login(region.gestionnaire)
    client.post(f"/compte/gestion/demandes/{demande.pk}/accepter/")

    consultant = _recharger(region.consultant)
    assert consultant.email != ADRESSE_DIRECTRICE
    assert not access.peut(consultant, access.VALIDER_DOSSIER, region.uo_hp)
    assert not consultant.groups.filter(name=access.GROUPE_DIRECTEUR).exists()
    # The rights went to a new account whose password link went to the director's own mailbox.
    demande.refresh_from_db()
    assert demande.compte != consultant and demande.compte.email == ADRESSE_DIRECTRICE
    assert mail.outbox[-1].to == [ADRESSE_DIRECTRICE]


def test_une_demande_pour_une_adresse_connue_attend_la_confirmation_du_titulaire(client, region):
    demande = DemandeAcces.objects.create(prenom="Paul", nom="Autre", email=region.referent_autre.email.upper(),
                                          structure=region.ehpad, role="directeur", justification="…")
    client.force_login(region.gestionnaire)
    revue = client.get(f"/compte/gestion/demandes/{demande.pk}/").content.decode()
    assert "Un compte existe déjà avec cette adresse" in revue
    assert f"créé le {region.referent_autre.date_joined:%d/%m/%Y}" in revue
    assert "Aucun compte n'est créé" in revue and "Le compte est créé" not in revue

    client.post(f"/compte/gestion/demandes/{demande.pk}/accepter/")
    demande.refresh_from_db()
    assert demande.statut == "a_confirmer" and demande.compte == region.referent_autre
    assert not access.peut(_recharger(region.referent_autre), access.VALIDER_DOSSIER, region.uo_hp)
    liste = client.get("/compte/gestion/demandes/").content.decode()  # accepted, waiting: not shown as refused
    assert ('<p class="fr-badge fr-badge--sm fr-badge--info">Acceptée, en attente de confirmation du titulaire '
            'du compte</p>') in liste
    message = mail.outbox[-1]
    assert message.to == [region.referent_autre.email] and "nouveau-mot-de-passe" not in message.body
    lien = _lien(message, "/compte/demande/confirmer/")

    # Only the account that received it may use the link, and only by a POST.
    client.force_login(region.consultant)
    assert "autre compte" in client.post(lien, follow=True).content.decode()
    client.force_login(region.referent_autre)
    assert "Ajouter ce rôle à mon compte" in client.get(lien).content.decode()
    assert not access.peut(_recharger(region.referent_autre), access.VALIDER_DOSSIER, region.uo_hp)
    client.post(lien)
    demande.refresh_from_db()
    assert demande.statut == "acceptee"
    assert access.peut(_recharger(region.referent_autre), access.VALIDER_DOSSIER, region.uo_hp)
    assert "n&#x27;est plus valable" in client.post(lien, follow=True).content.decode()


def test_un_lien_de_confirmation_expire(client, region, settings):
    demande = DemandeAcces.objects.create(prenom="Paul", nom="Autre", email=region.referent_autre.email,
                                          structure=region.ehpad, role="directeur", justification="…")
    client.force_login(region.gestionnaire)
    client.post(f"/compte/gestion/demandes/{demande.pk}/accepter/")
    lien = _lien(mail.outbox[-1], "/compte/demande/confirmer/")
    settings.PASSWORD_RESET_TIMEOUT = -1
    client.force_login(region.referent_autre)
    client.post(lien)
    assert not access.peut(_recharger(region.referent_autre), access.VALIDER_DOSSIER, region.uo_hp)
