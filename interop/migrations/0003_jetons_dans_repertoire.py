"""The FHIR consumers' tokens move to repertoire.JetonApi (scope `fhir`), their hash kept
so that every token in use keeps working."""

from django.db import migrations


def vers_repertoire(apps, schema_editor):
    Ancien = apps.get_model("interop", "JetonApi")
    Nouveau = apps.get_model("repertoire", "JetonApi")
    Nouveau.objects.bulk_create([
        Nouveau(portee="fhir", libelle=j.consommateur, prefixe=j.prefixe, empreinte=j.empreinte, cree_le=j.cree_le,
                cree_par_id=j.cree_par_id, revoque_le=j.revoque_le, revoque_par_id=j.revoque_par_id,
                utilise_le=j.derniere_utilisation)
        for j in Ancien.objects.all()])


def vers_interop(apps, schema_editor):
    Ancien = apps.get_model("interop", "JetonApi")
    Nouveau = apps.get_model("repertoire", "JetonApi")
    fhir = Nouveau.objects.filter(portee="fhir")
    Ancien.objects.bulk_create([
        Ancien(consommateur=j.libelle, prefixe=j.prefixe, empreinte=j.empreinte, cree_le=j.cree_le,
               cree_par_id=j.cree_par_id, revoque_le=j.revoque_le, revoque_par_id=j.revoque_par_id,
               derniere_utilisation=j.utilise_le)
        for j in fhir])
    fhir.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("interop", "0002_index_last_updated"),
        ("repertoire", "0005_jetonapi"),
    ]

    operations = [
        migrations.RunPython(vers_repertoire, vers_interop),
        migrations.DeleteModel(name="JetonApi"),
    ]
