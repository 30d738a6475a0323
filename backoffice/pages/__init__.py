"""The back office's screens, one module per screen; each exposes ``routes(pages)``."""
