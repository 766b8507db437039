from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from repertoire import access
from repertoire.models import Niveau, Structure
from repertoire.services import droits

MOT_DE_PASSE_DEMO = "demo-ror-2026"

# (identifiant, prénom, nom, groupe, [(droit, nom de la structure, niveau)])
COMPTES = [
    ("consultant", "Claire", "Consultante", access.GROUPE_CONSULTANT, []),  # reads everything
    ("referent", "Romain", "Référent", access.GROUPE_REFERENT, [("referent", "EHPAD LES MAGNOLIAS", Niveau.EG)]),
    ("referent.hopital", "Hélène", "Hospitalière", access.GROUPE_REFERENT, [("referent", "CH CHOLET", Niveau.EG)]),
    ("directeur", "Denis", "Directeur", access.GROUPE_DIRECTEUR,
     [("directeur", "ASSOCIATION LES MAGNOLIAS D'ANJOU", Niveau.EJ)]),
    ("gestionnaire", "Gaëlle", "Gestionnaire", access.GROUPE_GESTIONNAIRE, []),
]


class Command(BaseCommand):
    help = "Crée (une fois) et affiche les comptes de démonstration, un par rôle, rattachés à de vraies structures."

    @transaction.atomic
    def handle(self, **options):
        User = get_user_model()
        for nom in access.GROUPES:
            Group.objects.get_or_create(name=nom)
        lignes = []
        for identifiant, prenom, nom, groupe, droits_du_compte in COMPTES:
            user, cree = User.objects.get_or_create(
                username=identifiant,
                defaults={"first_name": prenom, "last_name": nom, "email": f"{identifiant}@demo.ror.example.fr"})
            if cree:
                user.set_password(MOT_DE_PASSE_DEMO)
                user.save()
                user.groups.add(Group.objects.get(name=groupe))
            structures = []
            for droit, nom_structure, niveau in droits_du_compte:
                structure = Structure.objects.filter(nom=nom_structure, niveau=niveau).first()
                if structure is None:
                    continue
                if cree:
                    droits.accorder_droit(None, user, droit, structure)
                structures.append(f"{droit} de {structure.nom}")
            lignes.append((identifiant, groupe, ", ".join(structures) or
                           ("toute la région" if groupe == access.GROUPE_GESTIONNAIRE else "lecture seule")))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Comptes de démonstration (mot de passe : {MOT_DE_PASSE_DEMO})"))
        for identifiant, groupe, structures in lignes:
            self.stdout.write(f"  {identifiant:<18} {groupe:<20} {structures}")
        self.stdout.write("Le portail : http://127.0.0.1:8000\n")
