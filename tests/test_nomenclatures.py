"""Loading the NOS files: exact counts, idempotent, retired codes, all-or-nothing on a bad file."""

import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from nomenclatures.models import Commune, Concept, Nomenclature
from repertoire.services import offre
from tests.factories import concept

pytestmark = pytest.mark.django_db
SOURCE = Path(settings.BASE_DIR) / "fixtures" / "nomenclatures"


def _copie(tmp_path) -> Path:
    dossier = tmp_path / "nos"
    shutil.copytree(SOURCE, dossier)
    return dossier


def test_second_chargement_sans_changement():
    sortie = io.StringIO()
    call_command("load_nomenclatures", str(SOURCE), stdout=sortie)
    assert "0 changements" in sortie.getvalue()
    assert Nomenclature.objects.count() == 53  # 37 + J19, J195, J238 + 13 more bindings of the FHIR guide (SOURCES.md)


def test_code_retire_garde_mais_inactif():
    # TRE_R213 code 03 has a Date fin in the official file
    retire = Concept.objects.get(nomenclature__cle="R213", code="03")
    assert retire.actif is False and retire.date_fin is not None
    assert Concept.objects.get(nomenclature__cle="R213", code="01").actif


def test_libelle_mis_a_jour_et_code_disparu_desactive(tmp_path):
    dossier = _copie(tmp_path)
    fichier = dossier / "JDV_J28-OuvertureAnnuelle-ROR.tabs"
    lignes = fichier.read_text(encoding="utf-8").splitlines()
    lignes = [l.replace("Année complète (365 jours par an)", "Année complète") for l in lignes if ";05;" not in l]
    fichier.write_text("\n".join(lignes) + "\n", encoding="utf-8")
    sortie = io.StringIO()
    call_command("load_nomenclatures", str(dossier), stdout=sortie)
    assert "1 modifiés, 1 retirés" in sortie.getvalue()
    assert concept("J28", "03").libelle == "Année complète"
    assert concept("J28", "05").actif is False  # kept: structures may use it


def test_fichier_malforme_refuse_avec_nom_et_ligne_rien_ne_change(tmp_path):
    dossier = _copie(tmp_path)
    (dossier / "JDV_J28-OuvertureAnnuelle-ROR.tabs").write_text(
        "<OID>;<Code>;<Libellé>\n1.2.250.1.213.3.3.27;01;Nouveau libellé\n1.2.250.1.213.3.3.27;02\n", encoding="utf-8")
    avant = list(Concept.objects.order_by("pk").values_list("pk", "libelle", "actif"))
    with pytest.raises(CommandError) as erreur:
        call_command("load_nomenclatures", str(dossier), stdout=io.StringIO())
    assert "JDV_J28-OuvertureAnnuelle-ROR.tabs, ligne 3" in str(erreur.value)
    assert list(Concept.objects.order_by("pk").values_list("pk", "libelle", "actif")) == avant


def test_communes_chargees():
    assert Commune.objects.count() == 34969
    angers = Commune.objects.get(code_insee="49007")
    assert angers.nom == "Angers" and "49000" in angers.codes_postaux and angers.departement.region_id == "52"


def test_un_champ_code_n_accepte_que_son_jeu_de_valeurs(region):
    with pytest.raises(ValidationError):
        offre.modifier_structure(region.gestionnaire, region.uo_hp, {}, raison="Activités",
                                 m2m={"activites": [concept("J16", "0001")]})  # an acte where an activité is due
    assert list(region.uo_hp.activites.all()) == [concept("J17", "293")]
