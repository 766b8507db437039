"""Every write to the offer goes through a function of this package: one per user action,
inside a transaction, recording who did it (the acting user first; history user + reason,
or an audit row).

One module per responsibility; callers import the module they need
(`from repertoire.services import offre` → `offre.modifier_structure(...)`):

- offre: create, change, move, close, delete a structure (versioned, one history record each);
- encadres: a référent publishes one encadré of a fiche, or confirms it is current;
- droits: rights on a structure and below;
- favoris: a user's favourite fiches;
- signalements: errors reported on a fiche, and their treatment (with e-mail);
- import_finess: the bulk FINESS import (COPY, MPTT numbering of new trees);
- groupements: groupings of legal entities (GHT) around their support establishment.

Feature apps (dossiers, imports, disponibilités…) change the offer only through them.
"""
