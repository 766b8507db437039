"""Who may do what in interop: the open data and the FHIR metadata are public; FHIR
data needs a consumer token (repertoire.services.jetons_api, scope `fhir`); tokens and the
ViaTrajectoire sync are the gestionnaires' (repertoire.access ADMINISTRER); an EG's sync
state is readable by every logged-in user."""

from repertoire.access import LIRE, get_structure_or_403
from repertoire.models import Structure


def get_eg_or_403(user, pk, action: str = LIRE) -> Structure:
    return get_structure_or_403(user, pk, action, queryset=Structure.objects.eg())
