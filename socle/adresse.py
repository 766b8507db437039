"""The one formatter of a postal address, from its parts (the fiche, the PDF, the search, its map and CSV,
FHIR, open data)."""


def type_de_voie(libelle: str) -> str:
    """The type as written on an envelope: "Rue", "Avenue", "Chemin" (J219 "Chemin, cheminement")."""
    libelle = libelle.split(",", 1)[0].strip()
    return libelle[:1].upper() + libelle[1:]


def lignes_adresse(numero: str = "", type_voie: str = "", voie: str = "", complement: str = "",
                   lieu_dit: str = "", code_postal: str = "", commune: str = "") -> list[str]:
    """The non-empty lines of an address, e.g. ["5 Rue des Lilas", "Bâtiment B", "49300 Cholet"].
    `type_voie` is the label of the type (J219 "Rue"), capitalised as people write it
    ("12 Avenue Jean Jaurès", "Place du Marché"); a street keyed with its type inside its name
    ("rue des Lilas", no type) is capitalised the same way. Leave the town parts out for the
    street lines alone."""
    type_voie = type_de_voie(type_voie)
    if not type_voie and voie[:1].islower():
        voie = voie[:1].upper() + voie[1:]
    rue = " ".join(x for x in (numero.strip(), type_voie, voie.strip()) if x)
    ville = " ".join(x for x in (code_postal, commune) if x)
    return [x for x in (rue, complement, lieu_dit, ville) if x]
