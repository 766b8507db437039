"""Deny by default, checked everywhere: every URL × every role answers as listed in tests/droits/."""

import importlib
import pkgutil

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver

import tests.droits
from tests.droits import ROLES

# URL names outside the matrix on purpose: Django's admin (its own staff checks).
IGNORES_PREFIXES = ("admin:",)


def _toutes_les_attentes():
    attentes = []
    for module in pkgutil.iter_modules(tests.droits.__path__):
        attentes += importlib.import_module(f"tests.droits.{module.name}").ATTENDUS
    return attentes


def _noms_d_url(resolver=None, prefixe=""):
    resolver = resolver or get_resolver()
    for motif in resolver.url_patterns:
        if isinstance(motif, URLResolver):
            espace = f"{prefixe}{motif.namespace}:" if motif.namespace else prefixe
            yield from _noms_d_url(motif, espace)
        elif isinstance(motif, URLPattern) and motif.name:
            yield prefixe + motif.name


ATTENTES = _toutes_les_attentes()


def test_chaque_url_nommee_figure_dans_la_matrice():
    listees = {a.nom for a in ATTENTES}
    oubliees = sorted(n for n in set(_noms_d_url()) if not n.startswith(IGNORES_PREFIXES) and n not in listees)
    assert not oubliees, f"URL absentes de tests/droits/ : {oubliees}"


class _Annuler(Exception):
    pass


@pytest.mark.django_db
@pytest.mark.parametrize("attente", ATTENTES, ids=str)
def test_matrice(attente, region, client):
    url = reverse(attente.nom, kwargs=attente.kwargs(region))
    if attente.query:
        url += "?" + attente.query
    obtenus = {}
    for role in ROLES:
        try:
            with transaction.atomic():  # each role sees the region as it was
                client.logout()
                if role != "anonyme":
                    client.force_login(getattr(region, role))
                reponse = getattr(client, attente.methode)(url, attente.data(region))
                obtenus[role] = reponse.status_code
                raise _Annuler
        except _Annuler:
            pass
    attendus = {role: attente.attendu(role) for role in ROLES}
    assert obtenus == attendus
