"""Projected FINESS coordinates → WGS84 (latitude, longitude), with pyproj.

The extract gives x/y in the projection of the territory: Lambert 93 in
metropolitan France, UTM-based systems overseas. The source field names it
("…,EPSG:2154 RGF93 / Lambert-93 (Métropole)"); older files name it in words
("LAMBERT_93", "UTM_N20"…); when it names nothing, the département decides.
"""

import re
from functools import lru_cache

from pyproj import Transformer
from pyproj.exceptions import CRSError

EPSG_PAR_DEPARTEMENT = {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "976": 4471, "975": 32621,
                        "977": 5490, "978": 5490}
EPSG_METROPOLE = 2154
# Names used by older extracts for the same systems.
EPSG_PAR_NOM = {"LAMBERT_93": 2154, "LAMBERT93": 2154, "UTM_N20": 5490, "UTM_N22": 2972, "UTM_S40": 2975,
                "UTM_S38": 4471, "UTM_N21": 32621}
_EPSG = re.compile(r"EPSG\s*:\s*(\d{4,5})", re.IGNORECASE)
DECIMALES = 7  # about 1 cm: the comparison between two imports is exact on these values


class ProjectionInconnue(ValueError):
    pass


def epsg_de_la_source(source: str, departement: str | None) -> int:
    """The EPSG code the source field names, else the one of the département."""
    trouve = _EPSG.search(source or "")
    if trouve:
        return int(trouve.group(1))
    texte = (source or "").upper()
    for nom, code in EPSG_PAR_NOM.items():
        if nom in texte:
            return code
    return EPSG_PAR_DEPARTEMENT.get(departement or "", EPSG_METROPOLE)


@lru_cache(maxsize=32)
def transformateur(epsg: int) -> Transformer:
    try:
        return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)
    except CRSError:
        raise ProjectionInconnue(f"système de coordonnées EPSG:{epsg} inconnu") from None


def vers_wgs84(epsg: int, xs: list[float], ys: list[float]) -> list[tuple[float, float]]:
    """(latitude, longitude) for each projected point, rounded to DECIMALES."""
    if not xs:
        return []
    longitudes, latitudes = transformateur(epsg).transform(list(xs), list(ys))
    return [(round(lat, DECIMALES), round(lon, DECIMALES)) for lat, lon in zip(latitudes, longitudes)]
