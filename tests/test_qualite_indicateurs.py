"""ANS population status (UO and EG), the dashboard by champ and département, the lists
and their CSV, and the monthly reminder to référents."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from qualite import indicateurs
from qualite.relances import envoyer_relances
from repertoire.models import Contact, Niveau, Structure
from repertoire.services import offre
from tests.factories import concept


def statut(uo):
    return indicateurs.uos_evaluees().get(pk=uo.pk)


def completer(uo):
    """Give a UO what the ANS criteria ask beyond the factories' data: a mode and a contact."""
    offre.modifier_structure(None, uo, {}, m2m={"modes_prise_en_charge": [concept("R213", "46")]}, raison="test")
    Contact.objects.create(structure=uo, fonction=concept("J220", "05"), libelle="Secrétariat",
                           telephone="02 41 00 00 01")


@pytest.mark.django_db
def test_statut_ans_d_une_uo_et_ce_qui_lui_manque(region):
    uo = statut(region.uo_hp)
    assert uo.statut == indicateurs.EN_COURS
    assert indicateurs.manques(uo) == ["mode de prise en charge", "contact avec fonction et téléphone ou courriel"]
    completer(region.uo_hp)
    assert statut(region.uo_hp).statut == indicateurs.FINALISE
    # The CH gives no street: its UO without an address of its own lacks one.
    assert "adresse (voie ou lieu-dit, code postal, commune)" in indicateurs.manques(statut(region.uo_rea))


@pytest.mark.django_db
def test_a_faire_quand_rien_ne_tient_et_type_exige_pour_un_ssiad(region):
    ssiad = offre.creer_structure(None, Niveau.EG, region.ej, nom="SSIAD ANGERS", finess="490000056",
                                  categorie=concept("J55", "354"))
    vide = offre.creer_structure(None, Niveau.UO, ssiad, nom="Soins à domicile")
    uo = statut(vide)
    assert uo.statut == indicateurs.A_FAIRE and uo.nb_criteres == 0
    assert "catégorie d'organisation (type d'unité)" in indicateurs.manques(uo)
    # The same UO under an EHPAD does not need a type d'UO.
    sous_ehpad = offre.creer_structure(None, Niveau.UO, region.ehpad, nom="Sans type")
    assert "catégorie d'organisation (type d'unité)" not in indicateurs.manques(statut(sous_ehpad))


@pytest.mark.django_db
def test_eg_finalise_quand_toutes_ses_uo_le_sont_et_uo_fermee_ignoree(region):
    completer(region.uo_hp)
    t = indicateurs.tableau()
    ms = next(ligne for ligne in t.par_champ if ligne.cle == "04")
    assert (ms.uo, ms.finalisees, ms.eg, ms.eg_finalises) == (2, 1, 1, 0)
    offre.fermer_structure(None, region.uo_aj, raison="test")  # the incomplete one closes
    ms = next(ligne for ligne in indicateurs.tableau().par_champ if ligne.cle == "04")
    assert (ms.uo, ms.finalisees, ms.eg_finalises, ms.taux_eg) == (1, 1, 1, 100)
    dep49 = next(ligne for ligne in indicateurs.tableau().par_departement if ligne.cle == "49")
    assert dep49.eg == 2 and dep49.eg_finalises == 1  # the EHPAD yes, the CH no


@pytest.mark.django_db
def test_pages_tableau_liste_et_csv_des_uo_incompletes(region, client):
    completer(region.uo_hp)
    client.force_login(region.gestionnaire)
    page = client.get(reverse("qualite:tableau")).content.decode()
    assert 'id="par-champ"' in page and "MS" in page and "50 %" in page  # 1 UO of 2 finalised in MS
    liste = client.get(reverse("qualite:incompletes"), {"champ": "04"}).content.decode()
    assert "Accueil de jour" in liste and "activité opérationnelle valide" in liste
    assert "Hébergement permanent" not in liste and "Réanimation adulte" not in liste
    csv = client.get(reverse("qualite:incompletes_csv")).getvalue().decode("utf-8-sig").splitlines()
    assert csv[0].startswith("département;FINESS EG;établissement")
    assert sorted(ligne.split(";")[4] for ligne in csv[1:]) == ["Accueil de jour", "Réanimation adulte"]


@pytest.mark.django_db
def test_structures_non_verifiees_depuis_douze_mois(region, client):
    ancien = timezone.now() - timedelta(days=400)
    Structure.objects.filter(niveau__in=["EG", "UO"]).update(date_verification=timezone.now())
    Structure.objects.filter(pk=region.ch.pk).update(date_verification=ancien)
    Structure.objects.filter(pk=region.uo_aj.pk).update(date_verification=None)
    client.force_login(region.gestionnaire)
    page = client.get(reverse("qualite:non_verifiees")).content.decode()
    assert "CH CHOLET" in page and "EHPAD LES TILLEULS" not in page
    uos = client.get(reverse("qualite:non_verifiees"), {"niveau": "UO"}).content.decode()
    assert "Accueil de jour" in uos and "jamais" in uos
    csv = client.get(reverse("qualite:non_verifiees_csv")).getvalue().decode("utf-8-sig").splitlines()
    assert len(csv) == 2 and "CH CHOLET" in csv[1] and ancien.strftime("%d/%m/%Y") in csv[1]


@pytest.mark.django_db
def test_relance_mensuelle_aux_referents(region):
    Structure.objects.filter(niveau__in=["EG", "UO"]).update(date_verification=timezone.now())
    Structure.objects.filter(pk=region.ehpad.pk).update(date_verification=timezone.now() - timedelta(days=340))
    assert envoyer_relances() == 2  # the EHPAD's référent and the CH's
    par_destinataire = {m.to[0]: m.body for m in mail.outbox}
    assert set(par_destinataire) == {"referent@exemple.fr", "referent_autre@exemple.fr"}
    corps = par_destinataire["referent@exemple.fr"]
    assert "EHPAD LES TILLEULS" in corps and "depuis 11 mois" in corps
    assert "Accueil de jour (EHPAD LES TILLEULS) : il manque" in corps and "Réanimation" not in corps
    assert "Réanimation adulte" in par_destinataire["referent_autre@exemple.fr"]


def test_taches_planifiees_declarees():
    from ror.celery import app

    app.loader.import_default_modules()
    taches = {entree["task"] for entree in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"imports.tasks.import_hebdomadaire", "qualite.tasks.relancer_referents"} <= taches
    assert taches <= set(app.tasks)
