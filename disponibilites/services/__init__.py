"""Every write of disponibilites: one function per user action, atomic, recording who.

One module per responsibility; callers import the module they need
(`from disponibilites.services import saisie_lits` → `saisie_lits.saisir_lits(...)`;
named apart from the views `saisie` and `tension` they serve). API tokens are
repertoire.services.jetons_api (scope `lits`):

- suivi: which units are followed for beds, and the gestionnaire's marks;
- enregistrement: recording figures (append-only history, then the current situation);
- saisie_lits: the Saisie screen;
- api: calls of bed-management software;
- situations_tension: situations de tension and the reminders to late units.
"""
