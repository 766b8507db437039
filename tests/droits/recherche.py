from tests.droits import Url, lecture_connectee

# Searching and reading the results is for every logged-in professional (consultant and up).
ATTENDUS = [
    lecture_connectee("recherche:recherche"),
    lecture_connectee("recherche:recherche", query="quoi=reanimation&ou=Cholet"),
    lecture_connectee("recherche:recherche", query="quoi=accueil+de+jour&ou=Angers&vue=carte"),
    lecture_connectee("recherche:resultat", kwargs=lambda r: {"pk": r.uo_aj.pk}, query="quoi=accueil&ou=Angers"),
    Url("recherche:resultat", 302, 404, 404, 404, 404, 404, kwargs=lambda r: {"pk": r.ehpad.pk}),
    lecture_connectee("recherche:carte_donnees", query="quoi=accueil"),
    Url("recherche:carte_donnees", 302, 400, 400, 400, 400, 400, query="age=deux"),
    lecture_connectee("recherche:carte_lieu", kwargs=lambda r: {"pk": r.ehpad.pk}, query="quoi=accueil"),
    Url("recherche:carte_lieu", 302, 404, 404, 404, 404, 404, kwargs=lambda r: {"pk": r.uo_aj.pk}),
    lecture_connectee("recherche:export_csv", query="quoi=accueil"),
    Url("recherche:export_csv", 302, 400, 400, 400, 400, 400, query="age=-3"),
    lecture_connectee("recherche:autocompletion_lieux", query="q=ang"),
    lecture_connectee("recherche:autocompletion_libelles", query="q=rea"),
]
