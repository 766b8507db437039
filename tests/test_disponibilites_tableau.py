"""Regional board, export, map, history: what a logged-in user reads."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disponibilites.models import Capacite
from disponibilites.services import enregistrement, situations_tension
from repertoire.models import Niveau
from repertoire.services import offre
from tests.factories import concept

pytestmark = pytest.mark.django_db


@pytest.fixture
def lits(region):
    """The CH's réanimation has fresh figures; a pediatric unit in Sarthe has a 13-hour-old one;
    a neonatal unit in Loire-Atlantique has a 30-hour-old one; a USIC has none."""
    ej = offre.creer_structure(None, Niveau.EJ, None, nom="CHU", commune_id="72181")
    chu = offre.creer_structure(None, Niveau.EG, ej, nom="CH LE MANS", commune_id="72181",
                                latitude=48.0, longitude=0.2)
    ped = offre.creer_structure(
        None, Niveau.UO, chu, nom="Réanimation pédiatrique", age_min=0, age_max=17, lits_installes=6,
        m2m={"activites": [concept("J17", "130")]})
    ej2 = offre.creer_structure(None, Niveau.EJ, None, nom="CHU NANTES", commune_id="44109")
    nantes = offre.creer_structure(None, Niveau.EG, ej2, nom="CHU NANTES", commune_id="44109")
    neonat = offre.creer_structure(
        None, Niveau.UO, nantes, nom="Réanimation néonatale", age_min=0, age_max=1, lits_installes=10,
        m2m={"activites": [concept("J17", "128")]})
    usic = offre.creer_structure(
        None, Niveau.UO, region.ch, nom="USIC", age_min=18, age_max=120, lits_installes=8,
        m2m={"activites": [concept("J17", "354")]})
    maintenant = timezone.now()
    enregistrement.enregistrer_figures([
        enregistrement.Figure(region.uo_rea, "02", 4, maintenant - timedelta(minutes=20)),
        enregistrement.Figure(ped, "02", 2, maintenant - timedelta(hours=13)),
        enregistrement.Figure(neonat, "02", 1, maintenant - timedelta(hours=30)),
    ], user=region.referent_autre)
    return {"ped": ped, "neonat": neonat, "usic": usic, "chu": chu}


def ligne(page: str, uo) -> str:
    debut = page.index(f'id="uo-{uo.pk}"')
    return page[debut:page.index("</tr>", debut)]


def test_le_tableau_groupe_par_departement_et_etablissement_avec_totaux(client, region, lits):
    client.force_login(region.consultant)
    page = client.get(reverse("disponibilites:tableau")).content.decode()
    assert page.index("44 – Loire-Atlantique") < page.index("49 – Maine-et-Loire") < page.index("72 – Sarthe")
    assert "Hébergement permanent" not in page  # not a critical-care unit
    assert "CH CHOLET" in page and "Réanimation adulte" in page and "USIC" in page
    assert '<p class="ror-chiffre" id="total-disponibles">7</p>' in page
    assert "49 – Maine-et-Loire <span class=\"fr-text--md\">: 4 lits disponibles / 20 installés, 2 unités" in page


def test_l_age_de_chaque_donnee_et_son_etat_en_texte(client, region, lits):
    client.force_login(region.consultant)
    page = client.get(reverse("disponibilites:tableau")).content.decode()
    assert "À jour" in ligne(page, region.uo_rea) and "il y a 20 min" in ligne(page, region.uo_rea)
    assert "Ancienne" in ligne(page, lits["ped"]) and "il y a 13 h" in ligne(page, lits["ped"])
    assert "Obsolète" in ligne(page, lits["neonat"])
    assert "Jamais saisi" in ligne(page, lits["usic"])


def test_le_seuil_d_anciennete_se_regle(client, region, lits, settings):
    settings.DISPONIBILITES_SEUIL_ANCIEN_HEURES = 14
    client.force_login(region.consultant)
    page = client.get(reverse("disponibilites:tableau")).content.decode()
    assert "À jour" in ligne(page, lits["ped"])


@pytest.mark.parametrize("query,presentes,absentes", [
    ("type=reanimation", ["Réanimation adulte", "Réanimation pédiatrique"], ["USIC"]),
    ("type=soins_intensifs", ["USIC"], ["Réanimation adulte"]),
    ("age=enfants", ["Réanimation pédiatrique", "Réanimation néonatale"], ["Réanimation adulte", "USIC"]),
    ("departement=72", ["Réanimation pédiatrique"], ["Réanimation adulte", "Réanimation néonatale"]),
    ("departement=zz&type=inconnu", ["Réanimation adulte", "USIC"], []),
])
def test_filtres(client, region, lits, query, presentes, absentes):
    client.force_login(region.consultant)
    page = client.get(reverse("disponibilites:tableau") + "?" + query).content.decode()
    for nom in presentes:
        assert f">{nom}</a>" in page
    for nom in absentes:
        assert f">{nom}</a>" not in page


def test_le_fragment_rafraichi_porte_les_memes_donnees(client, region, lits):
    client.force_login(region.consultant)
    url = reverse("disponibilites:tableau_contenu")
    reponse = client.get(url)
    assert "<html" not in reponse.content.decode() and f'id="uo-{region.uo_rea.pk}"' in reponse.content.decode()
    assert client.get(url, HTTP_IF_NONE_MATCH=reponse["ETag"]).status_code == 304
    enregistrement.enregistrer_figures([enregistrement.Figure(region.uo_rea, "02", 5, timezone.now())])
    nouvelle = client.get(url, HTTP_IF_NONE_MATCH=reponse["ETag"])
    assert nouvelle.status_code == 200 and "<strong>5</strong>" in ligne(nouvelle.content.decode(), region.uo_rea)


def test_la_page_se_rafraichit_sans_script_en_ligne(client, region, lits):
    client.force_login(region.consultant)
    page = client.get(reverse("disponibilites:tableau")).content.decode()
    assert 'src="/static/disponibilites/js/tableau.js"' in page
    assert 'data-url="/disponibilites/tableau/contenu/"' in page
    assert "<script>" not in page and "onclick" not in page


def test_export_csv(client, region, lits):
    client.force_login(region.consultant)
    reponse = client.get(reverse("disponibilites:export_csv") + "?departement=49")
    assert reponse["Content-Type"].startswith("text/csv")
    lignes = list(csv.reader(io.StringIO(reponse.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][:3] == ["Département", "Établissement", "Unité"]
    rea = next(x for x in lignes if x[2] == "Réanimation adulte")
    assert rea[6:8] == ["12", "4"] and rea[11] == "À jour"
    assert len(lignes) == 3  # header + réa + USIC


def test_carte_avec_leaflet_local_et_marqueurs(client, region, lits):
    client.force_login(region.consultant)
    page = client.get(reverse("disponibilites:carte")).content.decode()
    assert "/static/leaflet/leaflet.js" in page and "/static/disponibilites/js/carte.js" in page
    debut = page.index('type="application/json">', page.index('id="marqueurs-lits"')) + len('type="application/json">')
    marqueurs = json.loads(page[debut:page.index("</script>", debut)])
    ped = next(m for m in marqueurs if m["nom"] == "Réanimation pédiatrique")
    assert (ped["lat"], ped["lon"], ped["disponibles"], ped["etat"]) == (48.0, 0.2, 2, "Ancienne")
    assert "tile.openstreetmap" not in page


def test_bandeau_de_tension_sur_le_tableau(client, region, lits):
    situations_tension.declarer_tension(region.gestionnaire, concept("J194", "02"), None, 4, "Plan blanc départemental")
    client.force_login(region.consultant)
    page = client.get(reverse("disponibilites:tableau")).content.decode()
    assert "Situation de tension : Situation sanitaire Exceptionnelle (SSE) (Plan blanc)" in page
    assert "toutes les 4 heures" in page


def test_historique_d_une_unite_en_svg(client, region, lits):
    enregistrement.enregistrer_figures([enregistrement.Figure(region.uo_rea, "02", 2, timezone.now() - timedelta(days=2)),
                                        enregistrement.Figure(region.uo_rea, "02", 6, timezone.now() - timedelta(days=1))],
                                 user=region.referent_autre)
    client.force_login(region.consultant)
    page = client.get(reverse("disponibilites:historique_unite", args=[region.uo_rea.pk])).content.decode()
    assert '<svg class="ror-graphique"' in page and "<polyline" in page
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert not re.search(r' (x|y|x1|x2|y1|y2)="[^"]*,', svg)  # coordinates, not French decimals
    assert re.search(r'points="\d+\.\d,\d+\.\d ', svg)
    assert "dernière valeur 4" in page
    assert page.count("<td>Disponible</td>") == 3
    assert "referent_autre" in page or str(region.referent_autre) in page


def test_historique_du_territoire(client, region, lits):
    client.force_login(region.consultant)
    page = client.get(reverse("disponibilites:historique_territoire")).content.decode()
    assert "dernière valeur 7" in page  # 4 + 2 + 1 across the region
    page = client.get(reverse("disponibilites:historique_territoire") + "?departement=72").content.decode()
    assert "dernière valeur 2" in page and "Sarthe" in page


def test_l_historique_n_est_jamais_reecrit(region, lits):
    avant = list(Capacite.objects.order_by("id").values_list("id", "nombre", "date_maj"))
    enregistrement.enregistrer_figures([enregistrement.Figure(region.uo_rea, "02", 1, timezone.now())])
    apres = list(Capacite.objects.order_by("id").values_list("id", "nombre", "date_maj"))
    assert apres[:len(avant)] == avant and len(apres) == len(avant) + 1
