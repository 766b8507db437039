"""Situations de tension: declared and lifted by a gestionnaire; late units are reminded by e-mail."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import BadHeaderError, send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from nomenclatures.models import Concept
from repertoire import access as repertoire_access
from repertoire.models import Structure
from socle.audit import Action, journaliser
from socle.validateurs import une_ligne

from ..models import Relance, SituationTension
from .suivi import unites_concernees

logger = logging.getLogger(__name__)


@transaction.atomic
def declarer_tension(user, type_crise: Concept, departement, frequence_heures: int,
                     commentaire: str = "") -> SituationTension:
    repertoire_access.exiger(user, repertoire_access.ADMINISTRER)
    situation = SituationTension.objects.create(type_crise=type_crise, departement=departement,
                                                frequence_heures=frequence_heures, commentaire=commentaire,
                                                declaree_par=user)
    journaliser(user, Action.TENSION_DECLAREE, f"tension:{situation.pk}")
    return situation


@transaction.atomic
def lever_tension(user, situation: SituationTension) -> SituationTension:
    repertoire_access.exiger(user, repertoire_access.ADMINISTRER)
    if situation.fin is None:
        situation.fin = timezone.now()
        situation.levee_par = user
        situation.save(update_fields=["fin", "levee_par"])
        journaliser(user, Action.TENSION_LEVEE, f"tension:{situation.pk}")
    return situation


def situations_actives():
    return SituationTension.objects.filter(fin__isnull=True).select_related("type_crise", "departement")


def unites_en_retard(situation: SituationTension):
    """Followed units of the territory whose available beds were not updated within the expected frequency."""
    limite = timezone.now() - timedelta(hours=situation.frequence_heures)
    unites = unites_concernees().select_related("eg", "situation_lits")
    if situation.departement_id:
        unites = unites.filter(Q(departement_id=situation.departement_id)
                               | Q(departement__isnull=True, eg__departement_id=situation.departement_id))
    return unites.filter(Q(situation_lits__isnull=True) | Q(situation_lits__disponibles_le__isnull=True)
                         | Q(situation_lits__disponibles_le__lt=limite)).order_by("eg__nom", "nom")


def referents_de(uo: Structure) -> list[str]:
    """E-mail addresses of the people who enter this unit's beds (rights on it or above)."""
    titulaires = repertoire_access.titulaires(uo, repertoire_access.REFERENT, repertoire_access.SAISIE_LITS)
    return sorted(set(titulaires.exclude(email__isnull=True).exclude(email="").values_list("email", flat=True)))


def relancer_retards(acteur, situation: SituationTension) -> int:
    """E-mail the référents of late units (at most once per DISPONIBILITES_RELANCE_MINUTES each).
    `acteur` None: the periodic task."""
    if acteur is not None:
        repertoire_access.exiger(acteur, repertoire_access.ADMINISTRER)
    if not situation.active:
        return 0
    recent = timezone.now() - timedelta(minutes=settings.DISPONIBILITES_RELANCE_MINUTES)
    deja = set(Relance.objects.filter(situation=situation, envoyee_le__gte=recent).values_list("uo_id", flat=True))
    envoyees = 0
    lien = getattr(settings, "ROR_URL_PORTAIL", "") + reverse("disponibilites:saisie")
    for uo in unites_en_retard(situation):
        if uo.pk in deja:
            continue
        destinataires = referents_de(uo)
        if destinataires:
            try:  # each unit on its own: one mail that cannot leave must not stop the others
                send_mail(
                    une_ligne(f"[ROR] {situation.type_crise.libelle} : lits disponibles à mettre à jour — {uo.nom}"),
                    f"Bonjour,\n\nUne situation de tension est déclarée ({situation}). Les lits disponibles de "
                    f"l'unité « {uo.nom} » ({uo.eg.nom if uo.eg_id else ''}) doivent être mis à jour au moins "
                    f"toutes les {situation.frequence_heures} heures ; la dernière mise à jour date de plus "
                    f"longtemps.\n\nMettre à jour : {lien}\n\nL'équipe du ROR {settings.ROR_REGION_NOM}",
                    None, destinataires)
            except (BadHeaderError, ValueError, OSError):
                logger.exception("Relance de lits non envoyée pour l'unité %s", uo.pk)
                continue  # not recorded: tried again at the next run
            envoyees += 1
        Relance.objects.create(situation=situation, uo=uo, destinataires=len(destinataires))
    if acteur is not None:
        journaliser(acteur, Action.TENSION_RELANCE, f"tension:{situation.pk}", {"unites": envoyees})
    return envoyees
