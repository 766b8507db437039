"""Dossier collaboratif: the whole flow through the services, its refusals, and publication."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from dossiers import services
from dossiers.models import DossierCollaboratif, EtatDossier, StatutBrouillon
from repertoire.models import StatutFiche, Structure
from tests.factories import concept

pytestmark = pytest.mark.django_db


@pytest.fixture
def etape(django_capture_on_commit_callbacks):
    """Run a step and its after-commit callbacks (the e-mails), as a real request would."""

    def _etape(fonction, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fonction(*args, **kwargs)

    return _etape


def fiche_de(dossier, structure):
    return dossier.fiches.get(structure=structure)


def statut(structure) -> str:
    return Structure.objects.get(pk=structure.pk).statut_fiche


def dossier_pret_a_valider(region, nom_eg="EHPAD LES TILLEULS ANGERS"):
    """A dossier on the EHPAD: EG renamed, a UO created, the day-care UO deleted; sent to the directeur."""
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    services.enregistrer_fiche(region.referent, fiche_de(dossier, region.ehpad), {"nom": nom_eg}, finaliser=True)
    [nouvelle] = services.creer_unites(region.referent, dossier, region.ehpad, 1, nom="Hebergement temporaire personnes agees",
                                       discipline="MSS", type_uo=concept("J34", "21"))
    services.enregistrer_fiche(region.referent, nouvelle, {
        "age_min": 60, "age_max": 120, "activites": [concept("J17", "293").pk]}, finaliser=True)
    services.supprimer_unite(region.referent, fiche_de(dossier, region.uo_aj))
    services.envoyer_en_validation(region.referent, dossier)
    dossier.refresh_from_db()
    return dossier


def test_ouvrir_copie_les_fiches_et_marque_le_repertoire(region):
    dossier = services.ouvrir_dossier(region.referent, region.uo_hp)  # from a unit: its EG's dossier
    assert dossier.structure == region.ehpad and dossier.etat == EtatDossier.BROUILLON
    copiees = {f.structure_id for f in dossier.fiches.all()}
    assert copiees == {region.ehpad.pk, region.uo_hp.pk, region.uo_aj.pk}
    # light rows: a fiche is copied the first time it is opened or changed
    fiche = fiche_de(dossier, region.uo_hp)
    assert not fiche.copiee and fiche.donnees == {} and fiche.nom == "Hébergement permanent"
    services.preparer_fiche(region.referent, fiche)
    fiche = fiche_de(dossier, region.uo_hp)
    assert fiche.copiee and fiche.donnees == fiche.reference
    assert fiche.donnees["activites"] == [concept("J17", "293").pk]
    assert {statut(s) for s in (region.ehpad, region.uo_hp, region.uo_aj)} == {StatutFiche.MODIFICATION}
    assert statut(region.ch) == StatutFiche.STANDARD
    assert [t.action for t in dossier.transitions.all()] == ["Ouverture du dossier"]


def test_un_seul_dossier_ouvert_par_structure_y_compris_au_dessus(region):
    premier = services.ouvrir_dossier(region.referent, region.ehpad)
    with pytest.raises(services.DossierDejaOuvert) as deja:
        services.ouvrir_dossier(region.directeur, region.ej)  # the EJ contains the EHPAD
    assert deja.value.dossier == premier
    assert DossierCollaboratif.objects.count() == 1


def test_un_referent_n_ouvre_pas_de_dossier_chez_les_autres(region):
    for user in (region.referent_autre, region.consultant):
        with pytest.raises(PermissionDenied):
            services.ouvrir_dossier(user, region.ehpad)
    assert not DossierCollaboratif.objects.exists()
    assert statut(region.ehpad) == StatutFiche.STANDARD


def test_finaliser_exige_les_champs_obligatoires(region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    [nouvelle] = services.creer_unites(region.referent, dossier, region.ehpad, 1, nom="", discipline="MSS",
                                       type_uo=concept("J34", "25"))
    assert nouvelle.nom == "PASA accueil de jour – personnes agees"  # the guide's form, not the NOS label
    assert nouvelle.statut == StatutBrouillon.EN_ATTENTE
    with pytest.raises(services.ActionImpossible) as refus:
        services.enregistrer_fiche(region.referent, nouvelle, {"age_min": 60}, finaliser=True)
    assert "activités opérationnelles" in refus.value.details and "âge maximum" in refus.value.details
    nouvelle.refresh_from_db()
    assert nouvelle.statut == StatutBrouillon.EN_ATTENTE and "age_min" not in nouvelle.donnees
    services.enregistrer_fiche(region.referent, nouvelle, {"age_min": 60}, finaliser=False)  # en attente: saved
    nouvelle.refresh_from_db()
    assert nouvelle.donnees["age_min"] == 60
    with pytest.raises(services.ActionImpossible):  # a fiche still en attente blocks the sending
        services.envoyer_en_validation(region.referent, dossier)


def test_type_d_uo_choisi_dans_la_discipline(region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    with pytest.raises(services.ActionImpossible):
        services.creer_unites(region.referent, dossier, region.ehpad, 1, nom="CMP", discipline="MSS",
                              type_uo=concept("J34", "10"))  # CMP is psychiatry
    assert not dossier.fiches.filter(creation=True).exists()


def test_un_dossier_sans_changement_ne_part_pas(region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    with pytest.raises(services.ActionImpossible):
        services.envoyer_en_validation(region.referent, dossier)


def test_flux_complet_publie_tout_en_une_fois(region, etape):
    dossier = etape(dossier_pret_a_valider, region)
    assert dossier.etat == EtatDossier.VALIDATION_DIRECTEUR
    assert mail.outbox[-1].to == [region.directeur.email]
    # read-only for the référent now
    with pytest.raises(services.ActionImpossible):
        services.enregistrer_fiche(region.referent, fiche_de(dossier, region.uo_hp), {"nom": "X"}, finaliser=False)
    with pytest.raises(PermissionDenied):  # only its directeur validates
        services.valider(region.referent, dossier)
    with pytest.raises(PermissionDenied):
        services.valider(region.gestionnaire, dossier)
    etape(services.valider, region.directeur, dossier, "Conforme aux autorisations")
    dossier.refresh_from_db()
    assert dossier.etat == EtatDossier.VALIDATION_GESTIONNAIRE
    assert region.gestionnaire.email in mail.outbox[-1].to
    with pytest.raises(PermissionDenied):  # only gestionnaires publish
        services.publier_dossier(region.directeur, dossier)

    etape(services.publier_dossier, region.gestionnaire, dossier)
    dossier.refresh_from_db()
    assert dossier.etat == EtatDossier.PUBLIE and dossier.clos_le
    assert region.referent.email in mail.outbox[-1].to and "publié" in mail.outbox[-1].subject
    ehpad = Structure.objects.get(pk=region.ehpad.pk)
    assert ehpad.nom == "EHPAD LES TILLEULS ANGERS" and ehpad.statut_fiche == StatutFiche.STANDARD
    assert not Structure.objects.filter(pk=region.uo_aj.pk).exists()
    creee = Structure.objects.get(nom="Hebergement temporaire personnes agees")
    assert creee.parent_id == ehpad.pk and creee.type_uo == concept("J34", "21")
    assert list(creee.activites.all()) == [concept("J17", "293")]
    raison = f"Dossier collaboratif n° {dossier.pk}"
    assert ehpad.history.first().history_change_reason == raison
    assert ehpad.history.first().history_user == region.gestionnaire
    assert creee.history.first().history_change_reason == raison
    suppression = Structure.history.filter(id=region.uo_aj.pk).first()
    assert suppression.history_type == "-" and suppression.history_change_reason == raison
    assert Structure.objects.get(pk=region.uo_hp.pk).statut_fiche == StatutFiche.STANDARD
    assert [t.etat_apres for t in dossier.transitions.all()] == [
        "brouillon", "validation_directeur", "validation_gestionnaire", "publie"]
    assert dossier.transitions.get(etat_apres="validation_gestionnaire").commentaire == "Conforme aux autorisations"


def test_renvoi_au_referent_avec_commentaire(region, etape):
    dossier = dossier_pret_a_valider(region)
    with pytest.raises(services.ActionImpossible):
        services.renvoyer_au_referent(region.directeur, dossier, "  ")
    etape(services.renvoyer_au_referent, region.directeur, dossier, "Le nom ne suit pas l'autorisation FINESS")
    dossier.refresh_from_db()
    assert dossier.etat == EtatDossier.BROUILLON
    assert region.referent.email in mail.outbox[-1].to
    assert "autorisation FINESS" in mail.outbox[-1].body
    # the référent can work on it again and send it back
    services.enregistrer_fiche(region.referent, fiche_de(dossier, region.ehpad), {"nom": "EHPAD ANGERS"},
                               finaliser=True)
    services.envoyer_en_validation(region.referent, dossier)
    dossier.refresh_from_db()
    assert dossier.etat == EtatDossier.VALIDATION_DIRECTEUR
    assert Structure.objects.get(pk=region.ehpad.pk).nom == "EHPAD LES TILLEULS"  # nothing published yet


def test_rejet_par_le_gestionnaire(region, etape):
    dossier = dossier_pret_a_valider(region)
    services.valider(region.directeur, dossier)
    with pytest.raises(PermissionDenied):
        services.rejeter_dossier(region.directeur, dossier, "non")
    etape(services.rejeter_dossier, region.gestionnaire, dossier, "Autorisation FINESS absente")
    dossier.refresh_from_db()
    assert dossier.etat == EtatDossier.REJETE
    assert Structure.objects.get(pk=region.ehpad.pk).nom == "EHPAD LES TILLEULS"
    assert Structure.objects.filter(pk=region.uo_aj.pk).exists()
    assert {statut(s) for s in (region.ehpad, region.uo_hp, region.uo_aj)} == {StatutFiche.STANDARD}
    assert "Autorisation FINESS absente" in mail.outbox[-1].body
    # a new dossier may be opened afterwards
    assert services.ouvrir_dossier(region.referent, region.ehpad).etat == EtatDossier.BROUILLON


def test_abandon_par_le_referent(region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    services.supprimer_unite(region.referent, fiche_de(dossier, region.uo_aj))
    assert statut(region.uo_aj) == StatutFiche.SUPPRIMEE
    services.retablir_unite(region.referent, fiche_de(dossier, region.uo_aj))
    assert statut(region.uo_aj) == StatutFiche.MODIFICATION and not fiche_de(dossier, region.uo_aj).a_supprimer
    with pytest.raises(services.ActionImpossible):
        services.retablir_unite(region.referent, fiche_de(dossier, region.uo_aj))
    services.supprimer_unite(region.referent, fiche_de(dossier, region.uo_aj))
    with pytest.raises(PermissionDenied):
        services.abandonner_dossier(region.referent_autre, dossier)
    services.abandonner_dossier(region.referent, dossier, "Ouvert par erreur")
    dossier.refresh_from_db()
    assert dossier.etat == EtatDossier.ABANDONNE
    assert statut(region.uo_aj) == StatutFiche.STANDARD and Structure.objects.filter(pk=region.uo_aj.pk).exists()
    with pytest.raises(services.ActionImpossible):
        services.envoyer_en_validation(region.referent, dossier)


def test_deplacer_une_unite_dans_la_meme_ej(region):
    from repertoire.services import offre

    oi = offre.creer_structure(region.gestionnaire, "OI", region.ehpad, nom="Pole geriatrie",
                               type_oi=concept("J203", "1"))
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    with pytest.raises(services.ActionImpossible):  # another EJ
        services.deplacer_unite(region.referent, fiche_de(dossier, region.uo_aj), region.ch)
    services.deplacer_unite(region.referent, fiche_de(dossier, region.uo_aj), oi)
    assert statut(region.uo_aj) == StatutFiche.DEPLACEE
    services.envoyer_en_validation(region.referent, dossier)
    services.valider(region.directeur, dossier)
    services.publier_dossier(region.gestionnaire, dossier)
    uo = Structure.objects.get(pk=region.uo_aj.pk)
    assert uo.parent_id == oi.pk and uo.eg_id == region.ehpad.pk
    assert uo.history.first().history_change_reason == f"Dossier collaboratif n° {dossier.pk}"


def test_conflit_a_la_publication_le_gestionnaire_choisit_par_champ(region):
    from repertoire.services import offre

    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    services.enregistrer_fiche(region.referent, fiche_de(dossier, region.uo_hp), {
        "nom": "Hebergement permanent personnes agees", "telephone": "02 41 99 99 99"}, finaliser=True)
    services.envoyer_en_validation(region.referent, dossier)
    services.valider(region.directeur, dossier)
    # Meanwhile, an operational edit in the Répertoire on the same fiche.
    offre.modifier_structure(region.referent, region.uo_hp, {
        "telephone": "02 41 11 11 11", "email": "hp@ehpad.fr", "nom": "Hébergement permanent PA"},
        raison="Contacts")

    with pytest.raises(services.ConflitsDePublication) as conflits:
        services.publier_dossier(region.gestionnaire, dossier)
    cles = {c["cle"]: c for c in conflits.value.conflits}
    fiche = fiche_de(dossier, region.uo_hp)
    assert set(cles) == {f"{fiche.pk}:telephone", f"{fiche.pk}:nom"}  # e-mail: changed live only, no conflict
    assert cles[f"{fiche.pk}:telephone"]["repertoire"] == "02 41 11 11 11"
    assert cles[f"{fiche.pk}:telephone"]["dossier"] == "02 41 99 99 99"
    uo = Structure.objects.get(pk=region.uo_hp.pk)
    assert uo.telephone == "02 41 11 11 11"  # nothing written
    dossier.refresh_from_db()
    assert dossier.etat == EtatDossier.VALIDATION_GESTIONNAIRE

    services.publier_dossier(region.gestionnaire, dossier, {f"{fiche.pk}:telephone": "repertoire",
                                                            f"{fiche.pk}:nom": "dossier"})
    uo = Structure.objects.get(pk=region.uo_hp.pk)
    assert uo.telephone == "02 41 11 11 11"  # kept, as chosen
    assert uo.nom == "Hebergement permanent personnes agees"  # the dossier's, as chosen
    assert uo.email == "hp@ehpad.fr"  # the live edit the dossier did not touch survives


def _photo_du_repertoire():
    lignes = Structure.objects.order_by("pk").values()
    m2m = {s.pk: sorted(s.activites.values_list("pk", flat=True)) for s in Structure.objects.all()}
    return list(lignes), m2m, Structure.history.count()


def test_echec_au_milieu_de_la_publication_ne_change_rien(region):
    """A real database error on the last change (the deletion) rolls back every change before it."""
    from django.db import connection

    dossier = dossier_pret_a_valider(region)
    services.valider(region.directeur, dossier)
    avant = _photo_du_repertoire()
    with connection.cursor() as c:  # the database refuses to delete this one row
        c.execute(f"""
            CREATE FUNCTION refuser_suppression() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'suppression refusée (test)'; END; $$ LANGUAGE plpgsql;
            CREATE TRIGGER refus BEFORE DELETE ON repertoire_structure
            FOR EACH ROW WHEN (OLD.id = {region.uo_aj.pk}) EXECUTE FUNCTION refuser_suppression();
        """)
    with pytest.raises(services.ActionImpossible) as echec:
        services.publier_ou_expliquer(region.gestionnaire, dossier)
    assert "rien n'a été modifié" in echec.value.message
    assert _photo_du_repertoire() == avant
    dossier.refresh_from_db()
    assert dossier.etat == EtatDossier.VALIDATION_GESTIONNAIRE
    assert not Structure.objects.filter(nom="Hebergement temporaire personnes agees").exists()

