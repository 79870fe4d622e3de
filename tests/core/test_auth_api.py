def test_given_valid_credentials_when_token_requested_then_token_authenticates_api(county, api):
    client = api(county.users["township"])
    resp = client.get("/api/v1/divisions", level="township")
    assert resp.status_code == 200
    assert [d["code"] for d in resp.json()] == ["330001", "330002"]


def test_given_wrong_password_when_token_requested_then_401_and_no_token(county, client):
    from tiaokuai.core.models import ApiToken

    resp = client.post("/api/v1/auth/token", {"username": "qingshi", "password": "nope"},
                       content_type="application/json")
    assert resp.status_code == 401
    assert resp.json()["code"] == "invalid_credentials"
    assert ApiToken.objects.count() == 0


def test_given_no_token_when_api_called_then_401(county, client):
    assert client.get("/api/v1/divisions").status_code == 401


def test_given_bad_token_when_api_called_then_401(county, client):
    resp = client.get("/api/v1/divisions", headers={"Authorization": "Bearer nonsense"})
    assert resp.status_code == 401


def test_given_missing_field_when_token_requested_then_422_per_field(county, client):
    resp = client.post("/api/v1/auth/token", {"username": "qingshi"}, content_type="application/json")
    assert resp.status_code == 422
    assert "password" in resp.json()["details"]


def test_divisions_within_township_lists_its_villages(county, api):
    resp = api(county.users["department"]).get("/api/v1/divisions", level="village", within="330001")
    assert [d["code"] for d in resp.json()] == ["330001001", "330001002"]


def test_openapi_is_served(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    assert "/api/v1/auth/token" in resp.json()["paths"]
