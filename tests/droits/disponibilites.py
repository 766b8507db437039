from tests.droits import Url, gestionnaire_seulement, lecture_connectee


def _situation(region):
    from disponibilites.services import situations_tension
    from tests.factories import concept

    return situations_tension.declarer_tension(region.gestionnaire, concept("J194", "02"), None, 4)


def _jeton(region):
    from repertoire.models import PorteeJeton
    from repertoire.services import jetons_api

    return jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.LITS, "Logiciel de test", eg=region.ch)[0]


def _saisie(region):
    return {f"u{region.uo_rea.pk}-disponibles": "3"}


ATTENDUS = [
    lecture_connectee("disponibilites:tableau"),
    lecture_connectee("disponibilites:tableau", query="type=reanimation&age=adultes&departement=49"),
    lecture_connectee("disponibilites:tableau_contenu"),
    lecture_connectee("disponibilites:carte"),
    lecture_connectee("disponibilites:export_csv"),
    lecture_connectee("disponibilites:historique_territoire", query="departement=49"),
    lecture_connectee("disponibilites:historique_unite", kwargs=lambda r: {"pk": r.uo_rea.pk}),
    # A unit that is not followed for beds has no beds history.
    Url("disponibilites:historique_unite", 302, 404, 404, 404, 404, 404, kwargs=lambda r: {"pk": r.uo_hp.pk}),
    # Entering beds: anyone responsible for a structure (the page lists only their followed units).
    Url("disponibilites:saisie", 302, 403, 200, 200, 200, 200),
    Url("disponibilites:saisie", 302, 403, 302, 302, 302, 302, methode="post", data=_saisie),
    Url("disponibilites:saisie", 302, 403, 302, 400, 302, 400, methode="post",
        data=lambda r: {f"u{r.uo_rea.pk}-disponibles": "99"}),
    gestionnaire_seulement("disponibilites:tensions"),
    gestionnaire_seulement("disponibilites:tension", kwargs=lambda r: {"pk": _situation(r).pk}),
    gestionnaire_seulement("disponibilites:tension", ok=302, methode="post", data=lambda r: {"action": "relancer"},
                           kwargs=lambda r: {"pk": _situation(r).pk}),
    gestionnaire_seulement("disponibilites:unites_suivies"),
    gestionnaire_seulement("disponibilites:unites_suivies", ok=302, methode="post",
                           data=lambda r: {"uo": r.uo_hp.pk, "suivie": "1"}),
    gestionnaire_seulement("disponibilites:jetons"),
    gestionnaire_seulement("disponibilites:modifier_jeton", ok=302, methode="post",
                           kwargs=lambda r: {"pk": _jeton(r).pk}, data=lambda r: {"expire_le": _dans_cent_jours()}),
    gestionnaire_seulement("disponibilites:revoquer_jeton", ok=302, methode="post",
                           kwargs=lambda r: {"pk": _jeton(r).pk}),
    # Bed-management software authenticate with a token, never with a session.
    Url("disponibilites:api_lits", 401, 401, 401, 401, 401, 401, methode="post"),
]


def _dans_cent_jours():
    from datetime import date, timedelta

    return (date.today() + timedelta(days=100)).isoformat()
