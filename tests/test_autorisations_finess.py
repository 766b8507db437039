"""FINESS authorisations in the Répertoire: stored with their dates, shown on the EG fiche,
proposed units for a new EG, a UO linked to the authorisation it serves, and the check a
dossier warns with (repertoire.autorisations.ecarts_autorisations)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape

from imports.importer import importer_fichier
from repertoire import autorisations as regles
from repertoire.models import AutorisationFiness, Structure
from repertoire.services.import_finess import lier_uo_autorisation
from tests.test_imports_finess_json import ACTIVITES, STRUCTURES, echantillon, ecrire


def _reanimation(donnees, finess_eg="010780195", modalite="09"):
    """Turn one exercised activity of the EG into réanimation adulte (15/09)."""
    for pm in donnees["pmej"]:
        for e in pm["ege"]:
            if e["numFinessEge"] == finess_eg:
                a = e["activitesExercees"][1]  # AMF 43286 in the sample
                a["nature"]["caracteristiquesSpecifiques"]["typeActiviteAMF"].update(
                    activiteAMF="15", modaliteActivite=modalite)
                return donnees
    raise AssertionError(finess_eg)


@pytest.mark.django_db
def test_un_nouvel_eg_recoit_ses_unites_d_apres_ses_autorisations(settings, tmp_path):
    settings.FINESS_DEPARTEMENTS = None
    imp = importer_fichier(STRUCTURES, activites=ecrire(tmp_path, _reanimation(echantillon(ACTIVITES))))
    assert imp.statut == "termine", imp.erreur
    clinique = Structure.objects.get(finess="010780195")
    unites = {u.nom: u for u in clinique.get_children()}
    # Category 365 proposes an "Unité d'hospitalisation"; the 15/09 authorisation a réanimation.
    assert set(unites) == {"Réanimation adulte", "Unité d'hospitalisation"}
    rea = unites["Réanimation adulte"]
    assert rea.pre_peuplee and rea.autorisation.activite_id == "43286"
    assert list(rea.activites.values_list("code", flat=True)) == ["126"]
    assert rea.type_uo.code == "16" and rea.champ.code == "01"
    assert regles.ecarts_autorisations(clinique, ["126"]) == []


@pytest.mark.django_db
def test_ecarts_autorisations_pour_une_uo_sans_autorisation(region):
    eg = region.ch
    eg.finess = "490000049"
    # No authorisation: a réanimation UO is reported, an EHPAD unit needs none.
    ecarts = regles.ecarts_autorisations(eg, ["126", "021"])
    assert len(ecarts) == 1 and "« Réanimation adulte » (activité 15, modalité 09)" in ecarts[0]
    assert regles.ecarts_autorisations(eg, ["021"]) == []
    base = dict(finess_ej="490000031", finess_eg="490000049", exercee=True, nature="AMF", activite="15",
                modalite="09", forme="01", date_debut=date(2020, 1, 1))
    ancienne = AutorisationFiness.objects.create(activite_id="1", date_fin=date(2021, 4, 30), **base)
    assert not ancienne.en_vigueur and len(regles.ecarts_autorisations(eg, ["126"])) == 1  # ended before the reform
    AutorisationFiness.objects.create(activite_id="2", **base)
    assert regles.ecarts_autorisations(eg, ["126"]) == []
    # Urgences need 14/23: the réanimation authorisation does not cover them.
    assert "« Urgences »" in regles.ecarts_autorisations(eg, ["157"])[0]
    assert regles.autorisation_servie(eg, ["126"]).activite_id == "2"


@pytest.mark.django_db
def test_la_fiche_eg_montre_ses_autorisations_et_l_unite_qui_la_sert(settings, client, region):
    settings.FINESS_DEPARTEMENTS = None
    importer_fichier(STRUCTURES, activites=ACTIVITES, confirme=True)
    clinique = Structure.objects.get(finess="010780195")
    unite = clinique.get_children().first()
    amf = AutorisationFiness.objects.get(activite_id="43286")
    lier_uo_autorisation(region.gestionnaire, unite, amf)
    unite.refresh_from_db()
    assert unite.autorisation == amf and unite.history.first().history_change_reason.startswith(
        "Autorisation FINESS servie")
    client.force_login(region.consultant)
    page = client.get(reverse("repertoire:fiche", args=[clinique.pk])).content.decode()
    assert "Autorisations et activités exercées (FINESS)" in page
    section = page[page.index('id="autorisations"'):]
    section = section[:section.index("</section>")]
    nb = AutorisationFiness.objects.filter(finess_eg="010780195", exercee=True).count()
    assert section.count("<tr>") == nb + 1 and nb == 19
    assert "10/06/2009" in section and "18 / 69 / 15" in section and escape(unite.nom) in section
    assert "Inactive" in section and "En vigueur" in section
    page_uo = client.get(reverse("repertoire:fiche", args=[unite.pk])).content.decode()
    assert "Autorisation FINESS servie" in page_uo and "18 / 69 / 15" in page_uo
    page_ej = client.get(reverse("repertoire:fiche", args=[clinique.ej_id])).content.decode()
    assert "Activités autorisées (FINESS)" in page_ej and "84-82-48769" in page_ej
