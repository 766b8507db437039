"""Répertoire benchmark: server time of a fiche page, of expanding a département / an EJ
in the tree, of the name filter, and of the PDF export.

    .venv/bin/python bench/repertoire.py                       # local database
    DATABASE_URL=postgresql://…/bench_repertoire?host=… .venv/bin/python bench/repertoire.py

Goals (issue #3): fiche p95 ≤ 50 ms, département expansion p95 ≤ 100 ms, PDF ≤ 1 s.
Times are measured around Django's test client (URL resolution, views, queries,
templates), without network.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ror.settings")
os.environ.setdefault("DEBUG", "1")  # a development tool: its settings, explicitly
os.environ.setdefault("ROR_CACHE", "aucun")  # each page computed, as a new query is

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from repertoire.models import Niveau, Structure  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
settings.DEBUG = False


def percentile(valeurs, p):
    valeurs = sorted(valeurs)
    return valeurs[min(len(valeurs) - 1, int(round(p / 100 * (len(valeurs) - 1))))]


def mesurer(client, urls, entetes=None, repetitions=1):
    durees, requetes = [], []
    for url in urls:
        for _ in range(repetitions):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as q:
                debut = time.perf_counter()
                reponse = client.get(url, **(entetes or {}))
                durees.append((time.perf_counter() - debut) * 1000)
            requetes.append(len(q))
            assert reponse.status_code == 200, (url, reponse.status_code)
    return durees, requetes


def afficher(titre, durees, requetes):
    print(f"{titre:<42} n={len(durees):>4}  p50={statistics.median(durees):7.1f} ms  "
          f"p95={percentile(durees, 95):7.1f} ms  max={max(durees):7.1f} ms  requêtes/page≈{max(requetes)}")


def main():
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench_repertoire", defaults={"email": ""})
    if getattr(settings, "ROR_CGU_VERSION", "") and getattr(user, "cgu_version", None) != settings.ROR_CGU_VERSION:
        user.cgu_version = settings.ROR_CGU_VERSION  # a reader who accepted the CGU (no redirect to them)
        user.save(update_fields=["cgu_version"])
    client = Client()
    client.force_login(user)
    comptes = {n: Structure.objects.filter(niveau=n).count() for n in (Niveau.EJ, Niveau.EG, Niveau.UO)}
    print(f"Base : {settings.DATABASES['default']['NAME']} — {comptes[Niveau.EJ]} EJ, {comptes[Niveau.EG]} EG, "
          f"{comptes[Niveau.UO]} UO")
    uos = list(Structure.objects.uo().order_by("?").values_list("pk", flat=True)[:300])
    egs = list(Structure.objects.eg().order_by("?").values_list("pk", flat=True)[:100])
    ejs = list(Structure.objects.ej().order_by("?").values_list("pk", flat=True)[:100])
    departements = list(Structure.objects.eg().order_by().values_list("departement_id", flat=True)
                        .distinct())
    mesurer(client, [f"/repertoire/{pk}/" for pk in uos[:20]])  # warm-up
    afficher("Fiche UO (page complète)", *mesurer(client, [f"/repertoire/{pk}/" for pk in uos]))
    afficher("Fiche EG (page complète)", *mesurer(client, [f"/repertoire/{pk}/" for pk in egs]))
    htmx = {"HTTP_HX_REQUEST": "true"}
    afficher("Arbre : déplier un département",
             *mesurer(client, [f"/repertoire/departement/{d}/" for d in departements if d], htmx))
    afficher("Arbre : déplier une EJ", *mesurer(client, [f"/repertoire/noeud/{pk}/enfants/" for pk in ejs], htmx))
    afficher("Arbre : déplier une EG", *mesurer(client, [f"/repertoire/noeud/{pk}/enfants/" for pk in egs], htmx))
    afficher("Arbre : racine par EJ (100 premières)", *mesurer(client, ["/repertoire/"], repetitions=10))
    afficher("Arbre : par département", *mesurer(client, ["/repertoire/?mode=departement"], repetitions=10))
    afficher("Arbre : filtre par nom (« ehpad », « réa »…)",
             *mesurer(client, [f"/repertoire/?q={q}" for q in ("ehpad", "reanimation", "accueil de jour", "HOPITAL",
                                                                 "pédiatrie", "ssiad")], repetitions=3))
    afficher("Arbre : filtre discipline MCO (racine)",
             *mesurer(client, ["/repertoire/?filtre=1&d=MCO"], repetitions=5))
    afficher("Historique d'une UO", *mesurer(client, [f"/repertoire/{pk}/historique/" for pk in uos[:50]]))
    afficher("PDF d'une UO", *mesurer(client, [f"/repertoire/{pk}/pdf/" for pk in uos[:10]]))
    # An EG's PDF: made in the request up to ROR_PDF_SEUIL_ASYNCHRONE units, beyond by a Celery task
    # (the request answers a waiting page with the progress): both measured, and the task's own work.
    from repertoire import pdf as export_pdf

    seuil = settings.ROR_PDF_SEUIL_ASYNCHRONE
    par_taille = sorted((export_pdf.nb_uo(eg), eg.pk) for eg in Structure.objects.filter(pk__in=egs))
    grandes = [pk for n, pk in par_taille if n > seuil][:10]
    # the largest ones still made in the request (few in a sample: most EG have more units)
    petites = list(Structure.objects.uo().exclude(eg=None).order_by().values("eg").annotate(n=Count("id"))
                   .filter(n__lte=seuil).order_by("-n").values_list("eg", flat=True)[:10])
    print(f"PDF d'une EG : au-delà de {seuil} UO produit par une tâche Celery (ROR_PDF_SEUIL_ASYNCHRONE)")
    if petites:
        afficher(f"PDF d'une EG ≤ {seuil} UO (dans la requête)",
                 *mesurer(client, [f"/repertoire/{pk}/pdf/" for pk in petites]))
    if grandes:
        afficher(f"PDF d'une EG > {seuil} UO (page d'attente)", *mesurer(client, [f"/repertoire/{pk}/pdf/" for pk in grandes]))
    plus_grande = (Structure.objects.uo().exclude(eg=None).order_by().values_list("eg").annotate(n=Count("id"))
                   .order_by("-n").first())
    if plus_grande:
        debut = time.perf_counter()
        contenu = export_pdf.fiche_pdf(Structure.objects.get(pk=plus_grande[0]))
        print(f"{'Tâche : PDF de la plus grande EG (' + str(plus_grande[1]) + ' UO)':<42} "
              f"{(time.perf_counter() - debut) * 1000:9.1f} ms, {len(contenu) // 1024} Ko")


if __name__ == "__main__":
    main()
