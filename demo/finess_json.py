"""Demo: the daily FINESS JSON flux of the demo region, imported once, with authorisations.

The flux describes the region's EG as the Répertoire has them, plus what a real day brings:
changed phones, one establishment closed in FINESS (state and closure event), a new clinic
whose réanimation authorisation proposes its unit, and authorisations for the hospitals
(réanimation, urgences, néonatalogie) and the EHPAD. Afterwards two gaps a region really
has: an establishment closed here but open in FINESS (EX2), a category changed here (CO4).
The ANS requirements are snapshot before and after, so the dashboard shows a trend.
Idempotent: done once (additive to the CSV demo import of demo/imports.py).
"""

import json
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from imports.importer import executer
from imports.models import ImportFiness
from nomenclatures.cache import concept_id
from qualite.services import relever_exigences
from repertoire.models import Etat, Structure
from repertoire.services import offre

NOM_FICHIER = "finess-structures-journalier-20260513-demonstration.json"
GENERE = "2026-05-13T04:00:00.000000000Z"
HOPITAUX = {"101", "106", "355"}


def _evenement(ident, code, quand, type_objet="EG"):
    return {"evenementId": f"{ident}{code}", "dateEnregistrement": "2026-05-13 03:00:00", "dateEvenement": quand,
            "etatObjet1": code, "identifiantObjet1": str(ident), "systemeMaitre": "01", "typeObjet1": type_objet,
            "codeEvenement": code}


def _ege(eg, ident: int) -> dict:
    ouverture = (eg.date_ouverture or date(1990, 1, 1)).isoformat()
    adresse = {"usageAdresse": "03", "numeroVoie": eg.numero_voie or None,
               "typeVoie": eg.type_voie.code if eg.type_voie else None, "libelleVoie": eg.voie or None,
               "lieuDit": eg.lieu_dit or None, "cogCommune": eg.commune_id, "codePostal": eg.code_postal}
    if eg.latitude is not None:
        adresse["coordonneesGeographique"] = {
            "coordonneeX": "0", "coordonneeY": "0", "directionLatitude": f"{eg.latitude:.6f}",
            "directionLongitude": f"{eg.longitude:.6f}", "cleInInteropBAN": f"{eg.commune_id}_{ident % 9999:04d}_00001",
            "scoreBAN": "0.93"}
    return {"informationsGeneralesEGE": {"egeId": str(ident), "dateOuverture": ouverture,
                                         "datePremiereAutorisation": ouverture, "nomEgeCourt": eg.nom,
                                         "nomEgeLong": eg.nom_officiel or eg.nom, "numFinessEge": eg.finess,
                                         "siret": eg.siret or None},
            "categorieentiteGeographiqueExercice": eg.categorie.code,
            "adresse": [adresse],
            "contact": [{"typeContact": {"roleContact": "01"},
                         "telecom": {"telephone": eg.telephone.replace(" ", "") or None}}],
            "evenement": [_evenement(ident, "003", ouverture), _evenement(ident, "007", ouverture)],
            "etatObjet": "A", "dateDerniereMaj": "2026-05-12 00:00:00"}


def _activite(ident: int, eg_ident, nature: str, codes: tuple, autorisation=None) -> dict:
    cles = {"AMF": ("activiteAMF", "modaliteActivite", "formeActivite"),
            "AMSR": ("activiteSocialeRegulee", "modeFonctionnement", "public")}[nature]
    return {"caracteristiquesGeneriques": {
                "activiteAeId": str(ident), "etatObjet": "A", "identifiantAutorisation": autorisation,
                "numAutorisationArhgos": f"52-{ident:05d}" if nature == "AMF" and not eg_ident else None,
                "dateDebutActiviteAutorisee": "2023-06-01", "dateFinActiviteAutorisee": "2030-05-31"
                if nature == "AMF" else None, "egeId": str(eg_ident) if eg_ident else None, "typeActiviteSMSSE": "272"},
            "nature": {"codeNature": "ASMR" if nature == "AMSR" else nature,
                       "caracteristiquesSpecifiques": {"activiteAeId": str(ident),
                                                       f"typeActivite{nature}": dict(zip(cles, codes))}},
            "evenement": [_evenement(ident, "010", "2023-06-01", "AC")], "capacite": []}


def _flux(egs: list[Structure]) -> tuple[bytes, bytes]:
    par_ej: dict[str, list] = {}
    for eg in egs:
        par_ej.setdefault(eg.ej.finess, []).append(eg)
    structures, activites, ident = [], [], 1
    ferme = egs[40].finess  # closed in FINESS today
    for i, (ej_finess, ses_egs) in enumerate(sorted(par_ej.items())):
        ej = ses_egs[0].ej
        pm_id, ident = ident, ident + 1
        eges, ege_activites, autorisees = [], [], []
        for eg in ses_egs:
            e = _ege(eg, ident)
            if eg.finess == ferme:
                e["etatObjet"] = "I"
                e["informationsGeneralesEGE"]["dateFermeture"] = "2026-04-30"
                e["evenement"].append(_evenement(ident, "005", "2026-04-30"))
            if i % 37 == 5 and eg.telephone:  # FINESS has a new phone number
                e["contact"][0]["telecom"]["telephone"] = "02" + eg.finess[-8:]
            eges.append(e)
            codes = ([("15", "09", "01"), ("14", "23", "01"), ("03", "04", "01")] if eg.categorie.code in HOPITAUX
                     else [("924", "11", "711")] if eg.categorie.code == "500" else [])
            exercees = []
            for c in codes:
                nature = "AMF" if len(c[0]) == 2 else "AMSR"
                autorisees.append(_activite(ident + 1, None, nature, c))
                exercees.append(_activite(ident + 2, ident, nature, c, str(ident + 1)))
                ident += 2
            ege_activites.append({"egeId": str(ident), "numFinessEge": eg.finess, "activitesExercees": exercees})
            ident += 1
        if i == 3 and not any(e.finess.endswith("9900017") for e in egs):  # a new clinic, authorised for réanimation
            modele = ses_egs[0]
            nouveau = _ege(modele, ident)
            infos = nouveau["informationsGeneralesEGE"]
            infos.update(numFinessEge=f"{modele.finess[:2]}99000{17:02d}", nomEgeCourt="CLINIQUE DU VAL (DEMO)",
                         nomEgeLong="CLINIQUE DU VAL DE SOINS CRITIQUES", siret=None, dateOuverture="2026-05-02")
            nouveau["categorieentiteGeographiqueExercice"] = "365"
            eges.append(nouveau)
            autorisees.append(_activite(ident + 1, None, "AMF", ("15", "09", "01")))
            ege_activites.append({"egeId": str(ident), "numFinessEge": infos["numFinessEge"], "activitesExercees": [
                _activite(ident + 2, ident, "AMF", ("15", "09", "01"), str(ident + 1))]})
            ident += 3
        structures.append({"informationsGeneralesPMEJ": {
                               "pmSmsseId": str(pm_id), "dateCreation": "1990-01-01", "denominationLonguePmSmsse": ej.nom,
                               "denominationPm": ej.nom[:38], "numFinessPm": ej_finess, "siren": ej.siren or None,
                               "statutJuridique": "60", "typePersonneMorale": "01"},
                           "adresse": [{"usageAdresse": "02", "cogCommune": ej.commune_id or ses_egs[0].commune_id,
                                        "codePostal": ses_egs[0].code_postal}],
                           "evenement": [_evenement(pm_id, "001", "1990-01-01", "PM")], "ege": eges,
                           "etatObjet": "A", "dateDerniereMaj": "2026-05-12 00:00:00"})
        activites.append({"numFiness": ej_finess, "pmSmsseId": str(pm_id), "activitesAutorisees": autorisees,
                          "ege": ege_activites})
    en_tete = {"schemaVersion": "v1.0.0", "generatedAt": GENERE}
    return (json.dumps({**en_tete, "gcc": [], "gco": [], "pmej": structures}, ensure_ascii=False).encode(),
            json.dumps({**en_tete, "pmej": activites}, ensure_ascii=False).encode())


def peupler_demo(stdout) -> None:
    if ImportFiness.objects.filter(origine=ImportFiness.Origine.DEMONSTRATION, nom_fichier=NOM_FICHIER).exists():
        return
    deps = settings.FINESS_DEPARTEMENTS or []
    egs = list(Structure.objects.eg().filter(departement_id__in=deps, etat=Etat.OUVERT, categorie__isnull=False,
                                             ej__isnull=False, commune__isnull=False)
               .exclude(finess="").exclude(ej__finess="").select_related("ej", "type_voie", "categorie")
               .order_by("finess"))
    if len(egs) < 60:
        stdout.write("Flux FINESS JSON de démonstration : pas assez d'établissements dans la région.")
        return
    aujourd_hui = timezone.localdate()
    relever_exigences(aujourd_hui - timedelta(days=14))  # before the flux: FINESS's register is empty
    gestionnaire = get_user_model().objects.filter(username="gestionnaire").first()
    structures, activites = _flux(egs)
    imp = ImportFiness.objects.create(par=gestionnaire, origine=ImportFiness.Origine.DEMONSTRATION,
                                      nom_fichier=NOM_FICHIER,
                                      chemin_activites="finess-activites-journalier-20260513-demonstration.json")
    imp = executer(imp, structures, activites=activites, confirme=True)
    # The hospitals' units linked to the authorisation they serve (réanimation, urgences…).
    from repertoire import autorisations as regles
    from repertoire.services.import_finess import lier_uo_autorisation

    for eg in Structure.objects.eg().filter(finess__in={e.finess for e in egs if e.categorie.code in HOPITAUX}):
        for uo in Structure.objects.uo().filter(eg=eg, autorisation__isnull=True).prefetch_related("activites"):
            servie = regles.autorisation_servie(eg, [a.code for a in uo.activites.all()])
            if servie is not None:
                lier_uo_autorisation(gestionnaire, uo, servie)
    relever_exigences(aujourd_hui - timedelta(days=7))
    # Two gaps a region has: closed here without FINESS (EX2), a category changed here (CO4).
    offre.fermer_structure(gestionnaire, egs[10], raison="Fermeture saisie sans FINESS (démonstration)")
    autre = "202" if egs[20].categorie.code != "202" else "500"
    offre.modifier_structure(gestionnaire, egs[20], {"categorie_id": concept_id("J55", autre)},
                             raison="Catégorie modifiée (démonstration)")
    relever_exigences(aujourd_hui)
    stdout.write(f"Flux FINESS JSON de démonstration : {imp.get_statut_display()} {imp.erreur} — {imp.nb_nouveaux} "
                 f"nouveaux, {imp.nb_modifies} modifiés, {imp.nb_fermes} fermé(s), {imp.nb_autorisations} "
                 f"autorisations ; exigences ANS relevées sur trois semaines.")
