"""Benchmark: a dossier collaboratif on the biggest structures of the database.

    DATABASE_URL=postgresql://…/bench_dossiers?host=… .venv/bin/python bench/dossiers.py [--tours 3]

Opens a dossier on the EG with the most units and on the EJ with the most EGs, edits
fiches (rename the EG, change 20 units, create 5, delete 1), sends, validates, checks the
conflicts and publishes (then runs what its commit would run: the search index follows),
then the list and "à traiter" queries; then changes every fiche of the largest EJ (its
comment) and publishes that. Every tour runs inside a
transaction that is rolled back: the database is left as it was (use a copy, never the
shared `ror` database). Prints the time of each step (median over the tours).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))


class _Annuler(Exception):
    pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tours", type=int, default=3)
    parser.add_argument("--profil", metavar="FICHIER", help="cProfile of the EJ publication (pstats file), "
                        "then the 25 costliest functions (cumulative time)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ror.settings")
    os.environ.setdefault("DEBUG", "1")  # a development tool: its settings, explicitly
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.db.models import Count

    from dossiers import access, comparaison, services
    from dossiers.models import FicheBrouillon
    from nomenclatures.models import Concept
    from repertoire import access as repertoire_access
    from repertoire.models import Niveau, Structure
    from repertoire.services import droits

    nb_eg = Structure.objects.eg().count()
    nb_uo = Structure.objects.uo().count()
    grosse_eg = (Structure.objects.uo().values("eg").annotate(n=Count("id"))
                 .order_by("-n").first())
    grosse_ej = (Structure.objects.eg().values("ej").annotate(n=Count("id"))
                 .order_by("-n").first())
    eg = Structure.objects.get(pk=grosse_eg["eg"])
    ej = Structure.objects.get(pk=grosse_ej["ej"])
    print(f"Base : {nb_eg} EG, {nb_uo} UO. EG la plus grande : {eg.nom} ({grosse_eg['n']} UO) ; "
          f"EJ la plus grande : {ej.nom} ({grosse_ej['n']} EG, {ej.get_descendant_count()} fiches).")
    type_uo, activite = Concept.objects.du_jeu("J34").get(code="21"), Concept.objects.du_jeu("J17").get(code="293")
    mesures: dict[str, list[float]] = {}

    def mesurer(etape, fonction, *a, **k):
        debut = time.perf_counter()
        resultat = fonction(*a, **k)
        mesures.setdefault(etape, []).append((time.perf_counter() - debut) * 1000)
        return resultat

    def publier(etape, *a, **k):
        """The publication, then what the user still waits for after its commit (search index,
        quality campaigns: the callbacks it registered), run here since the tour is rolled back."""
        deja = len(connection.run_on_commit)
        mesurer(etape, services.publier_dossier, *a, **k)
        rappels = connection.run_on_commit[deja:]
        mesurer(f"  puis après validation {etape.split(' ', 1)[1]}", lambda: [rappel() for _, rappel, _ in rappels])

    User = get_user_model()
    for _ in range(args.tours):
        try:
            with transaction.atomic():
                gestionnaire = User.objects.create(username="bench-gestionnaire")
                gestionnaire.groups.add(Group.objects.get_or_create(name=repertoire_access.GROUPE_GESTIONNAIRE)[0])
                referent = User.objects.create(username="bench-referent")
                directeur = User.objects.create(username="bench-directeur")
                droits.accorder_droit(None, referent, "referent", eg)
                droits.accorder_droit(None, directeur, "directeur", eg.ej)

                dossier = mesurer("ouvrir (EG la plus grande)", services.ouvrir_dossier, referent, eg)
                fiche_eg = mesurer("ouvrir une fiche", services.preparer_fiche, referent,
                                   dossier.fiches.get(structure=eg))
                mesurer("enregistrer une fiche", services.enregistrer_fiche, referent, fiche_eg,
                        {"nom": eg.nom + " BIS"}, finaliser=False)
                for fiche in dossier.fiches.filter(niveau=Niveau.UO)[:20]:
                    services.enregistrer_fiche(referent, fiche, {"conditions_admission": "Sur dossier"},
                                               finaliser=False)
                    fiche.statut = "finalisee"
                    fiche.save(update_fields=["statut"])
                services.enregistrer_fiche(referent, fiche_eg, {}, finaliser=False)
                fiche_eg.statut = "finalisee"
                fiche_eg.save(update_fields=["statut"])
                creees = mesurer("créer 5 unités", services.creer_unites, referent, dossier, eg, 5, nom="Bench",
                                 discipline="MSS", type_uo=type_uo)
                for fiche in creees:
                    services.enregistrer_fiche(referent, fiche, {"age_min": 60, "age_max": 120,
                                                                 "activites": [activite.pk]}, finaliser=True)
                services.supprimer_unite(referent, dossier.fiches.filter(niveau=Niveau.UO, creation=False).last())
                mesurer("envoyer en validation", services.envoyer_en_validation, referent, dossier)
                mesurer("valider", services.valider, directeur, dossier)
                mesurer("calculer les conflits", services.conflits, dossier)
                publier("publier (27 changements)", gestionnaire, dossier, motif="Libellés de l'autorisation (bench)")
                autre = mesurer("ouvrir (EJ la plus grande)", services.ouvrir_dossier, gestionnaire, ej)
                mesurer("liste des dossiers (gestionnaire)", lambda: list(
                    access.dossiers_autorises(gestionnaire, access.VOIR).order_by("-modifie_le")[:50]))
                mesurer("à traiter (référent)", lambda: list(access.dossiers_a_traiter(referent)))
                assert autre.fiches.count() == ej.get_descendant_count() + 1
                # Every fiche of the largest EJ changed (its comment), then published. Opening copies
                # no fiche (each is copied when first opened or changed): copy them all first.
                mesurer("copier toutes les fiches (EJ)", services.copier_fiches, autre.fiches.all())
                fiches = list(autre.fiches.all())
                for fiche in fiches:
                    fiche.donnees = {**fiche.donnees, "commentaire": "Revu en dossier (bench)"}
                    fiche.statut = "finalisee"
                FicheBrouillon.objects.bulk_update(fiches, ["donnees", "statut"], batch_size=500)
                droits.accorder_droit(None, directeur, "directeur", ej)
                services.envoyer_en_validation(gestionnaire, autre)
                services.valider(directeur, autre)
                une_eg = Structure.objects.filter(parent=ej).first()
                mesurer(f"comparer (EJ, {len(fiches)} changements)", comparaison.changements, fiches)
                if args.profil:
                    import cProfile

                    profil = cProfile.Profile()
                    profil.enable()
                publier(f"publier (EJ, {len(fiches)} changements)", gestionnaire, autre, motif="bench")
                if args.profil:
                    profil.disable()
                    profil.dump_stats(args.profil)
                assert Structure.objects.filter(pk=ej.pk, commentaire="Revu en dossier (bench)").exists()
                historique = Structure.history.filter(id=une_eg.pk).latest()
                assert historique.changements["champs"] == {"commentaire": une_eg.commentaire}, historique.changements
                raise _Annuler
        except _Annuler:
            pass
    for nom, valeurs in mesures.items():
        print(f"{nom:<36} médiane {statistics.median(valeurs):8.1f} ms   max {max(valeurs):8.1f} ms")
    if args.profil:
        import pstats

        pstats.Stats(args.profil).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
