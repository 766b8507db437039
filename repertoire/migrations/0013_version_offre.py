from django.db import migrations


class Migration(migrations.Migration):
    """The version of the offer (repertoire.version): a sequence, bumped by every write of the offer."""

    dependencies = [
        ("repertoire", "0012_jeton_expiration_profil"),
    ]

    operations = [
        migrations.RunSQL("CREATE SEQUENCE IF NOT EXISTS repertoire_version_offre",
                          "DROP SEQUENCE IF EXISTS repertoire_version_offre"),
    ]
