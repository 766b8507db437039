"""axe-core in Chromium: the WCAG 2.1 A/AA rules on the page as it stands.

axe.min.js is vendored in tests/vendor/axe-core (version and licence beside it): no network."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
REGLES_WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations_wcag(page) -> list[str]:
    """One line per violated rule: id, impact, and the first offending nodes."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    resultat = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        REGLES_WCAG21_AA)
    lignes = []
    for v in resultat["violations"]:
        cibles = "; ".join(" ".join(n["target"]) + " → " + n["failureSummary"].replace("\n", " ")[:160]
                           for n in v["nodes"][:3])
        lignes.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nœud(s)) : {cibles}")
    return lignes
