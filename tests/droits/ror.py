from tests.droits import Url, gestionnaire_seulement, lecture_connectee, lecture_publique


def _demande(region):
    from comptes.models import DemandeAcces

    return DemandeAcces.objects.create(prenom="Anne", nom="Martin", email="anne.martin@exemple.fr",
                                       structure=region.ehpad, role="referent", justification="Cadre de santé")


def _verrouillage(region):
    from axes.models import AccessAttempt

    return AccessAttempt.objects.create(username="referent", ip_address="10.0.0.1", failures_since_start=5,
                                        user_agent="test", path_info="/connexion/", get_data="", post_data="")


def _ecriture_gestionnaire(nom, **autres):
    """A POST only gestionnaires may make (they are redirected to the page showing the result)."""
    return Url(nom, 302, 403, 403, 403, 403, 302, methode="post", **autres)


_compte = {"kwargs": lambda r: {"pk": r.consultant.pk}}
_referents_ehpad = {"kwargs": lambda r: {"pk": r.ehpad.pk}}

ATTENDUS = [
    lecture_publique("accueil"),
    lecture_publique("login"),
    lecture_publique("accessibilite"),  # the déclaration d'accessibilité, public by law
    lecture_publique("sante"),  # the monitoring's health page
    # An unknown uploaded file: anonymous visitors go to the login page, everyone else gets 404.
    Url("fichier_protege", 302, 404, 404, 404, 404, 404, kwargs=lambda r: {"chemin": "inconnu/fichier.pdf"}),
    Url("logout", 302, 302, 302, 302, 302, 302, methode="post"),
    # Public: access request, forgotten password (Django's token flow)
    lecture_publique("comptes:demande_acces"),
    lecture_publique("comptes:demande_envoyee"),
    lecture_publique("comptes:reinitialisation"),
    lecture_publique("comptes:reinitialisation_envoyee"),
    lecture_publique("comptes:reinitialisation_confirmer", kwargs=lambda r: {"uidb64": "MQ", "token": "faux-jeton"}),
    lecture_publique("comptes:reinitialisation_terminee"),
    # Pro Santé Connect is not configured in tests: nobody reaches it
    Url("comptes:psc_connexion", 404, 404, 404, 404, 404, 404),
    Url("comptes:psc_retour", 404, 404, 404, 404, 404, 404),
    # Every logged-in user: their own account
    lecture_connectee("comptes:mon_compte"),
    lecture_connectee("comptes:email_changer"),
    # a forged or stale link: the page says so, nothing changes
    lecture_connectee("comptes:email_confirmer", kwargs=lambda r: {"jeton": "faux-jeton"}),
    Url("comptes:email_confirmer", 302, 302, 302, 302, 302, 302, methode="post",
        kwargs=lambda r: {"jeton": "faux-jeton"}),
    lecture_connectee("comptes:demande_confirmer", kwargs=lambda r: {"jeton": "faux-jeton"}),
    Url("comptes:demande_confirmer", 302, 302, 302, 302, 302, 302, methode="post",
        kwargs=lambda r: {"jeton": "faux-jeton"}),
    lecture_connectee("comptes:mot_de_passe_changer"),
    lecture_connectee("comptes:cgu"),
    # A directeur names the référents of his own EJ/EG (the directeur holds the EJ of the EHPAD)
    Url("comptes:referents", 302, 403, 403, 403, 200, 200, **_referents_ehpad),
    Url("comptes:referents", 302, 403, 403, 403, 200, 200, kwargs=lambda r: {"pk": r.ej.pk}),
    Url("comptes:referents", 302, 403, 403, 403, 403, 200, kwargs=lambda r: {"pk": r.ch.pk}),
    Url("comptes:referents", 302, 403, 403, 403, 403, 403, kwargs=lambda r: {"pk": r.uo_hp.pk}),
    Url("comptes:referents", 302, 403, 403, 403, 302, 302, methode="post", **_referents_ehpad,
        data=lambda r: {"email": r.referent_autre.email}),
    Url("comptes:referent_retirer", 302, 403, 403, 403, 302, 302, methode="post",
        kwargs=lambda r: {"pk": r.ehpad.pk, "user_pk": r.referent.pk}),
    Url("comptes:referent_retirer", 302, 403, 403, 403, 403, 302, methode="post",
        kwargs=lambda r: {"pk": r.ch.pk, "user_pk": r.referent_autre.pk}),
    # Gestionnaires only
    gestionnaire_seulement("comptes:demandes"),
    gestionnaire_seulement("comptes:demande", kwargs=lambda r: {"pk": _demande(r).pk}),
    _ecriture_gestionnaire("comptes:demande_accepter", kwargs=lambda r: {"pk": _demande(r).pk}),
    _ecriture_gestionnaire("comptes:demande_refuser", kwargs=lambda r: {"pk": _demande(r).pk},
                           data=lambda r: {"motif": "Structure hors région"}),
    Url("comptes:demande_accepter", 405, 405, 405, 405, 405, 405, kwargs=lambda r: {"pk": _demande(r).pk}),
    gestionnaire_seulement("comptes:utilisateurs"),
    gestionnaire_seulement("comptes:utilisateur", **_compte),
    _ecriture_gestionnaire("comptes:droit_ajouter", **_compte,
                           data=lambda r: {"droit": "referent", "structure_recherche": r.ch.finess}),
    _ecriture_gestionnaire("comptes:droit_retirer", kwargs=lambda r: {"pk": r.referent.pk},
                           data=lambda r: {"droit": "referent", "structure": r.ehpad.pk}),
    _ecriture_gestionnaire("comptes:roles", **_compte, data=lambda r: {"groupes": ["Référent structure"]}),
    _ecriture_gestionnaire("comptes:desactiver", **_compte),
    _ecriture_gestionnaire("comptes:reactiver", **_compte),
    gestionnaire_seulement("comptes:verrouillages"),
    _ecriture_gestionnaire("comptes:deverrouiller", kwargs=lambda r: {"pk": _verrouillage(r).pk}),
    gestionnaire_seulement("comptes:journal"),
    gestionnaire_seulement("comptes:journal_csv"),
]
