"""Deterministic generator of a labelled set of synthetic county-hotline messages (12345 style).

Every message is written from templates kept in this file (no external data, nothing copied
from public complaint sets): a category's core complaint plus optional greeting, self
introduction, time, details, history of earlier calls, demand, emotional filler and contact
phone, with realistic place names (镇/街道, 村/社区, 小区, 路), times, money, plates and phone
numbers. Noise as seen on real hotlines: homophone typos, traditional characters, full-width
characters, ASCII punctuation, missing punctuation, very short and very long messages.

It is *not* trivially separable: categories share vocabulary on purpose (construction noise
at night is 生态环境 while a builder's unpaid wages are 劳动社保; gas pipes in an estate are
公共安全 while the estate's property company is 城乡建设; a school canteen's food safety is
市场监管 …), a share of messages mix two topics, and about 3.5 % carry another label than the
one the text was written for: mostly the other reading of a two-topic or borderline message
(annotators disagree there on real data), and 0.5 % a neighbouring label whatever the text says.

Two styles: ``hotline`` (call notes and app messages, median ≈ 65 characters) and ``board``
(message-board letters to the county's leaders: formal, several paragraphs, laws cited, the
layout whitespace of a scraped page, story around the complaint drawn from everyday words of
jieba's dictionary; median ≈ 280 characters). ``mixed`` alternates them.

CLI: ``python -m tiaokuai.routing.datagen --out DIR --train N --test M --seed S [--style S]`` writes
``DIR/train.csv`` and ``DIR/test.csv`` (columns ``id,title,body,label``; UTF-8).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["CATEGORIES", "STYLES", "TEMPLATE_HALVES", "generate", "main", "write_csv"]

# ---------------------------------------------------------------------------------------------
# names and slots

_STEMS = (
    "柳营 王庄 石桥 清河 新民 东湖 龙泉 桃源 白沙 青山 红旗 幸福 和平 长安 金水 凤凰 安宁 双桥 梨园 白马 "
    "杨柳 枫林 南关 北街 西城 城南 城北 三里 五里 马家 李家 张家 刘庄 陈湾 黄土 松林 河口 高庙 新桥 大营 "
    "小营 官庄 沙河 太平 永安 兴隆 朝阳 向阳 前进 团结 碧水 翠屏 荷塘 石门 龙湾 鹿鸣 望江 临河 十里 七星"
).split()
_TOWN_SUFFIX = ("镇", "镇", "乡", "街道")
_ESTATE_SUFFIX = (
    "花园",
    "华庭",
    "家园",
    "小区",
    "新村",
    "公寓",
    "名苑",
    "雅居",
    "嘉园",
    "御府",
    "城",
    "佳苑",
)
_ESTATE_PREFIX = (
    "阳光 锦绣 金色 御景 翡翠 怡景 滨江 世纪 书香 紫荆 天誉 中央 恒大 万家 和谐 盛世 香榭 丽景".split()
)
_ROAD_SUFFIX = ("路", "路", "大道", "街", "大街", "巷")
_FOODSHOP = "烧烤店 饭店 火锅店 小吃店 奶茶店 面馆 早餐店 大排档 快餐店 酒楼 农家乐 卤味店".split()
_SHOP = (
    "超市 便利店 药店 水果店 手机店 家电城 母婴店 服装店 建材市场 菜市场 加油站 眼镜店 农资店 理发店".split()
)
_COMPANY_SUFFIX = (
    "建筑公司",
    "物业公司",
    "置业公司",
    "化工厂",
    "混凝土搅拌站",
    "家具厂",
    "机械厂",
    "食品厂",
    "养殖场",
    "砂石厂",
    "物流公司",
    "装修公司",
    "纺织厂",
    "驾校",
    "培训机构",
)
_SCHOOL = ("实验小学", "第一中学", "第二中学", "中心小学", "中心幼儿园", "职业中学", "第三小学", "育才学校")
_HOSPITAL = ("人民医院", "中医院", "卫生院", "妇幼保健院", "社区卫生服务中心", "第二人民医院")
_SURNAME = "王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 马 朱 胡 郭 何 高 林 罗".split()

Rng = random.Random


def _stem(r: Rng) -> str:
    return r.choice(_STEMS)


def _town(r: Rng) -> str:
    return _stem(r) + r.choice(_TOWN_SUFFIX)


def _village(r: Rng) -> str:
    return _stem(r) + r.choice(("村", "村", "社区", "居委会"))


def _estate(r: Rng) -> str:
    return r.choice(_ESTATE_PREFIX) + r.choice(_ESTATE_SUFFIX)


def _road(r: Rng) -> str:
    return _stem(r) + r.choice(_ROAD_SUFFIX)


def _building(r: Rng) -> str:
    return r.choice((f"{r.randint(1, 30)}栋", f"{r.randint(1, 30)}号楼", f"{r.randint(1, 20)}幢")) + r.choice(
        ("", f"{r.randint(1, 4)}单元", f"{r.randint(1, 4)}单元{r.randint(1, 33)}0{r.randint(1, 4)}")
    )


def _place(r: Rng) -> str:
    k = r.random()
    if k < 0.3:
        return _town(r) + _village(r)
    if k < 0.55:
        return _estate(r) + r.choice(("", _building(r)))
    if k < 0.75:
        return _road(r) + r.choice(("", f"{r.randint(1, 399)}号", "与" + _road(r) + "交叉口", "附近"))
    if k < 0.9:
        return _village(r) + r.choice(("", f"{r.randint(1, 12)}组", "村口", "东头"))
    return r.choice(("县城", "城区", "开发区", "工业园区", "老城区")) + _road(r)


def _phone(r: Rng) -> str:
    k = r.random()
    mobile = f"1{r.choice('35789')}{r.randint(0, 9)}{r.randint(0, 99999999):08d}"
    if k < 0.6:
        return mobile
    if k < 0.8:
        return f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
    if k < 0.9:
        return f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
    return f"0{r.randint(310, 999)}-{r.randint(2000000, 8999999)}"


def _date(r: Rng) -> str:
    return r.choice(
        (
            f"{r.randint(1, 12)}月{r.randint(1, 28)}日",
            f"{r.choice(('2023', '2024', '2025'))}年{r.randint(1, 12)}月{r.randint(1, 28)}日",
            f"{r.randint(1, 12)}.{r.randint(1, 28)}",
            r.choice(("昨天", "前天", "今天上午", "上周", "本月初", "上个月", "这几天", "最近半个月")),
        )
    )


def _hour(r: Rng) -> str:
    return r.choice(
        (
            f"晚上{r.randint(9, 11)}点",
            f"凌晨{r.randint(1, 5)}点",
            f"夜里{r.randint(10, 12)}点多",
            f"早上{r.randint(5, 7)}点",
            f"{r.randint(21, 23)}:{r.choice(('00', '30', '15'))}",
        )
    )


def _money(r: Rng) -> str:
    return r.choice(
        (
            f"{r.randint(2, 90)}00元",
            f"{r.randint(1, 9)}万多元",
            f"{r.randint(3, 60)}元",
            f"{r.randint(1, 20)}万元",
            f"{r.randint(100, 9999)}块钱",
        )
    )


def _company(r: Rng) -> str:
    return _stem(r) + r.choice(_COMPANY_SUFFIX)


def _person(r: Rng) -> str:
    return r.choice(_SURNAME) + r.choice(("某", "某某", "老板", "经理", "师傅", "主任"))


def _plate(r: Rng) -> str:
    return (
        r.choice("苏浙鲁豫皖赣湘鄂川")
        + r.choice("ABCDEFH")
        + "".join(r.choice("0123456789ABCDEFGHJKLMN") for _ in range(5))
    )


_SLOTS: dict[str, Callable[[Rng], str]] = {
    "place": _place,
    "town": _town,
    "village": _village,
    "estate": _estate,
    "road": _road,
    "building": _building,
    "phone": _phone,
    "date": _date,
    "hour": _hour,
    "money": _money,
    "company": _company,
    "person": _person,
    "plate": _plate,
    "foodshop": lambda r: _stem(r) + r.choice(_FOODSHOP),
    "shop": lambda r: _stem(r) + r.choice(_SHOP),
    "school": lambda r: r.choice(("县", _stem(r), "")) + r.choice(_SCHOOL),
    "hospital": lambda r: r.choice(("县", _stem(r) + "镇", "")) + r.choice(_HOSPITAL),
    "n": lambda r: str(r.randint(2, 12)),
    "days": lambda r: r.choice(
        (f"{r.randint(2, 20)}天", f"{r.randint(1, 6)}个月", "半年多", "一年多", "好几天", "两个多星期")
    ),
    "bus": lambda r: f"{r.randint(1, 40)}路",
    "age": lambda r: str(r.randint(55, 88)),
}
_SLOT_RE = re.compile(r"\{(\w+)\}")


def _fill(template: str, r: Rng) -> str:
    return _SLOT_RE.sub(lambda m: _SLOTS[m.group(1)](r), template)


# ---------------------------------------------------------------------------------------------
# categories: core complaints (issues), details, demands, short titles

CATEGORIES: dict[str, dict[str, list[str]]] = {
    "城乡建设": {
        "issues": [
            "{estate}物业公司不作为，小区卫生没人打扫，垃圾堆了{days}没人清运",
            "我们小区电梯经常坏，上个星期困人两次，物业只收钱不维修",
            "{estate}开发商逾期交房已经{days}，合同约定的交房日期早就过了",
            "买的{estate}商品房一直办不了不动产权证，开发商推来推去",
            "{place}有人违章搭建，在楼顶加盖了一层彩钢房",
            "{place}一楼住户私自打通承重墙开店，楼上住户担心房屋安全",
            "{road}路灯已经坏了{days}，晚上黑灯瞎火出行很不方便",
            "{place}下水道堵塞，污水漫到路面，臭气熏天",
            "{estate}小区停车位只租不售，物业乱收停车费",
            "老旧小区改造工程进度太慢，{place}的路挖开{days}了还没修好",
            "{place}的自来水经常停水，也不提前通知，水质发黄",
            "小区供暖温度不达标，室内只有十几度，交了暖气费却不热",
            "房屋漏水，楼上卫生间渗水到我家，物业协调不了",
            "{place}窨井盖丢失，路面留下一个大坑",
            "物业费上涨没有经过业主大会同意，{estate}业主意见很大",
            "公租房申请提交了{days}还没有结果，住房保障中心一直说在审核",
            "{village}危房改造补助迟迟没有发放到位",
            "小区绿化带被人毁绿种菜，物业不管",
            "{place}城中村拆迁安置房一直没有交付，过渡费也停发了",
            "{road}人行道地砖破损翘起，老人孩子容易绊倒",
        ],
        "details": [
            "业主多次找物业，物业说要等业委会研究",
            "住户有{n}十多户都受影响",
            "房子是{date}买的",
            "开发商{company}现在找不到人",
            "楼道里到处都是小广告",
            "维修基金申请流程太复杂",
            "物业经理{person}态度很差",
            "雨天积水没过脚踝",
            "社区说这事归住建局管",
        ],
        "demands": [
            "请住建部门督促物业整改",
            "希望城管部门依法拆除违建",
            "请相关部门督促开发商尽快交房",
            "请尽快安排维修",
            "要求退还多收的物业费",
        ],
        "titles": [
            "物业不作为",
            "电梯故障",
            "逾期交房",
            "违章建筑",
            "路灯不亮",
            "下水道堵塞",
            "停车费乱收",
            "不动产证办理",
            "房屋漏水",
            "供暖不热",
            "拆迁安置",
            "公租房申请",
        ],
    },
    "市场监管": {
        "issues": [
            "在{shop}买的食品已经过期了，商家拒绝退换",
            "{foodshop}卫生条件很差，后厨苍蝇乱飞，吃完肚子疼",
            "{shop}卖假冒名牌商品，价格和正品一样",
            "在{shop}买的手机用了{n}天就坏了，商家不给三包",
            "{foodshop}没有营业执照和健康证，在路边无证经营",
            "{shop}缺斤短两，买了两斤肉回家一称只有一斤六两",
            "预付卡消费纠纷，{company}健身房办卡后突然关门，卡里还有{money}",
            "网购的商品有质量问题，商家不给退货，平台也不管",
            "{shop}标价和结账价格不一致，多收了钱",
            "{foodshop}用地沟油，附近居民看见晚上有人来收泔水",
            "买到的电动车电池是翻新的，商家虚假宣传",
            "{shop}销售三无产品，包装上没有生产厂家和日期",
            "燃气公司强制用户购买指定品牌的报警器，价格很高",
            "{company}发布虚假广告，说保健品能治病，老人花了{money}",
            "装修公司{company}合同欺诈，收了定金就不干活",
            "药店卖处方药不要处方，还推销高价保健品",
            "外卖平台商家{foodshop}的饭菜里吃出了头发和虫子",
            "{shop}强制收取包装费，不买就不让结账",
            "充电桩收费标准不明确，一度电收了两块多",
            "婚纱摄影店{company}收了{money}定金，现在不退",
        ],
        "details": [
            "小票和照片我都保留着",
            "商家态度恶劣还骂人",
            "和商家协商多次无果",
            "{n}个人吃了都拉肚子",
            "商家老板{person}说爱找谁找谁",
            "已经在平台投诉过了",
            "消费金额{money}",
            "孩子吃了以后身上起疹子",
        ],
        "demands": [
            "请市场监管局依法查处",
            "要求商家退款并赔偿",
            "请市场监管所去检查一下",
            "请相关部门维护消费者合法权益",
            "要求按照消费者权益保护法赔偿",
        ],
        "titles": [
            "食品过期",
            "商家拒绝退款",
            "假冒伪劣",
            "无证经营",
            "缺斤短两",
            "预付卡跑路",
            "虚假宣传",
            "价格欺诈",
            "食品安全",
            "消费纠纷",
            "三无产品",
            "餐饮卫生",
        ],
    },
    "生态环境": {
        "issues": [
            "{company}每天晚上偷偷排放废气，气味刺鼻，附近居民头晕恶心",
            "{place}的河道被{company}排放的污水污染，河水发黑发臭，鱼都死了",
            "{place}工地夜间施工噪音扰民，{hour}还在打桩",
            "{foodshop}油烟直排，没有安装油烟净化器，熏得楼上没法开窗",
            "{place}有人露天焚烧垃圾和秸秆，浓烟滚滚",
            "{company}粉尘污染严重，附近庄稼和车上落满了灰",
            "{place}广场舞音响声音太大，{hour}还在跳，严重扰民",
            "{village}有人非法倾倒建筑垃圾和工业废料到河边",
            "{company}把危险废物随意堆放在厂区外面，下雨后流到地里",
            "{place}的KTV噪音扰民，每天{hour}还在唱歌",
            "{company}异味扰民，一股化学品的味道，晚上更严重",
            "{village}养殖场粪污直排入河，臭味很大，苍蝇成群",
            "{place}混凝土搅拌站扬尘很大，也没有采取降尘措施",
            "{company}的冷却塔噪声很大，日夜不停",
            "{place}附近的砂石厂非法开采，河床被挖得面目全非",
            "饮用水源保护区里有人开办农家乐，生活污水直接排放",
            "{road}沿街商铺用高音喇叭招揽生意，噪音太大",
            "{company}锅炉烟囱冒黑烟，环保设施形同虚设",
        ],
        "details": [
            "已经拍了视频",
            "家里老人孩子被吵得睡不着觉",
            "白天不排晚上排，明显是逃避检查",
            "周边有{n}个村庄受影响",
            "附近还有一所{school}",
            "空气里有一股臭鸡蛋味",
            "环保部门来检查的时候他们就停工",
            "河里的水都变成了红色",
        ],
        "demands": [
            "请环保部门依法查处",
            "请生态环境局尽快派人检测",
            "要求停产整顿",
            "希望还我们一片蓝天",
            "请执法人员晚上来暗访",
        ],
        "titles": [
            "噪音扰民",
            "偷排污水",
            "废气污染",
            "油烟扰民",
            "焚烧垃圾",
            "扬尘污染",
            "河道污染",
            "工地夜间施工",
            "异味扰民",
            "危废乱堆",
        ],
    },
    "交通运输": {
        "issues": [
            "{bus}公交车经常不按站点停靠，司机开车很猛",
            "{bus}公交班次太少，早上要等一个多小时",
            "出租车司机拒载还不打表，车牌号{plate}",
            "网约车司机绕路多收费，平台客服不处理",
            "{road}路面坑洼不平，大货车经过颠得厉害，已经发生过事故",
            "{village}到镇上的村道破损严重，下雨天根本没法走",
            "{road}红绿灯时间设置不合理，高峰期堵得水泄不通",
            "渣土车超载超速，车牌{plate}，沿路撒落泥土",
            "{place}附近的桥梁有裂缝，大车还在通行，存在安全隐患",
            "长途客车在{road}随意上下客，还超员",
            "{village}一直没有通公交，老人出行太难了",
            "驾校{company}收费后拖延安排考试，学员练不上车",
            "{road}道路施工没有设置警示标志，晚上有人骑车摔倒",
            "高速公路出口收费站排长队，ETC通道也不开",
            "非法营运的黑车在{place}拉客，价格乱收",
            "共享单车乱停乱放堵住了{road}人行道",
            "{bus}公交车上的刷卡机坏了{days}，老年卡没法用",
            "农村客运班线停运了，{village}村民进城要走好几里路",
        ],
        "details": [
            "车牌号是{plate}",
            "时间是{date}{hour}",
            "已经向公交公司反映过",
            "学生上学放学都受影响",
            "大车一过整条路都在震",
            "出租车公司说管不了",
            "路上有{n}个大坑",
        ],
        "demands": [
            "请交通运输局尽快处理",
            "请交通部门加强监管",
            "希望尽快修路",
            "建议增加班次",
            "请对司机严肃处理",
        ],
        "titles": [
            "公交服务",
            "出租车拒载",
            "道路破损",
            "村道修缮",
            "渣土车撒漏",
            "非法营运",
            "公交线路",
            "桥梁安全",
            "客运班线",
            "网约车投诉",
        ],
    },
    "农业农村": {
        "issues": [
            "今年的耕地地力保护补贴到现在还没有发到我们{village}",
            "买的种子出苗率很低，{shop}卖的是假种子，损失了{money}",
            "土地流转费{company}拖欠了{days}没有支付给村民",
            "{village}的土地承包经营权证上面积和实际不一样",
            "村干部把集体土地私自租给外地人，村民不知情",
            "{village}的水渠年久失修，灌溉用不上水，庄稼快旱死了",
            "在农资店买的农药是假的，喷了以后虫子一点没少，麦子还打蔫了",
            "{village}的生猪得了病，兽医站没人来看",
            "粮食直补和农机购置补贴发放不公开，村里只给亲戚发",
            "高标准农田建设质量很差，{village}的机耕路刚修好就坏了",
            "合作社{company}骗取国家农业项目资金",
            "村集体经济收入账目不公开，村民要求查账",
            "{village}宅基地分配不公平，有的户分了两块",
            "农村人居环境整治，{village}的旱厕改造完了不能用",
            "化肥价格涨得太快，农资店囤货涨价",
            "家里养的鸡鸭得了禽流感死了{n}十只，希望有防疫补助",
            "小麦收割机收割费涨价，农机手坐地起价",
            "退耕还林补助款少发了，{village}还有好几户没拿到",
            "种粮大户{person}承包的地被人占了种树",
        ],
        "details": [
            "涉及{n}十多户村民",
            "我们家承包了{n}亩地",
            "村委会说是镇里的事",
            "庄稼减产一半以上",
            "村里公示栏上什么都没贴",
            "去农业站问了好几次",
            "今年收成全完了",
        ],
        "demands": [
            "请农业农村局调查处理",
            "请尽快把补贴发下来",
            "请帮助农民挽回损失",
            "要求村务公开",
            "希望农技人员来指导",
        ],
        "titles": [
            "农业补贴",
            "假种子",
            "土地流转",
            "土地承包",
            "农资质量",
            "水利灌溉",
            "村务公开",
            "宅基地",
            "动物防疫",
            "农机收费",
        ],
    },
    "劳动社保": {
        "issues": [
            "{company}拖欠我们{n}十个农民工工资{days}了，老板{person}一直躲着不见",
            "在{company}上班，公司不给缴纳社保，也不签劳动合同",
            "被{company}无故辞退，公司不给经济补偿",
            "养老保险转移接续办不下来，来回跑了好几趟",
            "退休金算错了，比同工龄的人少了好几百",
            "医保报销比例太低，在{hospital}住院花了{money}只报了一点",
            "失业保险金申请被拒绝，说我条件不符合",
            "工伤认定迟迟没有结果，单位不配合提供材料",
            "{company}加班不给加班费，每天工作十二个小时",
            "城乡居民养老保险的个人缴费档次想调整不知道去哪办",
            "灵活就业人员的社保补贴一直没有到账",
            "我是{age}岁的老人，高龄补贴停发了好几个月",
            "在工地干活的工钱{money}包工头卷款跑了",
            "公司{company}克扣工资，还扣押身份证",
            "企业职工退休审批材料交了{days}没消息",
            "医保卡异地就医备案在网上办不了",
            "职业技能培训补贴申请提交以后没有下文",
            "单位{company}不给开离职证明，新单位没法入职",
        ],
        "details": [
            "工资一共{money}",
            "我们有{n}个工友",
            "劳动合同都在老板手里",
            "家里还有老人孩子等钱用",
            "去人社局窗口问说要等",
            "快过年了还拿不到钱",
            "已经申请了劳动仲裁",
        ],
        "demands": [
            "请劳动监察大队帮忙讨薪",
            "请人社部门尽快处理",
            "要求补缴社保",
            "希望依法维护劳动者权益",
            "请帮我们要回血汗钱",
        ],
        "titles": [
            "拖欠工资",
            "农民工讨薪",
            "社保缴纳",
            "劳动合同",
            "工伤认定",
            "养老保险",
            "医保报销",
            "退休待遇",
            "失业保险",
            "违法辞退",
        ],
    },
    "公共安全": {
        "issues": [
            "{estate}消防通道被私家车长期占用，万一着火消防车进不来",
            "有人在楼道里给电动车充电，飞线充电很危险",
            "{place}有人聚众赌博，通宵打牌",
            "{shop}里面的灭火器都过期了，安全出口被货物堵死",
            "{place}闻到很大的煤气味，怀疑燃气泄漏",
            "{company}违规储存易燃易爆化学品，周围都是居民楼",
            "{place}的山体出现裂缝，下雨有滑坡的危险",
            "{village}的河堤有缺口，汛期马上到了，村民很担心",
            "有人在{place}非法售卖烟花爆竹",
            "{place}晚上经常有人飙车炸街，还打架斗殴",
            "家里老人接到诈骗电话被骗了{money}，报警以后没有进展",
            "{estate}楼道里堆满杂物，消防栓是空的",
            "{place}有一栋危房随时可能倒塌，旁边还有人住",
            "{company}的员工宿舍是群租房，隔断很多，存在火灾隐患",
            "小区门口的{foodshop}使用液化气罐，没有安全措施",
            "{place}的防护栏被撞坏了，下面是深沟",
            "有人在{place}水库游泳钓鱼，已经淹死过人",
            "{road}的燃气管道被施工挖断了，现在还在漏气",
            "邻居家养的大型犬不拴绳，已经咬伤了{n}个人",
        ],
        "details": [
            "已经打过110",
            "晚上{hour}最严重",
            "住户都很害怕",
            "旁边就是加油站",
            "之前就发生过一次火灾",
            "村里有{n}户人家就在下面",
            "派出所来了一趟就走了",
        ],
        "demands": [
            "请消防部门来检查",
            "请应急管理局排查隐患",
            "请公安机关依法打击",
            "请尽快消除安全隐患",
            "希望加强巡逻",
        ],
        "titles": [
            "消防隐患",
            "飞线充电",
            "燃气泄漏",
            "聚众赌博",
            "安全隐患",
            "防汛",
            "地质灾害",
            "电信诈骗",
            "危化品",
            "治安问题",
        ],
    },
    "教育卫生": {
        "issues": [
            "{school}违规补课，周末和假期都要求学生到校",
            "孩子上学划片不合理，家门口的{school}不让上",
            "{school}乱收费，资料费校服费一学期收了{money}",
            "校外培训机构{company}退费难，收了一年的学费现在关门了",
            "{school}的老师体罚学生，孩子回家身上有伤",
            "{hospital}医生态度恶劣，排队{n}个小时看病就说了两句话",
            "在{hospital}做手术后出现并发症，怀疑医疗事故",
            "{hospital}过度检查，感冒发烧开了{money}的检查单",
            "{village}的卫生室关门了，村民看病要跑到镇上",
            "孩子打疫苗预约不上，{hospital}说没有疫苗",
            "{school}学生午休没有床，孩子只能趴在桌子上睡",
            "幼儿园入园难，{estate}附近没有公办幼儿园",
            "{school}放学太早，家长下班前没法接孩子",
            "{hospital}住院押金太高，医保病人也要先交押金",
            "教师工资绩效没有按时发放，乡村教师补贴也没有",
            "{school}的校车超载，一辆车坐了{n}十个孩子",
            "{hospital}的挂号系统总是崩溃，老年人不会网上挂号",
            "{school}的作业太多了，孩子每天写到晚上十一点",
            "孩子在{school}被同学欺负，学校不处理",
        ],
        "details": [
            "孩子今年上{n}年级",
            "家长群里意见很大",
            "教育局说会调查但是没消息",
            "医院说是正常现象",
            "病人已经{age}岁了",
            "学校说是自愿的但是不交不行",
            "病历和发票都在",
        ],
        "demands": [
            "请教育局调查处理",
            "请卫健委核实处理",
            "希望给孩子一个公平的教育环境",
            "请医院给个说法",
            "请有关部门规范收费",
        ],
        "titles": [
            "违规补课",
            "学校乱收费",
            "入学问题",
            "培训机构退费",
            "医疗纠纷",
            "看病难",
            "疫苗接种",
            "医生态度",
            "校车安全",
            "教育问题",
        ],
    },
}

# Topics deliberately sharing words across categories: (label, core sentence). The label is the
# department that actually owns the matter, as a county list would decide it.
_CONFUSABLE: list[tuple[str, str]] = [
    ("劳动社保", "{place}工地的包工头拖欠工人工资，工地还在夜间施工"),
    ("生态环境", "{company}工地夜间施工噪音太大，没有夜间施工许可证"),
    ("城乡建设", "{estate}物业不管小区里的噪音和乱停车问题，物业费照收"),
    ("公共安全", "{estate}的燃气管道老化漏气，物业说不归他们管"),
    ("城乡建设", "{estate}小区的水管老化爆裂，物业一直不来维修"),
    ("市场监管", "{school}门口的小卖部卖辣条等三无食品，孩子们吃了拉肚子"),
    ("教育卫生", "{school}食堂饭菜质量差，孩子吃不饱，学校收了伙食费"),
    ("市场监管", "{hospital}旁边的药店卖假药，价格还比医院贵"),
    ("交通运输", "{school}门口的道路没有斑马线和红绿灯，学生过马路很危险"),
    ("生态环境", "渣土车在{road}上撒漏，尘土飞扬，污染环境"),
    ("城乡建设", "{village}有人占用耕地违法建房，已经盖到第三层了"),
    ("农业农村", "{village}的耕地被人挖土卖钱，农田被破坏"),
    ("农业农村", "{village}养殖场的猪病死了乱扔在路边"),
    ("生态环境", "{village}养猪场臭气熏天，粪水流进了河里"),
    ("公共安全", "{road}的电线杆倾斜，电线垂到了地面，很危险"),
    ("城乡建设", "{road}的路面塌陷了一个大坑，是下面的污水管破了"),
    ("交通运输", "{road}的路面塌陷，车辆通行很危险，请尽快修路"),
    ("劳动社保", "{school}的代课老师工资被拖欠了{days}"),
    ("市场监管", "{foodshop}的燃气罐没有检验标签，卖的菜也不新鲜"),
    ("公共安全", "{foodshop}后厨液化气罐摆放在门口，人来人往很危险"),
    ("教育卫生", "{hospital}的收费太高，医保报销以后还要自己出大头"),
    ("劳动社保", "在{hospital}看病医保卡刷不了，说是社保断缴了"),
]

# Neighbours used for label noise (what a tired annotator or a split ticket would pick).
_NEIGHBOUR = {
    "城乡建设": ["生态环境", "公共安全", "交通运输"],
    "市场监管": ["教育卫生", "生态环境"],
    "生态环境": ["城乡建设", "农业农村"],
    "交通运输": ["城乡建设", "公共安全"],
    "农业农村": ["生态环境", "城乡建设"],
    "劳动社保": ["城乡建设", "教育卫生"],
    "公共安全": ["城乡建设", "交通运输"],
    "教育卫生": ["市场监管", "劳动社保"],
}

_OPENERS = [
    "您好，",
    "你好！",
    "领导好，",
    "12345您好，",
    "你好，我要投诉，",
    "我要反映一个问题：",
    "您好，我想咨询一下，",
    "我要举报！",
    "尊敬的领导：",
    "县长您好，",
    "镇长信箱：",
    "",
]
_INTROS = [
    "我是{town}{village}的村民，",
    "我是{estate}的业主，",
    "本人住在{place}，",
    "我家住{road}附近，",
    "我是在{company}上班的工人，",
    "我是一名学生家长，",
    "我是外地来{town}打工的，",
    "我们是{village}的群众，",
    "我是{age}岁的退休老人，",
]
_TIMES = [
    "{date}",
    "最近一个月以来，",
    "从去年开始，",
    "每天{hour}以后，",
    "{date}{hour}左右，",
    "这{days}以来，",
    "今年以来，",
    "已经{days}了，",
]
_HISTORY = [
    "之前已经打过12345，一直没有解决。",
    "已经反映过{n}次了，至今没人管。",
    "找过村委会和镇政府，都说不归他们管。",
    "社区网格员来看过，说要上报，后来就没消息了。",
    "上次投诉后整改了几天又恢复原样。",
    "打了好几次电话都是踢皮球。",
]
_DEMAND_GENERIC = [
    "希望相关部门尽快处理。",
    "请有关部门管一管。",
    "请给一个答复。",
    "请尽快派人来现场看看。",
    "请帮忙协调解决。",
    "希望政府重视这个问题。",
]
_FILLER = [
    "麻烦尽快处理，谢谢！",
    "谢谢！",
    "急急急！！！",
    "拜托了！",
    "谢谢领导！",
    "麻烦了",
    "万分感谢！！",
    "希望能得到重视，谢谢",
    "老百姓真的没办法了",
    "求求你们管管吧！",
    "盼复。",
]
_CONTACT = [
    "联系电话{phone}",
    "我的电话是{phone}，随时可以联系我。",
    "电话：{phone}",
    "回电{phone}",
    "联系人{person}，{phone}",
    "有事打我电话{phone}",
]
_GENERIC_TITLES = [
    "关于{place}的问题",
    "投诉",
    "咨询",
    "求助",
    "反映问题",
    "紧急求助",
    "举报",
    "建议",
    "{place}问题反映",
]

# Homophone / shape typos seen on hotlines (correct → typo).
_TYPOS = [
    ("反映", "反应"),
    ("噪音", "燥音"),
    ("投诉", "投述"),
    ("处理", "处里"),
    ("已经", "以经"),
    ("垃圾", "拉圾"),
    ("拖欠", "托欠"),
    ("物业", "物叶"),
    ("小区", "小曲"),
    ("马上", "马尚"),
    ("希望", "希忘"),
    ("社保", "社宝"),
    ("工资", "公资"),
    ("污染", "污杂"),
    ("补贴", "补帖"),
    ("学校", "学效"),
    ("医院", "医完"),
    ("麻烦", "麻凡"),
    ("再", "在"),
    ("的", "地"),
    ("安全", "安全全"),
    ("谢谢", "谢射"),
    ("公交", "公胶"),
    ("消防", "消方"),
]

# Simplified → traditional for the characters used by the templates above (one-to-one subset
# of the standard correspondence; written out here so the generator needs no converter).
_S2T_PAIRS = (
    "万萬与與业業东東丢丟两兩严嚴个個临臨为爲丽麗举舉么麼乐樂乡鄉书書买買乱亂于於产產亩畝亲親从從们們价價众衆伙夥会會传傳伤傷伪僞体體倾傾偿償储儲儿兒关關兴興养養兽獸"
    "内內写寫农農决決净淨准準减減几幾凤鳳击擊划劃刘劉刚剛办辦务務动動劳勞区區医醫华華协協单單卖賣占佔卤滷卫衛却卻厂廠历歷厉厲厕廁厨廚县縣双雙发發变變台臺叶葉号號吃喫"
    "后後吴吳员員咨諮响響喷噴团團园園囱囪围圍国國场場坏壞块塊墙牆声聲处處备備复復头頭妇婦婴嬰孙孫学學宁寧宝寶实實审審对對导導尘塵尽盡层層岁歲峰峯师師带帶帮幫干幹并並"
    "广廣庄莊床牀库庫应應庙廟废廢开開异異张張强強归歸怀懷态態总總恒恆恶惡愿願户戶执執扫掃扬揚扰擾护護报報担擔挂掛损損换換揽攬搅攪摄攝摆擺斗鬥断斷无無旧舊时時显顯晕暈"
    "术術机機杂雜权權条條来來杨楊构構枫楓标標栋棟栏欄树樹样樣档檔桥橋桩樁检檢楼樓殴毆毁毀气氣沟溝没沒洼窪测測济濟浓濃涨漲渗滲温溫游遊湾灣溃潰滚滾满滿滨濱灭滅灯燈灵靈"
    "灾災炉爐点點烟煙烦煩烧燒热熱熏燻爱愛猪豬环環现現电電疗療监監盖蓋砖磚确確离離秆稈种種积積称稱筑築签籤粪糞粮糧紧緊纠糾红紅约約级級纪紀纱紗纳納纷紛纺紡线線练練组組"
    "织織绊絆经經结結绕繞给給绝絕统統绣繡绩績续續绳繩维維绿綠缝縫缮繕缴繳网網罗羅罚罰群羣翘翹职職联聯肃肅胶膠脚腳苍蒼苏蘇范範荆荊药藥营營蓝藍虚虛虫蟲蝇蠅补補装裝见見"
    "规規视視觉覺誉譽认認讨討让讓训訓议議许許设設访訪证證诈詐诉訴试試话話询詢说說请請课課谁誰调調谐諧谢謝负負账賬货貨质質购購贴貼贵貴费費资資赌賭赔賠赣贛赵趙车車转轉"
    "载載辆輛输輸辞辭边邊达達迁遷过過运運还還这這进進违違迟遲逻邏邻鄰采採里裏钓釣钢鋼钱錢铺鋪销銷锅鍋错錯锦錦镇鎮镜鏡长長门門问問间間闻聞队隊阳陽际際陈陳险險随隨隐隱"
    "难難顶頂项項顿頓预預领領频頻题題额額颠顛飙飆飞飛饭飯饮飲饱飽馆館马馬驾駕骂罵验驗骑騎骗騙鱼魚鲁魯鲜鮮鸡雞鸣鳴鸭鴨麦麥黄黃龄齡龙龍"
)

_S2T = {s: t for s, t in zip(_S2T_PAIRS[0::2], _S2T_PAIRS[1::2], strict=True)}
_FULLWIDTH = {
    c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
}
_FULLWIDTH.update({",": "，", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）", "-": "－", ".": "．"})
_TO_ASCII_PUNCT = {"，": ",", "：": ":", "！": "!", "？": "?", "；": ";", "。": "."}
_PUNCT_RE = re.compile(r"[，。！？：；、,.!?:;]")

_LABELS = sorted(CATEGORIES)


def _sentence(s: str) -> str:
    s = s.rstrip("，,")
    return s if s.endswith(("。", "！", "？", "!", "?")) else s + "。"


def _noisy(s: str, r: Rng) -> str:
    if r.random() < 0.3:
        for _ in range(r.randint(1, 2)):
            good, bad = r.choice(_TYPOS)
            if good in s:
                s = s.replace(good, bad, 1)
    k = r.random()
    if k < 0.08:
        s = "".join(_S2T.get(c, c) for c in s)
    elif k < 0.16:
        s = "".join(_FULLWIDTH.get(c, c) for c in s)
    elif k < 0.26:
        s = "".join(_TO_ASCII_PUNCT.get(c, c) for c in s)
    elif k < 0.32:
        s = _PUNCT_RE.sub(r.choice(("", " ")), s)
    if r.random() < 0.1:
        s = s.replace("！", "！！！", 1).replace("。", "。。", 1)
    return s


def _core(label: str, r: Rng) -> tuple[str, str | None]:
    """The complaint at the heart of a message, and the other reading it allows (if any):
    mostly the category's own issues, sometimes a deliberately confusable one."""
    if r.random() < 0.12:
        core = _fill(r.choice([t for lab, t in _CONFUSABLE if lab == label]), r)
        return core, r.choice(_NEIGHBOUR[label])
    return _fill(r.choice(CATEGORIES[label]["issues"]), r), None


def _message(label: str, r: Rng) -> tuple[str, str, str | None]:
    cat = CATEGORIES[label]
    shape = r.random()
    core, other = _core(label, r)

    if shape < 0.12:  # very short: a fragment, often without title
        body = r.choice(
            (core.split("，")[0], core, _fill(r.choice(cat["titles"]), r) + "，" + core.split("，")[0])
        )
        title = r.choice(("", "", _fill(r.choice(cat["titles"]), r)))
        return _noisy(title, r), _noisy(body, r), other

    parts: list[str] = []
    if r.random() < 0.45:
        parts.append(r.choice(_OPENERS))
    if r.random() < 0.5:
        parts.append(_fill(r.choice(_INTROS), r))
    if r.random() < 0.4:
        parts.append(_fill(r.choice(_TIMES), r))
    parts.append(_sentence(core))
    n_details = 1 if shape < 0.85 else r.randint(2, 4)
    if r.random() < 0.55 or shape >= 0.85:
        for d in r.sample(cat["details"], k=min(n_details, len(cat["details"]))):
            parts.append(_sentence(_fill(d, r)))
    if r.random() < 0.15:  # a second topic from another category: messages are not single-topic
        other = r.choice([lab for lab in _LABELS if lab != label])
        parts.append("另外，" + _sentence(_fill(r.choice(CATEGORIES[other]["issues"]), r)))
    if shape >= 0.85 and r.random() < 0.6:  # long: a second own issue, retold
        parts.append("还有，" + _sentence(_fill(r.choice(cat["issues"]), r)))
    if shape >= 0.96:  # very long: the whole story, several calls, several demands
        for d in r.sample(cat["details"], k=len(cat["details"])):
            parts.append(_sentence(_fill(d, r)))
        parts.extend(_fill(h, r) for h in r.sample(_HISTORY, k=3))
        parts.append("我再说一遍，" + _sentence(core))
    if r.random() < 0.3:
        parts.append(_fill(r.choice(_HISTORY), r))
    if r.random() < 0.6:
        parts.append(_sentence(r.choice(cat["demands"] + _DEMAND_GENERIC)))
    if r.random() < 0.5:
        parts.append(r.choice(_FILLER))
    if r.random() < 0.3:
        parts.append(_fill(r.choice(_CONTACT), r))
    body = "".join(parts)

    k = r.random()
    if k < 0.4:
        title = ""
    elif k < 0.8:
        title = _fill(r.choice(cat["titles"]), r)
        if r.random() < 0.3:
            title = _fill("{place}", r) + title
    else:
        title = _fill(r.choice(_GENERIC_TITLES), r)
    return _noisy(title, r), _noisy(body, r), other


# ---------------------------------------------------------------------------------------------
# message-board style (网络问政/领导留言板): longer, formal, several paragraphs, scraped whitespace

# Regulations a writer cites to make the case (per category; shared words such as 条例/规定 are
# in every category, the named law is the signal — as on real boards).
_LAWS: dict[str, list[str]] = {
    "城乡建设": [
        "《物业管理条例》",
        "《城乡规划法》",
        "《商品房销售管理办法》",
        "《住宅专项维修资金管理办法》",
    ],
    "市场监管": ["《消费者权益保护法》", "《食品安全法》", "《价格法》", "《产品质量法》"],
    "生态环境": ["《环境噪声污染防治法》", "《大气污染防治法》", "《水污染防治法》", "《环境保护法》"],
    "交通运输": [
        "《道路交通安全法》",
        "《公路法》",
        "《城市公共汽车和电车客运管理规定》",
        "《出租汽车经营服务管理规定》",
    ],
    "农业农村": ["《农村土地承包法》", "《土地管理法》", "《农产品质量安全法》", "《村民委员会组织法》"],
    "劳动社保": ["《劳动合同法》", "《社会保险法》", "《保障农民工工资支付条例》", "《工伤保险条例》"],
    "公共安全": ["《消防法》", "《安全生产法》", "《治安管理处罚法》", "《城镇燃气管理条例》"],
    "教育卫生": ["《义务教育法》", "《医疗机构管理条例》", "《基本医疗卫生与健康促进法》", "《教师法》"],
}
_BOARD_OPENERS = [
    "尊敬的领导：您好！",
    "尊敬的县长：\n您好！",
    "尊敬的书记、县长：",
    "各位领导好：",
    "尊敬的{town}领导：您好，",
    "领导您好！打扰您了。",
    "",
]
_BOARD_INTROS = [
    "我是{town}{village}的一名普通村民，今天在这里给您留言，实在是没有别的办法了。",
    "我是{estate}小区的一名业主，代表小区{n}百多户业主向您反映一个困扰我们很久的问题。",
    "本人是一名在{town}生活了二十多年的老居民，一直关注家乡的发展。",
    "我是外地来{town}务工的人员，在这里工作生活已经{days}。",
    "我是一名普通市民，家住{place}。",
    "我们是{village}的群众，联名向领导反映情况。",
    "我是一位退休教师，今年{age}岁。",
]
_BOARD_BACKGROUND = [
    "事情是这样的：",
    "具体情况如下：",
    "现将有关情况反映如下：",
    "{date}，",
    "自{date}以来，",
    "早在{date}，",
]
_BOARD_HISTORY = [
    "为此我们多次向社区、镇政府反映，也打过12345热线，工作人员当时都答应会处理，但至今没有任何进展。",
    "我们先后找过村委会、镇里和县里有关单位，各单位之间互相推诿，说不是自己的职责范围。",
    "{date}我曾在网上留言，回复说已经转交有关部门办理，可是{days}过去了问题依旧。",
    "我们也理解基层工作的难处，但这个问题已经拖了{days}，严重影响了大家的正常生活。",
]
_BOARD_DEMANDS = [
    "恳请领导在百忙之中关注此事，督促有关部门尽快解决。",
    "希望领导能够重视，责成相关单位依法依规处理，给我们一个满意的答复。",
    "请求有关部门尽快派人现场调查核实，依法处理，还老百姓一个公道。",
    "恳请县里领导出面协调，切实解决群众的急难愁盼问题。",
]
_BOARD_CLOSINGS = [
    "此致\n敬礼！",
    "谢谢领导！",
    "期盼早日得到回复，万分感谢！",
    "一位焦急的群众",
    "以上情况属实，盼复。",
    "",
]
_BOARD_TITLES = [
    "关于{place}{topic}的问题",
    "反映{topic}问题",
    "请求解决{topic}的问题",
    "{place}{topic}",
    "关于{topic}的咨询",
    "强烈要求解决{topic}",
]
# Scraped board pages keep their layout whitespace: newlines and runs of tabs around paragraphs.
_BOARD_GAPS = ["", "", "\n", "\n\n", "\n\t\t\t\t\n\t\t\t\t\t", "\r\n", " "]


_NARRATIVE_POS = frozenset("n v a vn an ad d t s f nr ns nz l i".split())
_narrative_words: tuple[list[str], list[float]] | None = None


def _narrative_vocabulary() -> tuple[list[str], list[float]]:
    """Everyday words with cumulative weights (∝ frequency^0.75) from jieba's dictionary, read
    from the installed package: real letters are full of story that names no category, with a
    vocabulary far larger than any template list (this is what sizes memory and vocabulary)."""
    global _narrative_words
    if _narrative_words is None:
        import itertools
        import os

        import jieba  # type: ignore[import-untyped]

        words: list[str] = []
        weights: list[float] = []
        with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 3 and parts[2] in _NARRATIVE_POS and _CJK_WORD_RE.fullmatch(parts[0]):
                    words.append(parts[0])
                    weights.append(int(parts[1]) ** 0.75)
        _narrative_words = (words, list(itertools.accumulate(weights)))
    return _narrative_words


_CJK_WORD_RE = re.compile(r"[\u4e00-\u9fff]{1,6}")


def _narrative(r: Rng) -> str:
    """One sentence of 6–20 everyday words: story that carries no routing signal."""
    words, cum = _narrative_vocabulary()
    picked = r.choices(words, cum_weights=cum, k=r.randint(6, 20))
    cut = r.randint(2, len(picked) - 2)
    return "".join(picked[:cut]) + "，" + "".join(picked[cut:]) + "。"


def _board_message(label: str, r: Rng) -> tuple[str, str, str | None]:
    """A message-board letter: formal opening, introduction, the story with two to five details,
    the laws cited, earlier attempts, the demand and a closing; 150–900 characters."""
    cat = CATEGORIES[label]
    core, other = _core(label, r)
    paras: list[str] = []
    head = _fill(r.choice(_BOARD_OPENERS), r)
    if r.random() < 0.7:
        head += _fill(r.choice(_BOARD_INTROS), r)
    if head:
        paras.append(head)
    story = _fill(r.choice(_BOARD_BACKGROUND), r) + _sentence(core)
    details = r.sample(cat["details"], k=min(r.randint(2, 5), len(cat["details"])))
    story += "".join(_sentence(_fill(d, r)) for d in details)
    if r.random() < 0.35:
        story += "另外，" + _sentence(_fill(r.choice(cat["issues"]), r))
    if r.random() < 0.8:  # the story around the complaint
        narrative = [_narrative(r) for _ in range(r.randint(1, 4))]
        story = (
            narrative[0] + story + "".join(narrative[1:]) if r.random() < 0.5 else story + "".join(narrative)
        )
    paras.append(story)
    if r.random() < 0.15:  # a second topic from another category
        other = r.choice([lab for lab in _LABELS if lab != label])
        paras.append("还有一件事顺便反映一下：" + _sentence(_fill(r.choice(CATEGORIES[other]["issues"]), r)))
    if r.random() < 0.4:
        paras.append(f"根据{r.choice(_LAWS[label])}的有关规定，这种做法明显是不合理的。")
    if r.random() < 0.7:
        paras.append(_fill(r.choice(_BOARD_HISTORY), r))
    demand = r.choice(_BOARD_DEMANDS)
    if r.random() < 0.6:
        demand = _sentence(r.choice(cat["demands"])) + demand
    paras.append(demand)
    closing = r.choice(_BOARD_CLOSINGS)
    if closing:
        paras.append(closing)
    if r.random() < 0.25:
        paras.append(_fill(r.choice(_CONTACT), r))
    gap = r.choice(_BOARD_GAPS)
    body = gap + gap.join(_noisy(p, r) for p in paras) + gap

    if r.random() < 0.5:
        title = _fill(r.choice(cat["titles"]), r)
    else:
        topic = re.split(r"[，,]", core)[0]
        topic = topic[:18]
        title = _fill(r.choice(_BOARD_TITLES).replace("{topic}", topic), r)
    return _noisy(title, r), body, other


_STYLES: dict[str, Callable[[str, Rng], tuple[str, str, str | None]]] = {
    "hotline": _message,
    "board": _board_message,
}
STYLES = ("hotline", "board", "mixed")


#: ``templates`` of ``generate``: every phrasing, or one of two disjoint halves of each
#: category's complaints, details and titles (train on one, test on the other).
TEMPLATE_HALVES = ("all", "even", "odd")


@contextmanager
def _templates(half: str) -> Iterator[None]:
    """Restrict ``CATEGORIES`` to one half of every phrasing list for the duration (not
    thread-safe: the generator is a command-line tool)."""
    if half == "all":
        yield
        return
    if half not in TEMPLATE_HALVES:
        raise ValueError(f"templates must be one of {', '.join(TEMPLATE_HALVES)}")
    keep = 0 if half == "even" else 1
    saved = {label: dict(cat) for label, cat in CATEGORIES.items()}
    try:
        for cat in CATEGORIES.values():
            for key in ("issues", "details", "titles"):
                cat[key] = [x for i, x in enumerate(cat[key]) if i % 2 == keep] or cat[key]
        yield
    finally:
        for label, cat in saved.items():
            CATEGORIES[label].update(cat)


def generate(
    n: int,
    seed: int = 0,
    disagreement: float = 0.12,
    clerical: float = 0.005,
    style: str = "hotline",
    templates: str = "all",
) -> list[dict[str, str]]:
    """``n`` messages as dicts ``id,title,body,label`` (deterministic for a seed).

    ``style``: ``hotline`` (12345 call notes and app messages, median ≈ 65 characters),
    ``board`` (message-board letters, median ≈ 300 characters) or ``mixed`` (half each).

    Class sizes are imbalanced like a real hotline (construction and market complaints most
    frequent).

    Label noise as on real hotlines (≈ 3.5 % of messages in all): where a message allows a
    second reading (a second topic, a core that sits between two departments — about a quarter
    of messages) the annotator picks that reading with probability ``disagreement``; and a
    ``clerical`` share of all labels is a neighbouring category whatever the text says.

    ``templates`` (``all``, ``even``, ``odd``): the phrasings drawn from; messages from the two
    halves share no complaint, detail or title wording — a check that the router generalises
    to phrasing it has never seen, as it must on real messages."""
    with _templates(templates):
        return _generate(n, seed, disagreement, clerical, style)


def _generate(n: int, seed: int, disagreement: float, clerical: float, style: str) -> list[dict[str, str]]:
    r = random.Random(seed)
    weights = {
        "城乡建设": 20,
        "市场监管": 16,
        "生态环境": 14,
        "交通运输": 11,
        "农业农村": 9,
        "劳动社保": 12,
        "公共安全": 9,
        "教育卫生": 9,
    }
    labels = list(weights)
    w = [weights[lab] for lab in labels]
    rows = []
    for i in range(n):
        label = r.choices(labels, weights=w)[0]
        kind = style if style != "mixed" else ("hotline", "board")[i % 2]
        title, body, other = _STYLES[kind](label, r)
        if other is not None and r.random() < disagreement:
            label = other
        elif r.random() < clerical:
            label = r.choice(_NEIGHBOUR[label])
        rows.append({"id": f"m{seed}-{i:06d}", "title": title, "body": body, "label": label})
    return rows


def write_csv(
    path: str | Path,
    n: int,
    seed: int = 0,
    style: str = "hotline",
    disagreement: float = 0.12,
    clerical: float = 0.005,
    templates: str = "all",
) -> Path:
    """Write ``n`` generated messages to ``path`` (UTF-8 CSV with a header ``id,title,body,label``)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "w", encoding="utf-8", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=["id", "title", "body", "label"])
        wr.writeheader()
        wr.writerows(
            generate(n, seed, disagreement=disagreement, clerical=clerical, style=style, templates=templates)
        )
    return p


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tiaokuai.routing.datagen", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--out", required=True, help="output directory (train.csv, test.csv)")
    ap.add_argument("--train", type=int, default=3000)
    ap.add_argument("--test", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--style", choices=STYLES, default="hotline", help="message style (default hotline)")
    ap.add_argument(
        "--disagreement", type=float, default=0.12, help="P(other reading) where a message allows one"
    )
    ap.add_argument(
        "--clerical", type=float, default=0.005, help="share of labels set to a neighbour at random"
    )
    ap.add_argument(
        "--unseen-phrasing",
        action="store_true",
        help="test messages use only complaint, detail and title phrasings the training set never uses",
    )
    a = ap.parse_args(argv)
    out = Path(a.out)
    # different seeds for the two files: the test set shares no generated message with training
    noise = {"disagreement": a.disagreement, "clerical": a.clerical}
    halves = ("even", "odd") if a.unseen_phrasing else ("all", "all")
    tr = write_csv(out / "train.csv", a.train, a.seed * 2 + 1, a.style, templates=halves[0], **noise)
    te = write_csv(out / "test.csv", a.test, a.seed * 2 + 2, a.style, templates=halves[1], **noise)
    print(f"wrote {a.train} → {tr}, {a.test} → {te}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
