"""The router inside the platform: trained from the list in force, switched only when better."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tiaokuai.core.errors import NotFound
from tiaokuai.core.models import AuditEvent
from tiaokuai.routing import selectors
from tiaokuai.routing.models import ModelVersion
from tiaokuai.routing.services import routing_train

OILFUME = [
    "楼下饭店油烟太大熏得家里没法开窗",
    "烧烤店油烟直排扰民",
    "餐馆排烟管道对着我家窗户，油烟呛人",
    "小区底商饭店油烟污染严重",
    "夜宵摊油烟噪音扰民",
]
FARMLAND = [
    "有人在基本农田上盖房子",
    "村里有人占用耕地建厂房",
    "耕地上违法建房没人管",
    "占用农田搭建大棚房",
    "河边耕地被挖来建房",
]


# How people actually put it, in words the list itself never uses.
COLLOQUIAL = {
    "HB-001": ["楼下烤串摊子呛得睁不开眼", "隔壁炒菜馆熏得衣服都是味", "烟囱对着卧室天天冒烟"],
    "ZR-001": ["地里又起了两间砖房", "麦田边上偷偷打地基", "庄稼地被推平盖仓库"],
    "SJ-001": ["小卖部没证卖熟食", "路边摊卖卤味没有执照", "无证小作坊做糕点"],
}


def history(n_rounds: int) -> list[tuple[str, str]]:
    rows = []
    for i in range(n_rounds):
        for code, texts in COLLOQUIAL.items():
            rows += [(f"{t}，第{i}回了", code) for t in texts]
    return rows


def test_given_a_published_list_when_trained_then_first_model_is_active_and_suggests_with_bodies(county):
    version = routing_train(actor=county.users["establishment_office"], history=[])
    assert version.is_active
    suggestions = selectors.suggest("餐饮油烟污染投诉")
    assert suggestions[0].matter_code == "HB-001"
    assert suggestions[0].bodies[0] == {"code": "D-HB", "name": "县生态环境局", "role": "primary"}
    assert suggestions[0].terms, "the deciding terms are shown"
    assert AuditEvent.objects.filter(action="routing.train").count() == 1


def test_given_no_history_when_retrained_then_active_model_is_kept(county):
    first = routing_train(history=[])
    second = routing_train(history=[])
    first.refresh_from_db()
    assert first.is_active and not second.is_active
    assert ModelVersion.objects.filter(is_active=True).count() == 1


def test_given_history_where_candidate_is_better_when_retrained_then_it_is_switched_in(county):
    routing_train(history=[])
    better = routing_train(history=history(12))
    assert better.n_heldout >= 20
    assert better.accuracy > better.active_accuracy
    assert better.is_active
    assert selectors.active_version().pk == better.pk


def test_given_history_that_does_not_help_when_retrained_then_it_is_not_switched_in(county):
    first = routing_train(history=[])
    # The recent, held-back labels contradict everything older: the candidate cannot be better on them.
    older = [(t, "HB-001") for t in OILFUME * 20]
    recent = [(t, "SJ-001") for t in OILFUME * 5]
    candidate = routing_train(history=older + recent)
    assert candidate.n_heldout == 25
    first.refresh_from_db()
    assert not candidate.is_active and first.is_active
    assert candidate.accuracy <= candidate.active_accuracy


def test_given_low_confidence_when_suggesting_then_marked_uncertain(county):
    version = routing_train(history=[])
    ModelVersion.objects.filter(pk=version.pk).update(threshold=0.999)
    assert all(not s.confident for s in selectors.suggest("随便说点什么"))


def test_given_department_user_when_training_then_refused_and_nothing_changes(county):
    with pytest.raises(NotFound):
        routing_train(actor=county.users["department"], history=[])
    assert ModelVersion.objects.count() == 0
    assert AuditEvent.objects.filter(action="routing.train").count() == 0


def test_routing_queue_page_for_office_only(county, login):
    routing_train(history=[])
    office = login(county.users["establishment_office"])
    resp = office.get("/routing/queue/", {"text": "饭店油烟扰民"})
    assert resp.status_code == 200
    assert "HB-001" in resp.content.decode()
    assert login(county.users["department"]).get("/routing/queue/").status_code == 404


def test_suggest_partial_shows_terms(county, login):
    routing_train(history=[])
    resp = login(county.users["township"]).get("/routing/suggest/", {"description": "有人占用耕地建房"})
    assert resp.status_code == 200
    assert "ZR-001" in resp.content.decode()


def test_given_an_open_whistle_on_another_matter_when_office_opens_queue_then_it_is_listed_for_a_second_look(
    county, login
):
    from tests.whistles.conftest import make_whistle_list
    from tiaokuai.whistles.services import whistle_raise

    make_whistle_list(county)
    routing_train(history=[])
    # The text is about oil fumes, but the township chose the farmland item.
    doubtful = whistle_raise(
        actor=county.users["township"],
        item_code="CS-ZR-01",
        village_code="330001001",
        description="饭店油烟污染严重，餐饮油烟直排",
    )
    fine = whistle_raise(
        actor=county.users["township"],
        item_code="CS-ZR-01",
        village_code="330001001",
        description="有人占用耕地建房",
    )
    rows = selectors.second_look(selectors_viewer(county.users["establishment_office"]))
    assert [w.pk for w, _s in rows] == [doubtful.pk]
    assert rows[0][1][0].matter_code == "HB-001"
    page = login(county.users["establishment_office"]).get("/routing/queue/").content.decode()
    assert (
        doubtful.number in page and fine.number not in page.split('id="second-look"')[1].split("</table>")[0]
    )


def selectors_viewer(user):
    from tiaokuai.core.access import viewer_for

    return viewer_for(user)


def test_given_admin_commands_when_training_suggesting_and_asking_status_then_json_in_chinese_and_local_time(
    county, capsys
):
    # given no model yet: suggest says what to do, status says there is none
    with pytest.raises(CommandError):
        call_command("routing", "suggest", "烧烤店油烟直排扰民")
    call_command("routing", "status")
    assert "no active routing model" in capsys.readouterr().out
    # when trained from the list in force
    call_command("routing", "train")
    trained = json.loads(capsys.readouterr().out)
    assert trained["active"] is True
    # then suggestions come one JSON line each, best first, with bodies and terms
    call_command("routing", "suggest", "烧烤店油烟直排扰民", "-k", "2")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2 and lines[0]["matter_code"] == "HB-001" and lines[0]["bodies"]
    # and the status names the model in Shanghai time, its decision readable
    call_command("routing", "status")
    out = capsys.readouterr().out
    status = json.loads(out)
    assert status["id"] == trained["id"] and status["trained_at"].endswith("+08:00")
    assert "\\u" not in out
