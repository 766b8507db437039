"""FINESS authorisations and the offer they allow.

The regulated activities the ANS checks (ansforge/ROR-indicateurs-BI-SQL, commit 0caede3,
`view_V_DIM_AutorisationFINESS.sql`): an authorisation is FINESS's activité `cdactivite`
(TRE_R274) with its modalité `cdmodalite` (TRE_R275); the offer that serves it carries one
of the activités opérationnelles (J17) of `view_V_DIM_ExigenceQualite_EX3_EX4_EX5.sql` and
`view_V_DIM_ExigenceQualite_CO1.sql`. One table, read by the indicators, the check of a UO
against its EG's authorisations, and the units proposed for a new EG.
"""

from dataclasses import dataclass
from datetime import date

# Authorisations ended before the reform of 1 May 2021 no longer count (same SQL).
DEBUT_REFORME = date(2021, 5, 1)

# Activités (TRE_R274) named in the ANS SQL; any other code is shown as is.
LIBELLES_ACTIVITES = {
    "03": "Gynécologie-obstétrique, néonatologie",
    "04": "Psychiatrie",
    "14": "Médecine d'urgence",
    "15": "Soins critiques",
}
LIBELLES_MODALITES = {
    ("03", "01"): "obstétrique", ("03", "02"): "néonatologie", ("03", "03"): "soins intensifs néonatals",
    ("03", "04"): "réanimation néonatale", ("14", "23"): "urgences", ("14", "24"): "urgences pédiatriques",
    ("15", "09"): "réanimation adulte", ("15", "10"): "réanimation pédiatrique",
    ("15", "98"): "réanimation pédiatrique",
}
ACTIVITES_MCO = {"01", "02", "03", "07", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19",
                 "80", "81", "82", "83", "84", "85", "86", "87", "88"}
ACTIVITES_SMR = {"50", "51", "52", "53", "54", "55", "56", "57", "58", "59"}


@dataclass(frozen=True)
class OffreReglementee:
    """An offer that needs an authorisation: which authorisation, which J17 activities mark
    the UO that serves it, the ANS requirement checking it, and the UO proposed for it."""

    cle: str
    libelle: str
    activite: str
    modalites: frozenset[str]
    activites_j17: frozenset[str]
    exigence: str
    type_uo: str  # J34
    activite_proposee: str  # J17


OFFRES_REGLEMENTEES = [
    OffreReglementee("reanimation_adulte", "Réanimation adulte", "15", frozenset({"09"}),
                     frozenset({"121", "122", "123", "124", "125", "126", "127", "129"}), "EX3", "16", "126"),
    OffreReglementee("reanimation_pediatrique", "Réanimation pédiatrique", "15", frozenset({"10", "98"}),
                     frozenset({"130"}), "EX4", "16", "130"),
    OffreReglementee("reanimation_neonatale", "Réanimation néonatale", "03", frozenset({"04"}),
                     frozenset({"128"}), "EX5", "16", "128"),
    OffreReglementee("urgences", "Urgences", "14", frozenset({"23"}), frozenset({"157"}), "CO1", "20", "157"),
    OffreReglementee("urgences_pediatriques", "Urgences pédiatriques", "14", frozenset({"24"}),
                     frozenset({"249"}), "CO1", "20", "249"),
]
PAR_CLE = {o.cle: o for o in OFFRES_REGLEMENTEES}


def libelle_autorisation(a) -> str:
    """« Soins critiques – réanimation adulte », or the codes when the label is not known."""
    activite = LIBELLES_ACTIVITES.get(a.activite, f"activité {a.activite}" if a.activite else a.type_activite)
    modalite = LIBELLES_MODALITES.get((a.activite, a.modalite), f"modalité {a.modalite}" if a.modalite else "")
    return f"{activite} – {modalite}" if modalite else activite


def en_vigueur(a, jour: date | None = None) -> bool:
    """Counted by the ANS: not closed (état A) and not ended before the 2021 reform."""
    fin = a.date_fin_effective or a.date_fin
    return a.active and (fin is None or fin >= DEBUT_REFORME)


def offre_de(a) -> OffreReglementee | None:
    for offre in OFFRES_REGLEMENTEES:
        if a.activite == offre.activite and a.modalite in offre.modalites:
            return offre
    return None


def offres_exigees(activites_j17) -> list[OffreReglementee]:
    """The regulated offers a UO with these J17 activity codes provides."""
    codes = set(activites_j17)
    return [o for o in OFFRES_REGLEMENTEES if o.activites_j17 & codes]


# -- Queries (the dossiers and the fiche read authorisations through these) ------------------

def autorisations_de_l_eg(eg):
    """The activities FINESS records for an EG: those it exercises, newest first."""
    from .models import AutorisationFiness

    if not getattr(eg, "finess", ""):
        return AutorisationFiness.objects.none()
    return AutorisationFiness.objects.filter(finess_eg=eg.finess, exercee=True).order_by(
        "-active", "activite", "modalite", "forme", "activite_id")


def autorisations_en_vigueur(eg) -> list:
    return [a for a in autorisations_de_l_eg(eg) if en_vigueur(a)]


def ecarts_autorisations(eg, activites_j17) -> list[str]:
    """What a UO of `eg` with these activités opérationnelles (J17 codes) lacks: one French
    sentence per regulated offer it provides that no authorisation of the EG in force allows.
    Empty when the UO needs no authorisation or has it. The dossiers warn with it."""
    exigees = offres_exigees(activites_j17)
    if not exigees:
        return []
    couvertes = {offre_de(a) for a in autorisations_en_vigueur(eg)}
    return [f"{eg.nom} n'a pas d'autorisation FINESS en vigueur pour « {o.libelle} » "
            f"(activité {o.activite}, modalité {'/'.join(sorted(o.modalites))}) : les modifications "
            f"doivent respecter les autorisations FINESS."
            for o in exigees if o not in couvertes]


def autorisation_servie(eg, activites_j17):
    """The authorisation of `eg` in force that a UO with these activities serves, or None."""
    exigees = offres_exigees(activites_j17)
    for a in autorisations_en_vigueur(eg):
        if offre_de(a) in exigees:
            return a
    return None


def unites_proposees(autorisations) -> list[dict]:
    """The UOs proposed for a new EG from its authorisations in force (one per regulated offer)."""
    vues, unites = set(), []
    for a in autorisations:
        offre = offre_de(a)
        if offre is None or offre.cle in vues or not en_vigueur(a):
            continue
        vues.add(offre.cle)
        unites.append({"nom": offre.libelle, "type_uo": offre.type_uo, "champ": "01", "discipline": "MCO",
                       "activite": offre.activite_proposee, "autorisation": a.activite_id})
    return unites
