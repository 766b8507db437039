"""Verification campaigns (RE1.2 in practice): the gestionnaire launches one on a perimeter, each
référent confirms (« Rien n'a changé ») or updates the fiches they hold rights on, reminders go
to the référent then to the directeur. One function per action, in a transaction."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from nomenclatures.models import Departement
from repertoire import access
from repertoire.models import Niveau, Structure
from repertoire.services import encadres

from .indicateurs import CHAMPS
from .models import Campagne, EnvoiCampagne, FicheCampagne, NatureEnvoi, Perimetre, Traitement

SEL_LIEN = "qualite.campagne"
VALIDITE_LIEN = timedelta(days=180)


class CampagneInvalide(ValueError):
    """Bad input for a campaign: the message is for the user, nothing was written."""


# -- Perimeter ---------------------------------------------------------------------------------

def _ej(finess_ou_pk: str) -> Structure:
    valeur = (finess_ou_pk or "").strip()
    ej = Structure.objects.ej().filter(finess=valeur).first() if valeur else None
    if ej is None:
        raise CampagneInvalide("Aucune entité juridique n'a ce numéro FINESS.")
    return ej


def fiches_du_perimetre(perimetre: str, valeur: str = "", ej: Structure | None = None):
    """The open EG of the perimeter and their open units: the fiches a campaign asks to verify."""
    egs = Structure.objects.eg().ouvertes().de_la_region()
    uos = Structure.objects.uo().ouvertes()
    if perimetre == Perimetre.REGION:
        pass
    elif perimetre == Perimetre.DEPARTEMENT:
        deps = Departement.objects.filter(code=valeur)
        if settings.ROR_REGION_CODE:
            deps = deps.filter(region_id=settings.ROR_REGION_CODE)
        if not valeur or not deps.exists():
            raise CampagneInvalide("Choisissez un département.")
        egs = egs.filter(departement_id=valeur)
    elif perimetre == Perimetre.CHAMP:
        if valeur not in {code for code, _ in CHAMPS if code}:
            raise CampagneInvalide("Choisissez un champ d'activité.")
        uos = uos.filter(champ__code=valeur)
        egs = egs.filter(pk__in=uos.values("eg_id"))
    elif perimetre == Perimetre.EJ:
        if ej is None:
            raise CampagneInvalide("Indiquez l'entité juridique.")
        egs = egs.filter(ej=ej)
    else:
        raise CampagneInvalide("Choisissez un périmètre.")
    return Structure.objects.filter(pk__in=egs.values("pk")) | Structure.objects.filter(
        pk__in=uos.filter(eg__in=egs).values("pk"))


@dataclass
class Apercu:
    """What a campaign would concern, shown before it is launched."""

    fiches: int
    egs: int
    referents: int
    egs_sans_referent: int


def _eg_id(structure_pk, niveau, eg_id):
    return structure_pk if niveau == Niveau.EG else eg_id


def apercu(perimetre: str, valeur: str = "", ej: Structure | None = None) -> Apercu:
    fiches = fiches_du_perimetre(perimetre, valeur, ej)
    egs = set(fiches.filter(niveau=Niveau.EG).values_list("pk", flat=True))
    referents = access.titulaires_par_structure(Structure.objects.filter(pk__in=egs), access.REFERENT)
    return Apercu(fiches.count(), len(egs), len(set().union(*referents.values())) if referents else 0,
                  sum(1 for ids in referents.values() if not ids))


# -- Writes ------------------------------------------------------------------------------------

@transaction.atomic
def lancer_campagne(user, nom: str, perimetre: str, valeur: str = "", *, finess_ej: str = "",
                    jours_relance: int = 15, jours_escalade: int = 30) -> Campagne:
    """Create the campaign and its fiches; the référents are invited by e-mail after the commit."""
    access.exiger(user, access.ADMINISTRER)
    nom = (nom or "").strip()
    if not nom:
        raise CampagneInvalide("Donnez un nom à la campagne.")
    if not (1 <= jours_relance < jours_escalade <= 365):
        raise CampagneInvalide("La relance du référent doit précéder l'alerte du directeur (entre 1 et 365 jours).")
    ej = _ej(finess_ej) if perimetre == Perimetre.EJ else None
    fiches = list(fiches_du_perimetre(perimetre, valeur, ej).values_list("pk", "niveau", "eg_id"))
    if not fiches:
        raise CampagneInvalide("Aucune fiche ouverte dans ce périmètre : la campagne n'est pas lancée.")
    campagne = Campagne.objects.create(nom=nom, perimetre=perimetre, ej=ej, lancee_par=user,
                                       valeur=valeur if perimetre in (Perimetre.DEPARTEMENT, Perimetre.CHAMP) else "",
                                       jours_relance=jours_relance, jours_escalade=jours_escalade)
    FicheCampagne.objects.bulk_create(
        [FicheCampagne(campagne=campagne, structure_id=pk, eg_id=_eg_id(pk, niveau, eg_id))
         for pk, niveau, eg_id in fiches], batch_size=5000)
    from .tasks import inviter_referents

    transaction.on_commit(lambda: inviter_referents.delay(campagne.pk))
    return campagne


def _verrouiller_fiche(user, fiche: FicheCampagne) -> FicheCampagne:
    fiche = FicheCampagne.objects.select_for_update().select_related("campagne", "structure").get(pk=fiche.pk)
    access.exiger(user, access.MODIFIER, fiche.structure)
    if not fiche.campagne.en_cours:
        raise CampagneInvalide("Cette campagne est close : la fiche n'y est plus suivie.")
    return fiche


@transaction.atomic
def confirmer_fiche(user, fiche: FicheCampagne) -> FicheCampagne:
    """« Rien n'a changé »: the fiche is verified (its history says so), which counts for RE1.2."""
    fiche = _verrouiller_fiche(user, fiche)
    if fiche.traitee_le is None:
        try:
            encadres.confirmer_verification(
                user, fiche.structure, raison=f"Vérification (campagne « {fiche.campagne.nom} ») : rien n'a changé")
        except ValidationError as e:  # stored values that no longer pass (an old import): to correct first
            champs = ", ".join(str(Structure._meta.get_field(nom).verbose_name) for nom in e.message_dict
                               if nom != "__all__")
            raise CampagneInvalide(f"« {fiche.structure.nom} » a des informations invalides ({champs or 'voir la fiche'}) :"
                                   " corrigez la fiche, la modification comptera pour la campagne.") from e
        fiche.traitee_le, fiche.traitee_par, fiche.traitement = timezone.now(), user, Traitement.RIEN_CHANGE
        fiche.save(update_fields=["traitee_le", "traitee_par", "traitement"])
    return fiche


def noter_modifications(structure_ids) -> int:
    """A fiche changed through the répertoire's services counts as treated in the running campaigns
    (receiver of repertoire.signals.offre_modifiee)."""
    return FicheCampagne.objects.filter(structure_id__in=list(structure_ids), traitee_le__isnull=True,
                                        campagne__close_le__isnull=True).update(
        traitee_le=timezone.now(), traitement=Traitement.MODIFIEE)


@transaction.atomic
def clore_campagne(user, campagne: Campagne) -> Campagne:
    access.exiger(user, access.ADMINISTRER)
    campagne = Campagne.objects.select_for_update().get(pk=campagne.pk)
    if campagne.en_cours:
        campagne.close_le, campagne.close_par = timezone.now(), user
        campagne.save(update_fields=["close_le", "close_par"])
    return campagne


# -- Reading -----------------------------------------------------------------------------------

def fiches_de(user, campagne: Campagne):
    """The campaign's fiches the user may verify (a gestionnaire: all of them)."""
    return access.sur_structures_autorisees(user, access.MODIFIER, campagne.fiches.all())


def en_retard(campagne: Campagne, maintenant=None) -> bool:
    return (maintenant or timezone.now()) >= campagne.lancee_le + timedelta(days=campagne.jours_relance)


@dataclass
class LigneAvancement:
    libelle: str
    total: int = 0
    traitees: int = 0
    pk: int | None = None
    referents: list = field(default_factory=list)

    @property
    def taux(self) -> float:
        return 100 * self.traitees / self.total if self.total else 0


@dataclass
class Avancement:
    total: LigneAvancement
    par_eg: list[LigneAvancement]
    par_referent: list[LigneAvancement]
    sans_referent: LigneAvancement
    retard: bool


def avancement(campagne: Campagne) -> Avancement:
    """Fiches treated / total, by EG and by référent (an EG's fiches count for each of its référents)."""
    par_eg: dict[int, LigneAvancement] = {}
    for eg_id, nom, traitee in campagne.fiches.values_list("eg_id", "eg__nom", "traitee_le").order_by("eg__nom"):
        ligne = par_eg.setdefault(eg_id, LigneAvancement(nom, pk=eg_id))
        ligne.total += 1
        ligne.traitees += traitee is not None
    titulaires = access.titulaires_par_structure(Structure.objects.filter(pk__in=par_eg), access.REFERENT)
    noms = {u.pk: u for u in get_user_model().objects.filter(pk__in=set().union(set(), *titulaires.values()))}
    par_referent: dict[int, LigneAvancement] = {}
    sans = LigneAvancement("Sans référent")
    for eg_id, ligne in par_eg.items():
        ligne.referents = sorted((noms[i] for i in titulaires.get(eg_id, ())), key=lambda u: u.username)
        for u in ligne.referents or [None]:
            cible = sans if u is None else par_referent.setdefault(
                u.pk, LigneAvancement(u.get_full_name() or u.username, pk=u.pk))
            cible.total += ligne.total
            cible.traitees += ligne.traitees
    total = LigneAvancement("Total", sum(e.total for e in par_eg.values()), sum(e.traitees for e in par_eg.values()))
    # The late ones first: least advanced EG, then by name.
    egs = sorted(par_eg.values(), key=lambda e: (e.traitees == e.total, e.taux, e.libelle))
    return Avancement(total, egs, sorted(par_referent.values(), key=lambda r: (r.taux, r.libelle)), sans,
                      campagne.en_cours and en_retard(campagne))


def avec_avancement(campagnes):
    """The campaigns with their treated / total fiches counted in the same query (the list of
    campaigns: one query, not one per campaign); read by `avancement_rapide`."""
    return campagnes.annotate(nb_fiches=Count("fiches"),
                              nb_traitees=Count("fiches", filter=Q(fiches__traitee_le__isnull=False)))


def avancement_rapide(campagne: Campagne) -> LigneAvancement:
    """Treated / total only (the list of campaigns), as `avec_avancement` counted them."""
    return LigneAvancement(campagne.nom, campagne.nb_fiches, campagne.nb_traitees, campagne.pk)


def envois_par_nature(campagne: Campagne) -> list[tuple[str, int]]:
    n = Counter(campagne.envois.values_list("nature", flat=True))
    return [(libelle, n[code]) for code, libelle in NatureEnvoi.choices]


# -- E-mails -----------------------------------------------------------------------------------

def jeton(campagne: Campagne, user) -> str:
    return signing.dumps({"c": campagne.pk, "u": user.pk}, salt=SEL_LIEN, compress=True)


def lire_jeton(valeur: str) -> tuple[int, int]:
    """(campaign pk, user pk) of a signed link; raises signing.BadSignature (expired too)."""
    donnees = signing.loads(valeur, salt=SEL_LIEN, max_age=VALIDITE_LIEN)
    return int(donnees["c"]), int(donnees["u"])


def lien(campagne: Campagne, user) -> str:
    return settings.ROR_URL_PORTAIL.rstrip("/") + reverse("qualite:campagne_lien", args=[jeton(campagne, user)])


def _en_attente_par_eg(campagne: Campagne) -> dict[int, list[str]]:
    attente = defaultdict(list)
    for eg_id, nom in campagne.fiches.filter(traitee_le__isnull=True).values_list("eg_id", "structure__nom").order_by(
            "structure__nom"):
        attente[eg_id].append(nom)
    return attente


def _envoyer(campagne: Campagne, destinataire, nature: str, fiches: int, contexte: dict) -> bool:
    """One e-mail of a nature per person and campaign (the unique row is taken first)."""
    if not destinataire.email:
        return False
    with transaction.atomic():
        _, cree = EnvoiCampagne.objects.get_or_create(campagne=campagne, destinataire=destinataire, nature=nature,
                                                      defaults={"fiches": fiches})
        if not cree:
            return False
        corps = render_to_string("qualite/campagne_courriel.txt", {
            **contexte, "campagne": campagne, "destinataire": destinataire, "nature": nature, "nb": fiches,
            "site": settings.ROR_SITE_TITLE, "lien": lien(campagne, destinataire)})
        objets = {NatureEnvoi.INVITATION: "fiches à vérifier", NatureEnvoi.RELANCE: "relance, fiches à vérifier",
                  NatureEnvoi.ESCALADE: "fiches non vérifiées dans vos établissements"}
        send_mail(f"{settings.ROR_SITE_TITLE} : {objets[nature]} ({campagne.nom})", corps, None, [destinataire.email])
    return True


def _envois_par_titulaire(campagne: Campagne, droit: str, attente: dict[int, list[str]]) -> dict:
    """{user: {eg_id: [fiche names]}} for the holders of `droit` on the EGs with fiches waiting."""
    titulaires = access.titulaires_par_structure(Structure.objects.filter(pk__in=attente), droit)
    par_user = defaultdict(dict)
    for eg_id, ids in titulaires.items():
        for user_id in ids:
            par_user[user_id][eg_id] = attente[eg_id]
    users = get_user_model().objects.in_bulk(list(par_user))
    return {users[i]: egs for i, egs in par_user.items()}


def _noms_eg(ids) -> dict[int, str]:
    return dict(Structure.objects.filter(pk__in=ids).values_list("pk", "nom"))


def inviter(campagne: Campagne) -> int:
    """Invite each référent of the campaign's EGs (once); returns the number of e-mails sent."""
    if not campagne.en_cours:
        return 0
    attente = _en_attente_par_eg(campagne)
    return _ecrire_aux_referents(campagne, NatureEnvoi.INVITATION, attente, _noms_eg(attente))


def _ecrire_aux_referents(campagne: Campagne, nature: str, attente: dict, noms: dict) -> int:
    envoyes = 0
    for user, egs in _envois_par_titulaire(campagne, access.REFERENT, attente).items():
        envoyes += _envoyer(campagne, user, nature, sum(map(len, egs.values())),
                            {"egs": sorted((noms[i], f) for i, f in egs.items())})
    return envoyes


def relancer(campagne: Campagne, maintenant=None) -> Counter:
    """After `jours_relance`, remind each référent with fiches still waiting (once); after
    `jours_escalade`, tell the directeurs of the EGs still waiting (once)."""
    maintenant = maintenant or timezone.now()
    envois = Counter()
    if not campagne.en_cours or not en_retard(campagne, maintenant):
        return envois
    attente = _en_attente_par_eg(campagne)
    noms = _noms_eg(attente)
    envois[NatureEnvoi.RELANCE] = _ecrire_aux_referents(campagne, NatureEnvoi.RELANCE, attente, noms)
    if maintenant >= campagne.lancee_le + timedelta(days=campagne.jours_escalade):
        referents = access.titulaires_par_structure(Structure.objects.filter(pk__in=attente), access.REFERENT)
        users = get_user_model().objects.in_bulk(list(set().union(set(), *referents.values())))
        for user, egs in _envois_par_titulaire(campagne, access.DIRECTEUR, attente).items():
            lignes = sorted((noms[i], f, ", ".join(sorted(users[r].get_full_name() or users[r].username
                                                          for r in referents.get(i, ()))) or "aucun référent")
                            for i, f in egs.items())
            envois[NatureEnvoi.ESCALADE] += _envoyer(campagne, user, NatureEnvoi.ESCALADE,
                                                     sum(map(len, egs.values())), {"egs_directeur": lignes})
    return +envois  # only the natures actually sent


def relancer_campagnes() -> Counter:
    total = Counter()
    for campagne in Campagne.objects.filter(close_le__isnull=True):
        total += relancer(campagne)
    return total
