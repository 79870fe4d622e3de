"""Demo whistle list (吹哨清单) for the demo county: ~90 items in the 8 domains, published, in force from
2026-01-01. Called by tiaokuai.demo.generate through EXTENSIONS."""

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from tiaokuai.duties.models import ListRelease, Matter
from tiaokuai.org.models import Domain

from .models import WhistleItem

SHANGHAI = ZoneInfo("Asia/Shanghai")
EFFECTIVE = dt.date(2026, 1, 1)

# (item name, domain, class, the responsibility-list matter it rests on (by name; None = not on that list))
ITEMS: tuple[tuple[str, str, str, str | None], ...] = (
    # 自然资源
    ("辖区内发现违法占用耕地建房需立案查处", "ZRZY", "must", "违法占用耕地建房行为的查处"),
    ("村民未批先建、少批多建需认定并查处", "ZRZY", "should", "违法占用耕地建房行为的查处"),
    ("发现非法采砂采石、盗采矿产资源", "ZRZY", "must", "非法采矿、破坏性采矿行为的查处"),
    ("山体出现裂缝、滑坡迹象需专业排查", "ZRZY", "must", "地质灾害隐患点巡查和群测群防"),
    ("地质灾害隐患点险情加剧需转移群众", "ZRZY", "must", "地质灾害隐患点巡查和群测群防"),
    ("永久基本农田被挖塘、种树等破坏", "ZRZY", "should", "耕地保护和永久基本农田监管"),
    ("测量标志被损毁、移动需认定处置", "ZRZY", "may", "测量标志保护"),
    ("发现盗伐滥伐林木、毁林开垦", "ZRZY", "must", "滥伐林木、毁林开垦行为的查处"),
    ("乡村建设项目未取得规划许可擅自开工", "ZRZY", "should", "乡村建设规划许可证核发"),
    ("临时用地到期未复垦需督促整改", "ZRZY", "may", "耕地保护和永久基本农田监管"),
    ("非法开采建筑用砂石料运输车辆聚集", "ZRZY", "should", "非法采矿、破坏性采矿行为的查处"),
    # 生态环境
    ("企业油烟扬尘污染群众反映强烈需执法监测", "STHJ", "must", "餐饮服务业油烟污染防治的监督管理"),
    ("餐饮店油烟直排居民楼需检测处罚", "STHJ", "should", "餐饮服务业油烟污染防治的监督管理"),
    ("建筑工地未落实扬尘防治措施", "STHJ", "should", "建筑工地扬尘污染防治"),
    ("规模养殖场粪污直排河道", "STHJ", "must", "畜禽养殖污染防治的监督管理"),
    ("夜间广场舞、商铺高音喇叭噪声扰民", "STHJ", "may", "社会生活噪声污染的查处"),
    ("工地夜间违规施工噪声扰民", "STHJ", "should", "建筑施工噪声污染的查处"),
    ("发现暗管偷排、河道水体异常变色", "STHJ", "must", "违法设置排污口和偷排污水行为的查处"),
    ("企业废气异味集中投诉需采样监测", "STHJ", "must", "违法设置排污口和偷排污水行为的查处"),
    ("危险废物随意倾倒需鉴定处置", "STHJ", "must", None),
    ("河道死鱼等突发水污染事件", "STHJ", "must", "违法设置排污口和偷排污水行为的查处"),
    ("农村小作坊排放废水污染农田", "STHJ", "should", "违法设置排污口和偷排污水行为的查处"),
    # 城乡建设
    ("集镇规划区内违法搭建需认定拆除", "CXJS", "must", "城镇规划区内违法建设行为的查处"),
    ("农村危房出现倾斜开裂需鉴定", "CXJS", "must", "农村危房和房屋安全隐患排查整治"),
    ("经营性自建房存在重大安全隐患", "CXJS", "must", "农村危房和房屋安全隐患排查整治"),
    ("瓶装液化气违规存放、使用存在隐患", "CXJS", "must", "城镇燃气安全的监督管理"),
    ("燃气管道泄漏或被施工挖断", "CXJS", "must", "城镇燃气安全的监督管理"),
    ("渣土车沿途撒漏、乱倒建筑垃圾", "CXJS", "should", "乱倒建筑垃圾行为的查处"),
    ("生活垃圾分类长期不落实需督导", "CXJS", "may", "生活垃圾分类的监督管理"),
    ("小区物业失管、业主矛盾激化", "CXJS", "may", "物业服务活动的监督管理"),
    ("农村公路塌方、路面严重损坏", "CXJS", "should", "农村公路养护管理"),
    ("集镇主干道占道经营屡禁不止", "CXJS", "should", "占道经营、乱设摊点行为的查处"),
    ("桥梁、涵洞出现结构性病害", "CXJS", "must", "农村公路养护管理"),
    # 应急管理
    ("森林火情需专业扑救力量", "YJGL", "must", "森林火灾预防和扑救"),
    ("野外违规用火、祭祀烧纸引发火险", "YJGL", "should", "森林火灾预防和扑救"),
    ("强降雨致山塘水库险情", "YJGL", "must", "防汛防台抗旱"),
    ("台风来临前人员转移力量不足", "YJGL", "must", "防汛防台抗旱"),
    ("无证销售烟花爆竹或超量储存", "YJGL", "must", "非法生产、经营烟花爆竹行为的查处"),
    ("工贸企业存在重大事故隐患需停产整改", "YJGL", "must", "工贸企业安全生产监督检查"),
    ("企业发生生产安全事故需现场处置", "YJGL", "must", "工贸企业安全生产监督检查"),
    ("自然灾害致群众基本生活困难需救助", "YJGL", "should", "自然灾害受灾群众救助"),
    ("“九小场所”消防通道堵塞、违规住人", "YJGL", "should", "工贸企业安全生产监督检查"),
    ("危化品运输车辆事故泄漏", "YJGL", "must", None),
    ("干旱致群众饮水困难需应急送水", "YJGL", "must", "防汛防台抗旱"),
    # 市场监管
    ("无证无照经营且拒不整改", "SCJG", "should", "无证无照经营行为的查处"),
    ("食品小作坊卫生条件恶劣需检查", "SCJG", "should", "食品小作坊登记"),
    ("农村集体聚餐疑似食物中毒", "SCJG", "must", "食品小作坊登记"),
    ("电梯困人、游乐设施故障", "SCJG", "must", "特种设备安全监督检查"),
    ("锅炉、压力容器无证使用", "SCJG", "should", "特种设备安全监督检查"),
    ("节假日哄抬物价、价格欺诈", "SCJG", "should", "价格违法行为的查处"),
    ("群体性消费纠纷需调处", "SCJG", "may", "消费者投诉举报处理"),
    ("药店违规销售处方药", "SCJG", "may", "药品零售企业监督检查"),
    ("销售过期变质食品被群众举报", "SCJG", "should", "无证无照经营行为的查处"),
    ("校园周边销售“三无”食品", "SCJG", "should", "无证无照经营行为的查处"),
    ("加油站、充装站违规经营", "SCJG", "may", "特种设备安全监督检查"),
    # 综合执法
    ("户外广告牌松动存在坠落风险", "ZHZF", "must", "户外广告和招牌设置的监督管理"),
    ("违规设置大型店招店牌", "ZHZF", "may", "户外广告和招牌设置的监督管理"),
    ("烈性犬伤人或流浪犬聚集", "ZHZF", "must", "违规饲养犬只行为的查处"),
    ("绿化带被毁、树木被擅自砍伐", "ZHZF", "may", "损毁城市绿化行为的查处"),
    ("小广告乱张贴乱涂写集中整治", "ZHZF", "may", "乱张贴、乱涂写、乱刻画行为的查处"),
    ("车辆乱停乱放堵塞消防通道", "ZHZF", "should", "机动车违法停放行为的查处"),
    ("河道内非法采砂船只作业", "ZHZF", "must", "河道采砂管理"),
    ("河道管理范围内违法搭建、倾倒垃圾", "ZHZF", "should", "河道管理范围内违法建设和倾倒行为的查处"),
    ("多部门交叉的综合执法事项需联合执法", "ZHZF", "must", "户外广告和招牌设置的监督管理"),
    ("夜间烧烤占道、油烟噪声扰民", "ZHZF", "should", "户外广告和招牌设置的监督管理"),
    ("集镇违规养殖家禽影响环境", "ZHZF", "may", "违规饲养犬只行为的查处"),
    # 农业农村
    ("发现病死畜禽随意丢弃", "NYNC", "must", "动物防疫和病死畜禽无害化处理"),
    ("疑似重大动物疫情需采样排查", "NYNC", "must", "动物防疫和病死畜禽无害化处理"),
    ("销售假劣农药种子化肥坑农害农", "NYNC", "must", "生产经营假劣农药、种子、肥料行为的查处"),
    ("电鱼、毒鱼等非法捕捞", "NYNC", "should", "非法捕捞水产品行为的查处"),
    ("禁渔期违规捕捞", "NYNC", "should", "非法捕捞水产品行为的查处"),
    ("村集体资产处置不规范群众举报", "NYNC", "should", "农村集体“三资”管理的监督"),
    ("高标准农田设施损毁需修复", "NYNC", "may", "高标准农田建设和管护"),
    ("农田灌溉渠道堵塞影响春耕", "NYNC", "may", "高标准农田建设和管护"),
    ("农机作业安全事故", "NYNC", "must", None),
    ("农产品质量安全抽检不合格需处置", "NYNC", "should", "生产经营假劣农药、种子、肥料行为的查处"),
    ("外来入侵物种（加拿大一枝黄花等）蔓延", "NYNC", "may", None),
    # 文化旅游
    ("文物保护单位遭破坏或盗掘", "WHLY", "must", "文物保护单位日常巡查"),
    ("网吧违规接纳未成年人", "WHLY", "should", "网吧接纳未成年人行为的查处"),
    ("民宿消防、食品安全隐患突出", "WHLY", "should", "民宿（农家乐）经营的监督管理"),
    ("农家乐无证经营、卫生条件差", "WHLY", "may", "民宿（农家乐）经营的监督管理"),
    ("景区游客超载或发生安全事件", "WHLY", "must", "A级旅游景区安全管理"),
    ("节假日景区周边交通拥堵需疏导", "WHLY", "should", "A级旅游景区安全管理"),
    ("流动摊点销售非法出版物", "WHLY", "may", "非法出版物的查处"),
    ("擅自举办营业性演出", "WHLY", "may", "网吧接纳未成年人行为的查处"),
    ("古建筑、历史建筑出现险情", "WHLY", "must", "文物保护单位日常巡查"),
    ("户外探险、漂流等高危项目无证经营", "WHLY", "should", "A级旅游景区安全管理"),
)

# Deadlines (minutes) per class: (respond, arrive, resolve) for normal / urgent; emergency in natural time.
CLASS_MINUTES = {
    "must": {"normal": (60, 240, 1680), "urgent": (30, 120, 840), "emergency": (15, 45, 480)},
    "should": {"normal": (120, 420, 2100), "urgent": (30, 210, 840), "emergency": (15, 60, 720)},
    "may": {"normal": (240, 840, 3500), "urgent": (60, 420, 1400), "emergency": (30, 120, 1440)},
}

TRIGGERS = {
    "must": "乡镇（街道）发现后须立即吹哨，职能部门按时限响应、报到。",
    "should": "乡镇（街道）先行劝导、处置，无法解决的吹哨。",
    "may": "乡镇（街道）认为需要部门协同时可以吹哨。",
}


def load(*, rng: random.Random, county: Any, scale: Any, release: ListRelease | None) -> ListRelease | None:
    """Create and publish version 1 of the county's whistle list, resting on the given responsibility release."""
    if ListRelease.objects.filter(kind="whistle").exists():
        return None
    domains = {d.code: d for d in Domain.objects.all()}
    codes = dict(Matter.objects.filter(release=release).values_list("name", "code")) if release else {}
    created = dt.datetime(2025, 12, 1, 9, 0, tzinfo=SHANGHAI)
    published = dt.datetime(2025, 12, 20, 15, 0, tzinfo=SHANGHAI)
    whistle_release = ListRelease.objects.create(
        kind="whistle", number=1, status="published", effective_from=EFFECTIVE, title="乡镇（街道）吹哨清单（2026年版）",
        notes="“综合执法要吹哨、重点工作可吹哨、应急工作必吹哨”。自2026年1月1日起施行。",
        created_at=created, published_at=published,
    )
    per_domain: dict[str, int] = {}
    rows = []
    for name, domain, klass, matter_name in ITEMS:
        if domain not in domains:
            continue
        per_domain[domain] = per_domain.get(domain, 0) + 1
        minutes = CLASS_MINUTES[klass]
        jitter = rng.choice([0, 0, 30, 60]) if klass != "must" else 0
        rows.append(WhistleItem(
            release=whistle_release, code=f"CS-{domain}-{per_domain[domain]:02d}", name=name, domain=domains[domain],
            whistle_class=klass, trigger=TRIGGERS[klass], matter_code=codes.get(matter_name or "", ""),
            respond_minutes_normal=minutes["normal"][0], arrive_minutes_normal=minutes["normal"][1] + jitter,
            resolve_minutes_normal=minutes["normal"][2] + jitter * 7,
            respond_minutes_urgent=minutes["urgent"][0], arrive_minutes_urgent=minutes["urgent"][1],
            resolve_minutes_urgent=minutes["urgent"][2],
            respond_minutes_emergency=minutes["emergency"][0], arrive_minutes_emergency=minutes["emergency"][1],
            resolve_minutes_emergency=minutes["emergency"][2],
        ))
    WhistleItem.objects.bulk_create(rows)
    return whistle_release
