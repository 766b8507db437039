"""ViaTrajectoire synchronisation: every published change of an EG or UO of its
perimeter goes to a configured HTTPS endpoint as a FHIR transaction Bundle.

1. `collecter_changements()` reads the offer's history (simple-history records of
   Structure, Contact, Horaire) since the last pass and adds one outbox row per
   change, with a stable id (uuid5 of its history record): collecting twice adds
   nothing.
2. `envoyer_en_attente()` sends the pending rows oldest first, one at a time, each
   inside a transaction holding its row lock; the row is marked sent in that same
   transaction. A worker killed mid-run loses nothing (the row is still pending,
   the lock dies with its connection); at worst the change in flight is sent again
   with the same id, which the receiver ignores.
3. Network errors and 5xx raise EchecTransitoire (the Celery task retries with
   exponential backoff); a 4xx rejects the change (shown on the EG with its message).
"""

import http.client
import json
import socket
import urllib.error
import urllib.request
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from repertoire.models import Contact, Discipline, Horaire, Niveau, Structure
from socle.audit import Action, journaliser

from . import fhir
from .models import ChangementSync, CurseurSync, EtatChangement, EtatSync, EtatSyncEG

# Publics (J29) of the medico-social part of the perimeter: personnes âgées, handicapées.
PUBLICS_PA_PH = {"01", "02", "03", "05"}
ESPACE_IDS = uuid.UUID("6f1c2b1e-7a43-4c7e-9a55-3f0d1b2c9e10")
MARGE_LECTURE = timedelta(minutes=5)  # transactions committed late with an earlier history_date
VERROU = zlib.crc32(b"interop.viatrajectoire")
LOT_ENVOI = 100  # pending changes whose messages are built together


class EchecTransitoire(Exception):
    """Network error or 5xx: try again later."""


class Rejet(Exception):
    """4xx: ViaTrajectoire refuses this change; retrying will not help."""


class ConfigurationInvalide(Exception):
    pass


# -- perimeter -------------------------------------------------------------------------

def uo_du_perimetre(queryset=None):
    """UO in ViaTrajectoire's perimeter: health (MCO, SMR, PSY, SLD…) and medico-social for
    older or disabled people. City medicine is out; a medico-social UO whose publics are
    known and include neither PA nor PH is out. (EXISTS, not IN: a million UO nationally.)"""
    queryset = queryset if queryset is not None else Structure.objects.all()
    publics = Structure.publics.through.objects.filter(structure_id=OuterRef("pk"))
    pa_ph = publics.filter(concept__code__in=PUBLICS_PA_PH, concept__nomenclature__cle="J29")
    return (queryset.uo().exclude(discipline=Discipline.VIL)
            .exclude(Q(discipline=Discipline.MSS) & Exists(publics) & ~Exists(pa_ph)))


def eg_du_perimetre():
    return Structure.objects.eg().filter(
        Exists(uo_du_perimetre().filter(eg_id=OuterRef("pk"))))


# -- 1. collect ------------------------------------------------------------------------

def _id_stable(cle: str) -> uuid.UUID:
    return uuid.uuid5(ESPACE_IDS, f"{settings.ROR_REGION_CODE}:{cle}")


def collecter_changements() -> int:
    """Add the published changes since the last pass to the outbox. Returns how many were added."""
    with transaction.atomic():
        curseur, _ = CurseurSync.objects.select_for_update().get_or_create(nom="viatrajectoire")
        depuis = curseur.history_date - MARGE_LECTURE if curseur.history_date else None
        lignes = []  # (cle, structure_id, niveau, eg_id, date, suppression)
        historique = Structure.history.filter(niveau__in=[Niveau.EG, Niveau.UO])
        if depuis:
            historique = historique.filter(history_date__gt=depuis)
        for hid, sid, niveau, eg_id, date, type_h in historique.order_by("history_date").values_list(
                "history_id", "id", "niveau", "eg_id", "history_date", "history_type").iterator(chunk_size=5000):
            lignes.append((f"structure:{hid}", sid, niveau, sid if niveau == Niveau.EG else eg_id, date, type_h == "-"))
        for modele, prefixe in ((Contact, "contact"), (Horaire, "horaire")):
            hist = modele.history.all()
            if depuis:
                hist = hist.filter(history_date__gt=depuis)
            rangs = list(hist.values_list("history_id", "structure_id", "history_date"))
            niveaux = dict((pk, (n, eg)) for pk, n, eg in Structure.objects.de_niveaux(Niveau.EG, Niveau.UO).filter(
                pk__in={r[1] for r in rangs}).values_list("pk", "niveau", "eg_id")
                .iterator()) if rangs else {}
            for hid, sid, date in rangs:
                if sid in niveaux:
                    niveau, eg_id = niveaux[sid]
                    lignes.append((f"{prefixe}:{hid}", sid, niveau, sid if niveau == Niveau.EG else eg_id, date, False))
        if not lignes:
            return 0
        egs = set(eg_du_perimetre().values_list("pk", flat=True))
        uos = {sid for _, sid, niveau, _, _, sup in lignes if niveau == Niveau.UO and not sup}
        hors = uos - set(uo_du_perimetre(Structure.objects.filter(pk__in=uos)).values_list("pk", flat=True))
        a_creer = [
            ChangementSync(id=_id_stable(cle), cle=cle, structure_id=sid, eg_id=eg_id, niveau=niveau,
                           suppression=sup, date_changement=date)
            for cle, sid, niveau, eg_id, date, sup in lignes
            if eg_id in egs and sid not in hors
        ]
        avant = ChangementSync.objects.count()
        ChangementSync.objects.bulk_create(a_creer, ignore_conflicts=True, batch_size=2000)
        ajoutes = ChangementSync.objects.count() - avant
        curseur.history_date = max(ligne[4] for ligne in lignes)
        curseur.save(update_fields=["history_date"])
    if ajoutes:
        rafraichir_etats({c.eg_id for c in a_creer})
    return ajoutes


# -- 2. send -------------------------------------------------------------------------------

def url_destination() -> str:
    """The configured endpoint: HTTPS only (plain HTTP allowed on 127.0.0.1/localhost for tests)."""
    url = getattr(settings, "VIATRAJECTOIRE_URL", "") or ""
    if not url:
        return ""
    p = urlparse(url)
    if p.scheme != "https" and not (p.scheme == "http" and p.hostname in ("127.0.0.1", "localhost", "::1")):
        raise ConfigurationInvalide(f"Adresse ViaTrajectoire refusée (HTTPS obligatoire) : {url}")
    return url


def message(changement: ChangementSync) -> dict:
    """The FHIR transaction Bundle of one change; Bundle.identifier is the change's stable id."""
    return messages([changement])[changement.id]


def _ressources_actuelles(changements) -> dict:
    """{(niveau, structure id): its resources now} for the structures of `changements` that are not
    deleted and that ViaTrajectoire may see, read and mapped once for the batch (fhir.Lot): a fixed
    number of queries whatever the number of changes (one change at a time cost ~10 each)."""
    ressources = {}
    for niveau, type_ressource in ((Niveau.EG, "Organization"), (Niveau.UO, "Location")):
        ids = sorted({c.structure_id for c in changements if c.niveau == niveau and not c.suppression})
        if not ids:
            continue
        # ViaTrajectoire is a consumer like the others: its ANS profile decides whether it gets the
        # sensitive units; one it may not see is sent as deleted (also when it becomes sensitive).
        structures = list(fhir.pour_le_consommateur(fhir.pour_lecture(type_ressource),
                                                    settings.VIATRAJECTOIRE_PROFIL_ACCES).filter(pk__in=ids))
        if niveau == Niveau.EG:
            lot = fhir.Lot("Organization", structures)
            ressources.update(((niveau, s.pk), [lot.ressource(s)]) for s in structures)
        else:
            # A unit: its offers (one per activity and mode), then its place. The offers mapped before
            # the places' batch is read: each batch attaches its own values to the same structures.
            offres = fhir.Lot("HealthcareService", structures)
            par_uo = {s.pk: [offres.ressource(o) for o in offres.elements(s)] for s in structures}
            lieux = fhir.Lot("Location", structures)
            ressources.update(((niveau, s.pk), par_uo[s.pk] + [lieux.ressource(s)]) for s in structures)
    return ressources


def messages(changements) -> dict:
    """{change id: the FHIR transaction Bundle of that change} for a batch of changes."""
    actuelles = _ressources_actuelles(changements)
    return {changement.id: _bundle(changement, actuelles.get((changement.niveau, changement.structure_id)))
            for changement in changements}


def _bundle(changement: ChangementSync, ressources: list[dict] | None) -> dict:
    """`ressources`: the structure's resources now, None if deleted or not visible to ViaTrajectoire."""
    entrees = []
    if ressources is None and changement.niveau == Niveau.EG:
        entrees.append({"request": {"method": "DELETE", "url": f"Organization/{changement.structure_id}"}})
    elif ressources is None:
        # The unit's offers, whatever they were, go with it (conditional delete on their place).
        entrees.append({"request": {"method": "DELETE", "url": f"HealthcareService?location=Location/"
                                                                  f"{changement.structure_id}"}})
        entrees.append({"request": {"method": "DELETE", "url": f"Location/{changement.structure_id}"}})
    else:
        for ressource in ressources:
            entrees.append({"resource": ressource,
                            "request": {"method": "PUT", "url": f"{ressource['resourceType']}/{ressource['id']}"}})
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{changement.id}"},
        "timestamp": fhir.instant(changement.date_changement),
        "entry": entrees,
    }


def poster(url: str, corps: dict, id_changement) -> None:
    """POST one Bundle; raises EchecTransitoire (network, 5xx, 408, 429) or Rejet (other 4xx)."""
    donnees = json.dumps(corps, ensure_ascii=False).encode()
    entetes = {"Content-Type": "application/fhir+json; charset=utf-8", "Accept": "application/fhir+json",
               "Idempotency-Key": str(id_changement), "X-Request-Id": str(id_changement)}
    if getattr(settings, "VIATRAJECTOIRE_JETON", ""):
        entetes["Authorization"] = f"Bearer {settings.VIATRAJECTOIRE_JETON}"
    requete = urllib.request.Request(url, data=donnees, headers=entetes, method="POST")
    try:
        with urllib.request.urlopen(requete, timeout=settings.VIATRAJECTOIRE_TIMEOUT) as reponse:
            reponse.read()
    except urllib.error.HTTPError as erreur:
        detail = erreur.read()[:300].decode("utf-8", "replace")
        if erreur.code >= 500 or erreur.code in (408, 429):
            raise EchecTransitoire(f"HTTP {erreur.code} : {detail}".strip()) from None
        raise Rejet(f"HTTP {erreur.code} : {detail}".strip()) from None
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout, TimeoutError,
            OSError) as erreur:
        raise EchecTransitoire(f"Erreur réseau : {getattr(erreur, 'reason', erreur)}") from None


@dataclass
class Bilan:
    envoyes: int = 0
    rejetes: int = 0
    deja_en_cours: bool = False
    erreurs: list = field(default_factory=list)

    def en_dict(self) -> dict:
        return {"envoyes": self.envoyes, "rejetes": self.rejetes, "deja_en_cours": self.deja_en_cours}


def _verrou_global() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [VERROU])
        return cursor.fetchone()[0]


def _liberer_verrou() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [VERROU])


def envoyer_en_attente(limite: int | None = None) -> Bilan:
    """Send pending changes, oldest first. Raises EchecTransitoire at the first transient failure
    (after recording it), so that the caller retries later from the same change."""
    url = url_destination()
    bilan = Bilan()
    if not url:
        return bilan
    if not _verrou_global():  # another run is sending: one run at a time keeps the order
        bilan.deja_en_cours = True
        return bilan
    try:
        while limite is None or bilan.envoyes + bilan.rejetes < limite:
            # The next pending changes, their messages built together (messages()), then each sent in
            # its own transaction holding its row lock. A message shows its structure as read when the
            # batch was built, seconds before; a change made meanwhile is a later change, sent after it.
            taille = LOT_ENVOI if limite is None else min(LOT_ENVOI, limite - bilan.envoyes - bilan.rejetes)
            lot = list(ChangementSync.objects.filter(etat=EtatChangement.EN_ATTENTE)
                       .order_by("date_changement", "cle")[:taille])
            if not lot:
                break
            corps = messages(lot)
            if not [prevu for prevu in lot if _envoyer(url, prevu.pk, corps[prevu.id], bilan)]:
                break  # every one locked by another transaction: nothing more to do now
    finally:
        _liberer_verrou()
    return bilan


def _envoyer(url: str, pk, corps: dict, bilan: Bilan) -> bool:
    """Send one change, its row locked in a transaction; False if it is no longer pending or locked."""
    echec = None
    with transaction.atomic():
        changement = (ChangementSync.objects.select_for_update(skip_locked=True)
                      .filter(pk=pk, etat=EtatChangement.EN_ATTENTE).first())
        if changement is None:
            return False
        changement.tentatives += 1
        changement.derniere_tentative = timezone.now()
        try:
            poster(url, corps, changement.id)
        except EchecTransitoire as erreur:
            changement.derniere_erreur = str(erreur)
            echec = erreur
        except Rejet as erreur:
            changement.etat = EtatChangement.REJETE
            changement.derniere_erreur = str(erreur)
            bilan.rejetes += 1
        else:
            changement.etat = EtatChangement.ENVOYE
            changement.envoye_le = timezone.now()
            changement.derniere_erreur = ""
            bilan.envoyes += 1
            # The structure's current state is now there: older refusals are superseded.
            ChangementSync.objects.filter(structure_id=changement.structure_id, etat=EtatChangement.REJETE,
                                          date_changement__lte=changement.date_changement
                                          ).update(etat=EtatChangement.REMPLACE)
        changement.save()
        rafraichir_etats({changement.eg_id})
    if echec is not None:
        raise echec
    return True


def delai_backoff(tentative: int) -> float:
    """Exponential backoff: base × 2^n seconds, capped."""
    return min(settings.VIATRAJECTOIRE_BACKOFF_BASE * (2 ** tentative), settings.VIATRAJECTOIRE_BACKOFF_MAX)


# -- 3. state per EG ---------------------------------------------------------------------------

def rafraichir_etats(eg_ids) -> None:
    existants = set(Structure.objects.eg().filter(pk__in=eg_ids).values_list("pk", flat=True))
    for eg_id in existants:
        changements = ChangementSync.objects.filter(eg_id=eg_id)
        erreur = (changements.filter(Q(etat=EtatChangement.REJETE)
                                     | Q(etat=EtatChangement.EN_ATTENTE, tentatives__gt=0) & ~Q(derniere_erreur=""))
                  .order_by("-derniere_tentative").first())
        en_attente = changements.filter(etat=EtatChangement.EN_ATTENTE).exists()
        dernier_envoi = changements.filter(etat=EtatChangement.ENVOYE).aggregate(m=Max("envoye_le"))["m"]
        if erreur is not None:
            etat = EtatSync.EN_ERREUR
        elif en_attente:
            etat = EtatSync.EN_ATTENTE
        elif dernier_envoi:
            etat = EtatSync.A_JOUR
        else:
            etat = EtatSync.JAMAIS
        EtatSyncEG.objects.update_or_create(eg_id=eg_id, defaults={
            "etat": etat,
            "message": erreur.derniere_erreur if erreur else "",
            "date_erreur": erreur.derniere_tentative if erreur else None,
            "dernier_envoi": dernier_envoi,
        })


def etat_de(eg) -> EtatSyncEG:
    """The sync state of an EG (an unsaved 'jamais' if it was never considered)."""
    return EtatSyncEG.objects.filter(eg=eg).first() or EtatSyncEG(eg=eg, etat=EtatSync.JAMAIS)


def encadre_fiche(eg) -> dict:
    """The "Synchronisation" box of an EG's fiche."""
    return {"etat": etat_de(eg)}


@dataclass
class Tableau:
    perimetre: int
    par_etat: dict
    en_attente: int
    taux: float | None


def tableau_de_bord() -> Tableau:
    egs = eg_du_perimetre()
    perimetre = egs.count()
    comptes = dict(EtatSyncEG.objects.filter(eg__in=egs).order_by().values_list("etat")
                   .annotate(n=Count("id")))
    par_etat = {e.value: comptes.get(e.value, 0) for e in EtatSync}
    par_etat[EtatSync.JAMAIS] = perimetre - sum(v for k, v in par_etat.items() if k != EtatSync.JAMAIS)
    return Tableau(perimetre=perimetre, par_etat=par_etat,
                   en_attente=ChangementSync.objects.filter(etat=EtatChangement.EN_ATTENTE).count(),
                   taux=(par_etat[EtatSync.A_JOUR] / perimetre * 100) if perimetre else None)


# -- actions -----------------------------------------------------------------------------------

@transaction.atomic
def resynchroniser_eg(acteur, eg: Structure) -> int:
    """Queue the current state of an EG and its UO again (new change ids). Returns the count."""
    maintenant = timezone.now()
    structures = [(eg.pk, Niveau.EG)] + list(uo_du_perimetre(Structure.objects.filter(eg=eg))
                                              .values_list("pk", "niveau"))
    ChangementSync.objects.bulk_create([
        ChangementSync(id=uuid.uuid4(), cle=f"resynchro:{pk}:{uuid.uuid4().hex[:12]}", structure_id=pk,
                       eg_id=eg.pk, niveau=niveau, date_changement=maintenant, origine="resynchronisation")
        for pk, niveau in structures
    ])
    rafraichir_etats({eg.pk})
    journaliser(acteur, Action.VIATRAJECTOIRE_RESYNCHRONISATION, cible=f"structure:{eg.pk}",
                details={"changements": len(structures)})
    return len(structures)


def reprendre_existant(acteur=None, egs=None) -> int:
    """Record that ViaTrajectoire already holds the current offer (connecting the portal to a
    ViaTrajectoire fed before): the given EG (default: the whole perimeter) become "à jour" and
    the history up to now is not sent again. Returns how many EG were marked."""
    maintenant = timezone.now()
    with transaction.atomic():
        collecter_changements()
        CurseurSync.objects.filter(nom="viatrajectoire").update(history_date=maintenant)
        egs = list((egs if egs is not None else eg_du_perimetre()).values_list("pk", flat=True))
        ChangementSync.objects.filter(etat=EtatChangement.EN_ATTENTE, eg_id__in=egs).update(
            etat=EtatChangement.ENVOYE, envoye_le=maintenant, origine="reprise")
        existants = set(EtatSyncEG.objects.filter(eg_id__in=egs).values_list("eg_id", flat=True))
        EtatSyncEG.objects.filter(eg_id__in=existants).update(etat=EtatSync.A_JOUR, message="", date_erreur=None,
                                                              dernier_envoi=maintenant)
        EtatSyncEG.objects.bulk_create([EtatSyncEG(eg_id=pk, etat=EtatSync.A_JOUR, dernier_envoi=maintenant)
                                        for pk in egs if pk not in existants], batch_size=2000)
        journaliser(acteur, Action.VIATRAJECTOIRE_REPRISE_EXISTANT, details={"eg": len(egs)})
    return len(egs)
