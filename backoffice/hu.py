"""Hungarian texts of the back office, keyed by their English original."""

HU: dict[str, str] = {}
