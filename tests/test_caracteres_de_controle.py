"""Names and other one-line fields refuse control characters (issue 16): one rule in socle
(socle.validateurs), applied by the forms and by the services; mails are sent one by one."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError
from django.urls import reverse

from comptes import services as comptes_services
from comptes.models import DemandeAcces
from disponibilites.services import situations_tension, suivi
from repertoire.models import Contact, Structure
from repertoire.services import offre
from socle.validateurs import MESSAGE, une_ligne
from tests.factories import concept

pytestmark = pytest.mark.django_db
MESSAGE_HTML = MESSAGE.replace("'", "&#x27;")


@pytest.mark.parametrize("nom", ["EHPAD\nBcc: x@exemple.fr", "EHPAD\r\nX", "EHPAD\tB", "EHPAD\x00", "EHPAD\u2028B"],
                         ids=["LF", "CRLF", "tab", "NUL", "U+2028"])
def test_le_service_refuse_un_nom_sur_plusieurs_lignes(region, nom):
    with pytest.raises(ValidationError) as erreur:
        offre.modifier_structure(region.gestionnaire, region.ehpad, {"nom": nom}, raison="Essai")
    assert erreur.value.message_dict == {"nom": [MESSAGE]}
    assert Structure.objects.get(pk=region.ehpad.pk).nom == "EHPAD LES TILLEULS"


def test_un_post_force_du_responsable_est_refuse_en_francais(client, region):
    client.force_login(region.referent)
    reponse = client.post(reverse("repertoire:modifier_encadre", args=[region.uo_hp.pk, "responsable"]), {
        "version": region.uo_hp.version, "responsable-prenom": "Anne", "responsable-nom": "Durand\r\nX",
        "responsable-email": "a.durand@tilleuls.fr"})
    assert reponse.status_code == 400 and MESSAGE_HTML in reponse.content.decode()
    assert not Contact.objects.filter(nom__contains="Durand").exists()


def test_la_demande_d_acces_refuse_les_caracteres_de_controle(client, region):
    reponse = client.post("/compte/demande/", {
        "prenom": "Anne\nBcc: x@exemple.fr", "nom": "Martin", "email": "anne@ehpad.fr", "fonction": "Cadre",
        "structure_recherche": "490000023", "role": "referent", "justification": "Sur\nplusieurs\nlignes : permis."})
    assert reponse.status_code == 200 and MESSAGE_HTML in reponse.content.decode()
    assert not DemandeAcces.objects.exists()
    # The service refuses too (an import, a script…), not only the form.
    with pytest.raises(ValidationError):
        comptes_services.deposer_demande(prenom="Anne", nom="Mar\ttin", email="anne@ehpad.fr", fonction="",
                                         structure=region.ehpad, role="referent", justification="…")
    assert not DemandeAcces.objects.exists()


def test_une_ligne_pour_les_textes_venus_d_ailleurs():
    assert une_ligne("EHPAD\r\nLES\tTILLEULS\x00") == "EHPAD LES TILLEULS"
    assert une_ligne("  Simple  ") == "Simple"


def _tension_avec_deux_unites_en_retard(region):
    suivi.marquer_unite(region.gestionnaire, region.uo_hp, True)
    return situations_tension.declarer_tension(region.gestionnaire, concept("J194", "02"), None, 4)


def test_un_nom_ancien_sur_deux_lignes_n_arrete_plus_les_relances(region, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    situation = _tension_avec_deux_unites_en_retard(region)
    # A name stored before the rule (forged POST): the reminders must still all leave.
    Structure.objects.filter(pk=region.uo_rea.pk).update(nom="Réanimation\nadulte")
    assert situations_tension.relancer_retards(None, situation) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["referent@exemple.fr", "referent_autre@exemple.fr"]
    assert all("\n" not in m.subject for m in mail.outbox)


def test_un_courriel_qui_echoue_est_journalise_les_autres_partent(region, settings, monkeypatch, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    situation = _tension_avec_deux_unites_en_retard(region)
    vrai = situations_tension.send_mail

    def envoi(sujet, *args, **kwargs):
        if "Réanimation" in sujet:
            raise BadHeaderError("en-tête refusé")
        return vrai(sujet, *args, **kwargs)

    monkeypatch.setattr(situations_tension, "send_mail", envoi)
    assert situations_tension.relancer_retards(None, situation) == 1
    assert [m.to for m in mail.outbox] == [["referent@exemple.fr"]]
    assert f"unité {region.uo_rea.pk}" in caplog.text


def test_un_signalement_sur_une_unite_au_nom_ancien_sur_deux_lignes_ne_repond_pas_500(
        client, region, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Structure.objects.filter(pk=region.uo_hp.pk).update(nom="Hébergement\r\npermanent")
    client.force_login(region.consultant)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("repertoire:signaler", args=[region.uo_hp.pk]),
                              {"description": "Le numéro ne répond plus."})
    assert reponse.status_code == 302
    assert len(mail.outbox) == 1 and "Hébergement permanent" in mail.outbox[0].subject
