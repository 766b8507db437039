"""Contacts, responsable and planning inside a dossier collaboratif: copied with the fiche,
edited with the Répertoire's own forms, compared (only what changed), published through the
Répertoire's own service, conflicts with live edits flagged."""

import re
from datetime import time
from html import unescape

import pytest
from django import forms
from django.urls import reverse

from dossiers import comparaison, services
from dossiers.forms import formulaire_de_fiche
from repertoire.models import Contact, Horaire, Structure
from repertoire.services import encadres
from tests.factories import concept

pytestmark = pytest.mark.django_db


def url(nom, *args):
    return reverse(f"dossiers:{nom}", args=args)


@pytest.fixture
def uo_avec_contacts(region):
    """The permanent-care unit with a secretariat, a medical line, a responsable and hours."""
    uo = region.uo_hp
    encadres.ecrire_parties(region.gestionnaire, uo, {
        "contacts": [{"id": None, "libelle": "Secrétariat", "telephone": "02 41 00 00 01", "email": ""},
                     {"id": None, "libelle": "Téléphone médical", "telephone": "02 41 00 00 02", "email": ""}],
        "responsable": {"civilite": None, "titre": "Cadre de santé", "prenom": "Anne", "nom": "Martin",
                        "email": "anne.martin@example.org", "telephone": ""},
        "horaires": [(1, time(9), time(12)), (2, time(9), time(12))]}, raison="Préparation du test")
    return uo


def donnees_du_formulaire(form) -> dict:
    """What a browser posts for this form as shown (every field, the parts included)."""
    donnees = {}
    formulaires = [form] + [f for p in form.parties.formulaires
                            for f in ([p.management_form, *p.forms] if isinstance(p, forms.BaseFormSet) else [p])]
    for f in formulaires:
        for champ in f:
            valeur = champ.field.prepare_value(champ.value())
            if valeur is None or valeur is False:
                continue
            if valeur is True:
                valeur = "on"
            donnees[champ.html_name] = [str(v) for v in valeur] if isinstance(valeur, (list, tuple)) else str(valeur)
    return donnees


def test_ouvrir_copie_contacts_responsable_et_planning(region, uo_avec_contacts):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    services.copier_fiches(dossier.fiches.all())
    copie = dossier.fiches.get(structure=uo_avec_contacts).reference
    assert [(c["libelle"], c["telephone"]) for c in copie["contacts"]] == [
        ("Secrétariat", "02 41 00 00 01"), ("Téléphone médical", "02 41 00 00 02")]
    assert copie["responsable"]["nom"] == "Martin" and copie["horaires"] == [[1, "09:00", "12:00"], [2, "09:00", "12:00"]]
    assert dossier.fiches.get(structure=region.ehpad).reference["contacts"] == []  # an EG: contacts, direction
    assert "horaires" not in dossier.fiches.get(structure=region.ehpad).reference


def test_le_formulaire_du_dossier_montre_les_parties_et_ne_change_rien_sans_saisie(client, region, uo_avec_contacts):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = services.preparer_fiche(region.referent, dossier.fiches.get(structure=uo_avec_contacts))
    client.force_login(region.referent)
    contenu = client.get(url("fiche", dossier.pk, fiche.pk)).content.decode()
    assert 'name="contacts-0-telephone"' in contenu and 'value="02 41 00 00 01"' in contenu
    assert 'name="responsable-nom"' in contenu and 'name="planning-jour_1"' in contenu
    donnees = donnees_du_formulaire(formulaire_de_fiche(fiche))
    reponse = client.post(url("fiche", dossier.pk, fiche.pk), {**donnees, "action": "finaliser"})
    assert reponse.status_code == 302
    fiche.refresh_from_db()
    assert comparaison.changements([fiche]) == []  # saved as it was: nothing to compare


def test_un_contact_modifie_dans_le_dossier_est_compare_puis_publie(client, region, uo_avec_contacts):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = services.preparer_fiche(region.referent, dossier.fiches.get(structure=uo_avec_contacts))
    client.force_login(region.referent)
    donnees = donnees_du_formulaire(formulaire_de_fiche(fiche))
    donnees.update({"contacts-0-telephone": "02 41 12 34 56", "planning-jour_2": "08:30-12:00, 14:00-17:00",
                    "responsable-telephone": "02 41 00 00 09", "contacts-2-libelle": "Accueil",
                    "contacts-2-email": "accueil@example.org", "contacts-1-DELETE": "on", "action": "finaliser"})
    assert client.post(url("fiche", dossier.pk, fiche.pk), donnees).status_code == 302
    assert Contact.objects.get(structure=uo_avec_contacts, libelle="Secrétariat").telephone == "02 41 00 00 01"

    [bloc] = comparaison.changements(dossier.fiches.all())
    lignes = [(ligne["champ"], ligne["libelle"], ligne["avant"], ligne["apres"]) for ligne in bloc["lignes"]]
    assert lignes == [
        ("contacts", "contact « Secrétariat »", "Secrétariat · 02 41 00 00 01", "Secrétariat · 02 41 12 34 56"),
        ("contacts", "contact « Accueil »", "—", "Accueil · accueil@example.org"),
        ("contacts", "contact « Téléphone médical »", "Téléphone médical · 02 41 00 00 02", "—"),
        ("responsable", "responsable", "Anne Martin · Cadre de santé · anne.martin@example.org",
         "Anne Martin · Cadre de santé · 02 41 00 00 09 · anne.martin@example.org"),
        ("horaires", "planning : mardi", "09:00-12:00", "08:30-12:00, 14:00-17:00"),
    ]
    services.envoyer_en_validation(region.referent, dossier)
    client.force_login(region.directeur)
    reponse = client.get(url("comparer", dossier.pk))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "02 41 12 34 56" in page and "Planning : mardi" in page

    services.valider(region.directeur, dossier)
    services.publier_dossier(region.gestionnaire, dossier)
    contacts = {c.libelle: c for c in Contact.objects.filter(structure=uo_avec_contacts, est_responsable=False)}
    assert set(contacts) == {"Secrétariat", "Accueil"} and contacts["Secrétariat"].telephone == "02 41 12 34 56"
    assert Contact.objects.get(structure=uo_avec_contacts, est_responsable=True).telephone == "02 41 00 00 09"
    assert [(h.jour, h.debut, h.fin) for h in Horaire.objects.filter(structure=uo_avec_contacts)] == [
        (1, time(9), time(12)), (2, time(8, 30), time(12)), (2, time(14), time(17))]
    raison = f"Dossier collaboratif n° {dossier.pk}"
    assert contacts["Secrétariat"].history.first().history_change_reason == raison
    assert Structure.objects.get(pk=uo_avec_contacts.pk).history.first().history_change_reason == raison


def test_un_planning_illisible_est_refuse_en_francais_sans_rien_changer(client, region, uo_avec_contacts):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = services.preparer_fiche(region.referent, dossier.fiches.get(structure=uo_avec_contacts))
    client.force_login(region.referent)
    donnees = {**donnees_du_formulaire(formulaire_de_fiche(fiche)), "planning-jour_3": "9h à midi",
               "contacts-0-email": "pas-une-adresse", "action": "finaliser"}
    reponse = client.post(url("fiche", dossier.pk, fiche.pk), donnees)
    contenu = reponse.content.decode()
    assert reponse.status_code == 200 and "Créneau illisible" in contenu and "adresse de courriel valide" in contenu
    fiche.refresh_from_db()
    assert fiche.donnees == fiche.reference


def test_une_unite_creee_avec_contact_et_planning(region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    [nouvelle] = services.creer_unites(region.referent, dossier, region.ehpad, 1, nom="Hebergement temporaire personnes agees",
                                       discipline="MSS", type_uo=concept("J34", "21"))
    services.enregistrer_fiche(region.referent, nouvelle, {
        "age_min": 60, "age_max": 120, "activites": [concept("J17", "293").pk],
        "contacts": [{"id": None, "libelle": "Accueil", "telephone": "02 41 55 55 55", "email": ""}],
        "responsable": None, "horaires": [[1, "08:00", "18:00"]]}, finaliser=True)
    services.envoyer_en_validation(region.referent, dossier)
    services.valider(region.directeur, dossier)
    services.publier_dossier(region.gestionnaire, dossier)
    creee = Structure.objects.get(nom="Hebergement temporaire personnes agees")
    assert [(c.libelle, c.telephone) for c in creee.contacts.all()] == [("Accueil", "02 41 55 55 55")]
    assert [(h.jour, h.debut, h.fin) for h in creee.horaires.all()] == [(1, time(8), time(18))]


def test_contacts_modifies_dans_le_dossier_et_en_direct_font_un_conflit(region, uo_avec_contacts):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = services.preparer_fiche(region.referent, dossier.fiches.get(structure=uo_avec_contacts))
    contacts = [dict(c) for c in fiche.donnees["contacts"]]
    contacts[0]["telephone"] = "02 41 12 34 56"
    services.enregistrer_fiche(region.referent, fiche, {"contacts": contacts}, finaliser=True)
    vivant = Contact.objects.get(structure=uo_avec_contacts, libelle="Secrétariat")
    encadres.ecrire_parties(region.referent, uo_avec_contacts, {"contacts": [
        {"id": vivant.pk, "libelle": "Secrétariat", "telephone": "02 41 99 99 99", "email": ""}]},
        raison="Contacts")
    services.envoyer_en_validation(region.referent, dossier)
    services.valider(region.directeur, dossier)
    with pytest.raises(services.ConflitsDePublication) as conflits:
        services.publier_dossier(region.gestionnaire, dossier)
    [conflit] = conflits.value.conflits
    assert conflit["champ"] == "contacts" and "02 41 99 99 99" in conflit["repertoire"]
    services.publier_dossier(region.gestionnaire, dossier, {conflit["cle"]: "dossier"})
    # the dossier's list wins: the contact deleted live meanwhile comes back
    assert sorted(c.telephone for c in Contact.objects.filter(structure=uo_avec_contacts, est_responsable=False)) == [
        "02 41 00 00 02", "02 41 12 34 56"]



def lignes_de_l_historique(html: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The Historique page as a person reads it: per entry, its heading and its rows (field, before, after)."""
    entrees = []
    for section in re.findall(r'<section[^>]*ror-historique[^>]*>(.*?)</section>', html, re.S):
        titre = re.sub(r"<[^>]+>|\s+", " ", section.split("</p>")[0]).strip()
        lignes = [tuple(unescape(re.sub(r"<[^>]+>", "", x)).strip() for x in ligne) for ligne in re.findall(
            r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', section, re.S)]
        entrees.append((unescape(titre), lignes))
    return entrees


def test_l_historique_montre_le_telephone_change_par_le_dossier_pas_un_nouveau_contact(client, region):
    """Contacts loaded in bulk (reprise, demo) have no history record: a dossier that changes one
    phone shows « téléphone : avant → après » for that contact, not a contact created from « — »."""
    uo = region.uo_hp
    secretariat, medical = Contact.objects.bulk_create([
        Contact(structure=uo, libelle="Secrétariat", telephone="02 41 00 00 01", email="secretariat@example.org"),
        Contact(structure=uo, libelle="Téléphone médical", telephone="02 41 00 00 02")])
    assert not Contact.history.filter(structure_id=uo.pk).exists()
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = services.preparer_fiche(region.referent, dossier.fiches.get(structure=uo))
    client.force_login(region.referent)
    donnees = donnees_du_formulaire(formulaire_de_fiche(fiche))
    assert donnees["contacts-0-telephone"] == "02 41 00 00 01"
    donnees.update({"contacts-0-telephone": "02 41 12 34 56", "action": "finaliser"})
    assert client.post(url("fiche", dossier.pk, fiche.pk), donnees).status_code == 302
    [bloc] = comparaison.changements(dossier.fiches.all())
    assert [(ligne["avant"], ligne["apres"]) for ligne in bloc["lignes"]] == [
        ("Secrétariat · 02 41 00 00 01 · secretariat@example.org", "Secrétariat · 02 41 12 34 56 · secretariat@example.org")]
    services.envoyer_en_validation(region.referent, dossier)
    services.valider(region.directeur, dossier)
    client.force_login(region.gestionnaire)
    assert client.post(url("publier", dossier.pk), {}).status_code == 302

    # updated in place, not deleted and recreated
    assert list(Contact.objects.filter(structure=uo).values_list("pk", "telephone")) == [
        (secretariat.pk, "02 41 12 34 56"), (medical.pk, "02 41 00 00 02")]
    client.force_login(region.consultant)
    entrees = lignes_de_l_historique(client.get(reverse("repertoire:historique", args=[uo.pk])).content.decode())
    publication = [e for e in entrees if f"Dossier collaboratif n° {dossier.pk}" in e[0]]
    assert len(publication) == 1 and "gestionnaire" in publication[0][0]
    contacts = [ligne for _, lignes in entrees for ligne in lignes if ligne[0].startswith("Contact")]
    assert contacts == [("Contact « Secrétariat » : téléphone", "02 41 00 00 01", "02 41 12 34 56")]
