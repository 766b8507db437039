"""Verification campaigns: perimeter and preview, « Rien n'a changé » (a verification counted by
RE1.2), an edit counting too, reminders then escalation, rights, signed links, real worker."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from qualite import ans
from qualite.campagnes import (CampagneInvalide, apercu, avancement, clore_campagne, confirmer_fiche, inviter,
                               jeton, lancer_campagne, relancer)
from qualite.models import Campagne, EnvoiCampagne, FicheCampagne, NatureEnvoi, Traitement
from repertoire.models import Structure
from repertoire.services import offre

pytestmark = pytest.mark.django_db


def _campagne(region, **autres):
    return lancer_campagne(region.gestionnaire, "Vérification 49", "departement", "49", **autres)


def _fiche(campagne, structure):
    return campagne.fiches.get(structure=structure)


def test_apercu_par_perimetre(region):
    # Département 49: the EHPAD and its 2 units, the CH and its unit; one référent each.
    a = apercu("departement", "49")
    assert (a.fiches, a.egs, a.referents, a.egs_sans_referent) == (5, 2, 2, 0)
    # Champ MS (J20 04): the EHPAD's two units and the EHPAD.
    assert (apercu("champ", "04").fiches, apercu("champ", "04").egs) == (3, 1)
    assert apercu("ej", ej=region.autre_ej).fiches == 2
    assert apercu("region").fiches == 5
    assert apercu("departement", "44").fiches == 0
    # A closed unit is not asked about.
    offre.fermer_structure(region.gestionnaire, region.uo_aj, raison="Fermeture")
    assert apercu("departement", "49").fiches == 4


def test_lancer_cree_les_fiches_et_refuse_les_mauvaises_saisies(region):
    c = lancer_campagne(region.gestionnaire, "Gestionnaire Tilleuls", "ej", finess_ej="490000015")
    assert c.ej == region.ej
    assert set(c.fiches.values_list("structure_id", "eg_id")) == {
        (region.ehpad.pk, region.ehpad.pk), (region.uo_hp.pk, region.ehpad.pk), (region.uo_aj.pk, region.ehpad.pk)}
    for args, kwargs, message in [
            (("", "region"), {}, "nom"),
            (("X", "departement", "2A"), {}, "département"),
            (("X", "champ", "99"), {}, "champ"),
            (("X", "ej"), {"finess_ej": "999999999"}, "FINESS"),
            (("X", "departement", "44"), {}, "Aucune fiche"),
            (("X", "region"), {"jours_relance": 30, "jours_escalade": 30}, "précéder"),
            (("X", "ailleurs"), {}, "périmètre")]:
        with pytest.raises(CampagneInvalide, match=message):
            lancer_campagne(region.gestionnaire, *args, **kwargs)
    assert Campagne.objects.count() == 1
    for role in (region.referent, region.directeur, region.consultant):
        with pytest.raises(PermissionDenied):
            lancer_campagne(role, "X", "region")


def test_rien_n_a_change_est_une_verification_qui_compte_pour_re1_2(region):
    vieux = timezone.now() - timedelta(days=400)
    Structure.objects.filter(pk__in=[region.uo_hp.pk, region.uo_aj.pk]).update(modifie_le=vieux)

    def re1_2_ehpad():
        ind = next(i for i in ans.tous({"49"}) if i.code == "RE1.2")
        return next(ligne.statut for ligne in ind.lignes if ligne.structure_id == region.ehpad.pk)

    # EHPAD: 2 units, none updated within 12 months (fewer than 8: one needed) → écart.
    assert re1_2_ehpad() == ans.ECART
    c = _campagne(region)
    fiche = confirmer_fiche(region.referent, _fiche(c, region.uo_hp))
    assert fiche.traitement == Traitement.RIEN_CHANGE and fiche.traitee_par == region.referent
    uo = Structure.objects.get(pk=region.uo_hp.pk)
    assert uo.verifie_par == region.referent and uo.date_verification >= fiche.traitee_le - timedelta(seconds=5)
    derniere = uo.history.first()
    assert derniere.history_change_reason == "Vérification (campagne « Vérification 49 ») : rien n'a changé"
    assert derniere.history_user == region.referent
    assert re1_2_ehpad() == ans.CONFORME
    # Twice: nothing more written.
    version = uo.version
    confirmer_fiche(region.referent, fiche)
    assert Structure.objects.get(pk=uo.pk).version == version


def test_droits_sur_les_fiches(region):
    c = _campagne(region)
    with pytest.raises(PermissionDenied):
        confirmer_fiche(region.referent_autre, _fiche(c, region.uo_hp))
    with pytest.raises(PermissionDenied):
        confirmer_fiche(region.consultant, _fiche(c, region.uo_hp))
    confirmer_fiche(region.directeur, _fiche(c, region.uo_aj))  # the directeur of the EJ may too
    for role in (region.referent, region.directeur):
        with pytest.raises(PermissionDenied):
            clore_campagne(role, c)
    clore_campagne(region.gestionnaire, c)
    with pytest.raises(CampagneInvalide, match="close"):
        confirmer_fiche(region.referent, _fiche(c, region.uo_hp))
    assert not FicheCampagne.objects.filter(structure=region.uo_hp, traitee_le__isnull=False).exists()


def test_une_modification_de_la_fiche_compte_aussi(region, django_capture_on_commit_callbacks):
    c = _campagne(region)
    with django_capture_on_commit_callbacks(execute=True):
        offre.modifier_structure(region.referent, Structure.objects.get(pk=region.uo_aj.pk), {"age_min": 65},
                                 raison="Accueil")
    fiche = _fiche(c, region.uo_aj)
    assert fiche.traitement == Traitement.MODIFIEE and fiche.traitee_le
    av = avancement(c)
    assert (av.total.traitees, av.total.total) == (1, 5)
    ehpad = next(e for e in av.par_eg if e.pk == region.ehpad.pk)
    assert (ehpad.traitees, ehpad.total, [u.username for u in ehpad.referents]) == (1, 3, ["referent"])
    assert [(r.libelle, r.traitees, r.total) for r in av.par_referent] == [("referent_autre", 0, 2),
                                                                          ("referent", 1, 3)]


def test_un_import_finess_ne_vaut_pas_verification(region, django_capture_on_commit_callbacks):
    """FINESS rewriting an EG's identity (its phone here) says nothing of the offer the référent
    must check: the bulk import does not treat the campaign's fiche, nor count for RE1.2."""
    from repertoire.services import import_finess

    c = _campagne(region)
    with django_capture_on_commit_callbacks(execute=True):
        import_finess.appliquer_import_finess(None, "Import FINESS du 12/05/2026", nouvelles_ej=[], nouveaux_eg=[],
                                              modifications={region.ehpad.pk: {"telephone": "02 41 00 00 99"}})
    assert Structure.objects.get(pk=region.ehpad.pk).telephone == "02 41 00 00 99"
    assert not c.fiches.filter(traitee_le__isnull=False).exists()
    assert avancement(c).total.traitees == 0


def test_invitation_puis_relance_puis_alerte_du_directeur(region, client):
    c = _campagne(region, jours_relance=10, jours_escalade=20)
    assert inviter(c) == 2 and inviter(c) == 0  # once each
    assert sorted(m.to[0] for m in mail.outbox) == ["referent@exemple.fr", "referent_autre@exemple.fr"]
    corps = next(m.body for m in mail.outbox if m.to == ["referent@exemple.fr"])
    assert "EHPAD LES TILLEULS : 3 fiches" in corps and "CH CHOLET" not in corps
    lien = next(ligne for ligne in corps.splitlines() if "/qualite/campagnes/lien/" in ligne).split(": ", 1)[1]
    client.force_login(region.referent)
    assert client.get(lien.replace("http://127.0.0.1:8000", "")).url == reverse("qualite:campagne_fiches",
                                                                                args=[c.pk])

    # The CH's référent answers; the EHPAD's does not.
    confirmer_fiche(region.referent_autre, _fiche(c, region.ch))
    confirmer_fiche(region.referent_autre, _fiche(c, region.uo_rea))
    mail.outbox.clear()
    assert not relancer(c, c.lancee_le + timedelta(days=9))
    assert relancer(c, c.lancee_le + timedelta(days=10)) == {NatureEnvoi.RELANCE: 1}
    assert [m.to for m in mail.outbox] == [["referent@exemple.fr"]] and "3 de vos fiches" in mail.outbox[0].body
    assert relancer(c, c.lancee_le + timedelta(days=11)) == {}  # not repeated
    assert relancer(c, c.lancee_le + timedelta(days=20)) == {NatureEnvoi.ESCALADE: 1}
    alerte = mail.outbox[-1]
    assert alerte.to == ["directeur@exemple.fr"] and "EHPAD LES TILLEULS (referent) : 3 fiches en attente" in alerte.body
    c = clore_campagne(region.gestionnaire, c)
    EnvoiCampagne.objects.all().delete()
    assert relancer(c, c.lancee_le + timedelta(days=40)) == {}  # closed: silent


def test_pages_lancement_avec_apercu_puis_confirmation(region, client):
    client.force_login(region.gestionnaire)
    donnees = {"nom": "Vérification 49", "perimetre": "departement", "departement": "49", "jours_relance": 15,
               "jours_escalade": 30}
    reponse = client.post(reverse("qualite:campagnes"), donnees)
    assert reponse.status_code == 200 and not Campagne.objects.exists()
    texte = reponse.content.decode()
    assert "5 fiches" in texte and "2 référents" in texte
    reponse = client.post(reverse("qualite:campagnes"), {**donnees, "confirme": "1"})
    c = Campagne.objects.get()
    assert reponse.url == reverse("qualite:campagne", args=[c.pk]) and c.fiches.count() == 5
    # Bad input: a clear message, nothing launched.
    reponse = client.post(reverse("qualite:campagnes"), {**donnees, "departement": "", "confirme": "1"})
    assert reponse.status_code == 400 and "Choisissez un département" in reponse.content.decode()
    reponse = client.post(reverse("qualite:campagnes"), {**donnees, "perimetre": "ej", "finess_ej": "12"})
    assert reponse.status_code == 400 and "FINESS" in reponse.content.decode()
    assert Campagne.objects.count() == 1
    page = client.get(reverse("qualite:campagne", args=[c.pk])).content.decode()
    assert "0 / 5" in page and "referent_autre" in page


def test_le_referent_ne_voit_que_ses_fiches(region, client):
    c = _campagne(region)
    client.force_login(region.referent)
    accueil = client.get(reverse("accueil")).content.decode()  # « À traiter » leads there too
    assert "Campagne de vérification : vos fiches à confirmer" in accueil
    assert reverse("qualite:campagne_fiches", args=[c.pk]) in accueil
    page = client.get(reverse("qualite:campagne_fiches", args=[c.pk])).content.decode()
    assert "EHPAD LES TILLEULS" in page and "Accueil de jour" in page and "CH CHOLET" not in page
    assert "Fiches vérifiées : 0 sur 3" in page
    reponse = client.post(reverse("qualite:campagne_confirmer", args=[c.pk, _fiche(c, region.uo_hp).pk]))
    assert reponse.status_code == 302
    assert "Fiches vérifiées : 1 sur 3" in client.get(reverse("qualite:campagne_fiches", args=[c.pk])).content.decode()
    # Someone else's fiche, another campaign's fiche, a forged link: refused, nothing written.
    assert client.post(reverse("qualite:campagne_confirmer", args=[c.pk, _fiche(c, region.uo_rea).pk])
                       ).status_code == 403
    assert client.get(reverse("qualite:campagne_lien", args=["faux"])).status_code == 404
    assert client.get(reverse("qualite:campagne_lien", args=[jeton(c, region.referent_autre)])).status_code == 403
    assert FicheCampagne.objects.filter(traitee_le__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_invitations_et_relances_par_un_vrai_worker(celery_worker, region):
    from qualite.tasks import relancer_campagnes

    c = _campagne(region, jours_relance=1, jours_escalade=2)  # committed: the invitation task is queued
    limite = time.monotonic() + 60
    while EnvoiCampagne.objects.filter(nature=NatureEnvoi.INVITATION).count() < 2 and time.monotonic() < limite:
        time.sleep(0.5)
    assert EnvoiCampagne.objects.filter(nature=NatureEnvoi.INVITATION).count() == 2
    Campagne.objects.filter(pk=c.pk).update(lancee_le=timezone.now() - timedelta(days=3))
    assert relancer_campagnes.delay().get(timeout=60) == {NatureEnvoi.RELANCE: 2, NatureEnvoi.ESCALADE: 1}
    assert set(EnvoiCampagne.objects.filter(nature=NatureEnvoi.ESCALADE).values_list("destinataire__username",
                                                                                    flat=True)) == {"directeur"}


def test_demo_une_campagne_en_cours_en_partie_confirmee(region):
    import io

    from demo import campagnes as demo

    sortie = io.StringIO()
    demo.peupler_demo(sortie)
    demo.peupler_demo(sortie)  # a second run adds nothing
    c = Campagne.objects.get()
    av = avancement(c)
    assert c.en_cours and av.retard and 0 < av.total.traitees < av.total.total == 5
    # The demo référent confirmed one unit and has the rest left to click.
    assert FicheCampagne.objects.filter(traitee_par=region.referent).count() == 1
    assert FicheCampagne.objects.filter(eg=region.ehpad, traitee_le__isnull=True).count() == 2
    assert "fiches confirmées sur 5" in sortie.getvalue()


def test_une_fiche_aux_donnees_invalides_est_a_corriger_d_abord(region, client):
    c = _campagne(region)
    Structure.objects.filter(pk=region.uo_hp.pk).update(email="accueil@tilleuls-.fr")  # as an old import left it
    with pytest.raises(CampagneInvalide, match="adresse électronique"):
        confirmer_fiche(region.referent, _fiche(c, region.uo_hp))
    client.force_login(region.referent)
    reponse = client.post(reverse("qualite:campagne_confirmer", args=[c.pk, _fiche(c, region.uo_hp).pk]),
                          follow=True)
    assert reponse.status_code == 200 and "corrigez la fiche" in reponse.content.decode()
    assert _fiche(c, region.uo_hp).traitee_le is None
    # The Répertoire's own « J'ai vérifié mes données » answers the same way (no error page).
    reponse = client.post(reverse("repertoire:verifier", args=[region.uo_hp.pk]), follow=True)
    assert reponse.status_code == 200 and "sont invalides" in reponse.content.decode()


def test_liste_des_campagnes_en_un_nombre_fixe_de_requetes(region, client, django_assert_max_num_queries):
    """The list shows each campaign's progress and perimeter: counted in the list's query, not
    one query (or two) more per campaign."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    premiere = _campagne(region)
    confirmer_fiche(region.referent, _fiche(premiere, region.ehpad))
    client.force_login(region.gestionnaire)
    with CaptureQueriesContext(connection) as une:
        reponse = client.get(reverse("qualite:campagnes"))
    assert "1 / 5 (20 %)" in reponse.content.decode()
    for nom in ("Deuxième", "Troisième"):
        lancer_campagne(region.gestionnaire, nom, "departement", "49")
    lancer_campagne(region.gestionnaire, "Région", "region")
    with django_assert_max_num_queries(len(une)):
        reponse = client.get(reverse("qualite:campagnes"))
    page = reponse.content.decode()
    assert page.count("Maine-et-Loire") >= 3 and "toute la région" in page
