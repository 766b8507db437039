"""Indexes serving FHIR `_lastUpdated` pages: keyset order (modifie_le, id) per resource
level, on repertoire's table (the reading side of interop needs them; repertoire does not)."""

from django.db import migrations

INDEXES = {
    "interop_structure_uo_maj": "niveau = 'UO'",
    "interop_structure_org_maj": "niveau IN ('EJ', 'EG')",
}


class Migration(migrations.Migration):
    dependencies = [("interop", "0001_initial"), ("repertoire", "0002_initial")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {nom} ON repertoire_structure (modifie_le, id) WHERE {condition}",
            f"DROP INDEX IF EXISTS {nom}",
        )
        for nom, condition in INDEXES.items()
    ]
