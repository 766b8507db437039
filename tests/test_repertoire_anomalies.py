"""Favoris and "Signaler une anomalie": e-mail to the référents and gestionnaires, treated with a reply."""

import pytest
from django.core import mail
from django.urls import reverse

from repertoire.models import Favori, SignalementAnomalie

pytestmark = pytest.mark.django_db


@pytest.fixture
def boite(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mail.outbox


def test_signalement_envoye_aux_referents_et_gestionnaires(client, region, boite, django_capture_on_commit_callbacks):
    client.force_login(region.consultant)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("repertoire:signaler", args=[region.uo_hp.pk]),
                              {"description": "Le numéro de l'accueil ne répond plus."})
    assert reponse.status_code == 302
    assert len(boite) == 1
    assert set(boite[0].to) == {"referent@exemple.fr", "gestionnaire@exemple.fr"}
    assert "Hébergement permanent" in boite[0].subject and "ne répond plus" in boite[0].body
    # the référent of another structure is not told and cannot treat it
    anomalie = SignalementAnomalie.objects.get()
    client.force_login(region.referent_autre)
    assert "ne répond plus" not in client.get(reverse("repertoire:anomalies")).content.decode()
    assert client.post(reverse("repertoire:traiter_anomalie", args=[anomalie.pk]),
                       {"reponse": "ok"}).status_code == 403


def test_le_referent_traite_avec_une_reponse(client, region, boite, django_capture_on_commit_callbacks):
    anomalie = SignalementAnomalie.objects.create(structure=region.uo_hp, auteur=region.consultant,
                                                  description="Mauvais horaires")
    client.force_login(region.referent)
    assert "Mauvais horaires" in client.get(reverse("repertoire:anomalies")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("repertoire:traiter_anomalie", args=[anomalie.pk]), {"reponse": "Horaires corrigés."})
    anomalie.refresh_from_db()
    assert anomalie.est_traitee and anomalie.traitee_par == region.referent and anomalie.reponse == "Horaires corrigés."
    assert boite[-1].to == ["consultant@exemple.fr"] and "Horaires corrigés." in boite[-1].body
    assert "Mauvais horaires" not in client.get(reverse("repertoire:anomalies")).content.decode()
    assert "Horaires corrigés." in client.get(reverse("repertoire:anomalies"), {"statut": "toutes"}).content.decode()


def test_signalement_vide_refuse_en_francais(client, region):
    client.force_login(region.consultant)
    reponse = client.post(reverse("repertoire:signaler", args=[region.uo_hp.pk]), {"description": "  "})
    assert reponse.status_code == 400 and "Ce champ est obligatoire." in reponse.content.decode()
    assert not SignalementAnomalie.objects.exists()


def test_favori_ajoute_puis_retire(client, region):
    client.force_login(region.consultant)
    client.post(reverse("repertoire:favori", args=[region.ehpad.pk]), {"action": "ajouter"})
    assert "Retirer des favoris" in client.get(reverse("repertoire:fiche", args=[region.ehpad.pk])).content.decode()
    client.post(reverse("repertoire:favori", args=[region.ehpad.pk]), {"action": "retirer"})
    assert not Favori.objects.exists()
