"""An existing database keeps working across the architecture's moves.

Access requests and CGU acceptances moved from the ground app (label `ror`) to `comptes`
by a state-only migration: their rows must be read back, unchanged, by the new models.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

AVANT_LE_DEPLACEMENT = ("ror", "0002_acceptationcgu_demandeacces")


@pytest.mark.django_db(transaction=True)
def test_une_base_d_avant_le_deplacement_garde_ses_demandes_et_ses_cgu(region):
    from comptes.models import AcceptationCGU, DemandeAcces

    executor = MigrationExecutor(connection)
    executor.migrate([("comptes", None)])  # back to before the move (ror.0003 is unapplied with it)
    anciennes = MigrationExecutor(connection).loader.project_state(AVANT_LE_DEPLACEMENT).apps
    demande = anciennes.get_model("ror", "DemandeAcces").objects.create(
        prenom="Anne", nom="Martin", email="anne.martin@example.fr", structure_id=region.ehpad.pk,
        role="referent", justification="Référente qualité")
    anciennes.get_model("ror", "AcceptationCGU").objects.create(user_id=region.referent.pk, version="2026-1")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    relue = DemandeAcces.objects.get(pk=demande.pk)
    assert (relue.nom, relue.structure, relue.get_role_display()) == (
        "Martin", region.ehpad, "Référent de la structure")
    assert AcceptationCGU.objects.get(user=region.referent).version == "2026-1"
    assert not MigrationExecutor(connection).migration_plan(executor.loader.graph.leaf_nodes())
