"""Monthly reminder to référents: structures not verified for 11 months, incomplete UOs."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from repertoire import access

from .indicateurs import FINALISE, manques, non_verifiees, uos_evaluees

LIMITE_PAR_LISTE = 30


def _perimetres_des_referents() -> dict:
    """{référent: the structures under their référent rights} for active référents with an e-mail."""
    referents = access.titulaires(None, access.REFERENT).exclude(email__isnull=True).exclude(email="")
    return {referent: access.structures_autorisees(referent, access.REFERENT) for referent in referents}


def envoyer_relances() -> int:
    """Send one e-mail per référent who has something to verify or complete; return how many were sent."""
    envoyes = 0
    for referent, structures in _perimetres_des_referents().items():
        a_verifier = non_verifiees(settings.QUALITE_MOIS_RELANCE, structures).order_by("date_verification", "nom")
        incompletes = uos_evaluees(structures).exclude(statut=FINALISE).select_related("eg").order_by("eg__nom", "nom")
        nb_a_verifier, nb_incompletes = a_verifier.count(), incompletes.count()
        if not (nb_a_verifier or nb_incompletes):
            continue
        liste_incompletes = list(incompletes[:LIMITE_PAR_LISTE])
        for uo in liste_incompletes:
            uo.manques = manques(uo)
        corps = render_to_string("qualite/relance.txt", {
            "referent": referent, "site": settings.ROR_SITE_TITLE, "mois": settings.QUALITE_MOIS_RELANCE,
            "a_verifier": a_verifier[:LIMITE_PAR_LISTE], "nb_a_verifier": nb_a_verifier,
            "incompletes": liste_incompletes, "nb_incompletes": nb_incompletes, "limite": LIMITE_PAR_LISTE})
        send_mail(f"{settings.ROR_SITE_TITLE} : vos fiches à vérifier ou compléter", corps, None, [referent.email])
        envoyes += 1
    return envoyes
