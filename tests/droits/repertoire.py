from tests.droits import Url, lecture_connectee

# Who may edit the operational data of the EHPAD's UO: its référent, the directeur of its EJ, the gestionnaire.
EDITION_UO = dict(anonyme=302, consultant=403, referent_autre=403)


def _anomalie(region):
    from repertoire.models import SignalementAnomalie

    return {"pk": SignalementAnomalie.objects.create(structure=region.uo_hp, description="Téléphone faux").pk}


def _contacts_valides(region):
    return {"version": region.uo_hp.version, "telephone": "02 41 22 33 44", "email": "", "fax": "",
            "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0"}


ATTENDUS = [
    lecture_connectee("repertoire:arbre"),
    lecture_connectee("repertoire:arbre", query="mode=departement"),
    lecture_connectee("repertoire:arbre", query="q=tilleul"),
    lecture_connectee("repertoire:arbre_enfants", kwargs=lambda r: {"pk": r.ej.pk}),
    lecture_connectee("repertoire:arbre_departement", kwargs=lambda r: {"code": "49"}),
    lecture_connectee("repertoire:fiche", kwargs=lambda r: {"pk": r.uo_hp.pk}),
    lecture_connectee("repertoire:fiche", kwargs=lambda r: {"pk": r.ej.pk}),
    lecture_connectee("repertoire:historique", kwargs=lambda r: {"pk": r.uo_hp.pk}),
    lecture_connectee("repertoire:pdf", kwargs=lambda r: {"pk": r.uo_hp.pk}),
    Url("repertoire:modifier_encadre", referent=200, directeur=200, gestionnaire=200, **EDITION_UO,
        kwargs=lambda r: {"pk": r.uo_hp.pk, "cle": "contacts"}),
    Url("repertoire:modifier_encadre", referent=302, directeur=302, gestionnaire=302, **EDITION_UO,
        kwargs=lambda r: {"pk": r.uo_hp.pk, "cle": "contacts"}, methode="post", data=_contacts_valides),
    # EJ data: the gestionnaire only.
    Url("repertoire:modifier_encadre", 302, 403, 403, 403, 403, 200, kwargs=lambda r: {"pk": r.ej.pk, "cle": "contacts"}),
    Url("repertoire:verifier", referent=302, directeur=302, gestionnaire=302, **EDITION_UO,
        kwargs=lambda r: {"pk": r.uo_hp.pk}, methode="post"),
    Url("repertoire:favori", 302, 302, 302, 302, 302, 302, kwargs=lambda r: {"pk": r.uo_rea.pk}, methode="post"),
    lecture_connectee("repertoire:signaler", kwargs=lambda r: {"pk": r.uo_hp.pk}),
    Url("repertoire:signaler", 302, 302, 302, 302, 302, 302, kwargs=lambda r: {"pk": r.uo_hp.pk}, methode="post",
        data=lambda r: {"description": "Le numéro de téléphone ne répond plus."}),
    lecture_connectee("repertoire:anomalies"),
    Url("repertoire:traiter_anomalie", referent=302, directeur=302, gestionnaire=302, **EDITION_UO,
        kwargs=_anomalie, methode="post", data=lambda r: {"reponse": "Corrigé, merci."}),
    lecture_connectee("repertoire:communes", query="q=angers"),
]
