"""The back office against fake service APIs, with a signed-in test client."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from backoffice.app import build_app
from backoffice.settings import Settings
from backoffice.users import UserStore
from tests.unit.backoffice.fake_services import FakeServices

PASSWORD = "correct horse battery"


@pytest.fixture
def fake() -> FakeServices:
    return FakeServices()


@pytest.fixture
def bo_settings(tmp_path) -> Settings:
    settings = Settings(state_dir=tmp_path / "bo", http_port=0)
    UserStore(settings.users_file).set_password("admin", PASSWORD)
    return settings


@pytest.fixture
def anonymous(bo_settings: Settings, fake: FakeServices) -> Iterator[TestClient]:
    with TestClient(build_app(bo_settings, transport=fake.transport()), follow_redirects=False) as client:
        yield client


def token_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a form with a CSRF token"
    return found[1]


@pytest.fixture
def client(anonymous: TestClient) -> TestClient:
    """Signed in as admin; ``client.csrf`` holds the session's token."""
    page = anonymous.get("/login")
    resp = anonymous.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token_of(page.text)})
    assert resp.status_code == 303, resp.text
    anonymous.csrf = token_of(anonymous.get("/").text)
    return anonymous
