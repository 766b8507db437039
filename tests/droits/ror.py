from tests.droits import Url, lecture_publique

ATTENDUS = [
    lecture_publique("accueil"),
    lecture_publique("login"),
    Url("logout", 302, 302, 302, 302, 302, 302, methode="post"),
]
