"""The beds API tokens move to repertoire.JetonApi (scope `lits`), their hash kept so that
every token in use keeps working; the beds history rows follow their token."""

import django.db.models.deletion
from django.db import migrations, models

# Old token id → new token id, matched on the hash (unique in both tables).
REPOINTER = """
UPDATE disponibilites_capacite c SET jeton_id = n.id
FROM {ancienne} a JOIN {nouvelle} n ON n.empreinte = a.empreinte
WHERE c.jeton_id = a.id
"""


def vers_repertoire(apps, schema_editor):
    Ancien = apps.get_model("disponibilites", "JetonApi")
    Nouveau = apps.get_model("repertoire", "JetonApi")
    Nouveau.objects.bulk_create([
        Nouveau(portee="lits", eg_id=j.eg_id, libelle=j.libelle, prefixe=j.prefixe, empreinte=j.empreinte,
                cree_le=j.cree_le, cree_par_id=j.cree_par_id, revoque_le=j.revoque_le, utilise_le=j.dernier_usage)
        for j in Ancien.objects.all()])
    schema_editor.execute(REPOINTER.format(ancienne=Ancien._meta.db_table, nouvelle=Nouveau._meta.db_table))


def vers_disponibilites(apps, schema_editor):
    Ancien = apps.get_model("disponibilites", "JetonApi")
    Nouveau = apps.get_model("repertoire", "JetonApi")
    lits = Nouveau.objects.filter(portee="lits")
    Ancien.objects.bulk_create([
        Ancien(eg_id=j.eg_id, libelle=j.libelle, prefixe=j.prefixe[:8], empreinte=j.empreinte, cree_le=j.cree_le,
               cree_par_id=j.cree_par_id, revoque_le=j.revoque_le, dernier_usage=j.utilise_le)
        for j in lits])
    schema_editor.execute(REPOINTER.format(ancienne=Nouveau._meta.db_table, nouvelle=Ancien._meta.db_table))
    lits.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("disponibilites", "0001_initial"),
        ("repertoire", "0005_jetonapi"),
    ]

    operations = [
        # No constraint while the ids are rewritten from one table's to the other's.
        migrations.AlterField(
            model_name="capacite", name="jeton",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="disponibilites.jetonapi", db_constraint=False),
        ),
        migrations.RunPython(vers_repertoire, vers_disponibilites),
        migrations.AlterField(
            model_name="capacite", name="jeton",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="repertoire.jetonapi"),
        ),
        migrations.DeleteModel(name="JetonApi"),
    ]
