"""Available beds over the last days, per unit or per territory, drawn as SVG on the server."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import NATURE_LIT, STATUT_DISPONIBLE, TEMPORALITE_COURANT, Capacite

LARGEUR, HAUTEUR, MARGE_G, MARGE_B, MARGE_H, MARGE_D = 720, 240, 48, 32, 12, 12


@dataclass
class Serie:
    points: list[tuple[datetime, int | None]]  # value at the start of each step
    debut: datetime
    fin: datetime


def _disponibles():
    return Capacite.objects.filter(statut__code=STATUT_DISPONIBLE, statut__nomenclature__cle="R330",
                                   temporalite__code=TEMPORALITE_COURANT, nature__code=NATURE_LIT)


def serie(filtre: Q, jours: int | None = None, maintenant: datetime | None = None, pas_heures: int = 1) -> Serie:
    """Sum over the matching units of their latest available beds, every `pas_heures` hours."""
    fin = maintenant or timezone.now()
    debut = fin - timedelta(days=jours or settings.DISPONIBILITES_HISTORIQUE_JOURS)
    base = _disponibles().filter(filtre)
    valeurs = {}
    # Each unit's figure at the start of the window, then every change within it.
    for uo_id, nombre in (base.filter(date_maj__lt=debut).order_by("uo_id", "-date_maj", "-id")
                          .distinct("uo_id").values_list("uo_id", "nombre")):
        valeurs[uo_id] = nombre
    changements = list(base.filter(date_maj__gte=debut, date_maj__lte=fin).order_by("date_maj", "id")
                       .values_list("date_maj", "uo_id", "nombre"))
    points, i, instant = [], 0, debut
    while instant <= fin:
        while i < len(changements) and changements[i][0] <= instant:
            valeurs[changements[i][1]] = changements[i][2]
            i += 1
        points.append((instant, sum(valeurs.values()) if valeurs else None))
        instant += timedelta(hours=pas_heures)
    while i < len(changements):
        valeurs[changements[i][1]] = changements[i][2]
        i += 1
    points.append((fin, sum(valeurs.values()) if valeurs else None))
    return Serie(points, debut, fin)


def graphique(s: Serie) -> dict:
    """Coordinates for the SVG template: a step line, axis ticks, and a summary per day."""
    connues = [v for _, v in s.points if v is not None]
    maximum = max(connues + [1])
    largeur_utile, hauteur_utile = LARGEUR - MARGE_G - MARGE_D, HAUTEUR - MARGE_H - MARGE_B
    duree = (s.fin - s.debut).total_seconds() or 1

    # Coordinates as strings with a dot: the French locale would print floats "12,5" in templates.
    def x(instant):
        return f"{MARGE_G + largeur_utile * (instant - s.debut).total_seconds() / duree:.1f}"

    def y(valeur):
        return f"{MARGE_H + hauteur_utile * (1 - valeur / maximum):.1f}"

    segments, precedent = [], None
    for instant, valeur in s.points:
        if valeur is None:
            precedent = None
            continue
        if precedent is not None:
            segments.append(f"{x(instant)},{y(precedent)}")
        segments.append(f"{x(instant)},{y(valeur)}")
        precedent = valeur
    local = timezone.localtime
    jours, jour = [], local(s.debut).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    while jour <= local(s.fin):
        jours.append({"x": x(jour), "libelle": jour.strftime("%d/%m")})
        jour += timedelta(days=1)
    resume = {}
    for instant, valeur in s.points:
        if valeur is not None:
            cle = local(instant).strftime("%d/%m/%Y")
            mini, maxi, _ = resume.get(cle, (valeur, valeur, valeur))
            resume[cle] = (min(mini, valeur), max(maxi, valeur), valeur)
    return {
        "largeur": LARGEUR, "hauteur": HAUTEUR, "points": " ".join(segments),
        "x0": MARGE_G, "x1": LARGEUR - MARGE_D, "x_libelle_y": MARGE_G - 6, "y0": HAUTEUR - MARGE_B, "y_haut": MARGE_H,
        "graduations_y": [{"y": y(v), "valeur": v} for v in sorted({0, maximum // 2, maximum})],
        "jours": jours, "y_libelle_jour": HAUTEUR - MARGE_B + 18,
        "resume": [{"jour": j, "min": a, "max": b, "dernier": c} for j, (a, b, c) in resume.items()],
        "vide": not connues,
        "dernier": connues[-1] if connues else None,
    }
