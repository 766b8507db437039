"""The accessibility statement's figures (settings.ROR_ACCESSIBILITE) and the state they give."""

from django.conf import settings

NON_CONFORME, PARTIELLEMENT, TOTALEMENT = "non conforme", "partiellement conforme", "totalement conforme"


def taux() -> float | None:
    try:
        return float(str(settings.ROR_ACCESSIBILITE.get("taux") or "").replace(",", "."))
    except ValueError:
        return None


def etat() -> str:
    """The RGAA state: "totalement" at 100 %, "partiellement" from 50 %, else (or with no audit) "non conforme"."""
    t = taux()
    if t is None or t < 50:
        return NON_CONFORME
    return TOTALEMENT if t >= 100 else PARTIELLEMENT


def declaration() -> dict:
    return {**settings.ROR_ACCESSIBILITE, "taux": taux(), "etat": etat()}
