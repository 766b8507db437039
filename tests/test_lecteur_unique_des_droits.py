"""repertoire/access.py is the only reader of rights: no other module reads guardian's tables.

A scan of the project's Python (migrations and tests excluded): any name of guardian's
permission models or read helpers, any ORM lookup or raw SQL on their tables, outside
access.py, fails. The grants are written in one service module, allowed by name.
"""

import ast
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
LECTEUR = "repertoire/access.py"
# assign_perm / remove_perm: the grants are written here, and nowhere else.
ECRIVAIN = "repertoire/services/droits.py"
# Where guardian is declared: its models (subclassing them is not reading them), its backend.
DECLARATIONS = {"repertoire/models.py", "ror/settings.py"}

NOMS_LUS = {
    "StructureUserObjectPermission", "StructureGroupObjectPermission", "UserObjectPermission",
    "GroupObjectPermission", "ObjectPermissionChecker", "get_objects_for_user", "get_objects_for_group",
    "get_users_with_perms", "get_groups_with_perms", "get_perms", "get_user_perms", "get_group_perms",
    "get_perms_for_model",
}
NOMS_ECRITS = {"assign_perm", "remove_perm", "bulk_assign_perm", "bulk_remove_perm"}
# ORM lookups (structureuserobjectpermission__…) and raw SQL (guardian_*, repertoire_structure*objectpermission).
FRAGMENTS = ("objectpermission", "guardian_")
IGNORES = {".venv", "var", "node_modules", "static", "tests", "migrations", "__pycache__", ".git"}


def _modules():
    for chemin in sorted(RACINE.rglob("*.py")):
        relatif = chemin.relative_to(RACINE)
        if not IGNORES.intersection(relatif.parts[:-1]):
            yield relatif.as_posix(), ast.parse(chemin.read_text(encoding="utf-8"), filename=str(chemin))


def _docstrings(arbre) -> set[int]:
    ids = set()
    for noeud in ast.walk(arbre):
        if isinstance(noeud, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            corps = noeud.body
            if corps and isinstance(corps[0], ast.Expr) and isinstance(corps[0].value, ast.Constant):
                ids.add(id(corps[0].value))
    return ids


def _lectures(arbre) -> set[str]:
    """Guardian reads of a module, docstrings aside (they may name the tables)."""
    docstrings = _docstrings(arbre)
    trouves = set()
    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.Constant) and id(noeud) in docstrings:
            continue
        trouves |= _noms_du_noeud(noeud)
    return trouves & (NOMS_LUS | set(FRAGMENTS))


def _noms_du_noeud(noeud) -> set[str]:
    if isinstance(noeud, ast.Name):
        return {noeud.id}
    if isinstance(noeud, ast.Attribute):
        return {noeud.attr}
    if isinstance(noeud, ast.alias):
        return {noeud.name.rsplit(".", 1)[-1]}
    texte = noeud.arg if isinstance(noeud, ast.keyword) and noeud.arg else (
        noeud.value if isinstance(noeud, ast.Constant) and isinstance(noeud.value, str) else "")
    return {f for f in FRAGMENTS if f in texte.lower()}


def test_seul_access_lit_les_tables_de_guardian():
    fautifs = {}
    for chemin, arbre in _modules():
        if chemin in {LECTEUR} | DECLARATIONS:
            continue
        lus = _lectures(arbre)
        if lus:
            fautifs[chemin] = sorted(lus)
    assert not fautifs, f"Droits lus hors de {LECTEUR} (passez par repertoire.access) : {fautifs}"


def test_un_seul_module_ecrit_les_droits():
    ecrivains = sorted(chemin for chemin, arbre in _modules()
                       if {n for noeud in ast.walk(arbre) for n in _noms_du_noeud(noeud)} & NOMS_ECRITS)
    assert ecrivains == [ECRIVAIN]


def test_le_scan_voit_une_lecture():
    """The scan itself works: each way of reading is caught."""
    for source in ("from guardian.shortcuts import get_perms",
                   "from repertoire.models import StructureUserObjectPermission",
                   "User.objects.filter(structureuserobjectpermission__permission__codename='referent')",
                   "connection.cursor().execute('SELECT * FROM guardian_userobjectpermission')",
                   "x = repertoire.models.StructureGroupObjectPermission.objects.all()"):
        assert _lectures(ast.parse(source)), source
    assert not _lectures(ast.parse('"""Reads StructureUserObjectPermission? No: a docstring."""'))
