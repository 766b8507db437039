"""The one formatter of a postal address, from its parts (the fiche, the PDF, the search, FHIR, open data)."""


def lignes_adresse(numero: str = "", type_voie: str = "", voie: str = "", complement: str = "",
                   lieu_dit: str = "", code_postal: str = "", commune: str = "") -> list[str]:
    """The non-empty lines of an address, e.g. ["5 rue des Lilas", "Bâtiment B", "49300 Cholet"].
    `type_voie` is the label of the type (J219 "Rue", written "rue" inside the address);
    leave the town parts out for the street lines alone."""
    type_voie = type_voie[:1].lower() + type_voie[1:]
    rue = " ".join(x for x in (numero, type_voie, voie) if x)
    ville = " ".join(x for x in (code_postal, commune) if x)
    return [x for x in (rue, complement, lieu_dit, ville) if x]
