"""Tree filter by discipline at national scale: "does this EJ / EG hold a UO of these
disciplines?" becomes one probe of a small partial index instead of a scan of its UOs."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("repertoire", "0003_favoris_anomalies")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS structure_uo_ej_discipline ON repertoire_structure (ej_id, discipline) "
            "WHERE niveau = 'UO';"
            "CREATE INDEX IF NOT EXISTS structure_uo_eg_discipline ON repertoire_structure (eg_id, discipline) "
            "WHERE niveau = 'UO';",
            "DROP INDEX IF EXISTS structure_uo_ej_discipline; DROP INDEX IF EXISTS structure_uo_eg_discipline;",
        ),
    ]
