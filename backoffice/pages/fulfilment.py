"""Placeholder."""

from starlette.routing import Route


def routes(pages) -> list[Route]:
    return []
