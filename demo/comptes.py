"""Demo: one pending access request, for the gestionnaire to accept or refuse.

Not an app of its own: the integrator calls `comptes.demo.peupler_demo(stdout)` from preparer_demo.
"""

from repertoire.models import Niveau, Structure
from comptes.models import DemandeAcces

EMAIL_DEMO = "camille.durand@demo.ror.example.fr"


def peupler_demo(stdout):
    if DemandeAcces.objects.filter(email=EMAIL_DEMO).exists():
        return
    structure = (Structure.objects.filter(niveau=Niveau.EG, etat="ouvert").exclude(finess="")
                 .filter(nom__istartswith="EHPAD").order_by("nom").first()
                 or Structure.objects.eg().order_by("nom").first())
    if structure is None:
        return
    from comptes.services import deposer_demande

    deposer_demande(prenom="Camille", nom="Durand", email=EMAIL_DEMO, fonction="Cadre de santé",
                    structure=structure, role=DemandeAcces.Role.REFERENT,
                    justification="Je mets à jour l'offre de l'établissement (nouvelle cadre de santé).")
    stdout.write(f"Comptes : une demande d'accès en attente (référent de {structure.nom}).")
