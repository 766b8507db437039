from django.db import migrations, models


class Migration(migrations.Migration):
    """A dossier's fiches are copied when first opened or changed (a large EJ opens at once)."""

    dependencies = [
        ("dossiers", "0002_parent_fiche"),
    ]

    operations = [
        migrations.AddField(
            model_name="fichebrouillon",
            name="copiee",
            field=models.BooleanField(db_default=True, default=True, verbose_name="copiée"),
        ),
    ]
