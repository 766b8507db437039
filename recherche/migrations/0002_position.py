"""The earth position stored once per row (generated column) instead of ll_to_earth() per row
and per use at query time: radius filters and distances read it directly."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("recherche", "0001_initial")]

    operations = [
        migrations.RunSQL(
            """
            DROP INDEX IF EXISTS rech_position_gist;
            ALTER TABLE recherche_uniteindexee
              ADD COLUMN position earth GENERATED ALWAYS AS (ll_to_earth(latitude, longitude)) STORED;
            CREATE INDEX rech_position_gist ON recherche_uniteindexee USING gist (position);
            """,
            reverse_sql="""
            DROP INDEX IF EXISTS rech_position_gist;
            ALTER TABLE recherche_uniteindexee DROP COLUMN position;
            CREATE INDEX rech_position_gist ON recherche_uniteindexee USING gist (ll_to_earth(latitude, longitude));
            """,
        ),
    ]
