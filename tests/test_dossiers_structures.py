"""Establishments and organisations internes created or deleted in a dossier; a likely
duplicate proposed before creating; the FINESS check of what a dossier creates."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dossiers import services, structures
from dossiers.models import StatutBrouillon
from repertoire.historique import historique_de
from repertoire.models import Niveau, Structure
from repertoire.services import offre
from tests.factories import concept

pytestmark = pytest.mark.django_db


def url(nom, *args):
    return reverse(f"dossiers:{nom}", args=args)


def publier(region, dossier):
    directeur = get_user_model().objects.get(pk=region.directeur.pk)  # a new request each step
    services.envoyer_en_validation(directeur, dossier)
    services.valider(directeur, dossier)
    services.publier_dossier(get_user_model().objects.get(pk=region.gestionnaire.pk), dossier,
                             motif="Libellés de l'autorisation")


def test_les_doublons_probables_vont_du_plus_au_moins_probable(region):
    """The fiche with the very name typed comes first (it came after « EHPAD LES FOUGERES » in the
    demo, by alphabetical order), a same FINESS before any name."""
    ehpad = concept("J55", "500")
    for nom in ("EHPAD LES TILLEULLES", "EHPAD LA TILLE"):
        offre.creer_structure(None, Niveau.EG, region.ej, nom=nom, categorie=ehpad, commune_id="49007")
    trouves = structures.doublons_probables("EG", region.ej, {"nom": "EHPAD LES TILLEULS", "categorie": ehpad.pk,
                                                              "commune": "49007"})
    assert [s.nom for s in trouves][:2] == ["EHPAD LES TILLEULS", "EHPAD LES TILLEULLES"]
    trouves = structures.doublons_probables("EG", region.ej, {"nom": "EHPAD LES TILLEULS", "categorie": ehpad.pk,
                                                              "commune": "49007", "finess": region.ch.finess})
    assert trouves[0] == region.ch and trouves[1] == region.ehpad


def test_creer_un_etablissement_propose_d_abord_le_doublon_probable(client, region):
    dossier = services.ouvrir_dossier(region.directeur, region.ej)
    client.force_login(region.directeur)
    formulaire = {"niveau": "EG", "parent": region.ej.pk, "nom": "EHPAD LES TILLEULS", "commune": "Angers",
                  "categorie": concept("J55", "500").pk}
    reponse = client.post(url("creer_structure", dossier.pk), formulaire)
    assert reponse.status_code == 200 and list(reponse.context["doublons"]) == [region.ehpad]
    assert "Cette structure existe peut-être déjà" in reponse.content.decode()
    assert not dossier.fiches.filter(creation=True).exists()
    # the same FINESS number is a duplicate whatever the name
    doublon = structures.doublons_probables("EG", region.ej, {"nom": "AUTRE", "finess": region.ch.finess})
    assert doublon == [region.ch]
    # confirmed: created in the dossier, then completed and published
    reponse = client.post(url("creer_structure", dossier.pk), {**formulaire, "nom": "EHPAD LES TILLEULS 2 ANGERS",
                                                                "malgre_doublons": "on"})
    fiche = dossier.fiches.get(creation=True)
    assert reponse.url == url("fiche", dossier.pk, fiche.pk)
    assert fiche.niveau == Niveau.EG and fiche.parent_id == region.ej.pk and fiche.donnees["commune"] == "49007"
    structures.avertissements_finess([fiche])
    assert "Aucun numéro FINESS" in fiche.avertissements_finess[0]
    services.enregistrer_fiche(region.directeur, fiche, {}, finaliser=True)
    publier(region, dossier)
    creee = Structure.objects.get(nom="EHPAD LES TILLEULS 2 ANGERS")
    assert creee.niveau == Niveau.EG and creee.parent_id == region.ej.pk and creee.ej_id == region.ej.pk
    [entree] = historique_de(creee)
    assert entree["type"] == "+" and entree["encadre"] == f"Dossier collaboratif n° {dossier.pk}"


def test_un_etablissement_ne_se_cree_que_dans_un_dossier_sur_son_ej(client, region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    with pytest.raises(services.ActionImpossible):
        structures.creer_structure(region.referent, dossier, Niveau.EG, region.ej, {"nom": "EHPAD NEUF ANGERS"})
    client.force_login(region.referent)
    page = client.get(url("creer_structure", dossier.pk))
    assert [c for c, _ in page.context["form"].fields["niveau"].choices] == [Niveau.OI]


def test_organisation_interne_creee_puis_supprimee(region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = structures.creer_structure(region.referent, dossier, Niveau.OI, region.ehpad,
                                       {"nom": "Pole geriatrie", "type_oi": concept("J203", "1").pk})
    services.enregistrer_fiche(region.referent, fiche, {}, finaliser=True)
    publier(region, dossier)
    oi = Structure.objects.get(nom="Pole geriatrie")
    assert oi.niveau == Niveau.OI and oi.parent_id == region.ehpad.pk
    # a second dossier (a new request: rights are read afresh): an OI with nothing under it is deleted
    referent = get_user_model().objects.get(pk=region.referent.pk)
    dossier = services.ouvrir_dossier(referent, region.ehpad)
    assert structures.doublons_probables(Niveau.OI, region.ehpad, {"nom": "Pole geriatrie"}) == [oi]
    services.supprimer_unite(referent, dossier.fiches.get(structure=oi))
    publier(region, dossier)
    assert not Structure.objects.filter(pk=oi.pk).exists()


def test_supprimer_un_etablissement_et_ses_unites_dans_un_dossier_sur_l_ej(region):
    dossier = services.ouvrir_dossier(region.directeur, region.ej)
    fiche_eg = dossier.fiches.get(structure=region.ehpad)
    with pytest.raises(services.ActionImpossible) as refus:  # its units first
        services.supprimer_unite(region.directeur, fiche_eg)
    assert "Hébergement permanent" in refus.value.details
    for uo in (region.uo_hp, region.uo_aj):
        services.supprimer_unite(region.directeur, dossier.fiches.get(structure=uo))
    services.supprimer_unite(region.directeur, fiche_eg)
    assert dossier.fiches.get(pk=fiche_eg.pk).a_supprimer
    publier(region, dossier)
    assert not Structure.objects.filter(pk__in=[region.ehpad.pk, region.uo_hp.pk, region.uo_aj.pk]).exists()
    entree = historique_de(Structure.objects.get(pk=region.ej.pk))[0]
    assert any(c["apres_texte"] == "supprimée" and "EHPAD LES TILLEULS" in c["libelle"] for c in entree["changements"])


def test_une_unite_creee_sous_un_etablissement_sans_finess_est_signalee(region):
    offre.modifier_structure(region.gestionnaire, region.ehpad, {"finess": ""}, raison="Test")
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    [uo] = services.creer_unites(region.referent, dossier, region.ehpad, 1, nom="Accueil de jour personnes agees",
                                 discipline="MSS", type_uo=concept("J34", "21"))
    structures.avertissements_finess([uo])
    assert "aucune autorisation FINESS" in uo.avertissements_finess[0]
    assert uo.statut == StatutBrouillon.EN_ATTENTE


def test_unites_et_organisation_creees_sous_un_etablissement_cree_dans_le_meme_dossier(client, region):
    dossier = services.ouvrir_dossier(region.directeur, region.ej)
    eg = structures.creer_structure(region.directeur, dossier, Niveau.EG, region.ej,
                                    {"nom": "EHPAD NEUF ANGERS", "categorie": concept("J55", "500").pk,
                                     "commune": "49007"}, malgre_doublons=True)
    # the new establishment is offered as a parent, by the pages too
    client.force_login(region.directeur)
    choix = dict(client.get(url("creer_unites", dossier.pk)).context["form"].fields["parent"].choices)
    assert choix[f"fiche-{eg.pk}"] == "EHPAD NEUF ANGERS (créé dans le dossier)"
    reponse = client.post(url("creer_unites", dossier.pk), {
        "nombre": 1, "parent": f"fiche-{eg.pk}", "nom": "Hebergement permanent personnes agees",
        "discipline": "MSS", "type_uo": concept("J34", "21").pk})
    uo = dossier.fiches.get(niveau=Niveau.UO, creation=True)
    assert reponse.url == url("fiche", dossier.pk, uo.pk)
    assert uo.parent_fiche_id == eg.pk and uo.parent_id is None and uo.profondeur == eg.profondeur + 1
    client.post(url("creer_structure", dossier.pk), {"niveau": "OI", "parent": f"fiche-{eg.pk}",
                                                     "nom": "Pole geriatrie", "type_oi": concept("J203", "1").pk})
    oi = dossier.fiches.get(niveau=Niveau.OI, creation=True)
    [uo_oi] = services.creer_unites(region.directeur, dossier, oi, 1, nom="Accueil de jour personnes agees",
                                    discipline="MSS", type_uo=concept("J34", "21"))
    # the dossier lists each created fiche under its parent
    noms = [f.nom for f in client.get(url("detail", dossier.pk)).context["fiches"]]
    assert noms.index("EHPAD NEUF ANGERS") < noms.index("Hebergement permanent personnes agees")
    assert noms.index("Pole geriatrie") < noms.index("Accueil de jour personnes agees")
    # an establishment with units created under it is not deleted before them
    with pytest.raises(services.ActionImpossible):
        services.supprimer_unite(region.directeur, eg)
    completes = {"age_min": 60, "age_max": 120, "activites": [concept("J17", "293").pk]}
    for fiche in (eg, uo, oi, uo_oi):
        services.enregistrer_fiche(region.directeur, fiche, completes if fiche.niveau == Niveau.UO else {},
                                   finaliser=True)
    publier(region, dossier)
    creee = Structure.objects.get(nom="EHPAD NEUF ANGERS")
    assert Structure.objects.get(nom="Hebergement permanent personnes agees").parent_id == creee.pk
    oi_creee = Structure.objects.get(nom="Pole geriatrie")
    assert oi_creee.parent_id == creee.pk and oi_creee.ej_id == region.ej.pk
    unite = Structure.objects.get(nom="Accueil de jour personnes agees")
    assert unite.parent_id == oi_creee.pk and unite.eg_id == creee.pk
    assert historique_de(unite)[0]["encadre"] == f"Dossier collaboratif n° {dossier.pk}"


def test_une_unite_sans_autorisation_finess_en_vigueur_avertit(region):
    from datetime import date

    from repertoire.models import AutorisationFiness

    dossier = services.ouvrir_dossier(region.gestionnaire, region.autre_ej)
    urgences = concept("J17", "157").pk
    [uo] = services.creer_unites(region.gestionnaire, dossier, region.ch, 1, nom="Urgences", discipline="MCO",
                                 type_uo=concept("J34", "20"))
    services.enregistrer_fiche(region.gestionnaire, uo, {"activites": [urgences]}, finaliser=False)
    structures.avertissements_finess([uo])
    assert len(uo.avertissements_finess) == 1 and "« Urgences »" in uo.avertissements_finess[0]
    # an existing unit given a regulated activity is checked too
    rea = dossier.fiches.get(structure=region.uo_rea)
    services.enregistrer_fiche(region.gestionnaire, rea, {"activites": [urgences]}, finaliser=False)
    structures.avertissements_finess([uo, rea])
    assert "« Urgences »" in rea.avertissements_finess[0]
    # an authorisation in force for the EG: no warning
    AutorisationFiness.objects.create(activite_id="9", finess_ej="490000031", finess_eg=region.ch.finess,
                                      exercee=True, nature="AMF", activite="14", modalite="23",
                                      date_debut=date(2022, 1, 1))
    structures.avertissements_finess([uo, rea])
    assert uo.avertissements_finess == [] and rea.avertissements_finess == []


def test_une_unite_d_un_etablissement_cree_est_verifiee_contre_ses_autorisations(region):
    dossier = services.ouvrir_dossier(region.gestionnaire, region.autre_ej)
    eg = structures.creer_structure(region.gestionnaire, dossier, Niveau.EG, region.autre_ej,
                                    {"nom": "CH CHOLET SITE NORD", "categorie": concept("J55", "355").pk,
                                     "finess": "490099999"}, malgre_doublons=True)
    [uo] = services.creer_unites(region.gestionnaire, dossier, eg, 1, nom="Urgences", discipline="MCO",
                                 type_uo=concept("J34", "20"))
    services.enregistrer_fiche(region.gestionnaire, uo, {"activites": [concept("J17", "157").pk]}, finaliser=False)
    structures.avertissements_finess([eg, uo])
    assert eg.avertissements_finess == []
    assert "CH CHOLET SITE NORD n'a pas d'autorisation FINESS" in uo.avertissements_finess[0]
