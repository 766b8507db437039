"""The ground's shared helpers: the CSV writer, the audit actions, the address formatter, bulk writes."""

import csv
import io

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape

from imports.models import Changement, ImportFiness
from repertoire.models import Structure
from socle.adresse import lignes_adresse
from socle.audit import Action, journaliser
from socle.ecriture import inserer_en_masse
from socle.exports import cellule, reponse_csv
from socle.models import JournalAudit

FORMULE = '=HYPERLINK("http://x";"y")'


def _lire(reponse) -> list[list[str]]:
    texte = reponse.getvalue().decode("utf-8")
    assert texte.startswith("\ufeff")
    return list(csv.reader(io.StringIO(texte[1:]), delimiter=";"))


def test_le_csv_neutralise_les_formules():
    reponse = reponse_csv("essai.csv", ["nom", "valeur"], [[FORMULE, "-3"], ["@SOMME(A1)", "+1"],
                                                          ["\tx", "\rx"], ["Dupont", 4], [None, ""]])
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse["Content-Disposition"] == 'attachment; filename="essai.csv"'
    assert _lire(reponse) == [["nom", "valeur"], ["'" + FORMULE, "'-3"], ["'@SOMME(A1)", "'+1"],
                              ["'\tx", "'\rx"], ["Dupont", "4"], ["", ""]]
    assert cellule("5 rue des Lilas") == "5 rue des Lilas"


def _piege_structures(region):
    Structure.objects.filter(pk__in=[region.ch.pk, region.ehpad.pk]).update(nom=FORMULE, nom_officiel="")


def _piege_import(region):
    imp = ImportFiness.objects.create(par=region.gestionnaire, statut=ImportFiness.Statut.TERMINE)
    Changement.objects.create(import_finess=imp, type=Changement.Type.MODIFIE, niveau="EG", finess="490000001",
                              nom="CH", champ="nom", libelle_champ="nom", avant="CH", apres=FORMULE)
    return [imp.pk]


def _piege_opendata(region):
    from interop import opendata

    _piege_structures(region)
    opendata.produire()  # the nightly task writes the file the view serves


def _piege_journal(region):
    journaliser(region.gestionnaire, Action.DROIT_ACCORDE, cible=FORMULE)


EXPORTS = {
    "recherche": (_piege_structures, "recherche:export_csv", {"ou": "Angers", "rayon": "100"}),
    "disponibilites": (_piege_structures, "disponibilites:export_csv", {}),
    "qualite": (_piege_structures, "qualite:incompletes_csv", {}),
    "imports": (_piege_import, "imports:rapport_csv", {}),
    "opendata": (_piege_opendata, "interop:opendata_csv", {}),
    "journal": (_piege_journal, "comptes:journal_csv", {}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("export", EXPORTS)
def test_chaque_export_neutralise_les_formules(client, region, export):
    pieger, route, parametres = EXPORTS[export]
    args = pieger(region)
    client.force_login(region.gestionnaire)
    reponse = client.get(reverse(route, args=args), parametres)
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/csv")
    cellules = [c for ligne in _lire(reponse) for c in ligne]
    assert "'" + FORMULE in cellules
    assert FORMULE not in cellules


def test_une_adresse_garde_son_type_de_voie_comme_on_l_ecrit():
    assert lignes_adresse(numero="5", type_voie="Rue", voie="des Lilas", complement="Bâtiment B",
                          code_postal="49300", commune="Cholet") == ["5 Rue des Lilas", "Bâtiment B", "49300 Cholet"]
    assert lignes_adresse(numero="5", type_voie="Rue", voie="des Lilas") == ["5 Rue des Lilas"]
    assert lignes_adresse(numero="12", type_voie="Avenue", voie="Jean Jaurès") == ["12 Avenue Jean Jaurès"]
    assert lignes_adresse(type_voie="Place", voie="du Marché") == ["Place du Marché"]
    # J219 labels that explain themselves keep their first word; lower case labels are capitalised
    assert lignes_adresse(numero="3", type_voie="Chemin, cheminement", voie="des Vignes") == ["3 Chemin des Vignes"]
    assert lignes_adresse(numero="8", type_voie="boulevard", voie="Foch") == ["8 Boulevard Foch"]
    # a street keyed with its type in its name, without a type
    assert lignes_adresse(numero="12", voie="rue des Lilas") == ["12 Rue des Lilas"]
    assert lignes_adresse(lieu_dit="La Garenne", commune="Cholet") == ["La Garenne", "Cholet"]
    assert lignes_adresse() == []


@pytest.mark.django_db
def test_ecriture_en_masse_par_copy_ou_avec_retour():
    imp = ImportFiness.objects.create()
    lignes = ({"import_finess_id": imp.pk, "type": "nouveau", "niveau": "EG", "finess": f"49000000{i}", "nom": "CH"}
              for i in range(3))
    assert inserer_en_masse(Changement, None, lignes) == 3  # a generator, by COPY
    assert imp.changements.filter(finess="490000001", avant="", structure=None).exists()  # the fields' defaults
    table = Changement._meta.db_table
    colonnes = ["import_finess_id", "type", "niveau", "finess", "nom", "champ", "libelle_champ", "avant", "apres"]
    ids = inserer_en_masse(table, colonnes, [[imp.pk, "ferme", "EG", "490000009", "CH", "", "", "", ""]],
                           suite="RETURNING t.id")
    assert Changement.objects.get(pk=ids[0][0]).type == "ferme"
    assert inserer_en_masse(table, colonnes, [], suite="RETURNING id") == []


@pytest.mark.django_db
def test_le_journal_n_accepte_que_les_actions_typees(client, region):
    with pytest.raises(ValueError):
        journaliser(None, "action_inconnue")
    assert Action.dossier("publie") == Action.DOSSIER_PUBLIE
    client.force_login(region.gestionnaire)
    page = client.get(reverse("comptes:journal")).content.decode()
    for code, libelle in Action.choices:  # the filter offers every action, by its label
        assert f'<option value="{code}" >{escape(libelle)}</option>' in page


def _rendre(gabarit: str, **contexte) -> str:
    return Template(gabarit).render(Context({"request": RequestFactory().get("/", {"action": "connexion", "page": "2"}),
                                             **contexte}))


def test_la_pagination_garde_les_filtres():
    html = _rendre("{% load pagination %}{% pagination 2 9 %}")
    assert 'href="?action=connexion&amp;page=3" id="page-suivante"' in html
    assert 'aria-current="page" title="Page 2"' in html and "…" in html
    assert _rendre("{% load pagination %}{% pagination 1 1 %}").strip() == ""


def test_le_fil_d_ariane():
    html = _rendre('{% load fil %}{% fil "Accueil" "accueil" "Dossier" "/dossiers/1/" ici="Publier" %}')
    assert 'href="/"' in html and 'href="/dossiers/1/">Dossier</a>' in html
    assert '<a class="fr-breadcrumb__link" aria-current="page">Publier</a>' in html


def test_tout_csv_ecrit_passe_par_le_socle():
    """One CSV writer: a csv.writer anywhere else would skip the formula neutralisation. The FINESS
    extract generator writes the register's own input format (synthetic files to import), not an export."""
    from pathlib import Path

    racine = Path(__file__).resolve().parent.parent
    permis = {"socle/exports.py", "imports/generateur.py"}
    fautifs = []
    for fichier in racine.glob("*/**/*.py"):
        relatif = fichier.relative_to(racine).as_posix()
        if relatif.startswith((".venv/", "tests/", "var/")) or relatif in permis:
            continue
        texte = fichier.read_text(encoding="utf-8")
        if "csv.writer" in texte or "csv.DictWriter" in texte:
            fautifs.append(relatif)
    assert not fautifs, f"CSV écrit hors de socle.exports : {fautifs}"
