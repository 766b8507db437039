import re
import unicodedata


def normaliser(texte: str) -> str:
    """Lower case, no accents, words separated by single spaces ("Saint-Étienne" → "saint etienne")."""
    sans_accents = unicodedata.normalize("NFKD", texte or "").encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", sans_accents.lower()).strip()
