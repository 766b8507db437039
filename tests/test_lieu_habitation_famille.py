"""The place's function, its housing and the activity family through a dossier collaboratif: the draft
fiche shows them in its form, saves them, the comparison names them and publishing writes them."""

import pytest
from django.urls import reverse

from dossiers import services
from dossiers.forms import formulaire_de_fiche
from repertoire.models import Niveau, Structure
from tests.factories import concept

pytestmark = pytest.mark.django_db

NOUVEAUX = ("fonction_lieu", "type_habitation", "nombre_habitations", "famille_activite")


def url(nom, *args):
    return reverse(f"dossiers:{nom}", args=args)


def test_chaque_champ_du_brouillon_est_montre_dans_un_groupe_du_formulaire(region):
    """Generic: a field the schema gives a dossier is never left out of the draft form."""
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    for niveau in (Niveau.EG, Niveau.UO):
        fiche = dossier.fiches.filter(niveau=niveau).first()
        form = formulaire_de_fiche(fiche)
        montres = [champ.name for _, champs in form.groupes() for champ in champs]
        assert sorted(montres) == sorted(form.fields), niveau
    fiche = dossier.fiches.get(structure=region.uo_hp)
    groupes = {titre: [c.name for c in champs] for titre, champs in formulaire_de_fiche(fiche).groupes()}
    assert {"fonction_lieu", "type_habitation", "nombre_habitations"} <= set(groupes["Capacité"])
    assert "famille_activite" in groupes["Offre"]


def test_le_dossier_porte_compare_et_publie_le_lieu_l_habitation_et_la_famille(client, region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = dossier.fiches.get(structure=region.uo_hp)
    client.force_login(region.referent)
    page = client.get(url("fiche", dossier.pk, fiche.pk)).content.decode()
    assert all(f'name="{nom}"' in page for nom in NOUVEAUX)
    valeurs = {"nom": "Hébergement permanent", "discipline": "MSS", "type_uo": concept("J34", "21").pk,
               "champ": concept("J20", "04").pk, "age_min": "60", "age_max": "120",
               "activites": [concept("J17", "293").pk]}
    # A count without its type: refused in French, the draft unchanged.
    reponse = client.post(url("fiche", dossier.pk, fiche.pk), {**valeurs, "nombre_habitations": "30",
                                                               "action": "finaliser"})
    assert reponse.status_code == 200
    assert "Indiquez le type d&#x27;habitation du nombre d&#x27;habitations saisi." in reponse.content.decode()
    fiche.refresh_from_db()
    assert fiche.donnees.get("nombre_habitations") is None

    reponse = client.post(url("fiche", dossier.pk, fiche.pk), {
        **valeurs, "fonction_lieu": concept("J198", "001").pk, "type_habitation": concept("J32", "01").pk,
        "nombre_habitations": "30", "famille_activite": concept("J51", "011").pk, "action": "finaliser"})
    assert reponse.status_code == 302
    fiche.refresh_from_db()
    assert fiche.donnees["type_habitation"] == concept("J32", "01").pk and fiche.donnees["nombre_habitations"] == 30
    comparaison = client.get(url("comparer", dossier.pk)).content.decode()
    for texte in ("Fonction du lieu", "Hébergement", "Chambre double", "Nombre d&#x27;habitations",
                  "2.2.1.1 Accompagnements pour les actes de la vie quotidienne"):
        assert texte in comparaison, texte

    services.envoyer_en_validation(region.referent, dossier)
    services.valider(region.directeur, dossier)
    dossier.refresh_from_db()
    services.publier_dossier(region.gestionnaire, dossier)
    uo = Structure.objects.get(pk=region.uo_hp.pk)
    assert (uo.fonction_lieu.code, uo.type_habitation.code, uo.nombre_habitations, uo.famille_activite.code) == (
        "001", "01", 30, "011")


def test_une_demo_construite_avant_ces_champs_les_recoit_une_fois(region):
    from demo.region import completer_lieux_et_familles
    from repertoire.services import offre

    offre.modifier_structure(None, region.uo_hp, {"lits_installes": 80}, raison="test",
                             m2m={"modes_prise_en_charge": [concept("R213", "46")]})
    offre.modifier_structure(None, region.uo_aj, {}, raison="test",
                             m2m={"modes_prise_en_charge": [concept("R213", "47")]})
    assert completer_lieux_et_familles() == 2
    hp, aj, rea = (Structure.objects.get(pk=s.pk) for s in (region.uo_hp, region.uo_aj, region.uo_rea))
    assert (hp.famille_activite.code, hp.fonction_lieu.code, hp.type_habitation.code, hp.nombre_habitations) == (
        "04", "001", "02", 80)
    assert (aj.famille_activite.code, aj.fonction_lieu, aj.type_habitation) == ("025", None, None)
    assert (rea.famille_activite, rea.fonction_lieu) == (None, None)  # health, no housing: nothing
    offre.modifier_structure(None, hp, {"famille_activite": None}, raison="test")
    assert completer_lieux_et_familles() == 0  # once: a référent's choice is never overwritten
    assert Structure.objects.get(pk=hp.pk).famille_activite is None


def test_une_unite_lue_par_le_lot_de_son_lieu_puis_de_ses_offres_garde_les_concepts_des_deux(region,
                                                                                           django_assert_num_queries):
    """ViaTrajectoire and _include read the same units as places and as offers: neither batch's concepts
    are lost (a lost one is read again, one query per unit), in either order."""
    from interop import fhir
    from repertoire.services import offre

    offre.modifier_structure(None, region.uo_hp, {"fonction_lieu": concept("J198", "001"),
                                                  "type_habitation": concept("J32", "02"),
                                                  "famille_activite": concept("J51", "04")}, raison="test",
                             m2m={"modes_prise_en_charge": [concept("R213", "46")]})
    seules = {t: fhir.ressources(t, list(fhir.pour_lecture(t).filter(pk=region.uo_hp.pk)))
              for t in ("Location", "HealthcareService")}
    for ordre in (("Location", "HealthcareService"), ("HealthcareService", "Location")):
        [uo] = list(fhir.uo_queryset().filter(pk=region.uo_hp.pk).select_related(
            "commune", "type_voie", "eg", "eg__commune", "eg__type_voie"))
        lots = {t: fhir.Lot(t, [uo]) for t in ordre}
        with django_assert_num_queries(0):
            assert {t: lot.ressources() for t, lot in lots.items()} == seules, ordre
