"""Phone and ID numbers in free text: one detector (shared with the router), masked in notifications and in
the whistle API."""

import pytest

from tiaokuai.core.personal import contains_personal_data, mask_text


@pytest.mark.parametrize(("text", "masked"), [
    ("张三 13812345678 反映", "张三 138****5678 反映"),
    ("电话 138-1234-5678。", "电话 138-****-5678。"),
    ("身份证 110101199001011234 的", "身份证 110101********1234 的"),
    ("11010119900101123X", "110101********123X"),
    ("座机 0571-87654321", "座机 057*-****4321"),
    ("门牌 12 号，面积 300 平方米", "门牌 12 号，面积 300 平方米"),
    ("", ""),
])
def test_given_text_when_masked_then_phone_and_id_numbers_hidden_and_other_numbers_kept(text, masked):
    assert mask_text(text) == masked
    assert contains_personal_data(text) == (text != masked)


def test_given_the_router_then_it_uses_the_same_detector():
    from tiaokuai.core import personal
    from tiaokuai.routing import text

    assert text._IDNO_RE is personal.ID_NUMBER_RE and text._PHONE_RE is personal.PHONE_RE


def test_given_a_description_with_a_phone_when_notified_then_masked_in_inbox_and_outbox(county):
    from tiaokuai.notify import services
    from tiaokuai.notify.models import Delivery, Notification

    services.notify(recipients=[county.users["department"]], kind="test", title="来电 13812345678",
                    body="居民 110101199001011234 反映，电话 13812345678", channels=["log"])
    n = Notification.objects.get()
    assert "13812345678" not in n.title + n.body and "110101199001011234" not in n.body
    assert "138****5678" in n.body
    services.expand_pending(now=n.created_at)  # the sweep writes the log channel's outbox row
    assert Delivery.objects.count() == 1


def test_given_a_whistle_description_with_a_phone_when_read_through_the_api_then_masked(county, api):
    client = api(county.users["township"])
    resp = client.post("/api/v1/whistles", {"village": "330001001", "description": "路面塌陷，联系 13812345678"})
    assert resp.status_code == 201, resp.content
    assert "13812345678" not in resp.json()["description"]
    listed = api(county.users["establishment_office"]).get("/api/v1/whistles").json()
    assert all("13812345678" not in w["description"] for w in listed)
