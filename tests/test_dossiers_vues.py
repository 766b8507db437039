"""Dossier pages: list and filters, "à traiter", fiche form, diff, conflicts, refusals."""

import pytest
from django.urls import reverse

from dossiers import services
from dossiers.models import DossierCollaboratif, EtatDossier, StatutBrouillon
from repertoire.models import Structure
from repertoire.services import offre
from tests.factories import concept

pytestmark = pytest.mark.django_db


def url(nom, *args):
    return reverse(f"dossiers:{nom}", args=args)


def dossier_envoye(region, nom="EHPAD LES TILLEULS ANGERS"):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    services.enregistrer_fiche(region.referent, dossier.fiches.get(structure=region.ehpad), {"nom": nom},
                               finaliser=True)
    services.envoyer_en_validation(region.referent, dossier)
    return dossier


def test_liste_filtree_par_etat_et_structure(client, region):
    envoye = dossier_envoye(region)
    ch = services.ouvrir_dossier(region.gestionnaire, region.ch)
    client.force_login(region.gestionnaire)
    contenu = client.get(url("liste")).content.decode()
    assert f'data-dossier="{envoye.pk}"' in contenu and f'data-dossier="{ch.pk}"' in contenu
    contenu = client.get(url("liste"), {"etat": "brouillon"}).content.decode()
    assert f'data-dossier="{envoye.pk}"' not in contenu and f'data-dossier="{ch.pk}"' in contenu
    contenu = client.get(url("liste"), {"structure": "tilleuls"}).content.decode()
    assert f'data-dossier="{envoye.pk}"' in contenu and f'data-dossier="{ch.pk}"' not in contenu
    assert client.get(url("liste"), {"etat": "n'importe quoi"}).status_code == 200


def test_un_referent_ne_voit_que_les_dossiers_de_ses_structures(client, region):
    ch = services.ouvrir_dossier(region.referent_autre, region.ch)
    ehpad = services.ouvrir_dossier(region.referent, region.ehpad)
    client.force_login(region.referent)
    contenu = client.get(url("liste")).content.decode()
    assert f'data-dossier="{ehpad.pk}"' in contenu and f'data-dossier="{ch.pk}"' not in contenu


def test_a_traiter_pour_le_directeur_puis_le_gestionnaire(client, region):
    dossier = dossier_envoye(region)
    client.force_login(region.directeur)
    reponse = client.get(url("liste"))
    assert list(reponse.context["a_traiter"]) == [dossier]
    client.force_login(region.gestionnaire)
    assert list(client.get(url("liste")).context["a_traiter"]) == []
    services.valider(region.directeur, dossier)
    assert list(client.get(url("liste")).context["a_traiter"]) == [dossier]


def test_ouvrir_depuis_la_page_de_confirmation(client, region):
    client.force_login(region.referent)
    assert list(client.get(url("liste")).context["a_ouvrir"]) == [region.ehpad]  # its own structures
    assert "Ouvrir le dossier collaboratif" in client.get(url("ouvrir", region.ehpad.pk)).content.decode()
    reponse = client.post(url("ouvrir", region.ehpad.pk), {"titre": "Création d'un PASA"})
    dossier = DossierCollaboratif.objects.get()
    assert reponse.url == url("detail", dossier.pk) and dossier.titre == "Création d'un PASA"
    # a second opening leads to the open dossier, no duplicate
    reponse = client.post(url("ouvrir", region.uo_hp.pk))
    assert reponse.url == url("detail", dossier.pk) and DossierCollaboratif.objects.count() == 1


def test_ouvrir_sur_l_ej_dit_avant_le_clic_quel_dossier_d_un_etablissement_bloque(client, region):
    """The EJ is offered, but a dossier is open on one of its establishments: the page says so,
    naming it, before any click (it said « déjà ouvert sur cette structure » after the click)."""
    from repertoire.services import droits

    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    droits.accorder_droit(None, region.directeur, "directeur", region.ej)
    client.force_login(region.directeur)
    page = client.get(url("ouvrir", region.ej.pk)).content.decode()
    assert (f"Un dossier collaboratif est déjà ouvert sur « {region.ehpad.nom} », qui en fait partie "
            f"({dossier.reference}) : il doit être publié, rejeté ou abandonné") in page
    assert 'id="ouvrir-dossier"' not in page
    client.post(url("ouvrir", region.ej.pk))
    assert DossierCollaboratif.objects.count() == 1


def test_finaliser_sans_les_champs_obligatoires_affiche_ce_qui_manque(client, region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = dossier.fiches.get(structure=region.uo_aj)  # no activité opérationnelle
    client.force_login(region.referent)
    reponse = client.post(url("fiche", dossier.pk, fiche.pk), {
        "nom": "Accueil de jour personnes agees", "discipline": "MSS", "type_uo": concept("J34", "21").pk,
        "age_min": "60", "age_max": "120", "action": "finaliser"}, follow=True)
    contenu = reponse.content.decode()
    assert "Complétez les champs obligatoires" in contenu and "activités opérationnelles" in contenu
    fiche.refresh_from_db()
    assert fiche.statut == StatutBrouillon.INCHANGEE and fiche.donnees["nom"] == "Accueil de jour"


def test_une_valeur_invalide_est_refusee_avec_un_message(client, region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = dossier.fiches.get(structure=region.uo_aj)
    client.force_login(region.referent)
    reponse = client.post(url("fiche", dossier.pk, fiche.pk), {
        "nom": "Accueil de jour", "age_min": "90", "age_max": "20", "telephone": "abc", "commune": "99999",
        "territoire": "49007 00000", "action": "attente"})
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "Saisissez un numéro de téléphone" in contenu and "Commune introuvable : « 99999 »" in contenu
    assert "Commune introuvable : « 00000 »" in contenu
    fiche.refresh_from_db()
    assert fiche.statut == StatutBrouillon.INCHANGEE


def test_la_fiche_enregistre_codes_et_territoire(client, region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = dossier.fiches.get(structure=region.uo_aj)
    client.force_login(region.referent)
    reponse = client.post(url("fiche", dossier.pk, fiche.pk), {
        "nom": "Accueil de jour personnes agees", "discipline": "MSS", "type_uo": concept("J34", "21").pk,
        "age_min": "60", "age_max": "120", "activites": [concept("J17", "293").pk], "territoire": "49007, 49099",
        "tarif_mensuel": "12.5", "action": "finaliser"})
    assert reponse.status_code == 302
    fiche.refresh_from_db()
    assert fiche.statut == StatutBrouillon.FINALISEE
    assert fiche.donnees["territoire"] == ["49007", "49099"] and fiche.donnees["tarif_mensuel"] == "12.50"
    assert fiche.donnees["activites"] == [concept("J17", "293").pk]
    comparaison = client.get(url("comparer", dossier.pk)).content.decode()
    assert "Angers (49000)" in comparaison and "Accueil de jour personnes agees" in comparaison


def test_commune_par_nom_et_territoire_par_nom_code_postal_ou_departement(client, region):
    from nomenclatures.models import Commune

    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = dossier.fiches.get(structure=region.uo_aj)
    client.force_login(region.referent)
    page = client.get(url("fiche", dossier.pk, fiche.pk)).content.decode()
    assert 'data-multiselect' in page and 'data-communes="/repertoire/communes/"' in page
    reponse = client.post(url("fiche", dossier.pk, fiche.pk), {
        "nom": "Accueil de jour", "commune": "Cholet", "territoire": "Angers,\n49300", "action": "attente"})
    assert reponse.status_code == 302
    fiche.refresh_from_db()
    assert fiche.donnees["commune"] == "49099" and fiche.donnees["territoire"] == ["49007", "49099"]
    client.post(url("fiche", dossier.pk, fiche.pk), {"nom": "Accueil de jour", "territoire": "49", "action": "attente"})
    fiche.refresh_from_db()
    assert fiche.donnees["territoire"] == sorted(Commune.objects.filter(departement__code="49")
                                                 .values_list("pk", flat=True))


def test_creer_une_unite_type_par_discipline(client, region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    client.force_login(region.referent)
    page = client.get(url("creer_unites", dossier.pk)).content.decode()
    assert 'data-disciplines="MSS"' in page and 'data-filtre-discipline="id_discipline"' in page
    refus = client.post(url("creer_unites", dossier.pk), {
        "nombre": 1, "parent": region.ehpad.pk, "discipline": "MSS", "type_uo": concept("J34", "10").pk})
    assert refus.status_code == 200 and "ne correspond pas à la discipline" in refus.content.decode()
    assert not dossier.fiches.filter(creation=True).exists()
    reponse = client.post(url("creer_unites", dossier.pk), {
        "nombre": 2, "parent": region.ehpad.pk, "nom": "PASA", "discipline": "MSS",
        "type_uo": concept("J34", "25").pk})
    assert reponse.status_code == 302
    assert sorted(f.nom for f in dossier.fiches.filter(creation=True)) == ["PASA 1", "PASA 2"]
    # a parent outside the dossier is not offered
    horsjeu = client.post(url("creer_unites", dossier.pk), {
        "nombre": 1, "parent": region.ch.pk, "discipline": "MCO", "type_uo": concept("J34", "69").pk})
    assert horsjeu.status_code == 200 and dossier.fiches.filter(creation=True).count() == 2


def test_comparaison_cote_a_cote_pour_le_directeur(client, region):
    dossier = dossier_envoye(region)
    client.force_login(region.directeur)
    contenu = client.get(url("comparer", dossier.pk)).content.decode()
    assert '<td class="ror-avant" data-etiquette="À l\'ouverture du dossier">EHPAD LES TILLEULS</td>' in contenu
    assert '<td class="ror-apres" data-etiquette="Dans le dossier">EHPAD LES TILLEULS ANGERS</td>' in contenu


def test_avertissements_de_nommage_a_la_publication(client, region):
    dossier = dossier_envoye(region, nom="Ehpad « Les Tilleuls » d'Angers")
    services.valider(region.directeur, dossier)
    client.force_login(region.gestionnaire)
    contenu = client.get(url("publier", dossier.pk)).content.decode()
    assert "MAJUSCULES" in contenu and "caractères spéciaux" in contenu and "Évitez les accents" not in contenu
    assert 'name="motif"' in contenu
    refus = client.post(url("publier", dossier.pk), follow=True)  # over a warning: a reason is asked
    assert "indiquez pourquoi vous publiez quand même" in refus.content.decode()
    assert Structure.objects.get(pk=region.ehpad.pk).nom == "EHPAD LES TILLEULS"
    client.post(url("publier", dossier.pk), {"motif": "Libellé de l'autorisation FINESS"})  # published anyway
    assert Structure.objects.get(pk=region.ehpad.pk).nom == "Ehpad « Les Tilleuls » d'Angers"
    publication = dossier.transitions.get(action="Publication")
    assert "Libellé de l'autorisation FINESS" in publication.commentaire
    client.force_login(region.referent)
    assert "Libellé de l&#x27;autorisation FINESS" in client.get(url("detail", dossier.pk)).content.decode()


def test_conflit_affiche_puis_choix_par_champ(client, region):
    dossier = dossier_envoye(region)
    services.valider(region.directeur, dossier)
    offre.modifier_structure(region.referent, region.ehpad, {"nom": "EHPAD TILLEULS"}, raison="Nom")
    client.force_login(region.gestionnaire)
    page = client.get(url("publier", dossier.pk)).content.decode()
    fiche = dossier.fiches.get(structure=region.ehpad)
    assert f'name="choix-{fiche.pk}:nom"' in page and "Garder le Répertoire : EHPAD TILLEULS" in page
    sans_choix = client.post(url("publier", dossier.pk))
    assert sans_choix.status_code == 200 and "choisissez, pour chaque conflit" in sans_choix.content.decode()
    assert Structure.objects.get(pk=region.ehpad.pk).nom == "EHPAD TILLEULS"
    client.post(url("publier", dossier.pk), {f"choix-{fiche.pk}:nom": "dossier"})
    assert Structure.objects.get(pk=region.ehpad.pk).nom == "EHPAD LES TILLEULS ANGERS"
    assert DossierCollaboratif.objects.get(pk=dossier.pk).etat == EtatDossier.PUBLIE


def test_action_refusee_ne_change_rien(client, region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    services.supprimer_unite(region.referent, dossier.fiches.get(structure=region.uo_aj))
    for user in (region.referent_autre, region.consultant):
        client.force_login(user)
        for nom in ("envoyer", "abandonner"):
            assert client.post(url(nom, dossier.pk)).status_code == 403
        fiche = dossier.fiches.get(structure=region.uo_hp)
        assert client.post(url("fiche", dossier.pk, fiche.pk), {"nom": "Pirate", "action": "attente"}
                           ).status_code == 403
    dossier.refresh_from_db()
    assert dossier.etat == EtatDossier.BROUILLON and dossier.transitions.count() == 1
    assert dossier.fiches.get(structure=region.uo_hp).nom == "Hébergement permanent"


def test_etape_hors_de_son_etat_explique_sans_erreur(client, region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    client.force_login(region.referent)
    reponse = client.post(url("envoyer", dossier.pk), follow=True)  # nothing changed yet
    assert "aucune modification" in reponse.content.decode()
    client.force_login(region.directeur)
    reponse = client.post(url("valider", dossier.pk), follow=True)  # still a brouillon
    assert reponse.status_code == 200 and "Action impossible" in reponse.content.decode()
    assert DossierCollaboratif.objects.get(pk=dossier.pk).etat == EtatDossier.BROUILLON


def test_deplacer_propose_les_structures_de_la_meme_ej(client, region):
    oi = offre.creer_structure(region.gestionnaire, "OI", region.ehpad, nom="Pole geriatrie",
                               type_oi=concept("J203", "1"))
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = dossier.fiches.get(structure=region.uo_aj)
    client.force_login(region.referent)
    choix = list(client.get(url("deplacer_unite", dossier.pk, fiche.pk)).context["form"].fields["parent"].queryset)
    assert choix == [oi]
    client.post(url("deplacer_unite", dossier.pk, fiche.pk), {"parent": oi.pk})
    fiche.refresh_from_db()
    assert fiche.parent_id == oi.pk and fiche.est_deplacee
    assert client.post(url("deplacer_unite", dossier.pk, fiche.pk), {"parent": region.ch.pk}).status_code == 200


def test_une_fiche_au_type_hors_discipline_reste_enregistrable(client, region):
    """A live unit whose type d'UO is outside our discipline table is not blocked; a new choice is checked."""
    offre.modifier_structure(region.gestionnaire, region.uo_aj, {"type_uo": concept("J34", "10"),
                                                                 "discipline": "MSS"}, raison="Import")
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = dossier.fiches.get(structure=region.uo_aj)
    client.force_login(region.referent)
    donnees = {"nom": "Accueil de jour", "discipline": "MSS", "type_uo": concept("J34", "10").pk,
               "action": "attente"}
    assert client.post(url("fiche", dossier.pk, fiche.pk), donnees).status_code == 302
    donnees["type_uo"] = concept("J34", "05").pk  # a newly chosen psychiatry type for an MSS unit
    reponse = client.post(url("fiche", dossier.pk, fiche.pk), donnees)
    assert reponse.status_code == 200 and "ne correspond pas à la discipline" in reponse.content.decode()


def test_un_dossier_publie_garde_sa_comparaison(client, region):
    dossier = dossier_envoye(region)
    services.valider(region.directeur, dossier)
    services.publier_dossier(region.gestionnaire, dossier)
    client.force_login(region.referent)
    contenu = client.get(url("comparer", dossier.pk)).content.decode()
    assert "À l'ouverture du dossier" in contenu
    assert '<td class="ror-avant" data-etiquette="À l\'ouverture du dossier">EHPAD LES TILLEULS</td>' in contenu
    assert '<td class="ror-apres" data-etiquette="Dans le dossier">EHPAD LES TILLEULS ANGERS</td>' in contenu


def test_les_fiches_du_dossier_suivent_l_arbre_quel_que_soit_l_ordre_de_la_copie(client, region):
    """In the demo a whole-EJ dossier listed units before their establishment: the list followed the
    order of the copy, not the tree."""
    from repertoire.services import droits
    from tests.test_dossiers_comparaison import copie_a_l_envers

    droits.accorder_droit(None, region.directeur, "directeur", region.ej)
    dossier = services.ouvrir_dossier(region.directeur, region.ej)
    copie_a_l_envers(dossier)
    client.force_login(region.directeur)
    fiches = client.get(url("detail", dossier.pk)).context["fiches"]
    arbre = list(region.ej.get_descendants(include_self=True).values_list("pk", flat=True))
    assert [f.structure_id for f in fiches] == arbre and len(arbre) > 3
