"""Chinese everywhere a clerk reads: unit names beside codes in the version diff, channel names in the outbox,
Django's validation messages in plain words, dates typed in the Chinese format, role names in the demo printout."""

import pytest

from tiaokuai.core.forms import DateTextInput
from tiaokuai.duties.selectors import diff_dumps
from tiaokuai.notify import services as notify
from tiaokuai.org.forms import CertificateRenewForm
from tiaokuai.shell.forms import CalendarDayForm
from tiaokuai.shell.management.commands.demo import role_label
from tiaokuai.whistles.forms import ArriveForm, FiguresForm


def matter(steps):
    return {"code": "ZR-001", "name": "违法占用耕地建房查处", "domain": "ZRZY", "kind": "penalty", "legal_basis": "",
            "description": "", "keywords": "", "assignments": [], "steps": steps}


def test_given_changed_process_steps_when_diffed_then_units_read_as_names_with_codes_and_working_days(county):
    before = [matter([{"order": 1, "organisation": "D-ZR", "action": "受理", "time_limit_days": 30}])]
    after = [matter([{"order": 1, "organisation": "D-HB", "action": "受理", "time_limit_days": 10},
                     {"order": 2, "organisation": "territorial_township", "action": "配合", "time_limit_days": None}])]
    field = diff_dumps(before, after)["changed"][0]["fields"][0]
    assert field["before"] == "1. 县自然资源局（D-ZR） 受理，时限 30 个工作日"
    assert field["after"].splitlines() == ["1. 县生态环境局（D-HB） 受理，时限 10 个工作日", "2. 属地乡镇（街道） 配合"]


def test_given_deliveries_when_the_office_opens_the_outbox_then_channels_are_named_in_chinese(county, login):
    notify.notify(recipients=[county.users["department"]], kind="test", title="新的吹哨", channels=["log", "sms"])
    html = login(county.users["establishment_office"]).get("/system/outbox/").content.decode()
    assert "系统日志（不对外发送）" in html and "<td>短信</td>" in html
    assert "<td>log</td>" not in html and "<td>sms</td>" not in html
    assert '<option value="log">系统日志（不对外发送）</option>' in html  # the channel filter too
    assert login(county.users["establishment_office"]).get("/system/outbox/?channel=sms").status_code == 200


def test_given_too_long_a_value_when_a_form_checks_it_then_the_message_is_plain_chinese():
    form = ArriveForm({"people": "人" * 201})
    assert not form.is_valid()
    message = form.errors["people"][0]
    assert message == "最多 200 个字（现有 201 个）。"
    assert "确保" not in message and "变量" not in message


def test_given_date_fields_when_rendered_then_plain_text_with_the_chinese_format_and_typed_dates_are_read():
    html = str(CalendarDayForm()["day"])
    assert 'type="text"' in html and 'placeholder="年-月-日，如 2026-12-07"' in html and 'type="date"' not in html
    assert 'type="date"' not in str(CertificateRenewForm()["expires_on"])
    form = CalendarDayForm({"day": "2026-12-07", "is_working": "0", "note": "调休"})
    assert form.is_valid() and form.cleaned_data["day"].isoformat() == "2026-12-07"
    bad = CalendarDayForm({"day": "12/07/2026", "is_working": "0"})
    assert not bad.is_valid() and bad.errors["day"] == ["请输入有效的日期，格式如 2026-12-07。"]
    assert 'type="month"' not in str(FiguresForm()["month"]) and "年-月，如 2026-12" in str(FiguresForm()["month"])
    assert DateTextInput().format == "%Y-%m-%d"


@pytest.mark.parametrize(("role", "label"), [("establishment_office", "县委编办"), ("grid_worker", "网格员"),
                                             ("citizen", "群众"), ("proxy_agent", "代办员")])
def test_given_a_demo_role_when_printed_then_its_chinese_name(role, label):
    assert role_label(role) == label
