"""Demo: one dossier awaiting the directeur's validation and one awaiting the gestionnaire.

Uses the demo accounts (referent, directeur, gestionnaire) and picks the structures
through their rights; idempotent (does nothing once the demo dossiers exist).
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from nomenclatures.models import Concept
from repertoire import access as repertoire_access
from repertoire.models import Niveau, Structure

from dossiers import services
from dossiers.brouillon import champs_manquants
from dossiers.models import ETATS_OUVERTS, DossierCollaboratif

TITRE_DEMO = "Démonstration : "


def _comptes():
    comptes = {u.username: u for u in get_user_model().objects.filter(
        username__in=["referent", "directeur", "gestionnaire"], is_active=True)}
    return comptes if len(comptes) == 3 else None


def _eg_libres(user, exclure=()):
    """EGs the user may open a dossier on, with no open dossier on them or their EJ."""
    occupees = DossierCollaboratif.objects.filter(etat__in=ETATS_OUVERTS).values("structure")
    return (repertoire_access.structures_autorisees(user, repertoire_access.OUVRIR_DOSSIER)
            .eg().exclude(pk__in=occupees).exclude(ej__in=occupees)
            .exclude(pk__in=exclure).order_by("pk"))


def _type_et_activite(eg: Structure):
    """A type d'UO and an activité like the EG's existing units (an EHPAD's by default)."""
    modele = Structure.objects.uo().filter(eg=eg).exclude(type_uo=None).exclude(discipline="").first()
    if modele and modele.activites.exists():
        return modele.discipline, modele.type_uo, modele.activites.first()
    return "MSS", Concept.objects.du_jeu("J34").get(code="21"), Concept.objects.du_jeu("J17").get(code="293")


def _dossier_avec_une_unite(user, eg: Structure, titre: str, nom_unite: str) -> DossierCollaboratif:
    dossier = services.ouvrir_dossier(user, eg, TITRE_DEMO + titre)
    discipline, type_uo, activite = _type_et_activite(eg)
    [fiche] = services.creer_unites(user, dossier, eg, 1, nom=nom_unite, discipline=discipline, type_uo=type_uo)
    services.enregistrer_fiche(user, fiche, {"age_min": 60, "age_max": 120, "activites": [activite.pk]},
                               finaliser=True)
    fiche_eg = dossier.fiches.get(structure=eg)
    services.copier_fiches([fiche_eg])
    nom_regle = eg.nom.upper()
    if nom_regle != eg.nom and not champs_manquants(Niveau.EG, fiche_eg.donnees):
        services.enregistrer_fiche(user, fiche_eg, {"nom": nom_regle}, finaliser=True)
    services.envoyer_en_validation(user, dossier, "Création d'une unité, à valider.")
    return dossier


@transaction.atomic
def peupler_demo(stdout) -> None:
    comptes = _comptes()
    if not comptes:
        stdout.write("dossiers : comptes de démonstration absents (manage.py comptes_demo), pas de dossier de démo.")
        return
    referent, directeur = comptes["referent"], comptes["directeur"]
    if DossierCollaboratif.objects.filter(titre__startswith=TITRE_DEMO).exists():
        return
    a_valider = next((eg for eg in _eg_libres(referent)
                      if repertoire_access.peut(directeur, repertoire_access.DIRECTEUR, eg)), None)
    if a_valider is None:
        stdout.write("dossiers : aucune EG commune au référent et au directeur de démonstration.")
        return
    premier = _dossier_avec_une_unite(referent, a_valider, "accueil temporaire", "Hebergement temporaire - personnes agees")
    # The second one on another EG the directeur holds (opened by the référent when it can).
    autre = (_eg_libres(referent, [a_valider.pk]).first()
             or next((eg for eg in _eg_libres(directeur, [a_valider.pk])), None))
    if autre is None:
        stdout.write(f"dossiers : {premier.reference} en attente du directeur (pas d'autre EG libre).")
        return
    auteur = referent if repertoire_access.peut(referent, repertoire_access.OUVRIR_DOSSIER, autre) else directeur
    second = _dossier_avec_une_unite(auteur, autre, "nouvel accueil de jour", "Accueil de jour - personnes agees")
    if repertoire_access.peut(directeur, repertoire_access.DIRECTEUR, autre):
        services.valider(directeur, second, "Vu avec l'équipe de direction.")
    stdout.write(f"dossiers : {premier.reference} attend le directeur, {second.reference} attend le gestionnaire.")
