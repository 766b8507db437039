from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demonstration region and its accounts: the very top layer, which may use every app.

    No product app imports it (tests/test_architecture.py).
    """

    name = "demo"
    verbose_name = "Région de démonstration"
