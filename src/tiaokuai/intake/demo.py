"""Demo citizen requests for the demo county: every channel and every state (waiting, dispatched, accepted,
disputed, answered, closed and called back, not satisfied and reopened, answered on the spot, merged,
overdue up the escalation ladder), written through the services; and one Open311 client whose key goes to
var/demo-open311.json. Called by tiaokuai.demo.generate through EXTENSIONS."""

import datetime as dt
import json
import os
import random
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from tiaokuai.duties.choices import DutyRole
from tiaokuai.duties.selectors import matters_in_force
from tiaokuai.org.models import Division, Membership

from . import services
from .choices import Kind
from .models import Request, RequestDispatch, RequestDispute, SupervisionItem
from .sweeps import LADDER

TEXTS = (
    "小区门口路灯坏了一个多月，晚上出行很不方便",
    "村里自来水这两天一直没有水，请尽快处理",
    "楼下餐馆油烟直排，家里窗户都不敢开",
    "村口有人在耕地上建房子，已经打了地基",
    "河道里漂着很多垃圾，气味很大",
    "工地夜里十二点还在施工，噪声扰民",
    "集镇主干道有人占道摆摊，车辆无法通行",
    "山体有裂缝，下雨天担心滑坡",
    "超市出售过期食品，希望查处",
    "农村公路塌了一块，很危险",
    "燃气管道附近闻到很大的气味",
    "咨询新农合缴费标准和时间",
)


def _user(role: str, **filters: Any) -> Any:
    m = (Membership.objects.filter(role=role, person__user__isnull=False, person__user__is_active=True, **filters)
         .select_related("person__user").order_by("pk").first())
    return m.person.user if m else None


def _handler(d: RequestDispatch) -> Any:
    org = d.organisation
    if org.kind in ("township", "township_office"):
        return _user("township", division_id=org.division_id) or _user("township", division__township_id=org.division_id)
    return _user("department", organisation=org) or _user("officer", organisation=org)


def write_open311_file(key: str) -> Path:
    path = Path(settings.VAR_DIR) / "demo-open311.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    port = os.environ.get("PORT", "8000")
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"api_key": key, "endpoint": f"http://127.0.0.1:{port}/open311/v2/"}) + "\n",
                   encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def load(*, rng: random.Random, county: Any, scale: Any, release: Any) -> None:
    client, key = services.new_open311_client(actor=None, name="示范县政务服务网", rate_per_minute=600)
    write_open311_file(key)
    operator = _user("leader")
    supervisor = _user("supervision")
    office = _user("establishment_office")
    grid_worker = _user("grid_worker")
    proxy = _user("proxy_agent")
    if operator is None:
        return
    today = timezone.localdate()
    matters = [m for m in matters_in_force(today).prefetch_related("assignments")
               if any(a.role == DutyRole.PRIMARY for a in m.assignments.all())]
    villages = list(Division.objects.filter(level="village").order_by("code"))
    if not matters or not villages:
        return
    grid_villages = (list(Division.objects.filter(level="village", township_id__in=_townships(grid_worker))
                          .order_by("code")) or villages) if grid_worker else villages
    proxy_villages = (list(Division.objects.filter(level="village", township_id__in=_townships(proxy))
                           .order_by("code")) or villages) if proxy else villages
    made: list[Request] = []
    plan = ["web"] * 8 + ["hotline"] * 14 + ["grid"] * 6 + ["proxy"] * 4 + ["open311"] * 4
    for i, channel in enumerate(plan):
        matter = rng.choice(matters)
        kind = rng.choice([Kind.GENERAL] * 5 + [Kind.COMPLEX, Kind.UTILITIES, Kind.LIFE_PROPERTY])
        text = f"{rng.choice(TEXTS[:-1])}（{matter.name}）"
        args: dict[str, Any] = {"description": text, "kind": kind, "citizen_name": f"{rng.choice('王李张刘陈杨赵黄周吴')}先生",
                                "citizen_phone": f"139{rng.randrange(10**7, 10**8)}"}
        if channel == "web":
            r = services.request_submit(actor=None, channel="web", village_code=rng.choice(villages).code, **args)
        elif channel == "hotline":
            on_spot = i % 7 == 3
            r = services.request_submit(
                actor=operator, channel="hotline", village_code=rng.choice(villages).code,
                matter_code="" if on_spot else matter.code, answered_on_spot=on_spot,
                answer="已告知办理渠道和所需材料" if on_spot else "",
                **({**args, "description": TEXTS[-1]} if on_spot else args))
        elif channel == "grid" and grid_worker is not None:
            r = services.request_submit(actor=grid_worker, channel="grid", village_code=rng.choice(grid_villages).code,
                                        matter_code=matter.code, **args)
        elif channel == "proxy" and proxy is not None:
            r = services.request_submit(actor=proxy, channel="proxy", village_code=rng.choice(proxy_villages).code,
                                        matter_code=matter.code, **args)
        else:
            r = services.request_submit(actor=None, channel="open311", open311_client=client, matter_code=matter.code,
                                        village_code=rng.choice(villages).code, **args)
        made.append(r)
    # Vague ones the router is not sure of: they wait for an operator.
    for text in ("想反映一下情况，请工作人员联系我", "上次反映的事情还没有人来", "有个事情不知道该找哪个部门"):
        made.append(services.request_submit(actor=None, channel="web", description=text, village_code=villages[0].code,
                                            citizen_phone="13700000000"))
    _progress(made, rng, operator, supervisor, office, matters)
    _forget_loaded_model()


def _forget_loaded_model() -> None:
    """The web requests above loaded the demo's routing model into routing's in-process cache, keyed by the
    model version's id. A demo loaded inside a test is rolled back and the id is given again to another model,
    which the cache would then mistake for this one: forget it (routing loads it again on the next suggestion)."""
    from tiaokuai.routing import selectors as routing_selectors

    cache = getattr(routing_selectors, "_cache", None)
    if isinstance(cache, dict):
        cache.update(id=None, model=None)


def _townships(user: Any) -> list[int]:
    from tiaokuai.core.access import viewer_for

    return list(viewer_for(user).township_ids)


def _progress(made: list[Request], rng: random.Random, operator: Any, supervisor: Any, office: Any,
              matters: list) -> None:
    """Move the demo requests along: some waiting, some at each step, some closed and called back."""
    waiting = [r for r in made if r.status == "received"]
    for r in waiting[: max(0, len(waiting) - 2)]:  # two stay in the operator's queue
        services.request_route(actor=operator, request_id=r.pk, matter_code=rng.choice(matters).code)
    dispatched = [r for r in Request.objects.filter(pk__in=[x.pk for x in made], status="dispatched").order_by("pk")]
    for n, r in enumerate(dispatched):
        d = r.dispatches.select_related("organisation").get()
        handler = _handler(d)
        if handler is None:
            continue
        stage = n % 8
        if stage == 0:
            continue  # waiting for acceptance
        if stage == 1 and office is not None:
            services.dispatch_dispute(actor=handler, dispatch_id=d.pk, reason="依清单该事项不属于本单位职责")
            if n % 16 == 1:
                dispute = RequestDispute.objects.get(dispatch=d, status="open")
                services.dispute_decide(actor=office, dispute_id=dispute.pk, decision="keep", note="清单已明确")
            continue
        services.dispatch_accept(actor=handler, dispatch_id=d.pk)
        if stage == 2:
            continue
        outcome = "unreasonable" if stage == 7 else rng.choice(["resolved", "resolved", "explained", "partly_resolved"])
        services.dispatch_resolve(actor=handler, dispatch_id=d.pk, outcome=outcome, note="已现场核实并处理")
        if stage == 3:
            continue
        if outcome == "unreasonable":
            if supervisor is not None:
                services.request_confirm_outcome(actor=supervisor, request_id=r.pk)
            continue
        services.request_close(actor=operator, request_id=r.pk)
        if stage == 4:
            continue  # waiting for the callback
        if stage == 5:
            services.request_callback(actor=operator, request_id=r.pk, satisfaction="unsatisfied",
                                      comment="问题仍未解决", not_solved=True)
        else:
            services.request_callback(actor=operator, request_id=r.pk, satisfaction=rng.choice(["satisfied", "basic"]))
    for r in Request.objects.filter(pk__in=[x.pk for x in made], status="resolved", outcome="answered_on_spot"):
        if supervisor is not None:
            services.request_confirm_outcome(actor=supervisor, request_id=r.pk)
            services.request_callback(actor=operator, request_id=r.pk, satisfaction="satisfied")
    # A duplicate merged into the first hotline request.
    first = next((r for r in made if r.channel == "hotline" and r.outcome != "answered_on_spot"), None)
    if first is not None:
        dup = services.request_submit(actor=operator, channel="hotline", village_code=first.village.code,
                                      description=first.description, citizen_phone="13900000000",
                                      matter_code=first.matter_code)
        services.request_merge(actor=operator, request_id=dup.pk, into_number=first.number)
    # Some dispatches are long overdue: their deadlines moved back, then the ladder climbs (as the worker would).
    overdue = list(RequestDispatch.objects.filter(status__in=["dispatched", "accepted"], paused_since__isnull=True)
                   .order_by("pk")[:6])
    now = timezone.now()
    for k, d in enumerate(overdue):
        back = dt.timedelta(days=20 + k)
        RequestDispatch.objects.filter(pk=d.pk).update(
            dispatched_at=d.dispatched_at - back, accept_by=d.accept_by - back, resolve_by=d.resolve_by - back,
            next_check_at=d.accept_by - back)
    for days_ago in (6, 4, 2):
        LADDER.run(now - dt.timedelta(days=days_ago))
    # The supervision office has interviewed the unit with the most findings once (level 1, rectifying).
    unit = (SupervisionItem.objects.values("organisation__code").annotate(n=Count("id")).order_by("-n",
                                                                                                 "organisation__code")
            .first())
    if supervisor is not None and unit is not None:
        services.interview_record(actor=supervisor, organisation_code=unit["organisation__code"],
                                  held_on=timezone.localdate(), attendees="县委督查室主任、单位主要负责人",
                                  minutes="通报超时办理和群众不满意情况，听取单位说明。",
                                  rectification="一个月内完成全部超时诉求办理，建立首问负责台账。")
