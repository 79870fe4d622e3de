"""A deterministic history of whistles for the demo county: ~10 weeks of whistles raised by the townships up to the
moment the demo is loaded (history_end(): now, to the minute), with dispatches exactly as `whistle_raise` makes them
department steps on time or late, escalations as the sweep would have made them, disputes (kept, rerouted, still
open), returns, confirmations, ratings and closings, and one audit event per state change.

Everything is drawn from the seeded `rng` in a fixed order and bulk-created (no service calls), so a seed loaded
on the same day always gives the same numbers and descriptions and the default scale loads in a few seconds. Called by
tiaokuai.demo.generate through EXTENSIONS, after the whistle list is published."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Model, Q
from django.utils import timezone

from tiaokuai.core import audit, numbering, worktime
from tiaokuai.core import dispatch as dispatch_kernel
from tiaokuai.org.models import Division, Membership

from . import services as S
from .choices import DispatchStatus, DisputeStatus, Outcome, Urgency, WhistleStatus
from .clocks import DISPATCH_CLOCKS, step_unit
from .models import Dispatch, DispatchNote, Dispute, Escalation, Rating, Whistle, WhistleItem
from .services import counts

SHANGHAI = ZoneInfo("Asia/Shanghai")


def history_end() -> dt.datetime:
    """Where the history ends: the moment the demo is loaded (to the minute), so a fresh demo has whistles due
    today and this week, not months ago."""
    return timezone.now().astimezone(SHANGHAI).replace(second=0, microsecond=0)

WINDOW_DAYS = 70
SIZES = {"small": 60, "default": 400, "large": 1500}
MIN = dt.timedelta(minutes=1)
WHISTLE_TYPE = "whistles.whistle"

# ── Text ─────────────────────────────────────────────────────────────────────────────────
SPOTS = ("村口", "老街", "后山", "溪边", "村委会旁", "大桥头", "一组", "二组", "三组", "五组", "七组", "祠堂附近",
         "文化礼堂旁", "工业园区", "菜市场门口", "中心小学附近", "省道边", "水库下游", "竹林边", "停车场")
TIMES = ("今天上午", "今天早上", "今天下午", "昨天傍晚", "昨晚十点左右", "今天凌晨", "刚才", "中午", "早上七点多",
         "上午九点左右", "下午三点左右")
ASKS = ("请相关部门尽快到场处置", "请职能部门派人到现场", "申请部门报到，联合处置", "请尽快派专业力量支援",
        "请部门抓紧对接")
COLLOQUIAL_ASKS = ("我们镇里管不了，麻烦快点来人！", "老百姓天天打电话，请部门赶紧来看看。", "这事拖不得，请尽快派人。",
                   "镇里已经去过几趟了，还是解决不了，只能吹哨了。")
MEASURES = ("镇里已派人在现场看守", "已拉警戒线并疏散周边群众", "已拍照留存证据", "网格员已上门劝导，当事人不听",
            "村两委已介入协调", "已口头责令停止", "镇综合执法队已到场但无执法权限")

# Details with {n} (a quantity): by a keyword of the item's name, else one that fits any item.
KEYWORD_DETAILS = (
    (("耕地", "建房", "未批先建", "规划许可"), ("现场已开挖地基约{n}平方米", "已浇筑地基，面积约{n}平方米",
                                          "涉及耕地约{n}亩")),
    (("采砂", "采石", "矿产", "砂石"), ("现场有{n}台挖掘机在作业", "已有{n}辆运砂车进出", "河床被挖深约{n}米")),
    (("裂缝", "滑坡", "地质", "山塘", "降雨", "台风"), ("裂缝宽约{n}厘米，还在扩大", "需转移群众约{n}人",
                                                  "水位比昨天上涨了{n}厘米")),
    (("林木", "毁林", "火"), ("涉及林地约{n}亩", "过火面积估计{n}亩", "现场有{n}处烟点")),
    (("油烟", "噪声", "废气", "异味", "扬尘"), ("附近{n}户居民投诉", "已有{n}人次打12345投诉", "已持续{n}天，每天晚上都有")),
    (("排污", "偷排", "死鱼", "废水", "粪污", "水体"), ("河水发黑发臭，下游约{n}米都有异味", "排污口离村民取水点不到{n}米",
                                                  "下游已发现死鱼{n}条")),
    (("危房", "自建房", "古建筑", "历史建筑"), ("墙体开裂最宽处约{n}厘米", "涉及住户{n}户", "屋里还住着{n}位老人")),
    (("燃气", "液化气"), ("现场有液化气钢瓶{n}只", "周边{n}户居民已疏散", "闻到明显煤气味，已持续{n}分钟")),
    (("公路", "桥梁", "涵洞", "道路", "拥堵"), ("路面塌陷约{n}平方米，车辆无法通行", "拥堵车辆排了约{n}公里",
                                           "桥面裂缝{n}处")),
    (("食品", "中毒", "聚餐", "三无", "过期"), ("已有{n}人出现呕吐腹泻症状", "涉及就餐人员{n}人", "货架上查到问题食品{n}余件")),
    (("电梯", "锅炉", "压力容器", "游乐", "加油站", "充装站"), ("被困人员{n}人", "设备已超期未检{n}个月", "涉及{n}台设备")),
    (("犬",), ("已有{n}人被犬咬伤", "流浪犬{n}只在学校附近游荡")),
    (("广告", "店招", "小广告"), ("广告牌面积约{n}平方米", "沿街{n}处招牌不符合规定", "小广告{n}余处")),
    (("畜禽", "动物", "家禽", "养殖"), ("丢弃病死猪{n}头", "涉及养殖户{n}户", "死亡家禽{n}余只")),
    (("捕捞", "电鱼"), ("现场查获电鱼器具{n}套", "河面上有{n}条船在作业")),
    (("农药", "种子", "化肥", "农产品"), ("受损农户{n}户", "涉及农田约{n}亩")),
    (("农田", "渠道", "灌溉"), ("受损渠道约{n}米", "影响农田约{n}亩")),
    (("游客", "景区", "漂流", "探险"), ("现场游客约{n}人", "已有{n}名游客受伤送医")),
    (("网吧", "未成年"), ("现场有{n}名未成年人上网",)),
    (("物价", "价格", "消费", "纠纷", "集体资产", "出版物", "演出", "民宿", "农家乐", "经营", "药店"),
     ("涉及商户{n}家", "已有{n}名群众聚集讨要说法", "群众联名举报{n}人")),
)
ANY_DETAILS = ("周边群众反映强烈，已有{n}人次投诉", "已经持续好几天了", "村里已经劝过好几次，没有效果")
QUANTITIES = (2, 3, 5, 6, 8, 10, 12, 15, 20, 30, 50, 80)
DISPUTE_KINDS = ("keep", "reroute", "open", "keep", "reroute")
TEMPLATES = (
    "{time}{village}{spot}{topic}，{detail}。{measure}，{ask}。",
    "网格员报告：{village}{spot}{topic}。{detail}，{measure}，我镇无法单独处置，{ask}。",
    "{village}{spot}又出问题了，{topic}，{detail}，群众意见很大。{colloquial}",
)
ROUTING_TEXTS = (
    "{village}{spot}通信基站旁的铁塔锈蚀严重，群众担心倒塌，不清楚归哪个部门管，请编办协调。",
    "{village}与邻县交界处河道漂浮物大量堆积，上下游互相推，请县里明确牵头单位。",
    "{village}{spot}一处废弃厂房有人聚集居住，存在安全隐患，清单上找不到对应事项。",
    "{village}村民反映{spot}光伏板反光严重影响生活，涉及多个部门，请指定牵头部门。",
    "{village}{spot}无主危墙一处，临近学生上学路线，请协调相关部门处置。",
)
RESOLVE_NOTES = {
    Outcome.RESOLVED: ("已现场处置完毕，群众满意。", "已责令整改到位并复查。", "已依法立案查处，现场恢复原状。",
                       "隐患已消除，已向镇里反馈。", ""),
    Outcome.PARTLY_RESOLVED: ("已完成主体处置，剩余部分需待天气好转后继续。", "当事人已部分整改，已下达限期整改通知书。"),
    Outcome.CANNOT_RESOLVE: ("涉及历史遗留问题，需县政府专题研究。", "当事人下落不明，暂无法处置，已移交属地持续跟踪。"),
    Outcome.REFERRED: ("涉嫌刑事犯罪，已移送县公安局。", "属上级部门管辖，已报市局处理。"),
}
NOTES = ("已组织人员现场勘查，正在制定处置方案。", "已联系当事人，约定明天上午现场整改。", "已抽取样品送检，等结果出来再定。",
         "今天下雨，明天继续施工。", "已与镇里对接，联合开展处置。")
DISPUTE_REASONS = ("按清单该事项主体责任不在我局，应由{other}牵头。", "现场核实属于{other}职责范围，我局仅配合。",
                   "该情形不属于我局执法权限，建议改派{other}。")
RETURN_REASONS = ("现场复查仍有问题，群众不满意，请继续处置。", "整改不彻底，又反弹了。", "只处理了一半，剩余部分没有处理。")
LOW_COMMENTS = ("到场不及时", "响应太慢，催了好几次", "处置不彻底", "态度一般，推诿", "到场不及时，群众有意见")
HIGH_COMMENTS = ("", "", "", "响应迅速，处置到位", "配合很好", "很专业，感谢", "")
PEOPLE_TITLES = ("科长", "队长", "副局长", "工程师", "所长", "执法员")
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "朱", "胡", "郑")


def _topic(name: str) -> str:
    """The item's name as a township would say it: without "需…" and the "辖区内发现" preamble."""
    if "需" in name[1:]:
        name = name[: name.index("需", 1)]
    for prefix in ("辖区内发现", "辖区内", "发现"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return name.rstrip("，、")


CONTACT_EVERY = 20  # one demo whistle in CONTACT_EVERY has a phone number typed into its description

# How a township names the item (the demo's history must not name it in every text, or the routing page would claim
# an accuracy of 1.000): outright, paraphrased by a word of it, vaguely (no item at all, only what was seen), or
# naming a neighbouring item of the same domain by mistake (the whistle was still routed to the right item).
PHRASINGS = (("exact", 0.63), ("paraphrase", 0.20), ("vague", 0.10), ("wrong", 0.07))
PARAPHRASES = ("{word}方面出了问题", "疑似{word}", "好像是{word}的事", "有群众反映{word}", "{word}相关的情况")
VAGUE_TOPICS = ("出了点情况", "有群众反映的问题", "发现一处隐患", "情况比较复杂", "有人反映问题，说不清归谁管",
                "出现了一些状况", "发现异常情况")


def _keyword(name: str, prng: random.Random) -> str:
    """A word of the item's name a township would use for it: one of the detail keywords in it, else a part of it."""
    words = [w for words, _details in KEYWORD_DETAILS for w in words if w in name]
    if words:
        return prng.choice(words)
    topic = _topic(name)
    size = min(len(topic), prng.choice((2, 3, 4)))
    start = prng.randrange(0, max(1, len(topic) - size + 1))
    return topic[start:start + size]


def _describe(rng: random.Random, item: WhistleItem, domain: str, village: str, *,
              prng: random.Random | None = None, neighbours: tuple[WhistleItem, ...] = ()) -> str:
    """A township's text for a whistle on `item`. `prng` (its own seeded generator, so the main draws stay as they
    were) picks how the item is named (PHRASINGS); `neighbours` are items of the same domain to name by mistake."""
    n = rng.choice(QUANTITIES)
    template = rng.choice(TEMPLATES)
    pool = next((details for words, details in KEYWORD_DETAILS if any(word in item.name for word in words)),
                ANY_DETAILS)
    detail = rng.choice(pool if rng.random() < 0.8 else ANY_DETAILS).replace("{n}", str(n))
    topic = _topic(item.name)
    if prng is not None:
        pick, mode = prng.random(), "exact"
        for name, share in PHRASINGS:
            if pick < share:
                mode = name
                break
            pick -= share
        if mode == "paraphrase":
            topic = prng.choice(PARAPHRASES).format(word=_keyword(item.name, prng))
        elif mode == "vague":
            topic = prng.choice(VAGUE_TOPICS)
            if prng.random() < 0.5:
                detail = prng.choice(ANY_DETAILS).replace("{n}", str(n))
        elif mode == "wrong":
            others = [x for x in neighbours if x.pk != item.pk]
            if others:
                topic = _topic(prng.choice(others).name)
    return template.format(time=rng.choice(TIMES), village=village, spot=rng.choice(SPOTS), topic=topic,
                           detail=detail, measure=rng.choice(MEASURES), ask=rng.choice(ASKS),
                           colloquial=rng.choice(COLLOQUIAL_ASKS))


# ── Time ─────────────────────────────────────────────────────────────────────────────────
def _natural(urgency: str) -> bool:
    return urgency == Urgency.EMERGENCY


def _after(start: dt.datetime, minutes: float, urgency: str) -> dt.datetime:
    return worktime.deadline(start, minutes=max(0, int(minutes)), natural=_natural(urgency))


def _tick(at: dt.datetime) -> dt.datetime:
    """The sweep tick that sees a deadline: the next whole minute."""
    return (at + dt.timedelta(seconds=59)).replace(second=0, microsecond=0)


def _overdue_minutes(due: dt.datetime, at: dt.datetime, urgency: str) -> int:
    if _natural(urgency):
        return max(0, int((at - due).total_seconds() // 60))
    return max(0, worktime.working_minutes_between(due, at))


# ── The plan ─────────────────────────────────────────────────────────────────────────────
@dataclass
class D:
    """One dispatch being simulated."""

    obj: Dispatch
    actor: Any
    segments: list[tuple[str, dt.datetime, dt.datetime | None, dt.datetime]] = field(default_factory=list)


@dataclass
class Ctx:
    rng: random.Random
    end: dt.datetime  # the history ends here (history_end())
    events: list[tuple[dt.datetime, int, Any, str, Whistle, dict | None, dict]] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    notes: list[DispatchNote] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    replacements: list[tuple[Dispatch, Dispatch]] = field(default_factory=list)
    seq: int = 0

    def event(self, at: dt.datetime, actor: Any, action: str, whistle: Whistle, before: dict | None,
              after: dict) -> None:
        self.seq += 1
        self.events.append((at, self.seq, actor, action, whistle, before, after))


def _pk(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dict):
        return {k: _pk(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pk(v) for v in value]
    return value


def _dispatch_ref(d: Dispatch) -> dict:
    return {"dispatch": d, "organisation": d.organisation.code}


def load(*, rng: random.Random, county: Any, scale: Any, release: Any) -> dict[str, int] | None:
    if Whistle.objects.exists():
        return None
    end = history_end()
    item_release_id, resp_release_id = S.releases_in_force(end.date())
    if not item_release_id:
        return None
    S.clear_route_cache()
    routes = S.routes_for(item_release_id, resp_release_id)
    items = {i.pk: i for i in WhistleItem.objects.filter(release_id=item_release_id).select_related("domain")}
    by_domain: dict[Any, tuple[WhistleItem, ...]] = {}
    for it in sorted(items.values(), key=lambda x: x.pk):
        by_domain[it.domain_id] = by_domain.get(it.domain_id, ()) + (it,)
    townships = list(Division.objects.filter(level="township").order_by("code"))
    villages: dict[int, list[Division]] = {}
    for v in Division.objects.filter(level="village").order_by("code"):
        villages.setdefault(v.township_id, []).append(v)
    grids: dict[int, list[Division]] = {}
    for g in Division.objects.filter(level="grid").order_by("code"):
        grids.setdefault(g.parent_id, []).append(g)
    raisers: dict[int, tuple[Any, int]] = {}
    org_user: dict[int, Any] = {}
    office = None
    for m in (Membership.objects.filter(person__user__isnull=False).select_related("person__user", "organisation")
              .order_by("id")):
        user = m.person.user
        if m.role == "township" and m.division_id and m.division_id not in raisers:
            raisers[m.division_id] = (user, m.organisation_id)
        if m.role in ("department", "officer"):
            org_user.setdefault(m.organisation_id, user)
        if m.role == "establishment_office" and office is None:
            office = user
    for m in Membership.objects.filter(person__user__isnull=False).select_related("person__user").order_by("id"):
        org_user.setdefault(m.organisation_id, m.person.user)  # e.g. a township government called to assist
    townships = [t for t in townships if t.pk in raisers and villages.get(t.pk)]
    if not townships or not routes:
        return None
    from tiaokuai.org.models import Organisation

    orgs = {o.pk: o for o in Organisation.objects.filter(kind="county_department", is_active=True).order_by("code")}
    dept_by_code = {o.code.rsplit("-", 1)[-1]: o for o in orgs.values()}
    # The bodies the list names, and the township governments its territorial role 属地乡镇（街道） resolves to.
    org_cache = {o.pk: o for o in Organisation.objects.filter(
        Q(pk__in={b.organisation_id for r in routes.values() for b in r.bodies}) | Q(kind="township"))}
    org_cache.update(orgs)

    n = SIZES.get(getattr(scale, "name", str(scale)), round(33 * max(1, getattr(scale, "townships", 12))))
    usable = sorted(code for code, r in routes.items() if S.dispatch_plan(r, townships[-1].pk)
                    and all(S.dispatch_plan(r, t.pk) for t in townships))
    ctx = Ctx(rng=rng, end=end)

    # 1. Draw every whistle's basics (times, place, item, urgency, fate) in a fixed order.
    start_day = end.date() - dt.timedelta(days=WINDOW_DAYS)
    n_routing = 3 + (n >= 200) + (n >= 1000)
    n_recent = max(8, n // 12)
    specs = []
    for i in range(n):
        n_stall, n_disputes = max(4, n // 30), max(5, n // 20)
        stall = n_recent + n_routing <= i < n_recent + n_routing + n_stall
        d_index = i - (n_recent + n_routing + n_stall)
        dispute = 0 <= d_index < n_disputes
        dispute_kind = DISPUTE_KINDS[d_index % len(DISPUTE_KINDS)] if dispute else ""
        returned = i >= n - max(2, n // 100)  # a few old whistles certainly returned once (besides the drawn ones)
        if i < n_recent:  # the last three working days before the reference
            day = end.date() - dt.timedelta(days=rng.randint(0, 4))
        elif dispute_kind == "open":  # still waiting for the office
            day = end.date() - dt.timedelta(days=rng.randint(0, 2))
        elif stall:  # stuck at some step for days: overdue, escalated
            day = end.date() - dt.timedelta(days=rng.randint(2, 16))
        elif returned:  # old enough to be resolved, returned and resolved again
            day = start_day + dt.timedelta(days=rng.randint(3, 30))
        else:
            # A little more towards recent weeks.
            day = start_day + dt.timedelta(days=int(WINDOW_DAYS * (1 - rng.random() ** 1.25)))
        urgency = rng.choices([Urgency.NORMAL, Urgency.URGENT, Urgency.EMERGENCY], weights=[78, 18, 4])[0]
        if not worktime.is_working_day(day) and urgency == Urgency.NORMAL and rng.random() < 0.8:
            while not worktime.is_working_day(day):
                day -= dt.timedelta(days=1)
        if urgency == Urgency.EMERGENCY:
            minute = rng.randint(6 * 60, 23 * 60)
        else:
            minute = rng.choice((rng.randint(8 * 60 + 30, 11 * 60 + 50), rng.randint(14 * 60, 17 * 60 + 20),
                                 rng.randint(7 * 60 + 40, 19 * 60)))
        raised = dt.datetime.combine(day, dt.time(minute // 60, minute % 60, rng.randint(0, 59)), tzinfo=SHANGHAI)
        if raised >= end - dt.timedelta(minutes=20):
            raised = end - dt.timedelta(minutes=rng.randint(25, 600))
        township = townships[rng.randrange(len(townships))]
        village = rng.choice(villages[township.pk])
        grid = rng.choice(grids[village.pk]) if grids.get(village.pk) and rng.random() < 0.6 else None
        code = rng.choice(usable)
        routing = i >= n_recent and i < n_recent + n_routing
        if routing:
            raised = end - dt.timedelta(hours=rng.randint(2, 70), minutes=rng.randint(0, 59))
        fate = {
            "late": [rng.random() < 0.13 for _ in range(9)],
            "fracs": [rng.uniform(0.12, 0.85) for _ in range(9)],
            "late_fracs": [rng.uniform(0.05, 0.6) for _ in range(9)],
            "stall": stall,
            "stall_step": rng.choice((0, 1, 1, 2, 2, 2)),
            "dispute": dispute,
            "dispute_kind": dispute_kind,
            "return": rng.random() < 0.04 or returned,
            "confirm_wait": rng.choice((rng.uniform(30, 400), rng.uniform(30, 400), rng.uniform(400, 2500))),
            "never_confirm": rng.random() < 0.04,
            "close_wait": rng.uniform(2, 60) if rng.random() < 0.9 else rng.uniform(700, 4000),
            "never_close": rng.random() < 0.04,
            "rate": rng.random() < 0.9,
            "note": rng.random() < 0.3,
            "outcome": rng.choices(list(Outcome.values), weights=(85, 8, 3, 4))[0],
            "seed": rng.random(),
        }
        text_rng = random.Random(f"{fate['seed']}")
        if routing:
            description = rng.choice(ROUTING_TEXTS).format(village=village.name, spot=rng.choice(SPOTS))
        else:
            item = items[routes[code].item_id]
            description = _describe(rng, item, item.domain.code, village.name,
                                    prng=random.Random(f"{fate['seed']}/words"), neighbours=by_domain[item.domain_id])
        if i % CONTACT_EVERY == 3:  # some clerks type the caller's number in: pages show it masked (ADR 0009)
            description += f"（现场联系人电话：139{i:08d}）"
        specs.append((raised, i, township, village, grid, code, urgency, routing, fate, description, text_rng))

    # 2. Numbers in order of raising (CS-YYYYMMDD-NNNN, per Shanghai day).
    specs.sort(key=lambda s: (s[0], s[1]))
    per_day: dict[dt.date, int] = {}
    whistles: list[Whistle] = []
    plans: list[tuple[Whistle, Any, dict, random.Random, list[D]]] = []
    for raised, _i, township, village, grid, code, urgency, routing, fate, description, text_rng in specs:
        day = raised.astimezone(SHANGHAI).date()
        per_day[day] = per_day.get(day, 0) + 1
        user, raising_org = raisers[township.pk]
        route = None if routing else routes[code]
        w = Whistle(
            number=f"CS-{day:%Y%m%d}-{per_day[day]:04d}", status=WhistleStatus.ROUTING if routing else WhistleStatus.OPEN,
            item_id=route.item_id if route else None, item_release_id=item_release_id if route else None,
            responsibility_release_id=resp_release_id, township=township, village=village, grid=grid,
            raised_by=user, raising_org_id=raising_org, address=f"{township.name}{village.name}",
            description=description, urgency=urgency, raised_at=raised,
        )
        whistles.append(w)
        dispatches: list[D] = []
        if route is not None:
            minutes = route.minutes[urgency]
            respond_by, arrive_by, resolve_by = S.step_deadlines(raised, minutes, urgency)
            for body, role in S.dispatch_plan(route, township.pk):
                obj = Dispatch(whistle=w, organisation=org_cache[body.organisation_id], role=role,
                               status=DispatchStatus.DISPATCHED, dispatched_at=raised, respond_by=respond_by,
                               arrive_by=arrive_by, resolve_by=resolve_by, next_check_at=respond_by,
                               matter_code=route.matter_code, assignment_role=body.role,
                               decided_by_release_id=resp_release_id)
                dispatches.append(D(obj, org_user.get(body.organisation_id)))
        plans.append((w, route, fate, text_rng, dispatches))
        ctx.event(raised, user, "whistles.raise", w, None, {
            "number": w.number, "status": w.status, "item": code if route else None, "urgency": urgency,
            "item_release": w.item_release_id, "responsibility_release": resp_release_id,
            "dispatches": [{"id": d.obj, "organisation": d.obj.organisation.code, "role": d.obj.role}
                           for d in dispatches]})

    # 3. Simulate each whistle up to the reference moment.
    for w, route, fate, trng, dispatches in plans:
        if route is not None:
            _simulate(ctx, w, route, fate, trng, dispatches, dept_by_code, org_user, office)

    # 4. Write.
    Whistle.objects.bulk_create(whistles, batch_size=500)
    all_dispatches = [d.obj for *_rest, ds in plans for d in ds]
    Dispatch.objects.bulk_create(all_dispatches, batch_size=500)
    replacements = [new for _old, new in ctx.replacements]
    for old, new in ctx.replacements:
        new.replaces = old
    Dispatch.objects.bulk_create(replacements, batch_size=500)
    for x in ctx.disputes:
        x.dispatch = x.dispatch  # re-resolve the FK ids now that the dispatches have ids
        if x.new_dispatch is not None:
            x.new_dispatch = x.new_dispatch
    Dispute.objects.bulk_create(ctx.disputes, batch_size=500)
    for rows in (ctx.escalations, ctx.notes, ctx.ratings):
        for r in rows:
            r.dispatch = r.dispatch
    Escalation.objects.bulk_create(ctx.escalations, batch_size=500)
    DispatchNote.objects.bulk_create(ctx.notes, batch_size=500)
    Rating.objects.bulk_create(ctx.ratings, batch_size=500)
    ctx.events.sort(key=lambda e: (e[0], e[1]))
    audit.log_many([
        audit.Event(at=at, actor_id=actor.pk if actor is not None else None, action=action, object_type=WHISTLE_TYPE,
                    object_id=str(w.pk), object_repr=w.number, before=_pk(before), after=_pk(after))
        for at, _seq, actor, action, w, before, after in ctx.events
    ])
    _set_counters(per_day)
    # The rows went in by bulk INSERT, past the services: their earliest deadlines are set and the board's counts
    # recounted from them.
    counts.fill_overdue_from()
    counts.recount()
    S.clear_route_cache()
    return {"whistles": len(whistles), "dispatches": len(all_dispatches) + len(replacements),
            "events": len(ctx.events)}


def _set_counters(per_day: dict[dt.date, int]) -> None:
    """Later raises on these days continue after the numbers used here."""
    numbering.advance(S.NUMBER_PREFIX, per_day)


# ── Simulation ───────────────────────────────────────────────────────────────────────────
def _people(rng: random.Random, d: Dispatch) -> str:
    org = d.organisation
    short = org.short_name or org.name
    n = rng.randint(2, 5)
    return f"{short}{rng.choice(SURNAMES)}{rng.choice(PEOPLE_TITLES)}等{n}人"


def _steps(ctx: Ctx, w: Whistle, d: D, fate: dict, trng: random.Random, base: dt.datetime,
           allowed: tuple[int, int, int], *, k: int, start_step: int = 0, stall: bool = False) -> dt.datetime | None:
    """Run the department's steps from `start_step` (0 respond, 1 arrive, 2 resolve) as far as the reference
    moment allows. Returns when the dispatch was resolved (None when still pending)."""
    o = d.obj
    urgency = w.urgency
    minutes = {0: (o.respond_by, "respond"), 1: (o.arrive_by, "arrive"), 2: (o.resolve_by, "resolve")}
    last = base
    recent = w.raised_at >= ctx.end - dt.timedelta(days=5)
    for step in range(start_step, 3):
        due, kind = minutes[step]
        idx = (k * 3 + step) % 9
        if fate["late"][idx]:  # a little late: minutes to a day and a half past the deadline
            at = _after(due, min(allowed[step] * fate["late_fracs"][idx], 30 + 600 * fate["fracs"][idx]), urgency)
        else:
            at = _after(base, allowed[step] * fate["fracs"][idx], urgency)
        if stall and step >= fate["stall_step"]:
            at = None
        elif recent and step < 2 and at is not None and at > ctx.end:
            # Recent whistles: the department has already taken and come; the resolution is what is pending.
            at = last + (ctx.end - last) * (0.3 + 0.5 * fate["fracs"][idx])
        if at is not None:
            at = max(at, last + (MIN * 3 if step < 2 else MIN * 25))
        end = at if at is not None and at <= ctx.end else None
        d.segments.append((kind, due, end, last))
        if end is None:
            return None
        before_status = o.status
        if step == 0:
            o.status, o.responded_at = DispatchStatus.RESPONDED, end
            ctx.event(end, d.actor, "whistles.respond", w, {"status": before_status},
                      {**_dispatch_ref(o), "status": o.status, "late": end > due})
        elif step == 1:
            people = _people(trng, o)
            o.status, o.arrived_at, o.arrival_people = DispatchStatus.ARRIVED, end, people
            ctx.event(end, d.actor, "whistles.arrive", w, {"status": before_status},
                      {**_dispatch_ref(o), "status": o.status, "people": people, "arrived_at": end.isoformat(),
                       "late": end > due})
            if fate["note"] and d.actor is not None:
                note_at = end + (MIN * trng.randint(20, 180))
                if note_at < ctx.end and (o.resolve_by is None or note_at < o.resolve_by):
                    text = trng.choice(NOTES)
                    note = DispatchNote(dispatch=o, author=d.actor, text=text, at=note_at)
                    ctx.notes.append(note)
                    ctx.event(note_at, d.actor, "whistles.note", w, None,
                              {**_dispatch_ref(o), "note": note, "text": text, "attachments": 0})
        else:
            outcome = fate["outcome"] if o.role == "lead" else (
                Outcome.RESOLVED if trng.random() < 0.92 else Outcome.PARTLY_RESOLVED)
            note = trng.choice(RESOLVE_NOTES[Outcome(outcome)])
            o.status, o.resolved_at, o.outcome, o.outcome_note = DispatchStatus.RESOLVED, end, outcome, note
            o.next_check_at = None
            ctx.event(end, d.actor, "whistles.resolve", w, {"status": DispatchStatus.ARRIVED},
                      {**_dispatch_ref(o), "status": o.status, "outcome": outcome, "note": note, "late": end > due})
        last = end
    return last


def _escalate(ctx: Ctx, w: Whistle, d: D) -> None:
    """The levels the every-minute sweep would have reached by the reference moment, and next_check_at."""
    o = d.obj
    level, esc_at = o.escalation_level, o.escalated_at
    for kind, due, done, _start in d.segments:
        end = done or ctx.end
        while level < 3:
            t = _tick(due)
            if level >= 1 and esc_at is not None:
                t = max(t, _tick(S.escalation_interval_end(esc_at, w.urgency)))
            if t >= end:
                break
            level, esc_at = level + 1, t
            minutes = _overdue_minutes(due, t, w.urgency)
            ctx.escalations.append(Escalation(dispatch=o, level=level, kind=kind, at=t, overdue_minutes=minutes))
            ctx.event(t, None, "whistles.escalate", w, {"escalation_level": level - 1},
                      {"dispatch": o, "escalation_level": level, "kind": kind, "overdue_minutes": minutes})
            if level == 3 and (w.supervised_at is None or t < w.supervised_at):
                w.supervised_at = t
    d.segments = []
    o.escalation_level, o.escalated_at = level, esc_at
    o.next_check_at = S.next_check({
        "status": o.status, "paused_since": o.paused_since, "responded_at": o.responded_at,
        "arrived_at": o.arrived_at, "respond_by": o.respond_by, "arrive_by": o.arrive_by,
        "resolve_by": o.resolve_by, "escalation_level": level, "escalated_at": esc_at, "urgency": w.urgency})


def _other_department(route: Any, o: Dispatch, dispatches: list[D], dept_by_code: dict[str, Any],
                      trng: random.Random) -> Any:
    called = {d.obj.organisation_id for d in dispatches}
    domain_code = route.matter_code.split("-")[0] if route.matter_code else ""
    pool = [dept_by_code[c] for c in (domain_code, "ZHZF", "GAJ", "SCJG", "ZJJ", "STHJ", "NYNC", "YJGL")
            if c in dept_by_code]
    pool = [x for x in pool if x.pk not in called and x.pk != o.organisation_id]
    return trng.choice(pool) if pool else None


def _simulate(ctx: Ctx, w: Whistle, route: Any, fate: dict, trng: random.Random, dispatches: list[D],
              dept_by_code: dict[str, Any], org_user: dict[int, Any], office: Any) -> None:
    urgency = w.urgency
    stall_k = trng.randrange(len(dispatches)) if fate["stall"] else -1
    mins = route.minutes[urgency]
    extra: list[D] = []
    for k, d in enumerate(dispatches):
        o = d.obj
        dispute_here = fate["dispute"] and k == 0 and not fate["stall"]
        if dispute_here:
            kind = fate["dispute_kind"]
            at = _after(w.raised_at, max(5, (o.respond_by - w.raised_at).total_seconds() / 60 * 0.3), "emergency")
            other = _other_department(route, o, dispatches, dept_by_code, trng)
            if at >= ctx.end or other is None or office is None:
                dispute_here = False
        if not dispute_here:
            _steps(ctx, w, d, fate, trng, w.raised_at, mins, k=k, stall=k == stall_k)
            _escalate(ctx, w, d)
            continue
        reason = trng.choice(DISPUTE_REASONS).format(other=other.short_name or other.name)
        dispute = Dispute(dispatch=o, raised_by=d.actor or office, raised_at=at, reason=reason)
        ctx.disputes.append(dispute)
        ctx.event(at, d.actor, "whistles.dispute", w, {"status": DispatchStatus.DISPATCHED},
                  {**_dispatch_ref(o), "status": DispatchStatus.DISPUTED, "dispute": dispute, "reason": reason})
        decided = _after(at, trng.randint(60, 900), Urgency.NORMAL)
        if kind == "open" or decided >= ctx.end:
            o.status, o.status_before_dispute, o.paused_since = (DispatchStatus.DISPUTED, DispatchStatus.DISPATCHED,
                                                                 at)
            o.next_check_at = None
            continue
        dispute.decided_by, dispute.decided_at = office, decided
        if kind == "keep":
            o.paused_since = at
            paused, resumed = dispatch_kernel.resume(DISPATCH_CLOCKS, o, decided, step_unit(urgency))
            for name, value in resumed.items():
                setattr(o, name, value)
            note = "经核对清单，该事项主体责任为本部门，维持派单。"
            dispute.status, dispute.decision_note = DisputeStatus.KEPT, note
            ctx.event(decided, office, "whistles.keep", w, {"status": DispatchStatus.DISPUTED},
                      {**_dispatch_ref(o), "status": DispatchStatus.DISPATCHED, "dispute": dispute,
                       "paused_minutes": paused, "note": note, "respond_by": o.respond_by.isoformat(),
                       "arrive_by": o.arrive_by.isoformat(), "resolve_by": o.resolve_by.isoformat()})
            _steps(ctx, w, d, fate, trng, decided, mins, k=k)
            _escalate(ctx, w, d)
            continue
        # Rerouted: this dispatch is withdrawn, a new one with fresh deadlines goes to the right body.
        note = f"经核实，改派{other.short_name or other.name}牵头处置。"
        o.status, o.next_check_at = DispatchStatus.WITHDRAWN, None
        respond_by, arrive_by, resolve_by = S.step_deadlines(decided, route.minutes[urgency], urgency)
        new = Dispatch(whistle=w, organisation=other, role=o.role, status=DispatchStatus.DISPATCHED,
                       dispatched_at=decided, respond_by=respond_by, arrive_by=arrive_by, resolve_by=resolve_by,
                       next_check_at=respond_by, matter_code=o.matter_code, assignment_role=o.assignment_role,
                       decided_by_release_id=o.decided_by_release_id)
        ctx.replacements.append((o, new))
        dispute.status, dispute.decision_note = DisputeStatus.REROUTED, note
        dispute.new_organisation, dispute.new_dispatch = other, new
        ctx.event(decided, office, "whistles.reroute", w, {"status": DispatchStatus.DISPUTED},
                  {**_dispatch_ref(o), "status": DispatchStatus.WITHDRAWN, "dispute": dispute, "new_dispatch": new,
                   "new_organisation": other.code, "note": note})
        nd = D(new, org_user.get(other.pk))
        extra.append(nd)
        _steps(ctx, w, nd, fate, trng, decided, mins, k=k)
        _escalate(ctx, w, nd)
    active = [d for d in dispatches if d.obj.status != DispatchStatus.WITHDRAWN] + extra
    if any(d.obj.status != DispatchStatus.RESOLVED for d in active):
        return
    done_at = max(d.obj.resolved_at for d in active)
    _whistle_resolved(ctx, w, active, done_at)
    if fate["return"]:
        back = _after(done_at, trng.uniform(60, 900), Urgency.NORMAL)
        if back >= ctx.end:
            return
        reason = trng.choice(RETURN_REASONS)
        minutes = route.minutes[urgency]
        _r, arrive_by, resolve_by = S.step_deadlines(back, minutes, urgency)
        for d in active:
            o = d.obj
            o.status, o.arrived_at, o.arrival_people, o.resolved_at = DispatchStatus.RESPONDED, None, "", None
            o.outcome, o.outcome_note, o.arrive_by, o.resolve_by = "", "", arrive_by, resolve_by
        w.status, w.resolved_at, w.return_count = WhistleStatus.OPEN, None, 1
        ctx.event(back, w.raised_by, "whistles.return", w, {"status": WhistleStatus.RESOLVED},
                  {"status": WhistleStatus.OPEN, "reason": reason, "dispatches": [d.obj for d in active]})
        fate = {**fate, "outcome": Outcome.RESOLVED, "late": [x and trng.random() < 0.5 for x in fate["late"]]}
        for k, d in enumerate(active):
            _steps(ctx, w, d, fate, trng, back, mins, k=k + 1, start_step=1)
            _escalate(ctx, w, d)
        if any(d.obj.status != DispatchStatus.RESOLVED for d in active):
            return
        done_at = max(d.obj.resolved_at for d in active)
        _whistle_resolved(ctx, w, active, done_at)
    _township(ctx, w, fate, trng, active, done_at)


def _whistle_resolved(ctx: Ctx, w: Whistle, active: list[D], at: dt.datetime) -> None:
    w.status, w.resolved_at = WhistleStatus.RESOLVED, at
    # The last resolve event carries the whistle's change (as dispatch_resolve logs it).
    for event in reversed(ctx.events):
        if event[4] is w and event[3] == "whistles.resolve" and event[0] == at:
            event[6]["whistle_status"] = WhistleStatus.RESOLVED
            break


def _township(ctx: Ctx, w: Whistle, fate: dict, trng: random.Random, active: list[D], done_at: dt.datetime) -> None:
    """Confirm, rate and close, as far as the reference moment allows."""
    if fate["never_confirm"] and w.raised_at > ctx.end - dt.timedelta(days=14):
        return
    confirmed = _after(done_at, fate["confirm_wait"], Urgency.NORMAL)
    if confirmed >= ctx.end:
        return
    user = w.raised_by
    w.status, w.confirmed_at = WhistleStatus.CONFIRMED, confirmed
    ctx.event(confirmed, user, "whistles.confirm", w, {"status": WhistleStatus.RESOLVED},
              {"status": WhistleStatus.CONFIRMED})
    if fate["never_close"] and w.raised_at > ctx.end - dt.timedelta(days=21):
        return
    closed = _after(confirmed, fate["close_wait"], Urgency.NORMAL)
    if closed >= ctx.end:
        return
    if fate["rate"]:
        rated_at = closed - dt.timedelta(minutes=1)
        rows = []
        for d in active:
            o = d.obj
            late = any(x is not None and due is not None and x > due for x, due in
                       ((o.responded_at, o.respond_by), (o.arrived_at, o.arrive_by), (o.resolved_at, o.resolve_by)))
            esc = o.escalation_level > 0
            if late or esc:
                speed = trng.choice((1, 2, 2, 3, 3))
                comment = trng.choice(LOW_COMMENTS)
            else:
                speed = trng.choices((3, 4, 5), weights=(1, 4, 7))[0]
                comment = trng.choice(HIGH_COMMENTS)
            attitude = trng.choices((2, 3, 4, 5), weights=(1, 2, 5, 8))[0]
            result = {Outcome.RESOLVED: trng.choices((3, 4, 5), weights=(1, 4, 7))[0],
                      Outcome.PARTLY_RESOLVED: trng.choice((2, 3, 3, 4)),
                      Outcome.CANNOT_RESOLVE: trng.choice((1, 2, 3)),
                      Outcome.REFERRED: trng.choice((3, 4))}.get(o.outcome, 4)
            r = Rating(dispatch=o, speed=speed, attitude=attitude, result=result, comment=comment, rated_by=user,
                       at=rated_at)
            ctx.ratings.append(r)
            rows.append({"dispatch": o, "organisation": o.organisation.code, "speed": speed, "attitude": attitude,
                         "result": result})
        ctx.event(rated_at, user, "whistles.rate", w, None, {"ratings": rows})
    w.status, w.closed_at = WhistleStatus.CLOSED, closed
    ctx.event(closed, user, "whistles.close", w, {"status": WhistleStatus.CONFIRMED},
              {"status": WhistleStatus.CLOSED})
