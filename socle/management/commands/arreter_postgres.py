from django.conf import settings
from django.core.management.base import BaseCommand

from socle.embedded_db import stop


class Command(BaseCommand):
    help = "Arrête le serveur PostgreSQL embarqué (var/pgdata)."

    def handle(self, **options):
        stop(settings.BASE_DIR)
        self.stdout.write("Serveur PostgreSQL embarqué arrêté.")
