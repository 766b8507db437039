"""Reading the Répertoire efficiently: a fiche with everything it shows in a fixed
number of queries, tree nodes with their child counts in one aggregated query,
and the values of an encadré ready for a template (labels, never codes)."""

import re

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from nomenclatures.models import Commune, Concept
from nomenclatures.territoires import Territoires
from socle.adresse import lignes_adresse

from . import schema
from .encadres import encadres_de
from .models import LIBELLES_PATIENTELE, Discipline, Favori, Groupement, Niveau, Structure

# Related rows of a fiche, loaded by a few primary-key queries rather than one wide join
# (a 17-table join costs more to plan than to run).
PARENTS_FICHE = ["parent", "ej", "eg", "verifie_par"]
SELECT_FICHE = ["parent", "ej", "eg", "verifie_par", "commune", "departement", "type_voie", "statut_juridique",
                "categorie", "type_oi", "type_uo", "champ", "accessibilite", "ouverture_annuelle", "niveau_expertise",
                "famille_activite", "fonction_lieu", "type_habitation"]
# The coded lists (every many-to-many field but the territory, a list of communes).
M2M_TOUS = [f.name for f in Structure._meta.many_to_many if f.related_model is Concept]


def _m2m_du_niveau(niveau: str) -> list[str]:
    noms = {n for e in encadres_de(niveau) for n in e.lecture + e.m2m}
    return [f.name for f in Structure._meta.many_to_many if f.name in noms]


def prefetches(niveau: str) -> list:
    """Lists other than the coded ones (those come in one query from `prefetch_listes`)."""
    liste = []
    if "territoire" in _m2m_du_niveau(niveau):
        liste.append(Prefetch("territoire", queryset=Commune.objects.order_by("nom")))
    liste += [Prefetch("contacts", queryset=Structure.contacts.rel.related_model.objects.select_related("civilite")),
              "horaires", "pieces_jointes"]
    return liste


def prefetch_listes(structures: list, noms: list[str]) -> None:
    """Every coded list (activités, actes…) of `structures` in ONE query (a UNION over the
    many-to-many tables), placed in Django's prefetch cache so `.all()` reads it."""
    noms = [n for n in noms if n != "territoire"]
    ids = [s.pk for s in structures]
    if not noms or not ids:
        return
    colonnes = [f.column for f in Concept._meta.concrete_fields]
    parties, params = [], []
    for nom in noms:
        through = Structure._meta.get_field(nom).remote_field.through._meta
        parties.append(f"SELECT %s AS champ, t.structure_id, {', '.join('c.' + c for c in colonnes)} "
                       f"FROM {through.db_table} t JOIN nomenclatures_concept c ON c.id = t.concept_id "
                       f"WHERE t.structure_id = ANY(%s)")
        params += [nom, ids]
    resultats = {(s.pk, nom): [] for s in structures for nom in noms}
    with connection.cursor() as curseur:
        curseur.execute(" UNION ALL ".join(parties) + " ORDER BY libelle", params)
        for champ, structure_id, *valeurs in curseur.fetchall():
            resultats[(structure_id, champ)].append(Concept.from_db("default", colonnes, valeurs))
    for s in structures:
        cache = s.__dict__.setdefault("_prefetched_objects_cache", {})
        for nom in noms:
            queryset = getattr(s, nom).all()
            queryset._result_cache, queryset._prefetch_done = resultats[(s.pk, nom)], True
            cache[nom] = queryset


def attacher_references(structures: list) -> None:
    """Fill the coded fields, communes, départements and parents of `structures` (and of their
    EG, for the address a UO inherits) with one query per kind of row."""
    from django.contrib.auth import get_user_model

    from nomenclatures.models import Departement

    parents_ids = {getattr(s, f"{n}_id") for s in structures for n in ("parent", "ej", "eg")} - {None}
    parents = {p.pk: p for p in Structure.objects.filter(pk__in=parents_ids).select_related("type_oi")}
    tous = list(structures) + [parents[s.eg_id] for s in structures if s.eg_id in parents]
    champs = [f for f in Structure._meta.concrete_fields if f.is_relation and f.name in SELECT_FICHE
              and f.name not in PARENTS_FICHE]
    modeles = {Concept: Concept.objects.all(), Commune: Commune.objects.all(), Departement: Departement.objects.all()}
    lignes = {}
    for modele, queryset in modeles.items():
        ids = {getattr(s, f.attname) for s in tous for f in champs if f.related_model is modele} - {None}
        lignes[modele] = {o.pk: o for o in queryset.filter(pk__in=ids)} if ids else {}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={s.verifie_par_id for s in structures} - {None})}
    for s in tous:
        for f in champs:
            valeur = getattr(s, f.attname)
            if valeur is not None:
                setattr(s, f.name, lignes[f.related_model].get(valeur))
    for s in structures:
        for nom in ("parent", "ej", "eg"):
            if getattr(s, f"{nom}_id") in parents:
                setattr(s, nom, parents[getattr(s, f"{nom}_id")])
        if s.verifie_par_id:
            s.verifie_par = users.get(s.verifie_par_id)


def charger_fiche(pk) -> Structure:
    """One structure with all it displays, in a fixed number of small queries."""
    from django.db.models import prefetch_related_objects
    from django.shortcuts import get_object_or_404

    structure = get_object_or_404(Structure, pk=pk)
    attacher_references([structure])
    prefetch_listes([structure], _m2m_du_niveau(structure.niveau))
    prefetch_related_objects([structure], *prefetches(structure.niveau))
    return structure


# -- values of an encadré ------------------------------------------------------------------

def lignes(structure: Structure, encadre) -> list[dict]:
    """[{nom, libelle, texte | liste, structurel}] for the fields an encadré shows."""
    resultat = []
    for nom in encadre.lecture:
        ligne = {"nom": nom, "libelle": schema.libelle(nom).capitalize(), "structurel": nom in encadre.structurels}
        if nom == "territoire":  # whole départements and EPCI as such, then the other communes
            communes = list(structure.territoire.all())
            entiers, restantes = [], [str(c) for c in communes]
            if len(communes) > 1:
                resume = Territoires(communes).resumer([c.pk for c in communes], {c.pk: str(c) for c in communes}.get)
                entiers, restantes = resume.entiers, resume.communes
            ligne.update(liste=entiers + restantes, entiers=entiers, communes=restantes)
        elif schema.champ_modele(nom).many_to_many:
            ligne["liste"] = schema.afficher_liste(structure, nom)
        else:
            ligne["texte"] = schema.afficher(structure, nom)
        resultat.append(ligne)
    return resultat


def source_adresse(structure: Structure) -> Structure:
    """A UO (or OI) without an address of its own is at its EG's address."""
    if not (structure.voie or structure.commune_id or structure.lieu_dit) and structure.eg_id:
        return structure.eg
    return structure


def position(structure: Structure):
    for s in (structure, structure.eg if structure.eg_id else None):
        if s is not None and s.latitude is not None and s.longitude is not None:
            return {"lat": f"{s.latitude:f}", "lon": f"{s.longitude:f}"}
    return None


def adresse_propre(structure: Structure, *, ville: bool = True) -> list[str]:
    """The lines of the structure's own address ("5 rue des Lilas", …, "49300 Cholet");
    without the town line when `ville` is false."""
    return lignes_adresse(
        numero=structure.numero_voie, type_voie=structure.type_voie.libelle if structure.type_voie_id else "",
        voie=structure.voie, complement=structure.complement_adresse, lieu_dit=structure.lieu_dit,
        code_postal=structure.code_postal if ville else "",
        commune=structure.commune.nom if ville and structure.commune_id else "")


def adresse(structure: Structure) -> list[str]:
    return adresse_propre(source_adresse(structure))


def patientele(structure: Structure) -> str:
    code = structure.code_patientele
    if not code:
        return ""
    ages = f"{structure.age_min if structure.age_min is not None else 0} – " \
           f"{structure.age_max if structure.age_max is not None else 150} ans"
    return f"{code} = {LIBELLES_PATIENTELE.get(code, code)} ({ages})"


def anciennete(date) -> str:
    """"il y a 3 mois" in words a user reads at a glance."""
    if not date:
        return ""
    jours = (timezone.now() - date).days
    if jours < 1:
        return "aujourd'hui"
    if jours < 31:
        return f"il y a {jours} jour{'s' if jours > 1 else ''}"
    mois = jours // 30
    if mois < 12:
        return f"il y a {mois} mois"
    ans = jours // 365
    return f"il y a {ans} an{'s' if ans > 1 else ''}"


def planning(structure: Structure) -> list[dict]:
    from .models import Jour

    par_jour = {}
    for h in structure.horaires.all():
        par_jour.setdefault(h.jour, []).append(f"{h.debut:%H:%M} – {h.fin:%H:%M}")
    return [{"jour": j.label, "creneaux": par_jour.get(j.value, [])} for j in Jour] if par_jour else []


def details(structure: Structure) -> dict:
    """What the special encadrés show (address, patientèle, planning, contacts, responsable)."""
    contacts = list(structure.contacts.all())
    return {"adresse": adresse(structure), "adresse_eg": source_adresse(structure) != structure,
            "patientele": patientele(structure), "planning": planning(structure),
            "contacts": [c for c in contacts if not c.est_responsable],
            "responsable": next((c for c in contacts if c.est_responsable), None)}


def groupements(structure: Structure) -> list[Groupement]:
    """The groupings (GHT) the structure's legal entity belongs to, with their members."""
    ej_id = structure.pk if structure.niveau == Niveau.EJ else structure.ej_id
    if not ej_id:
        return []
    return list(Groupement.objects.filter(membres=ej_id).select_related("support").prefetch_related(
        Prefetch("membres", queryset=Structure.objects.only("id", "nom", "niveau").order_by("nom"))))


# -- tree ----------------------------------------------------------------------------------

CODES_LEGENDE = [
    ("EJ", "Entité juridique"), ("EG", "Entité géographique"), ("P", "Pôle"), ("S", "Structure interne (service)"),
    ("UF", "Unité fonctionnelle"), ("UE", "Unité élémentaire"), ("OI", "Organisation interne"),
    ("UO", "Unité opérationnelle"), ("DF", "Département français"),
]
ICONES_STATUT = {
    "standard": "fr-icon-file-line", "modification": "fr-icon-edit-line", "creation": "fr-icon-add-circle-line",
    "finalisee": "fr-icon-checkbox-circle-line", "supprimee": "fr-icon-delete-line",
    "deplacee": "fr-icon-arrow-right-line",
}
DISCIPLINES = list(Discipline.choices)
TOUTES_DISCIPLINES = {code for code, _ in DISCIPLINES}


def filtrer_disciplines(queryset, disciplines: set[str], niveau: str | None = None):
    """Keep only what leads to an offer of the chosen disciplines (no filter when all are chosen).

    With `niveau` (all rows of one level), only that level's condition is written, which
    lets PostgreSQL walk the rows in order and probe the partial index for each one."""
    if disciplines >= TOUTES_DISCIPLINES:
        return queryset
    uo = Structure.objects.uo().filter(discipline__in=disciplines)
    conditions = {
        Niveau.UO: Q(discipline__in=disciplines),
        Niveau.EJ: Exists(uo.filter(ej=OuterRef("pk"))),
        Niveau.EG: Exists(uo.filter(eg=OuterRef("pk"))),
        Niveau.OI: Exists(uo.filter(tree_id=OuterRef("tree_id"), lft__gt=OuterRef("lft"), rght__lt=OuterRef("rght"))),
    }
    if niveau:
        return queryset.filter(conditions[niveau])
    tout = Q(pk__in=[])
    for n, condition in conditions.items():
        tout |= Q(niveau=n) & condition
    return queryset.filter(tout)


# Children of a node: EG, then OI, then UO ("EG" < "OI" < "UO"), each A–Z.
ORDRE_ENFANTS = ("niveau", "nom", "id")
# What a tree node shows (_noeuds.html, the fiche's children): a page of 100 nodes builds 100
# models of 70 columns otherwise, most of the page's time.
CHAMPS_NOEUD = ("niveau", "nom", "parent", "eg", "ej", "finess", "etat", "discipline", "age_min", "age_max",
                "type_oi__code", "commune__nom")


def noeuds(queryset, disciplines: set[str], user=None, debut: int = 0, limite: int = 200,
           niveau: str | None = None) -> list[Structure]:
    """Tree nodes (a page of them) with `comptes` [(niveau, n)] of their children, in ONE aggregated query."""
    liste = list(filtrer_disciplines(queryset, disciplines, niveau).select_related("type_oi", "commune")
                 .only(*CHAMPS_NOEUD).annotate(statut_fiche=F("pictogramme__statut"))[debut:debut + limite])
    if not liste:
        return liste
    enfants = Structure.objects.filter(parent_id__in=[s.pk for s in liste])
    if not disciplines >= TOUTES_DISCIPLINES:
        enfants = enfants.filter(~Q(niveau=Niveau.UO) | Q(discipline__in=disciplines))
    comptes: dict[int, list] = {}
    for parent_id, niveau, n in enfants.order_by().values_list("parent_id", "niveau").annotate(n=Count("id")):
        comptes.setdefault(parent_id, []).append((niveau, n))
    favoris = set()
    if user is not None and user.is_authenticated:
        favoris = set(Favori.objects.filter(user=user, structure_id__in=[s.pk for s in liste])
                      .values_list("structure_id", flat=True))
    ordre = {Niveau.EG: 0, Niveau.OI: 1, Niveau.UO: 2}
    fiche, enfants_de = reverse("repertoire:fiche", args=[0])[:-2], reverse("repertoire:arbre_enfants", args=[0])
    for s in liste:
        s.url_fiche = f"{fiche}{s.pk}/"
        s.url_enfants = enfants_de.replace("/0/", f"/{s.pk}/")
        s.comptes = sorted(comptes.get(s.pk, []), key=lambda c: ordre.get(c[0], 9))
        s.nb_enfants = sum(n for _, n in s.comptes)
        s.est_favori = s.pk in favoris
        s.icone_statut = ICONES_STATUT.get(s.statut_fiche, ICONES_STATUT["standard"])
        # the node's texts, written once here rather than by a dozen template lookups per node
        s.libelle_statut = s.get_statut_fiche_display().lower()
        s.identite = " · ".join(t for t in (s.finess and f"FINESS {s.finess}", s.commune_id and s.commune.nom) if t) \
            if s.niveau in (Niveau.EJ, Niveau.EG) else ""
        s.texte_comptes = ", ".join(f"{n} {niveau_}" for niveau_, n in s.comptes)
    return liste


def departements_avec_comptes(disciplines: set[str]) -> list[dict]:
    """Départements holding EG, with the number of EG (one grouped query on an index)."""
    from nomenclatures.models import Departement

    def compter():
        egs = filtrer_disciplines(Structure.objects.eg().filter(departement__isnull=False), disciplines,
                                  Niveau.EG)
        return dict(egs.order_by().values_list("departement_id").annotate(n=Count("id")))

    # Counting 100,000 EG per département takes a noticeable moment and changes rarely: cached briefly.
    comptes = cache.get_or_set("repertoire:departements:" + ",".join(sorted(disciplines)), compter, 300)
    return [{"code": d.code, "nom": d.nom, "nb": comptes[d.code]}
            for d in Departement.objects.filter(code__in=comptes).order_by("code")]


def sans_accents(texte: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode("ascii").lower().strip()


ORDRE_NIVEAUX = {Niveau.EJ: 0, Niveau.EG: 1, Niveau.OI: 2, Niveau.UO: 3}


def trier(noeuds_: list) -> list:
    return sorted(noeuds_, key=lambda s: (ORDRE_NIVEAUX.get(s.niveau, 9), s.nom))


def chercher_par_nom(texte: str):
    """Structures whose name contains `texte`, accents and case ignored (trigram index).

    The index is probed with the words of 3 letters or more ("%accueil%jour%"), the exact text
    checked on the rows it yields: a short word's padded trigrams ("  d", " de") are in most names,
    so probing with them reads most of the index (150 ms rather than 30 for "accueil de jour").
    Unordered on purpose: sorting every match of a common word ("ehpad") over a million
    rows costs seconds; the caller takes the first ones and sorts them (`trier`)."""
    texte = sans_accents(texte)
    exact = "%" + texte.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    mots = [m for m in re.findall(r"[a-z0-9]+", texte) if len(m) >= 3]
    sonde = "%" + "%".join(mots) + "%" if mots else exact
    conditions, params = ["lower(immutable_unaccent(repertoire_structure.nom)) LIKE %s"], [sonde]
    if sonde != exact:  # `|| ''` hides the expression from the index: checked on rows, not probed
        conditions.append("(lower(immutable_unaccent(repertoire_structure.nom)) || '') LIKE %s")
        params.append(exact)
    return Structure.objects.extra(where=conditions, params=params).order_by()


def par_nom(texte: str, disciplines: set[str], limite: int = 100):
    """The first `limite` structures whose name contains `texte` (of the chosen disciplines), as a
    queryset of their ids. A common word ("ehpad": 24,000 of a million names) makes PostgreSQL walk
    the table, unaccenting every name until it has found enough; the trigram index read as a bitmap
    stops at the first `limite` rows instead (70 ms rather than 500 at national scale). No parallel
    workers: starting them costs more than reading 100 rows."""
    requete = filtrer_disciplines(chercher_par_nom(texte), disciplines).values_list("pk", flat=True)[:limite]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true), "
                       "set_config('enable_indexonlyscan', 'off', true), "
                       "set_config('max_parallel_workers_per_gather', '0', true)")  # one round trip, for this transaction
        ids = list(requete)
    return Structure.objects.filter(pk__in=ids)


def nommer_rattachement(noeuds_: list) -> list:
    """`nom_rattachement` of each node found by name, to tell it apart: its EG's name (an OI, a UO),
    its EJ's (an EG). One query on primary keys rather than two whole structures joined per node."""
    rattachement = {s.pk: s.ej_id if s.niveau == Niveau.EG else s.eg_id for s in noeuds_}
    noms = dict(Structure.objects.filter(pk__in={pk for pk in rattachement.values() if pk})
                .values_list("pk", "nom"))
    for s in noeuds_:
        s.nom_rattachement = noms.get(rattachement[s.pk], "") if s.niveau != Niveau.EJ else ""
    return noeuds_
