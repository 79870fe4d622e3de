"""POST /api/v1/routing/suggestions: the router for hotline and intake systems."""

from tiaokuai.routing.services import routing_train


def test_given_a_model_when_asking_for_suggestions_then_ranked_matters_with_bodies_and_terms(county, api):
    # given an active model trained from the list in force
    version = routing_train(history=[])
    # when a signed-in system asks about a text
    resp = api(county.users["township"]).post(
        "/api/v1/routing/suggestions", {"text": "餐饮油烟污染投诉", "k": 2}
    )
    # then the matters come ranked, with confidence, the deciding words and the bodies responsible
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["model"]["id"] == version.pk and 0 <= body["model"]["threshold"] <= 1.01
    top = body["suggestions"][0]
    assert len(body["suggestions"]) == 2
    assert top["matter_code"] == "HB-001" and top["matter_name"] == "餐饮油烟污染投诉处理"
    assert 0 < top["confidence"] <= 1 and top["terms"]
    assert top["bodies"][0] == {"code": "D-HB", "name": "县生态环境局", "role": "primary"}
    assert body["suggestions"][0]["confidence"] >= body["suggestions"][1]["confidence"]


def test_given_no_model_yet_when_asking_then_empty_suggestions(county, api):
    resp = api(county.users["township"]).post("/api/v1/routing/suggestions", {"text": "油烟"})
    assert resp.status_code == 200 and resp.json() == {"model": None, "suggestions": []}


def test_given_bad_input_or_no_token_when_asking_then_422_or_401(county, api):
    client = api(county.users["township"])
    empty = client.post("/api/v1/routing/suggestions", {"text": ""})
    assert empty.status_code == 422 and "text" in empty.json()["details"]
    too_many = client.post("/api/v1/routing/suggestions", {"text": "油烟", "k": 99})
    assert too_many.status_code == 422 and "k" in too_many.json()["details"]
    assert api(None).post("/api/v1/routing/suggestions", {"text": "油烟"}).status_code == 401
