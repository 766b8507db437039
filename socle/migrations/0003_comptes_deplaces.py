"""The account models now live in the `comptes` app (state only; tables unchanged)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ror', '0002_acceptationcgu_demandeacces'),
        ('comptes', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='AcceptationCGU'),
                migrations.DeleteModel(name='DemandeAcces'),
            ],
            database_operations=[],
        ),
    ]
