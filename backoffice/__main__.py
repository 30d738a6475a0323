"""``python -m backoffice``: serve the web back office with settings from the environment."""

from backoffice.app import run

run()
