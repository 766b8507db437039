"""Dossiers collaboratifs: référents/directeurs of the structure fill, its directeur validates,
gestionnaires publish or reject; a consultant or a référent of another structure gets 403 everywhere."""

from tests.droits import Url


def _dossier(r, etat="brouillon"):
    """A dossier on the référent's EHPAD, brought to `etat` through the services."""
    from dossiers import services
    from dossiers.models import DossierCollaboratif

    existant = DossierCollaboratif.objects.filter(structure=r.ehpad, etat=etat).first()
    if existant:
        return existant
    dossier = services.ouvrir_dossier(r.referent, r.ehpad)
    if etat == "brouillon":
        return dossier
    fiche = dossier.fiches.get(structure=r.ehpad)
    services.enregistrer_fiche(r.referent, fiche, {"nom": "EHPAD LES TILLEULS ANGERS"}, finaliser=True)
    services.envoyer_en_validation(r.referent, dossier)
    if etat == "validation_gestionnaire":
        services.valider(r.directeur, dossier)
    return dossier


def _fiche(r, structure):
    dossier = _dossier(r)
    return {"pk": dossier.pk, "fiche": dossier.fiches.get(structure=structure).pk}


def remplir(nom, ok, **autres):
    """Référent and directeur of the structure, and gestionnaires."""
    return Url(nom, 302, 403, ok, 403, ok, ok, **autres)


def valider(nom, **autres):
    return Url(nom, 302, 403, 403, 403, 302, 403, methode="post", **autres)


def publier(nom, ok=302, methode="post", **autres):
    return Url(nom, 302, 403, 403, 403, 403, ok, methode=methode, **autres)


def _brouillon(r):
    return {"pk": _dossier(r).pk}


def _a_valider(r):
    return {"pk": _dossier(r, "validation_directeur").pk}


def _a_publier(r):
    return {"pk": _dossier(r, "validation_gestionnaire").pk}


ATTENDUS = [
    Url("dossiers:liste", 302, 403, 200, 200, 200, 200),
    remplir("dossiers:ouvrir", 200, kwargs=lambda r: {"pk": r.ehpad.pk}),
    remplir("dossiers:ouvrir", 302, kwargs=lambda r: {"pk": r.ehpad.pk}, methode="post"),
    remplir("dossiers:detail", 200, kwargs=_brouillon),
    remplir("dossiers:comparer", 200, kwargs=_brouillon),
    remplir("dossiers:fiche", 200, kwargs=lambda r: _fiche(r, r.ehpad)),
    remplir("dossiers:fiche", 302, kwargs=lambda r: _fiche(r, r.ehpad), methode="post",
            data=lambda r: {"nom": "EHPAD ANGERS", "action": "attente"}),
    remplir("dossiers:supprimer_unite", 302, kwargs=lambda r: _fiche(r, r.uo_aj), methode="post"),
    remplir("dossiers:retablir_unite", 302, kwargs=lambda r: _fiche(r, r.uo_aj), methode="post"),
    remplir("dossiers:deplacer_unite", 200, kwargs=lambda r: _fiche(r, r.uo_aj)),
    remplir("dossiers:creer_unites", 200, kwargs=_brouillon),
    remplir("dossiers:creer_structure", 200, kwargs=_brouillon),
    remplir("dossiers:nommage", 200, kwargs=lambda r: _fiche(r, r.ehpad)),
    remplir("dossiers:envoyer", 302, kwargs=_brouillon, methode="post"),
    remplir("dossiers:abandonner", 302, kwargs=_brouillon, methode="post"),
    remplir("dossiers:detail", 200, kwargs=_a_publier),
    valider("dossiers:valider", kwargs=_a_valider),
    valider("dossiers:renvoyer", kwargs=_a_valider, data=lambda r: {"commentaire": "À revoir"}),
    publier("dossiers:publier", ok=200, methode="get", kwargs=_a_publier),
    publier("dossiers:publier", kwargs=_a_publier),
    publier("dossiers:rejeter", kwargs=_a_publier, data=lambda r: {"commentaire": "Non conforme"}),
]
