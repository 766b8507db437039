"""Demo: the quality figures are computed live from the demo region (about one unit in ten is
left incomplete on purpose, verification dates span twenty months); print them."""

from qualite.indicateurs import tableau


def peupler_demo(stdout) -> None:
    t = tableau()
    if not t.total.uo:
        return
    taux = ", ".join(f"{ligne.taux_eg:.0f} % {ligne.libelle}" for ligne in t.par_champ if ligne.eg)
    stdout.write(f"Qualité : {t.total.taux_eg:.0f} % des EG finalisées ({taux}) ; "
                 f"{t.non_verifiees} fiches non vérifiées depuis 12 mois.")
