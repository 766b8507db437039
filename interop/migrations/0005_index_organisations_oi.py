"""The Organization `_lastUpdated` index covers the OI too: Organization serves EJ, EG and OI, and a
partial index on EJ and EG only does not answer `niveau IN ('EJ', 'EG', 'OI')` (a national page of
Organizations then sorted the whole table: 1.3 s)."""

from django.db import migrations

ANCIEN = "CREATE INDEX IF NOT EXISTS interop_structure_org_maj ON repertoire_structure (modifie_le, id) " \
         "WHERE niveau IN ('EJ', 'EG')"
NOUVEAU = "CREATE INDEX IF NOT EXISTS interop_structure_orga_maj ON repertoire_structure (modifie_le, id) " \
          "WHERE niveau IN ('EJ', 'EG', 'OI')"


class Migration(migrations.Migration):
    dependencies = [("interop", "0004_export_fhir")]

    operations = [
        migrations.RunSQL(NOUVEAU, "DROP INDEX IF EXISTS interop_structure_orga_maj"),
        migrations.RunSQL("DROP INDEX IF EXISTS interop_structure_org_maj", ANCIEN),
    ]
