"""The daily FINESS JSON flux: the two real samples of the ANS (fixtures/finess/json/, copied
from ../shared/data/finess/json/: structures of 2026-03-09, activités of 2026-04-01), field by
field; each bad input stops with the element's path and changes nothing; closures from the
state and the events; the preview that stops a partial file."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from imports.importer import importer_fichier
from imports.models import Changement, ImportFiness
from repertoire.models import AutorisationFiness, EtablissementFiness, Etat, Niveau, Structure

DOSSIER = Path(__file__).resolve().parent.parent / "fixtures" / "finess" / "json"
STRUCTURES = DOSSIER / "sample-finess-structures-journalier-20260309.json"
ACTIVITES = DOSSIER / "exemple-finess-activites-journalier-20260401.json"


@pytest.fixture
def national(settings):
    settings.FINESS_DEPARTEMENTS = None


def echantillon(chemin=STRUCTURES) -> dict:
    return json.loads(chemin.read_text(encoding="utf-8"))


def ecrire(tmp_path, donnees, nom="flux.json") -> Path:
    chemin = tmp_path / nom
    chemin.write_text(donnees if isinstance(donnees, str) else json.dumps(donnees), encoding="utf-8")
    return chemin


def ege(donnees, finess) -> dict:
    return next(e for p in donnees["pmej"] for e in p["ege"] if e["informationsGeneralesEGE"]["numFinessEge"] == finess)


def etat_du_repertoire():
    return (list(Structure.objects.order_by("pk").values_list("pk", "nom", "etat", "telephone", "version")),
            list(EtablissementFiness.objects.order_by("pk").values_list("finess", "nom", "ferme")),
            list(AutorisationFiness.objects.order_by("pk").values_list("activite_id", "active")),
            Changement.objects.count())


@pytest.mark.django_db
def test_flux_structures_reel_champs_exacts(national):
    imp = importer_fichier(STRUCTURES)
    assert imp.statut == ImportFiness.Statut.TERMINE, imp.erreur
    assert (imp.format, imp.date_extraction, imp.nb_lignes) == ("structures", date(2026, 3, 9), 23)
    # 27 EG in the sample: 15 open (created, with their 10 EJ), 12 closed and unknown here (not created).
    assert (imp.nb_etablissements, imp.nb_ignores) == (27, 12)
    assert Structure.objects.eg().count() == 15 and Structure.objects.ej().count() == 10
    assert imp.nb_nouveaux == 25 and imp.nb_fermes == 0
    clinique = Structure.objects.get(finess="010780195")
    assert (clinique.nom, clinique.nom_officiel) == ("CLINIQUE CONVERT", "CLINIQUE DOCTEUR CONVERT")
    assert (clinique.numero_voie, clinique.type_voie.code, clinique.voie, clinique.lieu_dit) == (
        "62", "AV", "DE JASSERON", "BP 132")
    assert (clinique.code_postal, clinique.commune_id, clinique.departement_id) == ("01000", "01053", "01")
    assert (clinique.telephone, clinique.categorie.code, clinique.siret) == ("04 28 63 12 34", "365", "77220148900022")
    assert clinique.date_ouverture == date(1956, 11, 16) and clinique.etat == Etat.OUVERT
    # WGS84 from directionLatitude / directionLongitude, as given (no projection).
    assert (clinique.latitude, clinique.longitude) == (46.211257, 5.254203)
    ej = clinique.ej
    assert (ej.finess, ej.nom, ej.siren) == ("010000156", "CLINIQUE CONVERT", "772201489")
    registre = EtablissementFiness.objects.get(finess="010780195")
    assert (registre.cle_ban, round(registre.score_ban, 6), registre.categorie, registre.finess_ej) == (
        "01053_1950_00062", 0.972354, "365", "010000156")
    assert registre.date_maj == date(2021, 10, 18) and not registre.ferme
    # Names trimmed; closed establishments kept in FINESS's register with their closing date.
    smur = EtablissementFiness.objects.get(finess="010787190")
    assert (smur.nom, smur.ferme, smur.date_fermeture, smur.categorie) == (
        "SMUR POLYCLINIQUE AMBERIEU", True, date(1993, 1, 1), "321")
    assert not Structure.objects.filter(finess="010787190").exists()
    # A new EHPAD gets its proposed unit, as with the CSV extract.
    ehpad = Structure.objects.get(finess="010780906")
    assert [(u.nom, u.pre_peuplee) for u in ehpad.get_children()] == [("Hébergement permanent", True)]


@pytest.mark.django_db
def test_meme_flux_deux_fois_second_rapport_vide(national):
    importer_fichier(STRUCTURES, activites=ACTIVITES)
    historique, registre = Structure.history.count(), list(EtablissementFiness.objects.values_list("pk", "nom"))
    second = importer_fichier(STRUCTURES, activites=ACTIVITES)
    assert second.statut == ImportFiness.Statut.TERMINE and second.nb_changements == 0
    assert second.changements.count() == 0 and Structure.history.count() == historique
    assert list(EtablissementFiness.objects.values_list("pk", "nom")) == registre


@pytest.mark.django_db
def test_flux_activites_reel_autorisations_exactes(national, tmp_path):
    imp = importer_fichier(STRUCTURES, activites=ACTIVITES)
    assert imp.statut == ImportFiness.Statut.TERMINE, imp.erreur
    donnees = echantillon(ACTIVITES)
    ids = {a["caracteristiquesGeneriques"]["activiteAeId"] for p in donnees["pmej"]
           for a in (p["activitesAutorisees"] or []) + [x for e in p["ege"] for x in (e["activitesExercees"] or [])]}
    assert AutorisationFiness.objects.count() == len(ids) == imp.nb_autorisations == imp.nb_autorisations_modifiees
    amf = AutorisationFiness.objects.get(activite_id="43286")
    assert (amf.exercee, amf.autorisation_id, amf.finess_ej, amf.finess_eg, amf.nature) == (
        True, "43285", "010000156", "010780195", "AMF")
    assert (amf.activite, amf.modalite, amf.forme, amf.date_debut, amf.active) == (
        "18", "69", "15", date(2009, 6, 10), True)
    asr = AutorisationFiness.objects.get(activite_id="9482")
    assert (asr.nature, asr.activite, asr.modalite, asr.forme, asr.date_debut) == ("ASR", "R4", "N2", "01", None)
    assert asr.capacites == [{"statut": "08", "unite": "02", "nombre": 4}, {"statut": "09", "unite": "02", "nombre": 4}]
    # "ASMR" in the real flux is the schema's AMSR (médico-social), with its ages.
    ms = AutorisationFiness.objects.get(activite_id="376396")
    assert (ms.nature, ms.activite, ms.modalite, ms.forme, ms.finess_eg) == ("AMSR", "841", "16", "318", "010008183")
    inactive = AutorisationFiness.objects.get(activite_id="178734")
    assert (inactive.active, inactive.en_vigueur) == (False, False)
    autorisee = AutorisationFiness.objects.get(activite_id="43285")
    assert (autorisee.exercee, autorisee.finess_eg, autorisee.num_arhgos) == (False, "", "84-82-48769")
    # A structure the activités file does not list keeps its authorisations.
    partiel = echantillon(ACTIVITES)
    partiel["pmej"] = [p for p in partiel["pmej"] if p["numFiness"] != "010000156"]
    chemin = ecrire(tmp_path, partiel, "activites-partiel.json")
    second = importer_fichier(None, activites=chemin)
    assert second.statut == ImportFiness.Statut.TERMINE and second.nb_autorisations_retirees == 0
    assert AutorisationFiness.objects.filter(finess_ej="010000156").count() > 0


@pytest.mark.django_db
def test_fermeture_par_l_etat_et_la_date_de_l_evenement_puis_reouverture(national, tmp_path):
    ouvert = echantillon()
    sessad = ege(ouvert, "010790061")
    sessad["etatObjet"] = "A"
    del sessad["informationsGeneralesEGE"]["dateFermeture"]
    assert importer_fichier(ecrire(tmp_path, ouvert, "a.json")).statut == ImportFiness.Statut.TERMINE
    structure = Structure.objects.get(finess="010790061")
    assert structure.etat == Etat.OUVERT

    ferme = echantillon()
    del ege(ferme, "010790061")["informationsGeneralesEGE"]["dateFermeture"]  # the date comes from event 005
    avant = etat_du_repertoire()
    apercu = importer_fichier(ecrire(tmp_path, ferme, "b.json"))
    # 1 closure out of 16 open establishments: past the 2 % threshold, the preview stops it.
    assert apercu.statut == ImportFiness.Statut.A_CONFIRMER and "fermerait 1 établissement(s) sur les 16" in \
        apercu.motifs_confirmation
    assert etat_du_repertoire()[:3] == avant[:3]
    assert list(apercu.changements.values_list("type", "finess", "apres")) == [
        (Changement.Type.FERME, "010790061", "fermé dans FINESS le 02/09/1994")]
    confirme = importer_fichier(ecrire(tmp_path, ferme, "b.json"), confirme=True)
    assert confirme.statut == ImportFiness.Statut.TERMINE and confirme.nb_fermes == 1
    structure.refresh_from_db()
    assert (structure.etat, structure.date_fermeture) == (Etat.FERME, date(1994, 9, 2))

    rouvert = importer_fichier(ecrire(tmp_path, ouvert, "a.json"))
    structure.refresh_from_db()
    assert rouvert.nb_rouverts == 1 and (structure.etat, structure.date_fermeture) == (Etat.OUVERT, None)


@pytest.mark.django_db
def test_un_fichier_partiel_ne_ferme_rien_par_absence(national, tmp_path):
    importer_fichier(STRUCTURES)
    partiel = echantillon()
    partiel["pmej"] = partiel["pmej"][:3]
    apercu = importer_fichier(ecrire(tmp_path, partiel))  # Wallis-et-Futuna (986) missing: a preview
    assert apercu.statut == ImportFiness.Statut.A_CONFIRMER and apercu.nb_fermes == 0
    imp = importer_fichier(ecrire(tmp_path, partiel), confirme=True)
    assert imp.statut == ImportFiness.Statut.TERMINE and imp.nb_fermes == 0
    assert Structure.objects.eg().filter(etat=Etat.OUVERT).count() == 15


@pytest.mark.django_db
def test_un_fichier_partiel_s_arrete_a_l_apercu_du_perimetre(settings, tmp_path):
    settings.FINESS_DEPARTEMENTS = ["01", "38"]  # the file covers the Ain only
    imp = importer_fichier(STRUCTURES)
    assert imp.statut == ImportFiness.Statut.A_CONFIRMER
    assert "ne couvre que 1 département(s) sur les 2 du périmètre (absents : 38)" in imp.motifs_confirmation
    assert not Structure.objects.exists() and not EtablissementFiness.objects.exists()
    # What it would do: the 13 open EG of the Ain and their 9 EJ (986 is outside the perimeter).
    assert imp.changements.filter(type=Changement.Type.NOUVEAU, niveau=Niveau.EG).count() == 13
    assert imp.changements.filter(type=Changement.Type.NOUVEAU).count() == imp.nb_nouveaux == 22


BAD = {
    "pas_du_json": (lambda d: "<html>erreur 502</html>", "", "pas un fichier JSON"),
    "json_tronque": (lambda d: json.dumps(d)[:40000], "pmej[", "JSON invalide ou tronqué après pmej["),
    "version_de_schema": (lambda d: {**d, "schemaVersion": "v2.0.0"}, "schemaVersion", "version de schéma « v2.0.0 »"),
    "mauvais_type": (lambda d: _change(d, 1, lambda e: e["informationsGeneralesEGE"].__setitem__("numFinessEge", 10780195)),
                     "pmej[1].ege[0].informationsGeneralesEGE.numFinessEge", "un texte est attendu, trouvé un nombre"),
    "etat_inconnu": (lambda d: _change(d, 1, lambda e: e.__setitem__("etatObjet", "X")),
                     "pmej[1].ege[0].etatObjet", "état (etatObjet) « X » inconnu"),
    "categorie_inconnue": (lambda d: _change(d, 1, lambda e: e.__setitem__("categorieentiteGeographiqueExercice", "999")),
                           "pmej[1].ege[0].categorieentiteGeographiqueExercice", "catégorie « 999 » inconnue"),
    "coordonnee_illisible": (lambda d: _change(d, 1, lambda e: e["adresse"][0]["coordonneesGeographique"].__setitem__(
        "directionLatitude", "46,2")), "pmej[1].ege[0].adresse[0].coordonneesGeographique.directionLatitude",
        "coordonnée « 46,2 » illisible"),
    "date_illisible": (lambda d: _change(d, 1, lambda e: e["informationsGeneralesEGE"].__setitem__("dateOuverture", "16/11/1956")),
                       "pmej[1].ege[0].informationsGeneralesEGE.dateOuverture", "date « 16/11/1956 » illisible"),
}


def _change(donnees, index_pm, action):
    action(donnees["pmej"][index_pm]["ege"][0])
    return donnees


@pytest.mark.django_db
@pytest.mark.parametrize("cas", BAD, ids=list(BAD))
def test_flux_defectueux_refuse_avec_le_chemin_et_rien_ne_change(cas, national, tmp_path):
    importer_fichier(STRUCTURES, activites=ACTIVITES)
    avant = etat_du_repertoire()
    fabrique, element, motif = BAD[cas]
    donnees = echantillon()
    donnees["pmej"][1]["ege"][0]["informationsGeneralesEGE"]["nomEgeCourt"] = "NOUVEAU NOM"  # a change it would make
    imp = importer_fichier(ecrire(tmp_path, fabrique(donnees)), activites=ACTIVITES)
    assert imp.statut == ImportFiness.Statut.ECHEC
    assert motif in imp.erreur and imp.element_erreur.startswith(element), (imp.erreur, imp.element_erreur)
    assert etat_du_repertoire() == avant and imp.changements.count() == 0


@pytest.mark.django_db
def test_flux_activites_nature_inconnue_refuse(national, tmp_path):
    donnees = echantillon(ACTIVITES)
    donnees["pmej"][0]["activitesAutorisees"][1]["nature"]["codeNature"] = "XYZ"
    imp = importer_fichier(None, activites=ecrire(tmp_path, donnees))
    assert imp.statut == ImportFiness.Statut.ECHEC and not AutorisationFiness.objects.exists()
    assert imp.element_erreur == "pmej[0].activitesAutorisees[1].nature.codeNature"
    assert "nature d'activité « XYZ » inconnue" in imp.erreur


@pytest.mark.django_db
def test_deux_flux_structures_ou_activites_a_la_place_des_structures(national, tmp_path):
    imp = importer_fichier(STRUCTURES, activites=STRUCTURES)
    assert imp.statut == ImportFiness.Statut.ECHEC and "deux fichiers du même flux" in imp.erreur


@pytest.mark.django_db
def test_commande_avec_les_deux_flux_et_l_apercu(settings, tmp_path):
    from io import StringIO

    settings.FINESS_DEPARTEMENTS = None
    sortie = StringIO()
    call_command("import_finess", str(STRUCTURES), "--activites", str(ACTIVITES), stdout=sortie)
    assert "27 établissements lus, 25 nouveaux" in sortie.getvalue()
    settings.FINESS_DEPARTEMENTS = ["01", "38"]
    call_command("import_finess", str(STRUCTURES), stdout=sortie)
    assert "arrêté à l'aperçu, rien n'a été modifié" in sortie.getvalue()


@pytest.mark.django_db
def test_import_planifie_n_applique_pas_au_dela_du_seuil_et_alerte(national, settings, tmp_path, mailoutbox, region):
    from imports.tasks import import_hebdomadaire

    settings.FINESS_URL_STRUCTURES = "http://127.0.0.1:9/injoignable.json"  # offline: the configured file
    importer_fichier(STRUCTURES, confirme=True)  # the region's 49 is not in the sample
    ferme = echantillon()
    for pm in ferme["pmej"]:
        for e in pm["ege"]:
            e["etatObjet"] = "I"
    settings.FINESS_FICHIER_PLANIFIE = str(ecrire(tmp_path, ferme))
    assert import_hebdomadaire().endswith(": À confirmer")
    assert Structure.objects.eg().filter(finess__startswith="0", etat=Etat.OUVERT).count() == 13
    assert mailoutbox and "à confirmer" in mailoutbox[0].subject
    assert region.gestionnaire.email in mailoutbox[0].to
    assert import_hebdomadaire() == "fichier déjà importé"


def test_lecture_rapide_identique_a_la_lecture_verifiee_sur_les_echantillons_reels():
    """The fast reading (no element paths) gives exactly what the checked reading gives, on
    every activity and every open EG of the real samples; a closed EG or an odd value goes
    to the checked reading, which names the path."""
    import dataclasses

    from imports import finess_json as fj
    from imports.finess import Referentiel

    referentiel = Referentiel(categories=set(), communes={"01053": "01", "21231": "21"}, departements=None)
    rapides = lents = 0
    for p in echantillon(STRUCTURES)["pmej"]:
        for e in p["ege"]:
            verifie = fj._etablissement(e, "x", "ej", referentiel)
            try:
                rapide = fj._etablissement_rapide(e, "x", "ej", referentiel)
            except fj._Lent:
                lents += 1
                assert verifie.ferme or e["etatObjet"] != "A"
                continue
            rapides += 1
            assert dataclasses.asdict(rapide) == dataclasses.asdict(verifie)
    assert rapides > 0 and lents > 0
    n = 0
    for p in echantillon(ACTIVITES)["pmej"]:
        activites = [(a, False, "") for a in p["activitesAutorisees"] or []]
        activites += [(a, True, e["numFinessEge"]) for e in p["ege"] for a in e["activitesExercees"] or []]
        for a, exercee, eg in activites:
            assert fj._activite_rapide(a, "ej", eg, exercee) == fj.Activite(**fj._activite(a, "x", "ej", eg, exercee))
            n += 1
    assert n > 100
    bizarre = echantillon(ACTIVITES)["pmej"][0]["activitesAutorisees"][0]
    bizarre["caracteristiquesGeneriques"]["dateDebutActiviteAutorisee"] = "12/05/2026"
    bizarre["caracteristiquesGeneriques"]["numAutorisationArhgos"] = "84-82\n48769\t"
    bizarre["caracteristiquesGeneriques"]["dateDebutActiviteAutorisee"] = None
    assert fj._activite_rapide(bizarre, "ej", "", False) == fj.Activite(**fj._activite(bizarre, "x", "ej", "", False))
    assert fj._activite_rapide(bizarre, "ej", "", False).num_arhgos == "84-82 48769"
    bizarre["caracteristiquesGeneriques"]["dateDebutActiviteAutorisee"] = "12/05/2026"
    with pytest.raises(fj._Lent):
        fj._activite_rapide(bizarre, "ej", "", False)
    with pytest.raises(fj.FichierInvalide, match=r"pmej\[0\]\.activitesAutorisees\[0\].*dateDebutActiviteAutorisee"):
        fj._lire_activite(bizarre, lambda: "pmej[0].activitesAutorisees[0]", "ej", "", False)


@pytest.mark.django_db
def test_autorisation_modifiee_mise_a_jour_avec_son_rapport(national, tmp_path):
    """A changed activity (capacities, end date) is rewritten in place (upsert) and reported
    before → after; the unchanged ones are not rewritten."""
    assert importer_fichier(STRUCTURES, activites=ACTIVITES).statut == ImportFiness.Statut.TERMINE
    avant = AutorisationFiness.objects.get(activite_id="9482")
    donnees = echantillon(ACTIVITES)
    for p in donnees["pmej"]:
        for a in (p["activitesAutorisees"] or []) + [x for e in p["ege"] for x in (e["activitesExercees"] or [])]:
            if a["caracteristiquesGeneriques"]["activiteAeId"] == "9482":
                a["capacite"][0]["nombre"] = "6"
                a["caracteristiquesGeneriques"]["dateFinActiviteAutorisee"] = "2031-12-31"
    imp = importer_fichier(None, activites=ecrire(tmp_path, donnees, "activites.json"))
    assert imp.statut == ImportFiness.Statut.TERMINE, imp.erreur
    assert imp.nb_autorisations_modifiees == 1 and imp.nb_autorisations_retirees == 0
    apres = AutorisationFiness.objects.get(activite_id="9482")
    assert apres.pk == avant.pk and apres.date_fin == date(2031, 12, 31)
    assert apres.capacites == [{"statut": "08", "unite": "02", "nombre": 6}, {"statut": "09", "unite": "02", "nombre": 4}]
    ligne = imp.changements.get(type=Changement.Type.AUTORISATION)
    assert "jusqu'au 31/12/2031" in ligne.apres and "jusqu'au" not in ligne.avant


def _activites_de(pm) -> list:
    return (pm["activitesAutorisees"] or []) + [a for e in pm["ege"] for a in (e["activitesExercees"] or [])]


@pytest.mark.django_db
def test_flux_activites_inchange_passe_sans_relire_et_reste_exact(national, tmp_path, monkeypatch):
    """An element of the activités flux with the same bytes as last applied is passed over
    unread; the changed one is read and written; an authorisation changed elsewhere voids
    every fingerprint and the next import reads all and restores it."""
    from imports import finess_json as fj
    from imports.models import EmpreinteActivites

    donnees = echantillon(ACTIVITES)
    premier = importer_fichier(STRUCTURES, activites=ecrire(tmp_path, donnees, "a1.json"))
    assert premier.statut == ImportFiness.Statut.TERMINE, premier.erreur
    total = AutorisationFiness.objects.count()
    assert EmpreinteActivites.objects.count() == len(donnees["pmej"]) == 21
    lues = []
    lire = fj._lire_activite
    monkeypatch.setattr(fj, "_lire_activite", lambda a, *args: lues.append(a) or lire(a, *args))
    change = next(p for p in donnees["pmej"] if any(a["caracteristiquesGeneriques"]["activiteAeId"] == "9482"
                                                     for a in _activites_de(p)))
    next(a for a in _activites_de(change) if a["caracteristiquesGeneriques"]["activiteAeId"] == "9482")[
        "capacite"][0]["nombre"] = "6"
    second = importer_fichier(STRUCTURES, activites=ecrire(tmp_path, donnees, "a2.json"))
    assert second.statut == ImportFiness.Statut.TERMINE, second.erreur
    assert (second.nb_autorisations, second.nb_autorisations_modifiees, second.nb_autorisations_retirees) == (
        total, 1, 0)
    assert len(lues) == len(_activites_de(change)) < total  # only the changed element was read
    assert AutorisationFiness.objects.get(activite_id="9482").capacites[0]["nombre"] == 6
    assert AutorisationFiness.objects.count() == total

    AutorisationFiness.objects.filter(activite_id="43286").delete()
    lues.clear()
    troisieme = importer_fichier(STRUCTURES, activites=tmp_path / "a2.json")
    assert troisieme.nb_autorisations_modifiees == 1 and AutorisationFiness.objects.filter(activite_id="43286").exists()
    assert len(lues) == sum(len(_activites_de(p)) for p in donnees["pmej"])


def test_lecture_par_element_identique_a_ijson_et_repli_sur_l_inhabituel():
    """The fast reading (an element cut from the bytes, read by orjson) gives exactly the
    elements and groupings ijson gives on the real samples; a brace inside a text, which
    its count cannot follow, falls back to ijson with the same result."""
    import io

    from imports import finess_json as fj

    for chemin in (STRUCTURES, ACTIVITES):
        for rapide in (True, False):
            groupes = {"gcc": [], "gco": []}
            with open(chemin, "rb") as f:
                elements = [e for _, e, _ in fj._elements(f, rapide, groupes)]
            assert elements == echantillon(chemin)["pmej"]
            assert groupes == {"gcc": echantillon(chemin).get("gcc", []), "gco": echantillon(chemin).get("gco", [])}
    texte = b'{"schemaVersion": "v1.0.0", "pmej": [{"a": "x}", "b": [{"c": 1}, {"d": "]"}]}, {"e": null}]}'
    with pytest.raises(fj._Illisible):
        list(fj._elements(io.BytesIO(texte), True))
    assert fj._avec_repli(lambda f, rapide: [e for _, e, _ in fj._elements(f, rapide)], io.BytesIO(texte)) == [
        {"a": "x}", "b": [{"c": 1}, {"d": "]"}]}, {"e": None}]


@pytest.mark.django_db
def test_flux_structures_inchange_passe_sans_relire_sauf_ce_qui_a_bouge(national, tmp_path, monkeypatch):
    """An element of the structures flux with the same bytes, whose EG rows are as the last
    import left them, is passed over unread; one changed in the file, or whose EG was changed
    here, is read and applied; the counts stay those of the whole file."""
    from imports import finess_json as fj
    from imports.models import EmpreinteStructures

    donnees = echantillon()
    premier = importer_fichier(ecrire(tmp_path, donnees, "s1.json"))
    assert premier.statut == ImportFiness.Statut.TERMINE, premier.erreur
    assert EmpreinteStructures.objects.count() == len(donnees["pmej"]) == 23
    lus = []
    lire = fj._lire_etablissement
    monkeypatch.setattr(fj, "_lire_etablissement", lambda e, chemin, *args: lus.append(chemin) or lire(e, chemin, *args))
    assert ege(donnees, "010780195") is donnees["pmej"][1]["ege"][0]
    Structure.objects.filter(finess="010780195").update(nom="NOM CHANGÉ ICI")  # pmej[1]: its row moved
    autre = donnees["pmej"][17]["ege"][0]["informationsGeneralesEGE"]
    autre["nomEgeCourt"] = "NOUVEAU NOM"  # pmej[17] (an open EG): its bytes moved
    second = importer_fichier(ecrire(tmp_path, donnees, "s2.json"))
    assert second.statut == ImportFiness.Statut.TERMINE, second.erreur
    assert lus == ["pmej[1].ege[0]", "pmej[17].ege[0]"]
    assert (second.nb_etablissements, second.nb_ignores, second.nb_modifies) == (27, 12, 2)
    assert Structure.objects.get(finess="010780195").nom == "CLINIQUE CONVERT"
    assert Structure.objects.get(finess=autre["numFinessEge"]).nom == "NOUVEAU NOM"
    lus.clear()
    troisieme = importer_fichier(tmp_path / "s2.json")
    assert (lus, troisieme.nb_changements, troisieme.nb_etablissements) == ([], 0, 27)


@pytest.mark.django_db
def test_groupements_gcc_gco_du_flux_par_pmsmsseid(national, tmp_path, client, region):
    """FINESS's groupings name their members by pmSmsseId (informationsGeneralesPMEJ): the real
    sample's pmej[1] has pmSmsseId « 2 » for the EJ 010000156 (its EG: the CLINIQUE CONVERT
    010780195), pmej[8] « 9 » for 010000255. Its gcc name EJ absent from the sample (14869…):
    nothing to build. With the first gcc naming « 2 » (support, « S ») and « 9 », the GHT is
    built with them, shown on the fiche, unchanged by a second import, removed when closed."""
    from repertoire.models import EntiteFiness, Groupement

    donnees = echantillon()
    assert donnees["pmej"][1]["informationsGeneralesPMEJ"]["pmSmsseId"] == "2"
    assert donnees["pmej"][8]["informationsGeneralesPMEJ"]["numFinessPm"] == "010000255"
    premier = importer_fichier(STRUCTURES, confirme=True)  # the region's 49 is not in the sample
    assert premier.statut == ImportFiness.Statut.TERMINE, premier.erreur
    assert EntiteFiness.objects.get(pm_smsse_id="2").finess == "010000156"
    assert EntiteFiness.objects.get(pm_smsse_id="9").finess == "010000255"
    assert premier.nb_groupements == 0 and not Groupement.objects.filter(identifiant_finess__startswith="gc").exists()

    gcc = donnees["gcc"][0]
    assert (gcc["gccId"], gcc["nomGcc"], gcc["typeGcc"]) == ("1", "21-52 Côte d'Or-Haute-Marne", "001")
    gcc["pmejDuGcc"] = [{"pmSmsseId": "2", "typeRoleEntiteGroupe": "S"},
                        {"pmSmsseId": "9", "typeRoleEntiteGroupe": "M"},
                        {"pmSmsseId": "14869", "typeRoleEntiteGroupe": "M"}]  # not in the Répertoire
    donnees["gco"][0]["pmejDuGco"] = [{"pmSmsseId": "9", "typeRoleEntiteGroupe": "M"}]
    second = importer_fichier(ecrire(tmp_path, donnees, "s.json"), confirme=True)
    assert second.statut == ImportFiness.Statut.TERMINE, second.erreur
    ght = Groupement.objects.get(identifiant_finess="gcc:1")
    assert (ght.type, ght.type_finess, ght.nom, ght.support.finess) == ("GHT", "001", "21-52 Côte d'Or-Haute-Marne",
                                                                          "010000156")
    assert sorted(ght.membres.values_list("finess", flat=True)) == ["010000156", "010000255"]
    gco = Groupement.objects.get(identifiant_finess="gco:403")  # the gco « 403 »: not in the sample, named by its id
    assert (gco.type, gco.type_finess, gco.support, gco.nom) == ("GCO", "003", None, "Groupement FINESS 403")
    assert list(gco.membres.values_list("finess", flat=True)) == ["010000255"]
    assert second.nb_groupements == 2 == Groupement.objects.exclude(identifiant_finess="").count()

    client.force_login(region.consultant)
    page = client.get(reverse("repertoire:fiche", args=[Structure.objects.get(finess="010780195").pk])).content.decode()
    assert "21-52 Côte d&#x27;Or-Haute-Marne" in page and "Groupement hospitalier de territoire (FINESS)" in page
    assert "Groupement FINESS 403" not in page  # the clinique's EJ is not a member of that one

    troisieme = importer_fichier(tmp_path / "s.json", confirme=True)
    assert troisieme.nb_groupements == 0 and Groupement.objects.get(identifiant_finess="gcc:1").pk == ght.pk
    gcc["etatObjet"] = "I"
    quatrieme = importer_fichier(ecrire(tmp_path, donnees, "s2.json"), confirme=True)
    assert quatrieme.nb_groupements == 1 and not Groupement.objects.filter(identifiant_finess="gcc:1").exists()


@pytest.mark.django_db
def test_groupement_defectueux_refuse_avec_son_chemin(national, tmp_path):
    from repertoire.models import Groupement

    donnees = echantillon()
    donnees["gcc"][1]["pmejDuGcc"][0]["pmSmsseId"] = 74826  # a number, the schema says a text
    imp = importer_fichier(ecrire(tmp_path, donnees))
    assert imp.statut == ImportFiness.Statut.ECHEC and imp.element_erreur == "gcc[1].pmejDuGcc[0].pmSmsseId"
    assert "un texte est attendu" in imp.erreur and not Groupement.objects.exists()
    assert not Structure.objects.exists()


def test_groupement_saisi_ici_repris_par_finess_et_nom_pris_distingue(region):
    """A GHT entered here becomes FINESS's gcc of the same type and name (same row, its
    members now FINESS's); a second gcc of that name gets its id appended, not a duplicate."""
    from repertoire.models import EntiteFiness, Groupement, Structure
    from repertoire.services.groupements import synchroniser_groupements_finess

    ej, autre_ej = (Structure.objects.get(finess=f) for f in ("490000015", "490000031"))
    EntiteFiness.objects.create(finess=ej.finess, pm_smsse_id="11", nom=ej.nom)
    EntiteFiness.objects.create(finess=autre_ej.finess, pm_smsse_id="12", nom=autre_ej.nom)
    saisi = Groupement.objects.create(type="GHT", nom="GHT 49", support=ej)
    saisi.membres.set([ej])

    def gcc(gcc_id, membres, supports):
        return {"identifiant": f"gcc:{gcc_id}", "type": "GHT", "type_finess": "001", "nom": "GHT 49", "actif": True,
                "membres": membres, "supports": supports, "pm": ""}

    flux = [gcc("1", ["11"], ["12"]), gcc("2", ["11"], [])]
    assert synchroniser_groupements_finess(region.gestionnaire, flux, "test") == (1, 1, 0)
    repris = Groupement.objects.get(pk=saisi.pk)
    assert (repris.identifiant_finess, repris.nom, repris.support_id) == ("gcc:1", "GHT 49", autre_ej.pk)
    assert set(repris.membres.values_list("pk", flat=True)) == {ej.pk, autre_ej.pk}
    assert Groupement.objects.get(identifiant_finess="gcc:2").nom == "GHT 49 (gcc:2)"
    assert Groupement.objects.count() == 2


@pytest.mark.django_db
def test_registre_et_autorisations_inchanges_ne_changent_pas_la_version_de_l_offre():
    """The cached pages live under the offer's version: writing FINESS's register again as it
    is, or no authorisation, keeps it; a changed row moves it."""
    from repertoire.services import import_finess
    from repertoire.version import version_offre

    ligne = {"finess": "490000023", "finess_ej": "490000015", "nom": "EHPAD LES TILLEULS", "categorie": "500",
             "departement": "49", "date_ouverture": date(2001, 1, 1), "date_fermeture": None, "ferme": False,
             "cle_ban": "", "score_ban": None, "date_maj": date(2026, 3, 1)}
    assert import_finess.enregistrer_registre_finess([ligne], parmi={ligne["finess"]}) == 1
    avant = version_offre()
    assert import_finess.enregistrer_registre_finess([ligne], parmi={ligne["finess"]}) == 0
    assert import_finess.enregistrer_autorisations(iter(()), retirees=[]) == 0
    assert import_finess.enregistrer_autorisations(iter(()), nouvelles=True) == 0
    assert version_offre() == avant
    assert import_finess.enregistrer_registre_finess([{**ligne, "nom": "EHPAD LES TILLEULS 2"}],
                                                     parmi={ligne["finess"]}) == 1
    assert version_offre() > avant
