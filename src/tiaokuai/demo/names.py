"""Data tables for the demo county: places, units, people's names. Plain tuples, no randomness here.

Order matters: generators draw from these tables with a seeded `random.Random`, so reordering a
table changes what a seed produces."""

COUNTY_CODE = "331122"
COUNTY_NAME = "青溪县"
PROVINCE_ABBR = "浙"
INSTITUTION_LIMIT = 35

# ── Townships: (name without suffix, pinyin) ────────────────────────────────────────────────
# Subdistricts (街道) around the county seat.
SUBDISTRICT_NAMES = (
    ("溪城", "xicheng"), ("凤山", "fengshan"), ("文昌", "wenchang"), ("东城", "dongcheng"),
    ("南湖", "nanhu"), ("西岭", "xiling"), ("新溪", "xinxi"), ("双桥", "shuangqiao"),
    ("龙津", "longjin"), ("云峰", "yunfeng"),
)
# Towns (镇) and townships (乡).
RURAL_NAMES = (
    ("青石", "qingshi"), ("白云", "baiyun"), ("石门", "shimen"), ("大洋", "dayang"), ("东渡", "dongdu"),
    ("舒洪", "shuhong"), ("新建", "xinjian"), ("双溪口", "shuangxikou"), ("黄坛", "huangtan"),
    ("溪口", "xikou"), ("前路", "qianlu"), ("胡源", "huyuan"), ("方溪", "fangxi"), ("石笕", "shijian"),
    ("三溪", "sanxi"), ("大源", "dayuan"), ("雅溪", "yaxi"), ("桃源", "taoyuan"), ("官店", "guandian"),
    ("高坪", "gaoping"), ("岩下", "yanxia"), ("杨梅", "yangmei"), ("梅溪", "meixi"), ("竹口", "zhukou"),
    ("金竹", "jinzhu"), ("安仁", "anren"), ("八都", "badu"), ("小梅", "xiaomei"), ("查田", "chatian"),
    ("宝溪", "baoxi"), ("住龙", "zhulong"), ("屏南", "pingnan"), ("道太", "daotai"), ("上垟", "shangyang"),
    ("西畈", "xifan"), ("岭头", "lingtou"), ("枫坪", "fengping"), ("黄沙", "huangsha"), ("白马", "baima"),
    ("泉溪", "quanxi"), ("石塘", "shitang"), ("赤石", "chishi"), ("崇头", "chongtou"), ("沙湾", "shawan"),
    ("紫金", "zijin"), ("五里", "wuli"), ("马头", "matou"), ("仙岩", "xianyan"), ("长乐", "changle"),
    ("万山", "wanshan"), ("碧湖", "bihu"), ("高溪", "gaoxi"), ("梧桐", "wutong"), ("坦洪", "tanhong"),
    ("柳城", "liucheng"), ("章村", "zhangcun"), ("塔石", "tashi"), ("横樟", "hengzhang"), ("沐尘", "muchen"),
)
MAX_TOWNSHIPS = len(SUBDISTRICT_NAMES) + len(RURAL_NAMES)

# ── Villages and communities ──────────────────────────────────────────────────────────────
VILLAGE_PREFIXES = (
    "上", "下", "东", "西", "南", "北", "前", "后", "新", "大", "小", "中", "石", "黄", "白", "青", "长", "高",
    "龙", "凤", "金", "银", "桃", "梅", "竹", "松", "杨", "柳", "溪", "岩", "塘", "潘", "吴", "周", "胡", "陈",
    "李", "王", "徐", "应", "朱", "叶", "何",
)
VILLAGE_SUFFIXES = (
    "坑", "坞", "岙", "垟", "桥", "塘", "岭", "山", "畈", "湾", "店", "头", "庄", "溪", "源", "田", "坪", "口",
    "岩", "洋", "宅", "园", "埠", "塔", "寮", "家", "川", "潭", "峰", "林", "垄", "湖", "阳", "丰", "安", "坛",
)
COMMUNITY_NAMES = (
    "城东", "城西", "城南", "城北", "新华", "文昌", "人民", "解放", "和平", "滨江", "溪畔", "阳光", "幸福", "平安",
    "凤凰", "龙山", "东门", "西门", "南门", "北门", "江滨", "丽景", "锦绣", "金山", "银湖", "湖滨", "学府", "新城",
    "华庭", "嘉园", "春晖", "朝阳", "繁荣", "兴隆", "丰收", "花园", "桂花", "翠竹", "云溪", "康宁", "安居", "望江",
    "万福", "天宁", "永安", "永宁", "福田", "中山", "复兴", "红星",
)
GRID_ORDINALS = ("第一网格", "第二网格", "第三网格")

# ── County bodies ────────────────────────────────────────────────────────────────────────
# (abbr, name after the county name, short name, counts toward the institution limit, head title,
#  administrative establishment range, public-institution establishment range, duty domains)
# The order is the order of codes and accounts.
PARTY_BODIES = (
    ("XWB", "委办公室", "县委办", True, "主任", (18, 26), (0, 0), ()),
    ("ZZB", "委组织部", "县委组织部", True, "部长", (14, 20), (4, 8), ()),
    ("XCB", "委宣传部", "县委宣传部", True, "部长", (10, 16), (4, 8), ()),
    ("ZFW", "委政法委员会", "县委政法委", True, "书记", (8, 12), (0, 0), ()),
    ("BB", "委机构编制委员会办公室", "县委编办", True, "主任", (7, 10), (2, 4), ()),
    ("JWJW", "纪委监委", "县纪委监委", True, "书记", (30, 45), (0, 0), ()),
    ("ZFB", "人民政府办公室", "县政府办", True, "主任", (16, 24), (4, 10), ()),
)
DEPARTMENTS = (
    ("FGJ", "发展和改革局", "县发改局", True, "局长", (12, 18), (4, 10), ()),
    ("JXJ", "经济和信息化局", "县经信局", True, "局长", (10, 16), (4, 8), ()),
    ("JYJ", "教育局", "县教育局", True, "局长", (14, 20), (10, 20), ()),
    ("KJJ", "科学技术局", "县科技局", True, "局长", (6, 10), (2, 6), ()),
    ("GAJ", "公安局", "县公安局", True, "局长", (60, 90), (0, 0), ()),
    ("MZJ", "民政局", "县民政局", True, "局长", (10, 14), (6, 12), ()),
    ("SFJ", "司法局", "县司法局", True, "局长", (10, 16), (2, 6), ()),
    ("CZJ", "财政局", "县财政局", True, "局长", (16, 24), (8, 14), ()),
    ("RSJ", "人力资源和社会保障局", "县人社局", True, "局长", (12, 18), (10, 18), ()),
    ("ZRZY", "自然资源和规划局", "县自然资源和规划局", True, "局长", (20, 30), (10, 20), ("ZRZY",)),
    ("STHJ", "生态环境分局", "县生态环境分局", False, "分局局长", (12, 18), (6, 12), ("STHJ",)),
    ("ZJJ", "住房和城乡建设局", "县住建局", True, "局长", (14, 20), (10, 20), ("CXJS",)),
    ("JTJ", "交通运输局", "县交通运输局", True, "局长", (10, 16), (10, 20), ()),
    ("SLJ", "水利局", "县水利局", True, "局长", (10, 14), (8, 16), ()),
    ("NYNC", "农业农村局", "县农业农村局", True, "局长", (14, 20), (15, 30), ("NYNC",)),
    ("SWJ", "商务局", "县商务局", True, "局长", (6, 10), (2, 6), ()),
    ("WGLT", "文化和广电旅游体育局", "县文广旅体局", True, "局长", (10, 16), (10, 20), ("WHLY",)),
    ("WJJ", "卫生健康局", "县卫健局", True, "局长", (12, 18), (8, 14), ()),
    ("TYJR", "退役军人事务局", "县退役军人事务局", True, "局长", (6, 10), (2, 6), ()),
    ("YJGL", "应急管理局", "县应急管理局", True, "局长", (12, 18), (4, 10), ("YJGL",)),
    ("SJJ", "审计局", "县审计局", True, "局长", (10, 14), (2, 4), ()),
    ("SCJG", "市场监督管理局", "县市场监管局", True, "局长", (30, 45), (6, 12), ("SCJG",)),
    ("TJJ", "统计局", "县统计局", True, "局长", (6, 10), (2, 4), ()),
    ("YBJ", "医疗保障局", "县医保局", True, "局长", (6, 10), (4, 8), ()),
    ("LYJ", "林业局", "县林业局", True, "局长", (8, 12), (10, 20), ("ZRZY",)),
    ("ZHZF", "综合行政执法局", "县综合行政执法局", True, "局长", (20, 30), (20, 40), ("ZHZF", "CXJS")),
    ("XZSP", "行政审批服务局", "县行政审批服务局", True, "局长", (8, 12), (6, 12), ()),
    ("XFJ", "信访局", "县信访局", False, "局长", (6, 10), (2, 4), ()),
    ("SJZY", "数据资源管理局", "县数据资源管理局", False, "局长", (4, 8), (6, 10), ()),
    ("JGSW", "机关事务管理局", "县机关事务管理局", False, "局长", (6, 10), (4, 8), ()),
)
# Offices outside the institution count: (abbr, parent abbr or None, name after the county name, short name,
#  head title, organisation kind). The command centre is a public institution under the 政法委.
SUBORDINATE_BODIES = (
    ("DCS", None, "委督查室", "县委督查室", "主任", "county_department"),
    ("ZHZX", "ZFW", "社会治理指挥中心", "县社会治理指挥中心", "主任", "public_institution"),
)
# Share of certified enforcement officers among a department's staff, and the domains they hold.
DEPARTMENT_ENFORCEMENT = {
    "ZHZF": 0.55, "SCJG": 0.45, "STHJ": 0.5, "ZRZY": 0.35, "YJGL": 0.4, "NYNC": 0.3, "WGLT": 0.3,
    "ZJJ": 0.25, "LYJ": 0.3,
}

# ── Township units ──────────────────────────────────────────────────────────────────────────
# (abbr, name after the township name, short name, head title, deputy title, staff post,
#  establishment kind, approved range, leadership range, for which township kinds)
ALL = ("subdistrict", "town", "township")
RURAL = ("town", "township")
TOWNSHIP_OFFICES = (
    ("DZB", "党政办公室", "党政办", "主任", "副主任", "科员", "administrative", (4, 7), (1, 2), ALL),
    ("DJB", "党建工作办公室", "党建办", "主任", "副主任", "科员", "administrative", (2, 4), (1, 1), ALL),
    ("JFB", "经济发展办公室", "经发办", "主任", "副主任", "科员", "administrative", (3, 6), (1, 2), ALL),
    ("SWB", "社会事务办公室", "社会事务办", "主任", "副主任", "科员", "administrative", (3, 6), (1, 2), ALL),
    ("PAB", "平安建设办公室", "平安办", "主任", "副主任", "科员", "administrative", (3, 5), (1, 2), ALL),
    ("ZHB", "自然资源和生态环境办公室", "资源环境办", "主任", "副主任", "科员", "administrative", (2, 5), (1, 1),
     RURAL),
    ("CGB", "城市管理办公室", "城管办", "主任", "副主任", "科员", "administrative", (3, 5), (1, 1), ("subdistrict",)),
)
TOWNSHIP_INSTITUTIONS = (
    ("BMFW", "便民服务中心", "便民服务中心", "主任", "副主任", "工作人员", "institution", (6, 12), (1, 2), ALL),
    ("ZFD", "综合行政执法队", "综合执法队", "队长", "副队长", "执法队员", "institution", (8, 16), (2, 3), ALL),
    ("NYFW", "农业农村综合服务中心", "农业服务中心", "主任", "副主任", "农技人员", "institution", (5, 10), (1, 2),
     RURAL),
    ("WHZ", "综合文化站", "文化站", "站长", "副站长", "工作人员", "institution", (2, 4), (1, 1), ALL),
    ("TYJR", "退役军人服务站", "退役军人服务站", "站长", "副站长", "工作人员", "institution", (2, 3), (1, 1), ALL),
)
# Stationed agencies of county departments: (abbr, department abbr, name suffix, short name, head title,
#  deputy title, staff post, establishment kind, approved range, leadership range, township kinds, domains)
STATIONED_AGENCIES = (
    ("PCS", "GAJ", "派出所", "派出所", "所长", "副所长", "民警", "administrative", (8, 16), (2, 3), ALL, ()),
    ("SFS", "SFJ", "司法所", "司法所", "所长", "副所长", "科员", "administrative", (2, 4), (1, 1), ALL, ()),
    ("SJS", "SCJG", "市场监管所", "市场监管所", "所长", "副所长", "科员", "administrative", (4, 8), (1, 2), ALL,
     ("SCJG",)),
    ("ZRS", "ZRZY", "自然资源所", "自然资源所", "所长", "副所长", "科员", "administrative", (3, 6), (1, 1), ALL,
     ("ZRZY",)),
    ("LYZ", "LYJ", "林业工作站", "林业站", "站长", "副站长", "技术员", "institution", (2, 5), (1, 1), RURAL,
     ("ZRZY",)),
)
TOWNSHIP_ENFORCEMENT = {"ZFD": 0.6, "SJS": 0.5, "ZRS": 0.45, "LYZ": 0.3}
# Domains an enforcement squad member may hold besides 综合执法.
SQUAD_EXTRA_DOMAINS = ("ZRZY", "STHJ", "CXJS", "SCJG", "NYNC", "WHLY")


def township_leadership(kind: str) -> tuple[str, ...]:
    """Leadership posts of a township government, in order of rank."""
    if kind == "subdistrict":
        return ("党工委书记", "办事处主任", "党工委副书记", "人大工委主任", "纪工委书记", "办事处副主任",
                "办事处副主任", "党工委委员", "武装部长", "办事处副主任", "党工委委员")
    head = "镇长" if kind == "town" else "乡长"
    return ("党委书记", head, "党委副书记", "人大主席", "纪委书记", f"副{head}", f"副{head}", "组织委员",
            "宣传委员", "武装部长", f"副{head}")


# ── People ─────────────────────────────────────────────────────────────────────────────────
# Common surnames, most frequent first, with a rough weight; a few Zhejiang ones (应、楼、俞、舒).
SURNAMES = (
    ("王", 72), ("李", 70), ("张", 68), ("刘", 54), ("陈", 50), ("杨", 34), ("黄", 25), ("赵", 22), ("吴", 22),
    ("周", 21), ("徐", 18), ("孙", 16), ("马", 14), ("朱", 14), ("胡", 14), ("郭", 13), ("何", 12), ("高", 11),
    ("林", 11), ("罗", 10), ("郑", 10), ("梁", 9), ("谢", 8), ("宋", 7), ("唐", 7), ("许", 7), ("韩", 6),
    ("冯", 6), ("邓", 6), ("曹", 6), ("彭", 5), ("曾", 5), ("肖", 5), ("田", 5), ("董", 5), ("袁", 5),
    ("潘", 5), ("于", 5), ("蒋", 5), ("蔡", 5), ("余", 5), ("杜", 4), ("叶", 6), ("程", 4), ("苏", 4),
    ("魏", 4), ("吕", 4), ("丁", 4), ("任", 4), ("沈", 5), ("姚", 4), ("卢", 4), ("姜", 3), ("钟", 3),
    ("陆", 3), ("汪", 3), ("范", 3), ("金", 4), ("石", 3), ("夏", 3), ("方", 3), ("邹", 2), ("应", 3),
    ("楼", 3), ("俞", 3), ("舒", 2), ("严", 2), ("钱", 2), ("施", 2), ("鲍", 2), ("章", 2), ("毛", 2),
)
GIVEN_MALE = (
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波",
    "宇", "浩", "凯", "健", "俊", "帆", "建", "国", "志", "文", "海", "林", "峰", "晨", "东", "亮", "成", "立",
    "新", "忠", "德", "宏", "振", "锋", "永", "春", "荣", "栋", "博", "旭", "彬", "昊",
)
GIVEN_FEMALE = (
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "莉", "萍", "红", "琳", "颖",
    "倩", "佳", "晶", "洁", "梅", "兰", "琴", "云", "秀", "英", "欣", "悦", "璐", "蕾", "露", "月", "彤", "诗",
)
GIVEN_NEUTRAL = ("晓", "小", "一", "子", "嘉", "思", "雨", "天", "文", "海", "安", "宁", "春", "秋", "昕", "瑞")
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "157",
    "158", "159", "177", "180", "181", "182", "183", "186", "187", "188", "189", "199",
)
# Home area codes for ID numbers: mostly the county itself, some from neighbouring areas.
ID_AREAS = ("331122", "331122", "331122", "331122", "331102", "331121", "331123", "330782", "330723", "331081")
