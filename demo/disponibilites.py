"""Demo: a week of bed figures on the demo region's critical-care units, most recent, some stale.

Idempotent: the week is written once; on later runs, if the newest figure is more than
six hours old, one fresh round is added so the board still looks alive.
"""

import random
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from repertoire import access

from disponibilites.models import Capacite
from disponibilites.services import enregistrement, suivi


def _saisisseur(uo):
    """The first user holding a right that covers this unit (None: the figure came from software)."""
    return access.titulaires(uo, access.SAISIR_LITS).order_by("pk").first()


def _profil(uo) -> str:
    """Deterministic per unit: most are up to date, some stale, a few obsolete or never entered."""
    tirage = random.Random(uo.pk).random()
    if tirage < 0.70:
        return "a_jour"
    if tirage < 0.85:
        return "ancienne"
    if tirage < 0.95:
        return "obsolete"
    return "absente"


def _figures(uo, debut, fin, pas_heures, rng, source):
    installes = uo.lits_installes or 10
    figures, instant = [], fin  # backwards from the last figure, so that it is exactly `fin`
    while instant >= debut:
        occupes = rng.randint(max(0, installes - 5), installes)
        figures.append(enregistrement.Figure(uo, "02", installes - occupes, instant, source=source))
        figures.append(enregistrement.Figure(uo, "03", occupes, instant, source=source))
        instant -= timedelta(hours=pas_heures * rng.uniform(0.7, 1.3))
    return figures


def peupler_demo(stdout) -> None:
    unites = list(suivi.unites_concernees().uo().select_related("eg").order_by("pk"))
    if not unites:
        stdout.write("Disponibilités : aucune unité de soins critiques dans la démonstration.")
        return
    maintenant = timezone.now()
    derniere = Capacite.objects.aggregate(m=Max("date_maj"))["m"]
    if derniere and maintenant - derniere < timedelta(hours=6):
        stdout.write("Disponibilités : données de démonstration déjà à jour.")
        return
    premiere_fois = derniere is None
    total = 0
    for uo in unites:
        profil = _profil(uo)
        if profil == "absente":
            continue
        rng = random.Random(uo.pk * 7919 + int(maintenant.timestamp() // 21600))
        user = _saisisseur(uo)
        source = "01" if user else "02"
        age_dernier = {"a_jour": timedelta(minutes=rng.randint(5, 240)),
                       "ancienne": timedelta(hours=rng.uniform(13, 22)),
                       "obsolete": timedelta(hours=rng.uniform(26, 60))}[profil]
        fin = maintenant - age_dernier
        debut = fin - timedelta(days=7) if premiere_fois else fin
        if not premiere_fois and profil != "a_jour":
            continue  # stale units stay stale
        figures = _figures(uo, debut, fin, 6, rng, source)
        total += enregistrement.enregistrer_figures(figures, user=user).enregistrees
    stdout.write(f"Disponibilités : {total} données de lits sur {len(unites)} unités suivies "
                 "(la plupart à jour, certaines anciennes ou obsolètes).")
