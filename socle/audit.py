from .models import Action, JournalAudit

__all__ = ["Action", "journaliser"]


def journaliser(acteur, action: Action, cible: str = "", details: dict | None = None, adresse_ip: str | None = None):
    """Write one audit row. `cible` is an identifier, never an e-mail or a name (no personal data in logs)."""
    return JournalAudit.objects.create(
        acteur=acteur if (acteur is not None and getattr(acteur, "pk", None)) else None,
        action=Action(action),  # an unknown code fails here, not silently in the journal page
        cible=cible, details=details or {}, adresse_ip=adresse_ip,
    )
