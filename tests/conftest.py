import pytest
from django.test import Client

from tests.factories import PASSWORD, make_county


@pytest.fixture
def county(db):
    return make_county()


@pytest.fixture
def login():
    """login(user) → a Django test client signed in as that user."""

    def _login(user):
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login


@pytest.fixture
def api():
    """api(user) → a client whose requests carry that user's bearer token (or none for None)."""

    class ApiClient:
        def __init__(self, user=None):
            self.client = Client()
            self.headers = {}
            if user is not None:
                resp = self.client.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD},
                                        content_type="application/json")
                assert resp.status_code == 200, resp.content
                self.headers = {"Authorization": f"Bearer {resp.json()['token']}"}

        def get(self, path, **params):
            return self.client.get(path, params, headers=self.headers)

        def post(self, path, data=None):
            return self.client.post(path, data or {}, content_type="application/json", headers=self.headers)

        def put(self, path, data=None):
            return self.client.put(path, data or {}, content_type="application/json", headers=self.headers)

        def patch(self, path, data=None):
            return self.client.patch(path, data or {}, content_type="application/json", headers=self.headers)

        def delete(self, path):
            return self.client.delete(path, headers=self.headers)

    return ApiClient
