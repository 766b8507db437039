from django import template

register = template.Library()

# Audit actions as the gestionnaire reads them (unknown codes are shown as they are).
LIBELLES_ACTIONS = {
    "connexion": "Connexion",
    "connexion_echouee": "Échec de connexion",
    "compte_verrouille": "Compte verrouillé (trop d'échecs)",
    "deverrouillage": "Compte déverrouillé",
    "compte_cree": "Compte créé",
    "compte_desactive": "Compte désactivé",
    "compte_reactive": "Compte réactivé",
    "droit_accorde": "Droit accordé",
    "droit_retire": "Droit retiré",
    "roles_modifies": "Rôles modifiés",
    "demande_acces_recue": "Demande d'accès reçue",
    "demande_acces_acceptee": "Demande d'accès acceptée",
    "demande_acces_refusee": "Demande d'accès refusée",
    "cgu_acceptees": "CGU acceptées",
    "email_modifie": "Adresse électronique modifiée",
    "mot_de_passe_modifie": "Mot de passe modifié",
    "mot_de_passe_defini": "Mot de passe choisi (lien reçu par courriel)",
    "connexion_psc_echouee": "Échec de connexion Pro Santé Connect",
    "connexion_psc_sans_compte": "Pro Santé Connect : aucun compte correspondant",
    "journal_exporte": "Journal exporté",
}


@register.filter
def libelle_action(code: str) -> str:
    return LIBELLES_ACTIONS.get(code, code)
