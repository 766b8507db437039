"""The Répertoire's part of the demo: favourites and a reported anomaly, made through the services; the
place, housing and activity family of a demo built before those fields existed."""

from django.contrib.auth import get_user_model

from repertoire.models import Niveau, SignalementAnomalie, Structure
from repertoire.services import favoris, signalements

from demo.region import completer_lieux_et_familles


def peupler_demo(stdout) -> None:
    completees = completer_lieux_et_familles()
    if completees:
        stdout.write(f"Répertoire : lieu, habitation et famille d'activités renseignés pour {completees} unités.")
    utilisateurs = {u.username: u for u in get_user_model().objects.filter(username__in=["referent", "consultant"])}
    ehpad = Structure.objects.filter(nom="EHPAD LES MAGNOLIAS", niveau=Niveau.EG).first()
    chu = Structure.objects.filter(nom="CHU ANGERS", niveau=Niveau.EG).first()
    if len(utilisateurs) < 2 or not ehpad or not chu:
        return
    favoris.ajouter_favori(utilisateurs["referent"], chu)
    favoris.ajouter_favori(utilisateurs["consultant"], ehpad)
    accueil = ehpad.get_children().filter(nom="Accueil de jour").first()
    if accueil and not SignalementAnomalie.objects.filter(structure=accueil).exists():
        signalements.signaler_anomalie(utilisateurs["consultant"], accueil,
                                       "Le numéro du secrétariat ne répond plus ; l'accueil de jour est aussi ouvert "
                                       "le samedi matin.")
    stdout.write("Répertoire : favoris des comptes de démonstration et une anomalie signalée à traiter.")
