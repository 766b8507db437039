"""Groupings of legal entities (GHT): created in one transaction, recorded in the journal."""

from django.core.exceptions import ValidationError
from django.db import transaction

from socle.audit import Action, journaliser

from ..models import EntiteFiness, Groupement, Niveau, Structure, TypeGroupement
from ..version import changer_version_offre


@transaction.atomic
def creer_groupement(acteur, nom: str, support: Structure, membres: list[Structure],
                     type: str = TypeGroupement.GHT, departement_id: str | None = None) -> Groupement:
    """A grouping of EJ around its support EJ (a member itself)."""
    membres = list({m.pk: m for m in [support, *membres]}.values())
    if any(m.niveau != Niveau.EJ for m in membres):
        raise ValidationError("Un groupement réunit des entités juridiques.")
    if Groupement.objects.filter(type=type, nom=nom).exists():
        raise ValidationError(f"Le groupement « {nom} » existe déjà.")
    groupement = Groupement.objects.create(type=type, nom=nom, support=support,
                                           departement_id=departement_id)
    groupement.membres.set(membres)
    changer_version_offre()  # the members' fiches show their grouping
    journaliser(acteur, Action.GROUPEMENT_CREE, cible=f"groupement:{groupement.pk}",
                details={"type": type, "support": support.pk, "membres": len(membres)})
    return groupement


@transaction.atomic
def synchroniser_groupements_finess(acteur, groupements: list[dict], raison: str) -> tuple[int, int, int]:
    """The groupings of the FINESS structures flux, as it gives them: each
    {"identifiant": "gcc:<gccId>" | "gco:<pmSmsseId>", "type", "type_finess", "nom", "actif",
    "membres": [pmSmsseId], "supports": [pmSmsseId], "pm": a gco's own pmSmsseId (its name)}. Members are the EJ of the Répertoire
    those FINESS ids name (EntiteFiness); the support is a member of role « S ». A grouping
    entered here with the same type and name becomes FINESS's; one FINESS closes or with no
    member in the Répertoire is removed. Idempotent: only what differs is written. Returns
    (created, changed, removed)."""
    ids = {pm for g in groupements for pm in (*g["membres"], *g["supports"], g.get("pm", ""))}
    entites = list(EntiteFiness.objects.filter(pm_smsse_id__in=ids).values_list("pm_smsse_id", "finess", "nom"))
    ej_de = {pm: finess for pm, finess, _ in entites}
    nom_de = {pm: nom for pm, _, nom in entites}  # a gco is named after its own legal entity
    pk_de = dict(Structure.objects.ej().filter(finess__in=set(ej_de.values())).values_list("finess", "pk"))

    def structures(pms):
        return [pk_de[ej_de[pm]] for pm in pms if pm in ej_de and ej_de[pm] in pk_de]

    existants = {g.identifiant_finess: g for g in Groupement.objects.exclude(identifiant_finess="")
                 .prefetch_related("membres")}
    # Read once, not one query per grouping of the flux: those entered here (by type and name)
    # and every name taken.
    saisis = {}
    for groupement in Groupement.objects.filter(identifiant_finess="").order_by("pk").prefetch_related("membres"):
        saisis.setdefault((groupement.type, groupement.nom), groupement)
    noms_pris = set(Groupement.objects.values_list("type", "nom"))
    crees = modifies = retires = 0
    for g in groupements:
        supports = structures(g["supports"])
        membres = set(structures(g["membres"])) | set(supports)
        actuel = existants.pop(g["identifiant"], None)
        g = {**g, "nom": g["nom"] or nom_de.get(g.get("pm", "")) or f"Groupement FINESS {g.get('pm', '')}"}
        if not g["actif"] or not membres:
            if actuel is not None:
                actuel.delete()
                retires += 1
            continue
        if actuel is None:  # entered here before FINESS gave it: it becomes FINESS's
            actuel = saisis.pop((g["type"], g["nom"]), None)
        valeurs = {"type": g["type"], "nom": g["nom"][:250], "type_finess": g["type_finess"],
                   "identifiant_finess": g["identifiant"], "support_id": supports[0] if supports else None}
        if actuel is None:
            if (g["type"], valeurs["nom"]) in noms_pris:  # the name is taken
                valeurs["nom"] = f"{g['nom'][:220]} ({g['identifiant']})"
            actuel = Groupement.objects.create(**valeurs)
            noms_pris.add((actuel.type, actuel.nom))
            actuel.membres.set(membres)
            crees += 1
            continue
        change = False
        for champ, valeur in valeurs.items():
            if getattr(actuel, champ) != valeur:
                setattr(actuel, champ, valeur)
                change = True
        if change:
            actuel.save()
        if {m.pk for m in actuel.membres.all()} != membres:
            actuel.membres.set(membres)
            change = True
        modifies += change
    if crees or modifies or retires:
        changer_version_offre()  # the members' fiches show their groupings
        journaliser(acteur, Action.GROUPEMENT_CREE, cible="groupements:finess",
                    details={"raison": raison, "crees": crees, "modifies": modifies, "retires": retires})
    return crees, modifies, retires
