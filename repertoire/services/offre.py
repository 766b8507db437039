"""Structure writes: create, change, move, close, delete, one history record each.

Every change bumps the fiche's version so that concurrent editors detect it (no lost
update): `ConflitDeVersion` tells what the others changed. Once the transaction commits,
the apps above (search index…) are told which structures changed (signal `offre_modifiee`).
"""

import json

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from nomenclatures.models import verifier_jeu
from socle.ecriture import inserer_en_masse, mettre_a_jour_en_masse
from socle.fichiers import supprimer_apres_commit

from .. import schema
from ..models import HISTORY_M2M_FIELDS, PARENTS_AUTORISES, Niveau, PictogrammeFiche, StatutFiche, Structure
from ..signals import offre_modifiee
from ..version import changer_version_offre, incrementer

# Fields that are never written through the generic functions below.
CHAMPS_TECHNIQUES = schema.TECHNIQUES


def annoncer(structure_ids) -> None:
    """Send `offre_modifiee` with these structures once the current transaction commits."""
    ids = sorted(set(structure_ids))
    changer_version_offre(apres_validation=False)  # now, for this transaction's own pages

    def apres_validation():
        try:
            offre_modifiee.send(sender=Structure, structure_ids=ids)
        finally:
            incrementer()  # again once the apps above (the search index) have followed: cached pages move on

    transaction.on_commit(apres_validation)


class ConflitDeVersion(Exception):
    """Someone else saved the fiche since it was read: nothing was written."""

    def __init__(self, structure: Structure, version_lue: int, changements: list[dict]):
        self.structure = structure
        self.version_lue = version_lue
        self.changements = changements  # [{"champ", "libelle", "avant", "apres", "par", "le"}]
        super().__init__(f"La fiche « {structure.nom} » a été modifiée entre-temps.")


def verifier_m2m(m2m: dict) -> None:
    """Refuse (ValidationError) values outside the value set of each many-to-many field."""
    for nom, valeurs in m2m.items():
        jeu = getattr(Structure._meta.get_field(nom), "jeu", None)
        if jeu:
            verifier_jeu(valeurs, jeu)


def _pk(valeur):
    return valeur.pk if hasattr(valeur, "pk") else valeur


def parmi(pks) -> RawSQL:
    """`Structure.objects.filter(parmi(ids))`: thousands of ids as ONE array parameter
    (`= ANY(%s)`, read by the primary key index), not a placeholder each (the driver parses a
    query of 13,000 placeholders for seconds)."""
    return RawSQL(f'"{Structure._meta.db_table}"."id" = ANY(%s::bigint[])', [list(pks)],
                  output_field=BooleanField())


def listes_actuelles(pks, noms) -> dict[str, dict]:
    """{m2m field: {structure pk: sorted values}} as stored now: one query per list."""
    listes = {}
    for nom in noms:
        champ = Structure._meta.get_field(nom)
        lien, source, cible = champ.remote_field.through, champ.m2m_field_name(), champ.m2m_reverse_name()
        valeurs = {pk: [] for pk in pks}
        for pk, valeur in lien.objects.filter(**{f"{source}__in": list(pks)}).values_list(source, cible):
            valeurs[pk].append(valeur)
        listes[nom] = {pk: sorted(v) for pk, v in valeurs.items()}
    return listes


def _changements(structure: Structure, avant: dict, listes: dict) -> dict:
    """The history record's `changements`: scalar fields whose value moved (value before) and lists."""
    champs = {}
    for nom, valeur in avant.items():
        if isinstance(valeur, FieldFile):  # a photo: its name, as the history keeps it
            valeur = valeur.name or ""
        champ = Structure._meta.get_field(nom)
        if valeur != getattr(structure, champ.attname):
            champs[champ.name] = valeur
    return {"champs": champs, "listes": listes}


def enregistrer(structure: Structure, user, raison: str, m2m: dict | None = None, avant: dict | None = None
                ) -> Structure:
    """Save a structure and its many-to-many values as ONE history record.

    `m2m` maps a many-to-many field name to its new list of values; `avant` maps the
    scalar fields the caller set to their value before. The history record keeps what
    changed (`changements`: values before, lists before/after), not a copy of every list.
    The version is bumped so that concurrent editors can detect a change (no lost update).
    Call it inside a transaction (the public functions below do).
    """
    structure._history_user = user
    structure._change_reason = raison
    structure.modifie_le = timezone.now()
    nouvelles = {nom: sorted({_pk(v) for v in valeurs}) for nom, valeurs in (m2m or {}).items()}
    verifier_m2m(nouvelles)
    if structure.pk:
        structure.version = (structure.version or 0) + 1
        # The values before, as stored (whoever set the fields), unless the caller knows better
        # (a move has already written the new parent).
        historises = [f for f in Structure._meta.concrete_fields if schema.historise(f.name)]
        en_base = Structure.objects.filter(pk=structure.pk).values(*[f.attname for f in historises]).first() or {}
        avant = {**{f.name: en_base.get(f.attname) for f in historises},
                 **{Structure._meta.get_field(nom).name: valeur for nom, valeur in (avant or {}).items()}}
        actuelles = listes_actuelles([structure.pk], nouvelles)
        listes = {nom: [actuelles[nom][structure.pk], v] for nom, v in nouvelles.items()
                  if actuelles[nom][structure.pk] != v}
    else:
        listes = {nom: [[], v] for nom, v in nouvelles.items() if v}
    structure._changements_historises = _changements(structure, avant or {}, listes)
    structure.save()  # the history record (creation or change) with its changements
    if listes:
        structure.skip_history_when_saving = True
        try:
            for nom, (_, valeurs) in listes.items():
                getattr(structure, nom).set(valeurs)
        finally:
            del structure.skip_history_when_saving
    del structure._changements_historises
    annoncer([structure.pk])
    return structure


def changements_depuis(structure: Structure, version_lue: int) -> list[dict]:
    """What others changed on this fiche since `version_lue` (from its history)."""
    historiques = list(structure.history.filter(version__gte=version_lue).order_by("history_date", "history_id"))
    changements = []
    for precedent, suivant in zip(historiques, historiques[1:]):
        if suivant.changements is not None:
            faits = [(nom, avant, getattr(suivant, Structure._meta.get_field(nom).attname))
                     for nom, avant in suivant.changements.get("champs", {}).items()]
            faits += [(nom, avant, apres) for nom, (avant, apres) in suivant.changements.get("listes", {}).items()]
        else:
            faits = [(c.field, c.old, c.new) for c in suivant.diff_against(
                precedent, excluded_fields=HISTORY_M2M_FIELDS).changes]
        for nom, avant, apres in faits:
            if nom in {"version", "modifie_le"}:
                continue
            champ = Structure._meta.get_field(nom)
            changements.append({
                "champ": nom, "libelle": str(champ.verbose_name), "avant": avant, "apres": apres,
                "par": suivant.history_user, "le": suivant.history_date,
            })
    return changements


def verrouiller(structure: Structure, version_attendue: int | None) -> Structure:
    """Lock the row; refuse if its version moved since the user read it."""
    actuelle = Structure.objects.select_for_update().get(pk=structure.pk)
    if version_attendue is not None and actuelle.version != version_attendue:
        raise ConflitDeVersion(actuelle, version_attendue, changements_depuis(actuelle, version_attendue))
    return actuelle


@transaction.atomic
def creer_structure(user, niveau: str, parent: Structure | None, *, raison: str = "Création",
                    m2m: dict | None = None, **champs) -> Structure:
    structure = Structure(niveau=niveau, parent=parent, **champs)
    structure.full_clean(exclude=["parent", "ej", "eg", "lft", "rght", "tree_id", "level"], validate_unique=False)
    return enregistrer(structure, user, raison, m2m)


ARBRE = ["parent", "ej", "eg", "lft", "rght", "tree_id", "level"]


@transaction.atomic
def creer_structures(user, creations, *, raison: str) -> list[Structure]:
    """Create many fiches (a dossier's publication), each as in `creer_structure` (same
    validation, one history record with its lists), in a fixed number of queries: one shift
    of the tree numbering per parent (each shift rewrites every row to its right), foreign
    keys and code lists checked per field, rows (per parent), lists and history inserted in bulk.
    `creations`: [(niveau, parent, {field: value}, {m2m: values})]."""
    par_parent: dict[int, list[int]] = {}
    for rang, (_, parent, _, _) in enumerate(creations):
        par_parent.setdefault(parent.pk, []).append(rang)
    creees: list[Structure | None] = [None] * len(creations)
    listes: list[dict] = [{}] * len(creations)
    relations = [c.name for c in Structure._meta.concrete_fields if c.is_relation and c.name not in ARBRE]
    maintenant = timezone.now()
    for parent_pk, rangs in par_parent.items():
        parent = Structure.objects.select_for_update().get(pk=parent_pk)
        cible = parent.rght - 1  # as MPTT inserts a last child
        Structure._tree_manager._create_space(2 * len(rangs), cible, parent.tree_id)
        for position, rang in enumerate(rangs):
            niveau, _, champs, m2m = creations[rang]
            structure = Structure(niveau=niveau, parent=parent, **champs)
            try:
                structure.full_clean(exclude=ARBRE + relations, validate_unique=False)
            except ValidationError as erreur:
                raise ValidationError([f"« {structure.nom} » : {m}" for m in erreur.messages]) from erreur
            structure._set_ancetres()
            structure.tree_id, structure.level = parent.tree_id, parent.level + 1
            structure.lft = cible + 1 + 2 * position
            structure.rght = structure.lft + 1
            structure.cree_le = structure.modifie_le = maintenant
            creees[rang] = structure
            listes[rang] = {nom: sorted({_pk(v) for v in valeurs}) for nom, valeurs in (m2m or {}).items() if valeurs}
        # Inserted before the next parent's shift, which must move them too.
        groupe = [creees[rang] for rang in rangs]
        _verifier_cles_etrangeres(groupe, relations)
        verifier_m2m({nom: sorted({v for rang in rangs for v in listes[rang].get(nom, [])})
                      for nom in {n for rang in rangs for n in listes[rang]}})
        Structure.objects.bulk_create(groupe)
    noms = sorted({nom for l in listes for nom in l})
    for nom in noms:
        champ = Structure._meta.get_field(nom)
        lien, source, cible = champ.remote_field.through, champ.m2m_column_name(), champ.m2m_reverse_name()
        lien.objects.bulk_create([lien(**{source: s.pk, cible: v})
                                  for s, l in zip(creees, listes) for v in l.get(nom, [])])
    historique = Structure.history.model
    inserer_en_masse(historique, None, ({
        "history_date": maintenant, "history_user_id": getattr(user, "pk", None), "history_change_reason": raison,
        "history_type": "+", "changements": json.dumps({"champs": {}, "listes": {n: [[], v] for n, v in l.items()}},
                                                      cls=DjangoJSONEncoder),
        **{f.attname: f.get_prep_value(getattr(s, f.attname)) for f in historique.tracked_fields},
    } for s, l in zip(creees, listes)))
    annoncer([s.pk for s in creees])
    return creees


@transaction.atomic
def modifier_structure(user, structure: Structure, champs: dict, *, m2m: dict | None = None, raison: str,
                       version_attendue: int | None = None) -> Structure:
    """Change fields (and many-to-many values) of one fiche, as one history record.

    With `version_attendue`, raises ConflitDeVersion if the fiche changed since it was read.
    Raises ValidationError (nothing written) on invalid values. Access rights are the
    caller's business (repertoire.access).
    """
    interdits = set(champs) & CHAMPS_TECHNIQUES
    if interdits:
        raise ValueError(f"Champs non modifiables ici : {sorted(interdits)}")
    actuelle = verrouiller(structure, version_attendue)
    avant = {nom: getattr(actuelle, Structure._meta.get_field(nom).attname) for nom in champs}
    for nom, valeur in champs.items():
        setattr(actuelle, nom, valeur)
    actuelle.full_clean(exclude=["parent", "ej", "eg", "lft", "rght", "tree_id", "level"], validate_unique=False)
    return enregistrer(actuelle, user, raison, m2m, avant)


def _verifier_cles_etrangeres(structures, noms) -> None:
    """Model validation of foreign keys for many fiches at once: one query per field, not per fiche."""
    for nom in noms:
        champ = Structure._meta.get_field(nom)
        valeurs = {getattr(s, champ.attname) for s in structures} - {None}
        if not valeurs:
            continue
        cibles = champ.remote_field.model._base_manager.filter(pk__in=valeurs).complex_filter(
            champ.get_limit_choices_to())
        if getattr(champ, "jeu", None):
            cibles = cibles.filter(nomenclature__cle=champ.jeu)
        inconnues = valeurs - set(cibles.values_list("pk", flat=True))
        if inconnues:
            fautive = next(s for s in structures if getattr(s, champ.attname) in inconnues)
            raise ValidationError(f"« {fautive.nom} » : valeur inconnue pour {champ.verbose_name}.")


@transaction.atomic
def modifier_structures(user, modifications, *, raison: str, statut_fiche: str | None = None) -> list[Structure]:
    """Change many fiches at once (a dossier's publication), each as in `modifier_structure`:
    same validation, version bumped, one history record per fiche with its changes, but in
    a fixed number of queries. `modifications`: [(structure or its pk, {field: value}, {m2m: values})];
    `statut_fiche` sets their pictogram too (not a change of the offer). Returns the fiches
    written, in the order given. Raises ValidationError (nothing written) on an invalid value."""
    if not modifications:
        return []
    pks = [_pk(structure) for structure, _, _ in modifications]
    for _, champs, _ in modifications:
        interdits = set(champs) & CHAMPS_TECHNIQUES
        if interdits:
            raise ValueError(f"Champs non modifiables ici : {sorted(interdits)}")
    # Read only what is written and what clean() and the tree need, not the whole wide rows
    # (thousands for an EJ); the history copies the rows in the database, once written.
    ecrits = {Structure._meta.get_field(nom).name for _, champs, _ in modifications for nom in champs}
    if "commune" in ecrits:
        ecrits.add("departement")
    ecrits |= {"version", "modifie_le"}
    lus = ecrits | LUS_POUR_VALIDER
    actuelles = {s.pk: s for s in Structure.objects.select_for_update(of=("self",)).only(*lus)
                 .filter(parmi(pks))}
    parents = Structure.objects.only(*LUS_POUR_VALIDER).in_bulk(
        {a.parent_id for a in actuelles.values() if a.parent_id})
    noms_listes = sorted({nom for _, _, m2m in modifications for nom in (m2m or {})})
    courantes = listes_actuelles(pks, noms_listes)
    nouvelles_listes = [{nom: sorted({_pk(v) for v in valeurs}) for nom, valeurs in (m2m or {}).items()}
                        for _, _, m2m in modifications]
    verifier_m2m({nom: sorted({v for l in nouvelles_listes for v in l.get(nom, [])}) for nom in noms_listes})
    maintenant = timezone.now()
    cles, modifiees, changements, validees = set(), [], {}, set()
    for (structure, champs, _), nouvelles in zip(modifications, nouvelles_listes):
        actuelle = actuelles[_pk(structure)]
        if actuelle.parent_id:
            Structure.parent.field.set_cached_value(actuelle, parents[actuelle.parent_id])
        avant = {nom: getattr(actuelle, Structure._meta.get_field(nom).attname) for nom in champs}
        ecrits_ici = {Structure._meta.get_field(nom).name for nom in champs}
        for nom, valeur in champs.items():
            setattr(actuelle, nom, valeur)
            champ = Structure._meta.get_field(nom)
            if champ.is_relation:
                cles.add(champ.name)
        # full_clean() of the values written, in parts: a field's value is checked once for all
        # the fiches it is written to (foreign keys below, in bulk), clean() (level, ages) on each;
        # the model's check constraint (ages) is clean()'s rule too, and the database's.
        signature = tuple(sorted((nom, repr(valeur)) for nom, valeur in champs.items()))
        try:
            if signature not in validees:
                actuelle.clean_fields(exclude=[c.name for c in Structure._meta.concrete_fields
                                               if c.is_relation or c.name not in ecrits_ici])
                validees.add(signature)
            actuelle.clean()
        except ValidationError as erreur:
            raise ValidationError([f"« {actuelle.nom} » : {m}" for m in erreur.messages]) from erreur
        listes = {nom: [courantes[nom][actuelle.pk], v] for nom, v in nouvelles.items()
                  if courantes[nom][actuelle.pk] != v}
        actuelle._set_ancetres()
        actuelle.version = (actuelle.version or 0) + 1
        actuelle.modifie_le = maintenant
        changements[actuelle.pk] = _changements(actuelle, avant, listes)
        modifiees.append(actuelle)
    _verifier_cles_etrangeres(modifiees, cles)
    if statut_fiche is not None:
        marquer_statut_fiche(pks, statut_fiche)
    mettre_a_jour_en_masse(Structure, modifiees, [Structure._meta.get_field(n).attname for n in sorted(ecrits)])
    _ecrire_listes(changements)
    historiser_en_base(changements, user, raison, maintenant)
    annoncer(pks)
    return modifiees


# What modifier_structures reads of a fiche besides the fields written: clean() (level, parent,
# ages, housing…: the model's CHAMPS_DE_CLEAN), the denormalised ancestors, the tree's cached
# fields (MPTT reads them on load), the name (messages).
LUS_POUR_VALIDER = Structure.CHAMPS_DE_CLEAN | {"parent", "ej", "eg", "commune", "departement", "nom", "tree_id",
                                               "lft", "rght", "level", "version"}


def historiser_en_base(changements: dict, user, raison: str, date, type_: str = "~") -> int:
    """One history record per fiche {pk: changements}, its fields copied from the row as it
    is now in the database (INSERT … SELECT): nothing of the wide rows goes through Python."""
    if not changements:
        return 0
    historique = Structure.history.model
    suivis = [f.column for f in historique.tracked_fields]
    colonnes = ", ".join(f'"{c}"' for c in suivis)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {historique._meta.db_table} ({colonnes}, history_date, history_user_id, '
            f'history_change_reason, history_type, changements) '
            f'SELECT {", ".join(f"s.{chr(34)}{c}{chr(34)}" for c in suivis)}, %s, %s, %s, %s, v.changements '
            f'FROM {Structure._meta.db_table} s JOIN unnest(%s::bigint[], %s::jsonb[]) AS v(id, changements) '
            f'ON s.id = v.id',
            [date, getattr(user, "pk", None), raison, type_, list(changements),
             [json.dumps(c, cls=DjangoJSONEncoder) for c in changements.values()]])
        return cursor.rowcount


def _ecrire_listes(changements: dict) -> None:
    """Apply the list changes of many fiches: one delete and one insert per list."""
    par_liste: dict[str, dict] = {}
    for pk, change in changements.items():
        for nom, (avant, apres) in change["listes"].items():
            par_liste.setdefault(nom, {})[pk] = (set(avant), set(apres))
    for nom, valeurs in par_liste.items():
        champ = Structure._meta.get_field(nom)
        lien, source, cible = champ.remote_field.through, champ.m2m_field_name(), champ.m2m_reverse_field_name()
        retraits = [ident for ident, pk, valeur in lien.objects.filter(**{f"{source}__in": list(valeurs)})
                    .values_list("id", source, cible) if valeur in valeurs[pk][0] - valeurs[pk][1]]
        lien.objects.filter(id__in=retraits).delete()
        lien.objects.bulk_create([lien(**{f"{source}_id": pk, f"{cible}_id": valeur})
                                  for pk, (avant, apres) in valeurs.items() for valeur in sorted(apres - avant)],
                                 batch_size=1000)


@transaction.atomic
def deplacer_structure(user, structure: Structure, nouveau_parent: Structure, *, raison: str) -> Structure:
    """Move a fiche (and its subtree) under another parent of the same EJ."""
    actuelle = verrouiller(structure, None)
    nouveau_parent = Structure.objects.get(pk=nouveau_parent.pk)  # its tree numbers as they are now
    avant = {"parent": actuelle.parent_id}
    if nouveau_parent.niveau not in PARENTS_AUTORISES[actuelle.niveau]:
        raise ValidationError("Ce niveau ne peut pas être placé sous ce parent.")
    ej_cible = nouveau_parent if nouveau_parent.niveau == Niveau.EJ else nouveau_parent.ej
    if actuelle.niveau != Niveau.EG and ej_cible.pk != actuelle.ej_id:
        raise ValidationError("Une unité ne peut être déplacée que dans la même entité juridique.")
    if nouveau_parent.is_descendant_of(actuelle, include_self=True):
        raise ValidationError("Une structure ne peut pas être placée sous elle-même.")
    actuelle.move_to(nouveau_parent, "last-child")
    actuelle.refresh_from_db()
    actuelle.parent = nouveau_parent
    enregistrer(actuelle, user, raison, avant=avant)
    # The denormalised ancestors of the subtree follow.
    descendants = list(actuelle.get_descendants())
    for descendant in descendants:
        descendant._set_ancetres()
        Structure.objects.filter(pk=descendant.pk).update(ej=descendant.ej_id, eg=descendant.eg_id)
    annoncer(d.pk for d in descendants)
    return actuelle


@transaction.atomic
def supprimer_structure(user, structure: Structure, *, raison: str) -> None:
    """Remove a fiche that has no children; its history keeps it."""
    actuelle = verrouiller(structure, None)
    if actuelle.get_children().exists():
        raise ValidationError("Supprimez ou déplacez d'abord les unités rattachées.")
    actuelle._history_user = user
    actuelle._change_reason = raison
    actuelle._changements_historises = {"champs": {}, "listes": {}}
    pk = actuelle.pk
    # Its photo and pièces jointes go with it (the history keeps their names, not the files).
    supprimer_apres_commit(actuelle.photo.name, *actuelle.pieces_jointes.values_list("fichier", flat=True))
    actuelle.delete()
    annoncer([pk])


@transaction.atomic
def fermer_structure(user, structure: Structure, *, raison: str, date=None) -> Structure:
    return modifier_structure(user, structure, {"etat": "ferme", "date_fermeture": date or timezone.localdate()},
                              raison=raison)


@transaction.atomic
def rouvrir_structure(user, structure: Structure, *, raison: str) -> Structure:
    return modifier_structure(user, structure, {"etat": "ouvert", "date_fermeture": None}, raison=raison)



@transaction.atomic
def marquer_statut_fiche(structures, statut: str) -> int:
    """Set the Répertoire pictogram of fiches (a dossier collaboratif works on them).

    A pictogram is not offer data: no history record and no version bump, so an
    operational edit made meanwhile is not taken for a conflict. Kept in its own narrow
    table (PictogrammeFiche, no row when standard): thousands of fiches in one cheap write.
    The version of the offer as pages show it changes, though (the fiche's pictogram).
    """
    changer_version_offre()
    if isinstance(structures, QuerySet):  # a subtree: no list of thousands of ids
        cibles = structures.order_by().values("pk")
    else:
        cibles = [s.pk if isinstance(s, Structure) else s for s in structures]
    PictogrammeFiche.objects.filter(structure_id__in=cibles).delete()
    if statut == StatutFiche.STANDARD:
        return 0
    if isinstance(structures, QuerySet):  # INSERT … SELECT: the ids never leave the database
        sql, params = cibles.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f'INSERT INTO {PictogrammeFiche._meta.db_table} (structure_id, statut) '
                           f'SELECT t."pk", %s FROM ({sql}) t', [statut, *params])
            return cursor.rowcount
    PictogrammeFiche.objects.bulk_create([PictogrammeFiche(structure_id=pk, statut=statut) for pk in cibles])
    return len(cibles)
