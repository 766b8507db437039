"""ANS population status of the offer, computed in SQL as the ANS computes its indicators.

A UO (not closed) is "Finalisé" when it has: a valid champ d'activité; a catégorie
d'organisation where the EG category requires it (SAAD/SSIAD/SPASAD: 460, 354, 209); at
least one valid activité opérationnelle; a mode de prise en charge; age min and max; an
address (street or lieu-dit, postcode, town — its own or, without one, its EG's); at least
one contact with a function or nature and a telecom. "En cours" when some hold, "À faire"
when none. An EG is finalised when all its UOs are.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import BooleanField, Case, Exists, ExpressionWrapper, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from repertoire import schema
from repertoire.models import Contact, Niveau, Structure

CATEGORIES_AVEC_TYPE_OBLIGATOIRE = {"460", "354", "209"}

# (code, label of what is missing): the field schema's ANS criteria.
CRITERES = schema.CRITERES_ANS
LIBELLES_CRITERES = dict(CRITERES)

FINALISE, EN_COURS, A_FAIRE = "finalise", "en_cours", "a_faire"
LIBELLES_STATUT = {FINALISE: "Finalisé", EN_COURS: "En cours", A_FAIRE: "À faire"}

# Champs of the dashboard (J20 codes), as the seeds name them.
CHAMPS = [("01", "MCO"), ("03", "PSY"), ("02", "SSR/SMR"), ("04", "MS"), ("05", "Ambulatoire"), ("", "Sans champ")]


def _bool(condition) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _adresse_complete(prefixe: str = "") -> Q:
    rue_ou_lieu_dit = ~Q(**{f"{prefixe}voie": ""}) | ~Q(**{f"{prefixe}lieu_dit": ""})
    return rue_ou_lieu_dit & ~Q(**{f"{prefixe}code_postal": ""}) & Q(**{f"{prefixe}commune__isnull": False})


def _a_une_adresse_propre() -> Q:
    return ~Q(voie="") | ~Q(lieu_dit="") | ~Q(code_postal="") | Q(commune__isnull=False)


def uos_evaluees(queryset=None):
    """Open UOs annotated with one boolean per criterion (`c_<code>`), `nb_criteres` and `statut`."""
    qs = queryset if queryset is not None else Structure.objects.all()
    activites = Structure.activites.through.objects.filter(structure_id=OuterRef("pk"), concept__actif=True)
    modes = Structure.modes_prise_en_charge.through.objects.filter(structure_id=OuterRef("pk"))
    contacts = Contact.objects.filter(structure_id=OuterRef("pk")).filter(
        Q(fonction__isnull=False) | ~Q(libelle="")).filter(~Q(telephone="") | ~Q(email=""))
    conditions = {
        "champ": _bool(Q(champ__isnull=False) & Q(champ__actif=True)),
        "categorie": _bool(~Q(eg__categorie__code__in=CATEGORIES_AVEC_TYPE_OBLIGATOIRE)
                           | Q(eg__categorie__isnull=True) | Q(type_uo__isnull=False)),
        "activite": Exists(activites),
        "mode": Exists(modes),
        "ages": _bool(Q(age_min__isnull=False) & Q(age_max__isnull=False)),
        "adresse": _bool((_a_une_adresse_propre() & _adresse_complete())
                         | (~_a_une_adresse_propre() & _adresse_complete("eg__"))),
        "contact": Exists(contacts),
    }
    qs = qs.uo().ouvertes().annotate(
        **{f"c_{code}": conditions[code] for code, _ in CRITERES})
    premier, *autres = (Cast(f"c_{code}", IntegerField()) for code, _ in CRITERES)
    somme = sum(autres, premier)
    return qs.annotate(nb_criteres=somme).annotate(statut=Case(
        When(nb_criteres=len(CRITERES), then=Value(FINALISE)),
        When(nb_criteres=0, then=Value(A_FAIRE)),
        default=Value(EN_COURS)))


def manques(uo) -> list[str]:
    """What an evaluated UO lacks, in words."""
    return [libelle for code, libelle in CRITERES if not getattr(uo, f"c_{code}")]


@dataclass
class Ligne:
    """One row of the dashboard: a champ or a département."""

    cle: str
    libelle: str
    uo: int = 0
    finalisees: int = 0
    en_cours: int = 0
    a_faire: int = 0
    eg: int = 0
    eg_finalises: int = 0

    @property
    def taux_uo(self) -> float | None:
        return 100 * self.finalisees / self.uo if self.uo else None

    @property
    def taux_eg(self) -> float | None:
        return 100 * self.eg_finalises / self.eg if self.eg else None


@dataclass
class Tableau:
    par_champ: list[Ligne] = field(default_factory=list)
    par_departement: list[Ligne] = field(default_factory=list)
    total: Ligne = field(default_factory=lambda: Ligne("", "Ensemble"))
    non_verifiees: int = 0


def tableau(queryset=None) -> Tableau:
    """Population rates by champ and by département (UO and EG), like "100 % MCO, 90 % PSY"."""
    from nomenclatures.models import Departement

    lignes = (uos_evaluees(queryset).order_by().annotate(dep=Coalesce("departement_id", "eg__departement_id"))
              .values_list("eg_id", "champ__code", "dep", "statut"))
    champs = {code: Ligne(code, libelle) for code, libelle in CHAMPS}
    noms_deps = dict(Departement.objects.values_list("code", "nom"))
    deps: dict[str, Ligne] = {}
    eg_champ: dict[tuple, bool] = {}
    eg_dep: dict[tuple, bool] = {}
    eg_tous: dict[int, bool] = {}
    resultat = Tableau()
    for eg_id, champ, dep, statut in lignes.iterator(chunk_size=20000):
        champ = champ if champ in champs else ""
        dep = dep or ""
        if dep not in deps:
            deps[dep] = Ligne(dep, f"{dep} – {noms_deps.get(dep, 'inconnu')}" if dep else "Sans département")
        for ligne in (champs[champ], deps[dep], resultat.total):
            ligne.uo += 1
            ligne.finalisees += statut == FINALISE
            ligne.en_cours += statut == EN_COURS
            ligne.a_faire += statut == A_FAIRE
        ok = statut == FINALISE
        eg_champ[(eg_id, champ)] = eg_champ.get((eg_id, champ), True) and ok
        eg_dep[(eg_id, dep)] = eg_dep.get((eg_id, dep), True) and ok
        eg_tous[eg_id] = eg_tous.get(eg_id, True) and ok
    for (_, champ), ok in eg_champ.items():
        champs[champ].eg += 1
        champs[champ].eg_finalises += ok
    for (_, dep), ok in eg_dep.items():
        deps[dep].eg += 1
        deps[dep].eg_finalises += ok
    resultat.total.eg = len(eg_tous)
    resultat.total.eg_finalises = sum(eg_tous.values())
    resultat.par_champ = [ligne for ligne in champs.values() if ligne.uo]
    resultat.par_departement = sorted(deps.values(), key=lambda ligne: ligne.cle)
    resultat.non_verifiees = non_verifiees().count()
    return resultat


def limite_verification(mois: int | None = None):
    mois = mois or settings.QUALITE_MOIS_VERIFICATION
    return timezone.now() - timedelta(days=round(mois * 365.25 / 12))


def non_verifiees(mois: int | None = None, queryset=None):
    """Open EG and UO whose data was not verified for `mois` months (yearly verification is required)."""
    qs = queryset if queryset is not None else Structure.objects.all()
    return (qs.de_niveaux(Niveau.EG, Niveau.UO).ouvertes()
            .filter(Q(date_verification__isnull=True) | Q(date_verification__lt=limite_verification(mois))))
