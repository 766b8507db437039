"""The layers of the code hold (README, « Organisation du code »).

From top to bottom: `ror` (settings, urls), `demo`, the feature apps (independent of one
another), `repertoire`, `nomenclatures`, `socle`. The contract lives in pyproject.toml
([tool.importlinter]) and is checked by import-linter on the real import graph.
"""

import ast
import subprocess
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
APPLICATIONS = ["ror", "demo", "recherche", "dossiers", "disponibilites", "imports", "qualite", "interop",
                "comptes", "repertoire", "nomenclatures", "socle"]


def _modules_du_produit():
    for application in APPLICATIONS:
        for chemin in sorted((RACINE / application).rglob("*.py")):
            if "migrations" not in chemin.parts:
                yield chemin


def test_le_contrat_des_couches_est_respecte():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    resultat = subprocess.run([str(lint_imports), "--no-cache"], cwd=RACINE, capture_output=True, text=True)
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
    assert "1 kept, 0 broken" in resultat.stdout


def test_le_produit_n_importe_pas_la_demonstration():
    """Already in the contract; said again because it is the rule people break first."""
    trouves = []
    for chemin in _modules_du_produit():
        relatif = chemin.relative_to(RACINE).as_posix()
        if relatif.startswith(("demo/", "ror/")):
            continue
        for noeud in ast.walk(ast.parse(chemin.read_text(), filename=relatif)):
            if isinstance(noeud, ast.ImportFrom) and (noeud.module or "").split(".")[0] == "demo" and noeud.level == 0:
                trouves.append(f"{relatif}:{noeud.lineno}")
            elif isinstance(noeud, ast.Import) and any(a.name.split(".")[0] == "demo" for a in noeud.names):
                trouves.append(f"{relatif}:{noeud.lineno}")
    assert not trouves, trouves
