from .models import JournalAudit


def journaliser(acteur, action: str, cible: str = "", details: dict | None = None, adresse_ip: str | None = None):
    """Write one audit row. `cible` is an identifier, never an e-mail or a name (no personal data in logs)."""
    return JournalAudit.objects.create(
        acteur=acteur if (acteur is not None and getattr(acteur, "pk", None)) else None,
        action=action, cible=cible, details=details or {}, adresse_ip=adresse_ip,
    )
