"""What the comparison and publish pages claim is what publication does: the dossier against
its copy, live changes apart and flagged; the Historique of each fiche after publication;
the naming rules asked while typing; the comments that reach people."""

import pytest
from django.core import mail
from django.urls import reverse

from dossiers import comparaison, services
from repertoire.historique import historique_de
from repertoire.models import Structure
from repertoire.services import offre
from tests.factories import concept

pytestmark = pytest.mark.django_db


def url(nom, *args):
    return reverse(f"dossiers:{nom}", args=args)


def fiche_de(dossier, structure):
    return dossier.fiches.get(structure=structure)


def en_validation_gestionnaire(region, dossier):
    services.envoyer_en_validation(region.referent, dossier)
    services.valider(region.directeur, dossier)
    dossier.refresh_from_db()
    return dossier


def test_comparer_montre_le_dossier_contre_sa_copie_et_a_part_ce_qui_a_change_en_ligne(client, region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    services.enregistrer_fiche(region.referent, fiche_de(dossier, region.ehpad), {"nom": "EHPAD LES TILLEULS ANGERS"},
                               finaliser=True)
    # direct edits after the copy: on the renamed EG (flagged) and on a unit the dossier does not touch
    offre.modifier_structure(region.referent, region.ehpad, {"telephone": "02 41 99 99 99"}, raison="Contacts")
    offre.modifier_structure(region.referent, region.uo_hp, {"telephone": "02 41 77 77 77"}, raison="Contacts")
    client.force_login(region.directeur)
    reponse = client.get(url("comparer", dossier.pk))
    [bloc] = reponse.context["blocs"]
    assert bloc["fiche"].structure_id == region.ehpad.pk and [ligne["champ"] for ligne in bloc["lignes"]] == ["nom"]
    [ecart] = reponse.context["ecarts"]
    assert ecart["champ"] == "telephone" and ecart["repertoire"] == "02 41 99 99 99" and not ecart["conflit"]
    contenu = reponse.content.decode()
    assert "02 41 77 77 77" not in contenu  # a fiche the dossier leaves alone is not its business
    assert "valeur du Répertoire gardée" in contenu

    # what the page claims: the live phone stays, the name is the dossier's
    en_validation_gestionnaire(region, dossier)
    services.publier_dossier(region.gestionnaire, dossier)
    ehpad = Structure.objects.get(pk=region.ehpad.pk)
    assert ehpad.nom == "EHPAD LES TILLEULS ANGERS" and ehpad.telephone == "02 41 99 99 99"


def test_meme_champ_change_des_deux_cotes_est_un_conflit_signale(client, region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    services.enregistrer_fiche(region.referent, fiche_de(dossier, region.uo_hp), {"telephone": "02 41 11 11 11"},
                               finaliser=True)
    offre.modifier_structure(region.referent, region.uo_hp, {"telephone": "02 41 22 22 22"}, raison="Contacts")
    en_validation_gestionnaire(region, dossier)
    client.force_login(region.gestionnaire)
    page = client.get(url("publier", dossier.pk))
    [conflit] = page.context["conflits"]
    assert conflit["cle"] == f"{fiche_de(dossier, region.uo_hp).pk}:telephone"
    assert 'data-conflit="oui"' in page.content.decode()


def test_fiche_supprimee_dans_le_dossier_mais_modifiee_en_ligne_est_un_conflit(client, region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = fiche_de(dossier, region.uo_aj)
    services.supprimer_unite(region.referent, fiche)
    offre.modifier_structure(region.referent, region.uo_aj, {"telephone": "02 41 33 33 33"}, raison="Contacts")
    en_validation_gestionnaire(region, dossier)
    cles = {c["cle"] for c in services.conflits(dossier)}
    assert f"{fiche.pk}:{comparaison.SUPPRESSION}" in cles
    with pytest.raises(services.ConflitsDePublication):
        services.publier_dossier(region.gestionnaire, dossier)
    client.force_login(region.gestionnaire)
    contenu = client.get(url("publier", dossier.pk)).content.decode()
    assert "Garder la fiche (ne pas la supprimer)" in contenu
    # the one who chooses reads what was edited live, and that the other row follows that choice
    assert "Dans le Répertoire : fiche modifiée depuis la copie (téléphone : 02 41 33 33 33)" in contenu
    assert "suit le choix sur la suppression de la fiche" in contenu and "valeur du Répertoire gardée" not in contenu
    client.post(url("publier", dossier.pk), {f"choix-{fiche.pk}:{comparaison.SUPPRESSION}": "repertoire"})
    assert Structure.objects.get(pk=region.uo_aj.pk).telephone == "02 41 33 33 33"  # kept, as chosen


def test_historique_de_chaque_fiche_apres_publication(region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    services.enregistrer_fiche(region.referent, fiche_de(dossier, region.ehpad), {"nom": "EHPAD LES TILLEULS ANGERS"},
                               finaliser=True)
    ajoutee = concept("J17", "294")
    services.enregistrer_fiche(region.referent, fiche_de(dossier, region.uo_hp), {
        "activites": [concept("J17", "293").pk, ajoutee.pk]}, finaliser=True)
    [nouvelle] = services.creer_unites(region.referent, dossier, region.ehpad, 1,
                                       nom="Hebergement temporaire personnes agees", discipline="MSS",
                                       type_uo=concept("J34", "21"))
    services.enregistrer_fiche(region.referent, nouvelle, {"age_min": 60, "age_max": 120,
                                                           "activites": [concept("J17", "293").pk]}, finaliser=True)
    services.supprimer_unite(region.referent, fiche_de(dossier, region.uo_aj))
    en_validation_gestionnaire(region, dossier)
    services.publier_dossier(region.gestionnaire, dossier)
    raison = f"Dossier collaboratif n° {dossier.pk}"

    [entree] = [e for e in historique_de(Structure.objects.get(pk=region.ehpad.pk)) if e["encadre"] == raison]
    assert entree["par"] == "gestionnaire"
    lignes = {c["libelle"]: (c["avant_texte"], c["apres_texte"]) for c in entree["changements"]}
    assert lignes["Nom"] == ("EHPAD LES TILLEULS", "EHPAD LES TILLEULS ANGERS")
    assert lignes["Unité opérationnelle « Hebergement temporaire personnes agees »"][1] == "créée"
    assert lignes["Unité opérationnelle « Accueil de jour »"][1] == "supprimée"

    [entree] = [e for e in historique_de(Structure.objects.get(pk=region.uo_hp.pk)) if e["encadre"] == raison]
    [activites] = [c for c in entree["changements"] if c.get("liste")]
    assert activites["ajouts_texte"] == ajoutee.libelle and not activites["retraits_texte"]

    creee = Structure.objects.get(nom="Hebergement temporaire personnes agees")
    [entree] = historique_de(creee)
    assert entree["encadre"] == raison and entree["type"] == "+" and entree["par"] == "gestionnaire"
    textes = {c["libelle"]: c["apres_texte"] for c in entree["changements"]}
    assert textes["Nom"] == "Hebergement temporaire personnes agees"
    assert concept("J17", "293").libelle in textes["Activités opérationnelles"]
    # one record per fiche, the lists it changed only (no snapshot of the 13 lists)
    record = Structure.history.filter(id=region.uo_hp.pk).latest()
    assert set(record.changements["listes"]) == {"activites"}
    lien = Structure.history.model._meta.get_field("historicalstructure_activites").related_model
    assert not lien.objects.filter(history=record).exists()


def test_regles_de_nommage_demandees_pendant_la_saisie(client, region):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = fiche_de(dossier, region.ehpad)
    client.force_login(region.referent)
    reponse = client.get(url("nommage", dossier.pk, fiche.pk), {"nom": "Ehpad Angers", "nom_officiel": "Ehpad « X »"})
    trouves = reponse.json()["avertissements"]
    assert any("MAJUSCULES" in m for m in trouves["nom"])
    assert any("caractères spéciaux" in m for m in trouves["nom_officiel"])
    assert client.get(url("nommage", dossier.pk, fiche.pk), {"nom": "EHPAD ANGERS"}).json() == {"avertissements": {}}
    # the example follows the type of the unit, not always "Aide à domicile prestataire"
    uo = fiche_de(dossier, region.uo_hp)
    messages = client.get(url("nommage", dossier.pk, uo.pk), {"nom": "Unite"}).json()["avertissements"]["nom"]
    assert not any("Aide à domicile" in m for m in messages)
    assert any(concept("J34", "21").libelle.split()[0].replace("é", "e") in m for m in messages)
    client.force_login(region.referent_autre)
    assert client.get(url("nommage", dossier.pk, fiche.pk), {"nom": "x"}).status_code == 403


def test_les_commentaires_arrivent_en_tete_du_dossier_et_dans_les_courriels(client, region,
                                                                           django_capture_on_commit_callbacks):
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    services.enregistrer_fiche(region.referent, fiche_de(dossier, region.ehpad), {"nom": "EHPAD ANGERS"},
                               finaliser=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.envoyer_en_validation(region.referent, dossier, "Nouveau nom voté en conseil")
    assert "Nouveau nom voté en conseil" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        services.renvoyer_au_referent(region.directeur, dossier, "Joindre la délibération")
    assert "Joindre la délibération" in mail.outbox[-1].body
    client.force_login(region.referent)
    contenu = client.get(url("detail", dossier.pk)).content.decode()
    tete = contenu[contenu.index('id="dernier-commentaire"'):contenu.index('id="fiches"')]
    assert "Renvoi au référent" in tete and "Joindre la délibération" in tete


def copie_a_l_envers(dossier):
    """The dossier's copied fiches stored in the reverse of the tree's order (the copy of a whole
    EJ follows no order)."""
    from dossiers.models import FicheBrouillon

    copies = list(dossier.fiches.order_by("-id"))
    for fiche in copies:
        fiche.pk = None
    dossier.fiches.all().delete()
    FicheBrouillon.objects.bulk_create(copies)


@pytest.mark.parametrize("ordre", ["arbre", "inverse"])
def test_creations_et_deplacement_publies_gardent_l_arbre_coherent(region, ordre):
    """Units created together share one shift of the tree numbering; the tree stays whole,
    whatever the order the copy stored the fiches in (publication does not depend on it:
    creations by waves from their parents, moves read the tree as it is, deletions deepest first)."""
    oi = offre.creer_structure(region.gestionnaire, "OI", region.ehpad, nom="Pole geriatrie",
                               type_oi=concept("J203", "1"))
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    if ordre == "inverse":
        copie_a_l_envers(dossier)
    creees = services.creer_unites(region.referent, dossier, region.ehpad, 3, nom="Accueil de jour personnes agees",
                                   discipline="MSS", type_uo=concept("J34", "21"))
    creees += services.creer_unites(region.referent, dossier, oi, 1, nom="Accueil de jour personnes agees",
                                    discipline="MSS", type_uo=concept("J34", "21"))
    for fiche in creees:
        services.enregistrer_fiche(region.referent, fiche, {"age_min": 60, "age_max": 120,
                                                            "activites": [concept("J17", "293").pk]}, finaliser=True)
    services.deplacer_unite(region.referent, fiche_de(dossier, region.uo_hp), oi)
    services.supprimer_unite(region.referent, fiche_de(dossier, region.uo_aj))
    en_validation_gestionnaire(region, dossier)
    services.publier_dossier(region.gestionnaire, dossier, motif="Noms de l'autorisation")
    assert not Structure.objects.filter(pk=region.uo_aj.pk).exists()
    arbre = list(Structure.objects.filter(tree_id=region.ej.tree_id).order_by("lft"))
    bornes = sorted(b for s in arbre for b in (s.lft, s.rght))
    assert bornes == list(range(1, 2 * len(arbre) + 1))  # every number once: no overlap, no gap
    par_pk = {s.pk: s for s in arbre}
    for s in arbre:
        if s.parent_id:
            parent = par_pk[s.parent_id]
            assert parent.lft < s.lft < s.rght < parent.rght and s.level == parent.level + 1
    assert Structure.objects.get(pk=region.uo_hp.pk).parent_id == oi.pk
    assert Structure.objects.filter(parent=region.ehpad, nom__startswith="Accueil de jour personnes agees").count() == 3
    assert Structure.objects.filter(parent=oi).count() == 2


def test_publier_toute_une_ej_ecrit_pour_chaque_fiche_exactement_ce_que_la_page_montre(client, region):
    """A dossier changing every fiche of an EJ (the bulk path of publication): one history
    record per fiche, by the gestionnaire, naming the dossier, whose fields are the row as
    published and whose changes are exactly the rows the publish page showed, no more."""
    from repertoire.models import Niveau
    from repertoire.services import droits

    ej = region.ehpad.ej
    autres = [offre.creer_structure(None, Niveau.UO, region.ehpad, nom=f"Unite de vie {i}", type_uo=concept("J34", "21"),
                                    champ=concept("J20", "04"), discipline="MSS", age_min=60, age_max=120,
                                    m2m={"activites": [concept("J17", "293")]})
              for i in range(4)]
    droits.accorder_droit(None, region.directeur, "directeur", ej)
    dossier = services.ouvrir_dossier(region.gestionnaire, ej)
    fiches = list(dossier.fiches.all())
    assert len(fiches) == 4 + len(autres)
    # the day-care unit has no activity yet (required to finalise)
    services.enregistrer_fiche(region.gestionnaire, fiche_de(dossier, region.uo_aj),
                               {"activites": [concept("J17", "293").pk]}, finaliser=False)
    for fiche in dossier.fiches.all():
        services.enregistrer_fiche(region.gestionnaire, fiche, {"commentaire": "Revu en dossier"}, finaliser=True)
    services.enregistrer_fiche(region.gestionnaire, fiche_de(dossier, region.uo_hp), {
        "age_min": 70, "activites": [concept("J17", "293").pk, concept("J17", "294").pk]}, finaliser=True)
    # an empty value → no value: not a change, neither shown nor written
    assert fiche_de(dossier, region.uo_aj).reference["telephone"] == ""
    services.enregistrer_fiche(region.gestionnaire, fiche_de(dossier, region.uo_aj), {"telephone": None},
                               finaliser=True)
    services.envoyer_en_validation(region.gestionnaire, dossier)
    services.valider(region.directeur, dossier)
    client.force_login(region.gestionnaire)
    page = client.get(url("publier", dossier.pk))
    montrees = {bloc["fiche"].structure_id: {ligne["champ"] for ligne in bloc["lignes"]}
                for bloc in page.context["blocs"]}
    assert set(montrees) == {f.structure_id for f in fiches}
    assert montrees[region.uo_hp.pk] == {"commentaire", "age_min", "activites"}
    assert montrees[region.uo_aj.pk] == {"commentaire", "activites"}
    assert not page.context["ecarts"]
    records_avant = {pk: Structure.history.filter(id=pk).count() for pk in montrees}

    client.post(url("publier", dossier.pk))
    dossier.refresh_from_db()
    assert dossier.etat == "publie"

    raison = f"Dossier collaboratif n° {dossier.pk}"
    for pk, champs in montrees.items():
        assert Structure.history.filter(id=pk).count() == records_avant[pk] + 1
        record, vivante = Structure.history.filter(id=pk).latest(), Structure.objects.get(pk=pk)
        assert (record.history_type, record.history_change_reason, record.history_user) == ("~", raison,
                                                                                          region.gestionnaire)
        assert set(record.changements["champs"]) | set(record.changements["listes"]) == champs
        assert (record.nom, record.commentaire, record.version, record.modifie_le, record.age_min) == (
            vivante.nom, "Revu en dossier", vivante.version, vivante.modifie_le, vivante.age_min)
    record = Structure.history.filter(id=region.uo_hp.pk).latest()
    assert record.changements["champs"] == {"commentaire": "", "age_min": 60}
    assert record.changements["listes"] == {"activites": [[concept("J17", "293").pk],
                                                          [concept("J17", "293").pk, concept("J17", "294").pk]]}
    assert Structure.objects.get(pk=region.uo_aj.pk).telephone == ""
    [entree] = [e for e in historique_de(Structure.objects.get(pk=region.uo_hp.pk)) if e["encadre"] == raison]
    lignes = {c["libelle"]: (c.get("avant_texte"), c.get("apres_texte")) for c in entree["changements"]}
    assert lignes["Âge minimum"] == ("60", "70")


def test_la_comparaison_ne_fait_pas_de_requete_par_fiche_changee(client, region):
    """The labels of codes and communes are fetched once for the page: four more fiches with
    changed activities and commune cost no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from repertoire.models import Niveau

    autres = [offre.creer_structure(None, Niveau.UO, region.ehpad, nom=f"Unite de vie {i}", type_uo=concept("J34", "21"),
                                    champ=concept("J20", "04"), discipline="MSS", age_min=60, age_max=120)
              for i in range(4)]
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    client.force_login(region.directeur)

    def requetes():
        with CaptureQueriesContext(connection) as requetes_faites:
            reponse = client.get(url("comparer", dossier.pk))
        assert reponse.status_code == 200
        return len(requetes_faites), reponse

    def changer(structure):
        services.enregistrer_fiche(region.referent, fiche_de(dossier, structure), {
            "activites": [concept("J17", "293").pk, concept("J17", "294").pk], "commune": "49099"}, finaliser=False)

    changer(region.uo_hp)
    une, _ = requetes()
    for structure in autres:
        changer(structure)
    cinq, reponse = requetes()
    assert len(reponse.context["blocs"]) == 5
    assert cinq == une
    assert reponse.content.decode().count(concept("J17", "294").libelle) >= 5


def test_la_base_et_python_ont_la_meme_regle_du_vide(region):
    """Publication reads what changed from PostgreSQL (comparaison.differences), the pages compare in
    Python (champs_differents): "", [] , null and a missing key are one "empty" for both, and a real
    change is one for both."""
    from dossiers.brouillon import champs_de, champs_differents
    from dossiers.models import FicheBrouillon

    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    fiche = services.preparer_fiche(region.referent, fiche_de(dossier, region.uo_hp))  # copied
    reference = {**fiche.reference, "telephone": "", "email": None, "activites": [], "commentaire": "",
                 "age_min": 60, "site_web": "x"}
    donnees = {**reference, "telephone": None, "activites": None, "commentaire": "Revu", "age_min": 70}
    del donnees["email"], donnees["site_web"]  # missing: empty against None, a change against "x"
    FicheBrouillon.objects.filter(pk=fiche.pk).update(reference=reference, donnees=donnees, copiee=True)
    fiche.refresh_from_db()

    en_python = champs_differents(fiche.reference, fiche.donnees, champs_de(fiche.niveau))
    en_base = comparaison.differences(dossier.pk)[fiche.pk]
    assert sorted(en_python) == ["age_min", "commentaire", "site_web"]
    assert sorted(n for n in en_base if n in champs_de(fiche.niveau)) == sorted(en_python)
    assert (en_base["age_min"], en_base["commentaire"], en_base["site_web"]) == (70, "Revu", None)
    assert comparaison.changes_par_le_dossier(fiche, champs_de(fiche.niveau), {fiche.pk: en_base}) == en_python


def test_un_departement_entier_se_lit_comme_tel_et_la_publication_ecrit_ce_que_la_page_dit(client, region):
    """A territory that takes a whole département and a whole EPCI is shown as such on the publish
    page (not 200 communes), what it adds and removes too; publication records exactly those
    communes, and the fiche's Historique says it in the same words."""
    from nomenclatures.models import Commune

    maine_et_loire = set(Commune.objects.filter(departement="49").values_list("pk", flat=True))
    nantes_metropole = set(Commune.objects.filter(epci="244400404").values_list("pk", flat=True))
    assert len(maine_et_loire) == 176 and len(nantes_metropole) == 24
    offre.modifier_structure(None, region.uo_hp, {}, m2m={"territoire": ["49007", "53130"]}, raison="test")
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    apres = sorted(maine_et_loire | nantes_metropole | {"72181"})
    services.enregistrer_fiche(region.referent, fiche_de(dossier, region.uo_hp), {"territoire": apres}, finaliser=True)
    en_validation_gestionnaire(region, dossier)
    client.force_login(region.gestionnaire)
    page = client.get(url("publier", dossier.pk))
    [bloc] = page.context["blocs"]
    [ligne] = [ligne for ligne in bloc["lignes"] if ligne["champ"] == "territoire"]
    # communes by postcode, as the fiche and the Historique name them
    assert ligne["avant"] == "Angers (49000), Laval (53000)"
    assert ligne["apres"] == ("Maine-et-Loire (49) : tout le département ; Nantes Métropole : toute l'EPCI "
                              "(24 communes) ; Le Mans (72000)")
    assert ligne["ajouts"] == ("Maine-et-Loire (49) : le reste du département (175 communes) ; Nantes Métropole : "
                               "toute l'EPCI (24 communes) ; Le Mans (72000)")
    assert ligne["retraits"] == "Laval (53000)"
    html = page.content.decode()
    assert "Ajouté : Maine-et-Loire (49) : le reste du département (175 communes)" in html
    assert "Avrillé" not in html  # no commune of a whole département listed

    client.post(url("publier", dossier.pk))
    dossier.refresh_from_db()
    assert dossier.etat == "publie"
    record = Structure.history.filter(id=region.uo_hp.pk).latest()
    avant, publie = record.changements["listes"]["territoire"]
    assert set(publie) - set(avant) == (maine_et_loire - {"49007"}) | nantes_metropole | {"72181"}  # « le reste »
    assert set(avant) - set(publie) == {"53130"}
    raison = f"Dossier collaboratif n° {dossier.pk}"
    [entree] = [e for e in historique_de(Structure.objects.get(pk=region.uo_hp.pk)) if e["encadre"] == raison]
    [territoire] = [c for c in entree["changements"] if c["libelle"] == "Territoire d'intervention"]
    # the publish page and the Historique say it in the same words
    assert (territoire["ajouts_texte"], territoire["retraits_texte"]) == (ligne["ajouts"], ligne["retraits"])
    historique = client.get(reverse("repertoire:historique", args=[region.uo_hp.pk])).content.decode()
    assert "tout le département" in historique and "Avrillé" not in historique


def test_les_communes_restantes_d_un_long_territoire_sont_derriere_un_depliant(region):
    from django.template import Context, Template

    from nomenclatures.models import Commune
    from nomenclatures.territoires import Territoires

    mayenne = list(Commune.objects.filter(departement="53").order_by("nom")[:12])
    resume = Territoires(mayenne).resumer([c.pk for c in mayenne], lambda code: code)
    assert resume.entiers == [] and len(resume.communes) == 12
    html = Template("{{ r }}").render(Context({"r": resume}))
    assert html.startswith('<details class="ror-territoire"><summary>12 communes</summary>')
    assert str(resume) == ", ".join(sorted(c.pk for c in mayenne))


def test_une_case_non_cochee_d_une_fiche_creee_n_est_pas_un_changement_montre(client, region):
    """« Unité sensible : Non » on every created unit told the directeur nothing; ticked, it is shown."""
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    [fiche] = services.creer_unites(region.referent, dossier, region.ehpad, 1, nom="Hebergement temporaire personnes agees",
                                    discipline="MSS", type_uo=concept("J34", "21"))
    services.enregistrer_fiche(region.referent, fiche, {"unite_sensible": False, "age_min": 60}, finaliser=False)
    client.force_login(region.directeur)
    [bloc] = client.get(url("comparer", dossier.pk)).context["blocs"]
    champs = [ligne["champ"] for ligne in bloc["lignes"]]
    assert "unite_sensible" not in champs and "age_min" in champs
    services.enregistrer_fiche(region.referent, fiche, {"unite_sensible": True}, finaliser=False)
    [bloc] = client.get(url("comparer", dossier.pk)).context["blocs"]
    assert "unite_sensible" in [ligne["champ"] for ligne in bloc["lignes"]]


def test_une_commune_porte_le_meme_libelle_dans_le_dossier_la_fiche_et_l_historique(client, region):
    """« Cholet (49300) » everywhere: its postcode is what people know (not its INSEE code 49099)."""
    dossier = services.ouvrir_dossier(region.referent, region.ehpad)
    services.enregistrer_fiche(region.referent, fiche_de(dossier, region.ehpad), {"commune": "49099"}, finaliser=True)
    services.enregistrer_fiche(region.referent, fiche_de(dossier, region.uo_hp), {"territoire": ["49099"]},
                               finaliser=True)
    client.force_login(region.directeur)
    blocs = {b["fiche"].structure_id: b for b in client.get(url("comparer", dossier.pk)).context["blocs"]}
    [commune] = [ligne for ligne in blocs[region.ehpad.pk]["lignes"] if ligne["champ"] == "commune"]
    assert (commune["avant"], commune["apres"]) == ("Angers (49000)", "Cholet (49300)")
    [territoire] = [ligne for ligne in blocs[region.uo_hp.pk]["lignes"] if ligne["champ"] == "territoire"]
    assert territoire["apres"] == "Cholet (49300)"

    en_validation_gestionnaire(region, dossier)
    client.force_login(region.gestionnaire)
    assert "Cholet (49300)" in client.get(url("publier", dossier.pk)).content.decode()
    client.post(url("publier", dossier.pk))
    fiche = client.get(reverse("repertoire:fiche", args=[region.uo_hp.pk])).content.decode()
    assert "Cholet (49300)" in fiche and "49099" not in fiche
    [entree] = [e for e in historique_de(Structure.objects.get(pk=region.ehpad.pk))
                if e["encadre"] == f"Dossier collaboratif n° {dossier.pk}"]
    [ligne] = [c for c in entree["changements"] if c["libelle"] == "Commune"]
    assert (ligne["avant_texte"], ligne["apres_texte"]) == ("Angers (49000)", "Cholet (49300)")
