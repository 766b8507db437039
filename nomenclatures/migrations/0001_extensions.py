"""PostgreSQL features the search relies on: trigrams, unaccent, earth distance,
and a French text-search configuration that ignores accents."""

from django.contrib.postgres.operations import CreateExtension, TrigramExtension, UnaccentExtension
from django.db import migrations

FRENCH_UNACCENT = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
    CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
    ALTER TEXT SEARCH CONFIGURATION french_unaccent
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
  END IF;
END
$$;
-- unaccent() is STABLE; an IMMUTABLE wrapper lets indexes and generated columns use it.
CREATE OR REPLACE FUNCTION immutable_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $f$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $f$;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        CreateExtension("cube"),
        CreateExtension("earthdistance"),
        migrations.RunSQL(FRENCH_UNACCENT, reverse_sql="DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent; "
                                                       "DROP FUNCTION IF EXISTS immutable_unaccent(text);"),
    ]
