"""Demo: the demo region is loaded in bulk (COPY, no signals), so build the search index once."""

from recherche.indexation import reindexer_tout


def peupler_demo(stdout) -> None:
    nombre = reindexer_tout()
    stdout.write(f"Recherche : {nombre} unités indexées.")
