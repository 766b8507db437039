from django.apps import AppConfig


class SocleConfig(AppConfig):
    """The ground: the user model, the audit journal and helpers every app shares.

    It keeps the label `ror` it was born with, so existing databases keep their tables
    (`ror_user`, `ror_journalaudit`) and migration history unchanged.
    """

    name = "socle"
    label = "ror"
    verbose_name = "Portail ROR : socle"
