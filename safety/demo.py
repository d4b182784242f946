"""A semester of campus safety records for ``manage.py seed_demo``.

``seed_safety(school, main=..., account=...)`` gives the demo school 武进实验中学 (and,
smaller, its neighbour 湖塘实验小学) the default checklists and the schedules of its
inspection regime, then a semester of records up to now:

- schedules: the safety officer ``anquan`` (赵志强) does the daily patrol (日巡视制) and
  the weekly check, general affairs ``zongwu`` the leadership group's monthly check
  (月检查制), the principal ``xiaozhang`` the start-of-term full inspection (开学安全大检查);
  special inspections (专项检查) are planned by hand;
- inspections: the weekly and monthly checks of the whole semester, the daily patrols of
  the last four weeks (the schedule started then; weekends and holidays cancelled), the
  term inspection, a few special ones; a few were missed (never done, past due), one
  was submitted late, and the current periods' are still to do or in progress;
- results: mostly OK, "not applicable" where the school has no such thing (no swimming
  pool, no school bus, piped gas), and hazards with realistic notes per area;
- hazards found in those inspections and reported outside them (随手拍), each played
  through the services' steps (assigned by general affairs with a department, person and
  deadline; a plan first for a major one; started; deferred with an 整改安排; submitted;
  checked, sometimes sent back once; closed by someone other than the rectifier;
  withdrawn) at working hours, and cut at now: recent ones are still open, a few are
  overdue. Every change of status is in the status log with its own time;
- drills: a fire evacuation most months, an earthquake and an anti-terrorism drill,
  with participants and evacuation times; the last complete month of term has none;
- responsibility agreements (安全责任状) of this and last academic year for most, not
  all, of the school's people; one entered by mistake and withdrawn.

Deterministic (a fixed seed, relative to today), written with ``bulk_create``, and
idempotent: a school that already has schedules, inspections, hazards, drills or
agreements is left alone. No photos.

The findings (``FINDINGS``) are shared with the bench generator (``safety.bench``).
``demo_seeders`` (at the end) declares the seeder for ``registry.autodiscover``.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from logistics.choices import Role, RoomKind
from logistics.common.registry import DemoSeeder
from logistics.demo import HOLIDAYS, NEIGHBOUR_CODE
from logistics.models import Department, Room, Semester, StatusChange, User
from logistics.services.organisation import figures_changed
from safety.choices import (
    AgreementKind,
    DrillKind,
    Frequency,
    HazardLevel,
    HazardStatus,
    InspectionStatus,
    Outcome,
    SafetyArea,
)
from safety.models import (
    ChecklistItem,
    ChecklistTemplate,
    Drill,
    Hazard,
    HazardDeferral,
    Inspection,
    InspectionResult,
    InspectionSchedule,
    RectificationPlan,
    SafetyAgreement,
)
from safety.services.checklists import checklists_load_defaults
from safety.services.common import day_end

SEED = 20261109
A = SafetyArea
K = RoomKind
S = HazardStatus
IS = InspectionStatus


# --- What is found: per area, per checklist item -----------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A hazard as an inspector writes it down.

    ``item`` is a phrase of the checklist item it answers (``safety.defaults``; exactly one
    item of the area holds it). ``where``: a room kind (a room of that kind), ``@name`` (a
    room of that name, else the name as the place) or a place, where ``{楼}`` is a teaching
    building and ``{宿舍}`` a dormitory building of the school. ``who`` is the responsible
    person in the demo school ("" = the area's). ``major``: may be a major hazard.
    """

    item: str
    note: str
    where: str
    fix: str
    who: str = ""
    major: bool = False


F = Finding
FINDINGS = {
    A.FIRE: (
        F("消防通道、安全出口", "消防通道堆放废旧课桌椅和纸箱", "{楼}东侧楼梯间",
          "废旧桌椅和纸箱已清运，楼梯间恢复畅通", "zonghe"),
        F("消防通道、安全出口", "安全出口门被链条锁闭", "{楼}一楼西侧安全出口",
          "拆除链条锁，改装推杠锁，安全出口恢复畅通", "anquan"),
        F("消防通道、安全出口", "安全出口被学生自行车堵住", "{楼}一楼北侧安全出口",
          "自行车移至车棚，出口处施划禁停标线", "anquan"),
        F("灭火器配置", "2具灭火器压力表指针在红区", "{楼}三楼走廊",
          "更换4kg干粉灭火器2具，更新灭火器检查卡", "anquan"),
        F("灭火器配置", "灭火器过期，未按时送检", "{楼}二楼走廊",
          "过期灭火器全部送检，更换8具，建立到期提醒台账", "anquan"),
        F("灭火器配置", "灭火器箱内缺少灭火器1具", "{楼}四楼走廊", "补配灭火器1具", "anquan"),
        F("室内消火栓箱", "消火栓箱内水带霉烂，水枪缺失", "{楼}一楼大厅",
          "更换水带1盘、水枪1支", "anquan"),
        F("应急照明灯、疏散指示", "疏散指示灯不亮", "{楼}二楼楼梯口",
          "更换疏散指示灯2只，测试正常", "diangong"),
        F("应急照明灯、疏散指示", "应急照明灯按测试按钮不亮，电池失效", "{楼}四楼走廊",
          "更换应急照明灯3只，测试正常", "diangong"),
        F("防火门常闭", "常闭式防火门被木楔顶住常开", "{楼}楼梯间",
          "撤除木楔，修复闭门器，张贴“防火门保持常闭”提示", "mugong"),
        F("防火门常闭", "防火门闭门器损坏，门关不上", "{楼}三楼楼梯间",
          "更换闭门器和顺序器", "mugong"),
        F("可燃物及时清理", "楼梯间堆放纸箱等可燃物", "{楼}楼梯间",
          "清理可燃物，纳入日常保洁检查", "zonghe"),
        F("无违规使用明火", "楼梯间发现烟头", "{楼}五楼楼梯间",
          "补贴禁烟标识，加强巡查，已告知相关人员", "anquan"),
        F("火灾自动报警", "消防主机有3个故障点位未处理，部分烟感离线", "@监控室",
          "维保单位更换故障烟感3只，主机恢复正常", "anquan", major=True),
        F("微型消防站", "微型消防站防烟面罩缺失2个", "门卫值班室旁微型消防站",
          "补齐防烟面罩和破拆工具", "anquan"),
    ),
    A.ELECTRICAL: (
        F("电线线路无老化", "私拉电线给电动车充电", "{楼}一楼车棚旁",
          "拆除私拉电线，车棚加装集中充电桩", "diangong"),
        F("电线线路无老化", "电线老化，线皮开裂", K.CLASSROOM,
          "更换老化电线，穿线槽敷设", "diangong"),
        F("电线线路无老化", "插线板串接使用，电线裸露", K.OFFICE,
          "拆除串接插线板，加装墙面插座2个", "diangong"),
        F("插座、开关面板", "插座松动，面板烧黑", K.CLASSROOM, "更换五孔插座，紧固暗盒", "weixiu"),
        F("插座、开关面板", "插座面板脱落，线头外露", K.DORM, "更换插座面板，做好绝缘", "weixiu"),
        F("配电房（箱）", "配电间堆放杂物，未配绝缘垫", "@配电间",
          "清理杂物，铺设绝缘垫，配置干粉灭火器", "diangong"),
        F("配电房（箱）", "楼层配电箱未上锁", "{楼}二楼走廊配电箱",
          "配电箱加锁，钥匙由总务处统一管理", "diangong"),
        F("漏电保护器", "漏电保护器按试验按钮不动作", K.LAB, "更换漏电保护器", "diangong",
          major=True),
        F("无违规使用大功率", "办公室使用电热取暖器", K.OFFICE,
          "收缴大功率电器，已告知所在部门", "anquan"),
        F("电动自行车不进楼道", "电动自行车推入楼道充电", "{楼}一楼楼道",
          "电动自行车移出楼道，张贴禁止楼道充电标识", "anquan"),
        F("放学、下班后电器", "放学后教室多媒体和空调未关", K.CLASSROOM,
          "已关闭，通报班主任，纳入班级考核", "anquan"),
        F("防雷装置", "年度防雷检测报告已过期", "{楼}屋面",
          "委托有资质单位完成防雷检测，报告已归档", "diangong"),
    ),
    A.GAS: (
        F("燃气管道、阀门", "灶台燃气软管老化开裂", "@后厨",
          "更换燃气专用金属软管，检漏合格", "shitang", major=True),
        F("燃气泄漏报警器", "燃气泄漏报警器故障，测试无报警", "@后厨",
          "燃气公司更换报警器，与紧急切断阀联动测试正常", "shitang", major=True),
        F("用气场所通风", "后厨排风扇损坏，通风不良", "@后厨", "更换排风扇", "shitang"),
        F("用气结束后", "晚餐后灶前阀未关闭", "@后厨", "重申关阀制度，落实专人关阀签字",
          "shitang"),
        F("有资质的单位定期检测", "燃气设施年度检测记录缺失", "@后厨",
          "联系燃气公司完成年度检测，补齐记录", "shitang"),
    ),
    A.BUILDINGS: (
        F("墙面、天花板", "墙面开裂，裂缝长约1米", K.CLASSROOM,
          "凿缝填补，批腻子刷漆，设观测点持续观察", "zonghe", major=True),
        F("墙面、天花板", "吊顶板松动，有脱落风险", K.OFFICE, "更换吊顶板，加固龙骨", "zonghe"),
        F("墙面、天花板", "吊扇晃动明显，固定螺丝松动", K.CLASSROOM,
          "紧固吊扇吊杆，加装防脱保险", "diangong"),
        F("楼梯、走廊照明", "三楼走廊栏杆松动", "{楼}三楼走廊", "栏杆重新焊接加固", "zonghe",
          major=True),
        F("楼梯、走廊照明", "楼梯照明灯不亮", "{楼}西侧楼梯", "更换LED灯3只", "diangong"),
        F("门窗、玻璃", "窗玻璃破裂", K.CLASSROOM, "更换钢化玻璃", "zonghe"),
        F("门窗、玻璃", "外开窗限位器缺失", K.DORM, "加装限位器", "mugong"),
        F("屋面、外墙", "屋面渗漏，雨天天花板滴水", "{楼}顶层", "屋面局部重做防水", "zonghe"),
        F("屋面、外墙", "空调外机支架锈蚀松动", "{楼}外墙", "更换空调外机支架", "kongtiao",
          major=True),
        F("围墙、护栏", "东侧围墙局部倾斜开裂", "东侧围墙", "围墙拆除重砌，增设构造柱",
          "zonghe", major=True),
        F("围墙、护栏", "围墙护栏缺口，可翻越", "北侧围墙", "补装护栏", "zonghe"),
        F("校园道路、地面", "雨水井盖破损", "操场东侧道路", "更换球墨铸铁井盖", "zonghe"),
        F("黑板、宣传栏", "宣传栏松动", "{楼}门口", "重新固定宣传栏", "mugong"),
        F("停车棚、连廊", "停车棚顶棚部分破损", "教工停车棚", "更换顶棚阳光板", "zonghe"),
        F("课间、放学时楼梯口", "课间楼梯口无教师值守，学生拥挤", "{楼}中间楼梯",
          "调整值守安排，落实到人", "anquan"),
    ),
    A.CANTEEN: (
        F("从业人员持有效健康证", "1名帮厨人员健康证过期", "@后厨",
          "该人员暂停上岗，已办理新健康证", "shitang"),
        F("食品留样", "午餐留样不足125克，缺1个品种", "@留样间",
          "补充留样，专人核对签字", "shitang"),
        F("生熟分开", "生熟砧板混用，标识不清", "@后厨", "更换分色砧板，重新标识", "shitang"),
        F("餐饮具清洗消毒", "消毒柜使用记录缺2天", "@消毒间",
          "补全记录，落实消毒人员签字", "shitang"),
        F("库房离地离墙", "米面靠墙存放，挡鼠板缺失", "@食品仓库", "增设货架和挡鼠板",
          "shitang"),
        F("食材索证索票", "一批酱油缺少检验报告", "@食品仓库", "联系供应商补齐检验报告",
          "shitang"),
        F("油烟管道", "油烟管道油污较多，超过清洗周期", "@后厨",
          "委托专业单位清洗油烟管道", "shitang"),
        F("消毒剂、杀虫剂", "消毒剂与调料混放", "@后厨", "设专柜存放，专人管理", "shitang"),
    ),
    A.SECURITY_SYSTEMS: (
        F("视频监控无黑屏", "摄像头损坏，画面黑屏", "{楼}一楼大厅",
          "更换400万像素摄像头1台", "wangluo"),
        F("视频监控无黑屏", "监控被树枝遮挡", "操场西北角", "修剪树枝，调整摄像头角度",
          "wangluo"),
        F("周界报警系统", "周界红外对射报警器误报频繁", "南侧围墙", "调整对射角度，更换1对探头",
          "wangluo"),
        F("监控录像保存", "监控硬盘故障，录像仅保存12天", "@监控室",
          "更换硬盘，录像保存恢复至30天", "wangluo"),
        F("一键报警装置", "一键报警测试未接通", "@门卫值班室",
          "联系公安联网服务商修复线路，测试正常", "anquan"),
        F("财务室、档案室", "财务室防盗窗锁扣损坏", "@财务室", "更换锁扣", "mugong"),
        F("校园广播和应急广播", "应急广播部分区域无声", "{楼}", "更换功放模块和2只音箱",
          "wangluo"),
    ),
    A.GATE: (
        F("门卫人员在岗", "门卫值班记录未按时填写", "@门卫值班室",
          "对门卫进行提醒和培训，每班检查记录", "anquan"),
        F("外来人员、车辆", "外来送货人员未登记即进入校园", "学校南大门",
          "重申来访登记制度，门卫签字确认", "anquan"),
        F("门卫安保器材", "门卫钢叉缺失1把，防暴盾牌破损", "@门卫值班室",
          "补齐钢叉，更换防暴盾牌", "anquan"),
        F("校门口防冲撞", "校门口升降柱故障，无法升起", "学校南大门", "厂家维修升降柱",
          "anquan", major=True),
        F("夜间、节假日巡查", "夜间巡更记录缺失2次", "@门卫值班室",
          "约谈夜班保安，增设巡更点", "anquan"),
    ),
    A.TRAFFIC: (
        F("校门口斑马线", "校门口斑马线磨损模糊", "学校南大门外",
          "联系交警部门重新施划斑马线", "anquan"),
        F("校门口斑马线", "减速带破损", "校门外道路", "更换减速带", "anquan"),
        F("人车分流", "放学高峰接送车辆占道，人车混行", "学校南大门外",
          "联系交警增派警力，调整放学分流方案", "anquan"),
        F("校内车辆限速", "校内车辆停放占用消防通道", "行政楼前",
          "施划禁停线，通知相关车主", "anquan"),
    ),
    A.SURROUNDINGS: (
        F("网吧、娱乐场所", "校门口有流动摊贩售卖“三无”食品", "学校南大门外50米",
          "联系城管劝离，放学时段加强巡查", "anquan"),
        F("周边建筑工地", "校园东侧工地围挡破损", "校园东侧约150米工地",
          "函告施工单位修复围挡", "anquan"),
        F("周边池塘、河道", "河道护栏缺失一段", "校园北侧约100米河道",
          "报请街道补装护栏，设置警示牌", "anquan", major=True),
        F("周边道路交通秩序", "周边道路乱停车，影响学生通行", "校门西侧道路",
          "联系交警和街道开展整治", "anquan"),
    ),
    A.LABS: (
        F("易燃易爆、剧毒", "危化品柜仅一把锁，未落实双人双锁", "@化学实验室",
          "加装第二把锁，钥匙由两人分别保管", "laoshi05"),
        F("洗眼器", "洗眼器出水不畅", "@化学实验室", "更换洗眼器", "shuigong"),
        F("实验废液", "实验废液未分类收集", "@化学实验室",
          "配置分类废液桶，联系有资质单位回收", "laoshi05"),
        F("实验室配备灭火器", "实验室灭火毯缺失", "@物理实验室", "补配灭火毯和急救箱",
          "laoshi04"),
    ),
    A.SPORTS: (
        F("固定器材牢固", "篮球架底座锈蚀开焊", "篮球场", "焊接加固并除锈刷漆", "zonghe",
          major=True),
        F("固定器材牢固", "单杠立柱松动", "操场东侧器械区", "重新浇筑基础，加固立柱", "zonghe"),
        F("跑道、场地平整", "跑道局部塑胶起鼓破损", "田径场第3跑道", "局部修补塑胶跑道", "tiyu"),
        F("跑道、场地平整", "操场雨后积水", "田径场西侧", "疏通排水沟", "zonghe"),
        F("体育器材室", "损坏的跳箱未停用", "@器材室", "损坏器材贴停用标识，报废处理", "tiyu"),
        F("体育馆照明", "体育馆防护网破损", "@篮球馆", "更换防护网", "tiyu"),
    ),
    A.DORMITORY: (
        F("宿舍无违规电器", "宿舍查出违规电器（电热杯）", K.DORM,
          "没收违规电器，通报班主任", "suguan"),
        F("宿舍无违规电器", "宿舍私拉电线充电", K.DORM, "拆除私拉电线，对学生进行教育",
          "suguan"),
        F("宿舍疏散通道", "宿舍楼安全出口被锁闭", "{宿舍}一楼西侧安全出口",
          "打开安全出口，改装推杠锁", "suguan"),
        F("晚就寝查铺", "晚就寝查铺记录不完整", "{宿舍}宿管值班室",
          "宿管员按时查铺，每晚签字", "suguan"),
        F("床铺护栏", "上铺护栏松动", K.DORM, "紧固护栏螺栓", "mugong"),
        F("宿舍消防器材", "宿舍楼应急照明灯不亮", "{宿舍}三楼走廊", "更换应急照明灯",
          "diangong"),
        F("卫生间、浴室防滑", "浴室地面无防滑措施", K.DORM, "铺设防滑垫", "suguan"),
    ),
}  # fmt: skip

# Items the demo schools answer "not applicable" (phrase of the item: the note).
NOT_APPLICABLE = {
    "液化气钢瓶": "食堂使用管道天然气，无液化气钢瓶",
    "游泳池": "学校无游泳池",
    "校车不超员": "学校未开通校车",
    "接送学生车辆": "学校未开通校车",
}
# The neighbour (a primary school) has no dormitories either.
NEIGHBOUR_NOT_APPLICABLE = {**NOT_APPLICABLE, "宿舍": "学校无学生宿舍"}

# The rectification plan of a major hazard: (measures, funding in 元, interim measures).
PLANS = {
    "东侧围墙局部倾斜开裂": (
        "委托有资质的施工单位拆除重砌东侧围墙约45米，增设构造柱和圈梁，施工期间设置围挡",
        "86000.00",
        "围墙内侧2米设置隔离带和警示牌，禁止学生靠近；保安每日两次巡查围墙变化",
    ),
    "消防主机有3个故障点位未处理，部分烟感离线": (
        "由消防维保单位排查离线点位，更换故障烟感和模块，主机恢复联动后出具维保报告",
        "4800.00",
        "故障区域每日增加两次人工巡查，配足灭火器，监控室24小时值守",
    ),
    "灶台燃气软管老化开裂": (
        "停用该灶台，由燃气公司更换金属软管并对全部灶具管路检漏",
        "1200.00",
        "关闭该灶前阀并挂停用牌，开启排风，厨房内禁止明火以外的其他作业",
    ),
    "三楼走廊栏杆松动": (
        "对三楼走廊栏杆全部检查，松动段重新焊接加固，增设中间立柱",
        "6500.00",
        "松动段设置临时围挡和警示牌，课间安排教师值守，禁止学生倚靠",
    ),
}
DEFAULT_PLAN = (
    "制定专项整改方案，由总务处组织施工，完工后组织复查",
    "3000.00",
    "现场设置警示标志和隔离，安排专人巡查，必要时停用",
)
DEFERRAL_REASONS = [
    (
        "整改需要区教育局审批专项资金，已上报维修计划，安排在寒假施工",
        "设置隔离和警示标志，保安每日巡查，发现异常立即报告",
    ),
    ("所需配件需厂家订货，到货周期约三周", "临时增加人工巡查，配备备用器材"),
    ("需采购新设备，已报采购计划，等待审批", "临时调整位置加强覆盖，加强人工巡查"),
    ("需停水停电施工，安排在周末集中整改", "张贴警示，告知相关师生注意安全"),
]
REJECT_REASONS = [
    "现场仍有杂物未清理干净",
    "只整改了一处，另一处仍存在",
    "整改照片看不清，现场复查发现未整改到位",
    "检查卡未更新，请补全记录",
    "固定不牢固，仍有晃动",
]
CHECK_NOTES = ["", "", "复查合格", "现场查看已整改到位", "整改到位，同意销号"]
WITHDRAW_REASONS = [
    "与已上报的隐患重复",
    "经核实不属于安全隐患，已转报修处理",
    "现场已当场处理，不再立项",
]
SUMMARIES_CLEAN = ["", "", "巡查正常", "未发现异常"]
SUMMARIES_HAZARDS = ["", "发现的隐患已拍照上报总务处", "隐患已现场告知相关部门"]
OK_NOTES = ["", "", "", "", "", "", "正常", "已提醒相关人员注意"]

# Who is responsible for an area's hazards when the finding names no one:
# (department, username) in the demo school.
AREA_OWNERS = {
    A.FIRE: ("保卫科", "anquan"),
    A.ELECTRICAL: ("总务处", "diangong"),
    A.GAS: ("食堂", "shitang"),
    A.BUILDINGS: ("总务处", "zonghe"),
    A.CANTEEN: ("食堂", "shitang"),
    A.SECURITY_SYSTEMS: ("保卫科", "anquan"),
    A.GATE: ("保卫科", "anquan"),
    A.TRAFFIC: ("保卫科", "anquan"),
    A.SURROUNDINGS: ("保卫科", "anquan"),
    A.LABS: ("化学组", "laoshi05"),
    A.SPORTS: ("体育组", "tiyu"),
    A.DORMITORY: ("宿管中心", "suguan"),
    A.OTHER: ("总务处", "zonghe"),
}
# Hazards reported outside inspections (随手拍), by area.
REPORT_WEIGHTS = {
    A.BUILDINGS: 20,
    A.ELECTRICAL: 18,
    A.FIRE: 16,
    A.DORMITORY: 8,
    A.SPORTS: 6,
    A.CANTEEN: 6,
    A.SECURITY_SYSTEMS: 6,
    A.GAS: 3,
    A.GATE: 4,
    A.TRAFFIC: 4,
    A.SURROUNDINGS: 4,
    A.LABS: 4,
}

# The neighbour's own safety people (username, name, department, roles, phone), and who
# stands in there for the demo school's people.
NEIGHBOUR_PEOPLE = [
    ("htsx-zongwu", "沈建新", "总务处", [Role.GENERAL_AFFAIRS, Role.STAFF], "13900000103"),
    ("htsx-anquan", "蔡国庆", "保卫科", [Role.SAFETY_OFFICER, Role.STAFF], "13900000104"),
]
NEIGHBOUR_WHO = {
    "anquan": "htsx-anquan",
    "wangluo": "htsx-dianjiao",
    "kongtiao": "htsx-dianjiao",
    "tiyu": "htsx-laoshi5",
    "laoshi04": "htsx-laoshi4",
    "laoshi05": "htsx-laoshi4",
}
NEIGHBOUR_DEPARTMENTS = {
    A.FIRE: "保卫科",
    A.SECURITY_SYSTEMS: "保卫科",
    A.GATE: "保卫科",
    A.TRAFFIC: "保卫科",
    A.SURROUNDINGS: "保卫科",
}

# Drills by calendar month: (kind, title, where, participants, evacuation seconds, notes).
FIRE_NOTES = (
    "演练前利用广播对学生进行统一培训，演练中关注师生行为，演练后及时点评，"
    "增强安全意识，提升自护能力。"
)
DRILLS = {
    9: [
        (DrillKind.FIRE_EVACUATION, "秋季开学消防疏散演练", "全校教学楼、田径场", 2380, 285,
         FIRE_NOTES),
        (DrillKind.ANTI_TERROR, "警校联合反恐防暴演练", "学校南大门", 86, None,
         "湖塘派出所民警现场指导，保安、行政和男教师演练持械人员闯入校园的处置流程，"
         "检验门卫“八大件”使用和一键报警。"),
    ],
    10: [(DrillKind.FIRE_EVACUATION, "消防疏散演练", "全校教学楼、田径场", 2360, 262, FIRE_NOTES)],
    11: [
        (DrillKind.FIRE_EVACUATION, "“119”消防宣传日疏散演练", "全校教学楼、田径场", 2410, 248,
         "结合“119”消防宣传日，武进消防救援站指导灭火器使用，师生分批实操。"),
    ],
    12: [(DrillKind.EARTHQUAKE, "防震应急疏散演练", "全校教学楼、田径场", 2390, 236,
          "听到警报后就地避险，警报解除后按路线有序疏散到田径场，班主任清点人数上报。")],
    1: [(DrillKind.FIRE_EVACUATION, "期末消防疏散演练", "宿舍楼", 760, 198,
         "夜间模拟宿舍楼起火，宿管员组织学生用湿毛巾捂口鼻低姿疏散。")],
    2: [(DrillKind.FIRE_EVACUATION, "春季开学消防疏散演练", "全校教学楼、田径场", 2350, 279,
         FIRE_NOTES)],
    3: [(DrillKind.STAMPEDE, "防踩踏安全演练", "求真楼、求实楼楼梯", 1620, 214,
         "课间模拟楼梯拥挤，楼梯口值守教师疏导，学生靠右慢行。")],
    4: [(DrillKind.ANTI_TERROR, "反恐防暴应急演练", "学校南大门、行政楼", 72, None,
         "模拟可疑人员强行闯入，门卫拦截、报警、疏散学生，民警到场处置。")],
    5: [(DrillKind.EARTHQUAKE, "“5·12”防灾减灾日地震应急疏散演练", "全校教学楼、田径场", 2420,
         231, "结合全国防灾减灾日，开展地震避险和疏散演练，演练后召开主题班会。")],
    6: [(DrillKind.DROWNING, "防溺水安全教育及救援演练", "体育馆", 320, None,
         "暑假前防溺水教育，体育组教师示范岸上施救和心肺复苏。")],
    7: [(DrillKind.FOOD_SAFETY, "食堂食物中毒应急处置演练", "食堂", 46, None,
         "模拟学生就餐后集体不适，食堂封存留样，校医处置，按程序上报。")],
}  # fmt: skip

# Responsibility agreements: who signs which (usernames of the demo school).
HEADS = {
    "xiaozhang": [(AgreementKind.OTHER, "学校安全工作目标责任书（与区教育局签订）")],
    "zongwu": [
        (AgreementKind.DEPARTMENT, "总务处安全工作责任书"),
        (AgreementKind.FIRE, "消防安全工作责任状"),
    ],
    "anquan": [
        (AgreementKind.DEPARTMENT, "保卫科安全工作责任书"),
        (AgreementKind.FIRE, "消防安全工作责任状"),
    ],
    "shitang": [(AgreementKind.CANTEEN, "食堂食品安全责任书")],
    "suguan": [(AgreementKind.DEPARTMENT, "宿管中心安全工作责任书")],
}
HEAD_TEACHER = (AgreementKind.HEAD_TEACHER, "班主任安全工作责任书")
STAFF_AGREEMENT = (AgreementKind.STAFF, "教职工安全工作责任状")
TECHNICIAN_AGREEMENT = (AgreementKind.STAFF, "后勤维修人员安全责任书")
# Who has not signed this year's yet (the coverage is not 100%), and who joined this year.
UNSIGNED = {"kongtiao", "wangluo", "laoshi13", "yingyu", "htsx-laoshi3", "htsx-dianjiao"}
NEW_THIS_YEAR = {"laoshi13", "laoshi14", "htsx-laoshi6"}


# --- Entry ----------------------------------------------------------------------------------


def seed_safety(school, *, main=True, account=None):
    """Give a demo school its checklists, schedules and a semester of safety records
    (``main``: the demo school; else its smaller neighbour). ``account(username,
    **fields)`` makes the neighbour's safety officer and general affairs if missing.
    Returns the counts made ({} when the school already had safety records)."""
    checklists_load_defaults(school)
    if not main and account is not None:
        _neighbour_people(school, account)
    if _has_records(school):
        return {}
    seed = SEED if main else SEED + 1
    return _Seeder(school, main=main, seed=seed).run()


def _has_records(school):
    return any(
        model.objects.filter(school=school).exists()
        for model in (InspectionSchedule, Inspection, Hazard, Drill, SafetyAgreement)
    )


def _neighbour_people(school, account):
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    departments = {}
    for name in ("总务处", "保卫科"):
        departments[name] = Department.objects.get_or_create(school=school, name=name)[0]
    for username, name, department, roles, phone in NEIGHBOUR_PEOPLE:
        user = account(
            username,
            name=name,
            school=school,
            department=departments[department],
            phone=phone,
            email=f"{username}@htsx.example.cn",
        )
        user.groups.add(*(groups[str(r)] for r in roles))


def finding_items(items):
    """``{item pk: [findings]}`` for checklist ``items`` (objects with ``pk``, ``area``,
    ``text``): the findings whose phrase the item's text holds."""
    result = {}
    for item in items:
        for finding in FINDINGS.get(item.area, ()):
            if finding.item in item.text:
                result.setdefault(item.pk, []).append(finding)
    return result


def not_applicable_note(text, table=NOT_APPLICABLE):
    for phrase, note in table.items():
        if phrase in text:
            return note
    return ""


def school_day(day, semesters):
    """A weekday in one of ``semesters`` (``(start, end)`` pairs), not a public holiday."""
    return (
        day.weekday() < 5
        and (day.month, day.day) not in HOLIDAYS
        and any(start <= day <= end for start, end in semesters)
    )


class Places:
    """Where findings happen in one school: rooms by kind and by name, building names."""

    def __init__(self, rooms, buildings):
        """``rooms``: ``(pk, kind, name, building name)``; ``buildings``: names in order."""
        self.by_kind, self.by_name = {}, {}
        teaching, dorms = set(), set()
        for pk, kind, name, building in rooms:
            self.by_kind.setdefault(kind, []).append(pk)
            if name:
                self.by_name.setdefault(name, []).append(pk)
            if kind in (K.CLASSROOM, K.OFFICE, K.LAB):
                teaching.add(building)
            elif kind == K.DORM:
                dorms.add(building)
        self.teaching = [b for b in buildings if b in teaching] or ["教学楼"]
        self.dorms = [b for b in buildings if b in dorms] or ["宿舍楼"]
        self.any = [pk for pks in self.by_kind.values() for pk in pks]

    @classmethod
    def of(cls, school):
        rooms = list(
            Room.objects.filter(building__school=school, is_active=True)
            .order_by("building__name", "floor", "number", "pk")
            .values_list("pk", "kind", "name", "building__name")
        )
        buildings = []
        for *_rest, building in rooms:
            if building not in buildings:
                buildings.append(building)
        return cls(rooms, buildings)

    def has(self, where):
        """Whether the school has the place (a room kind it has rooms of, or any other)."""
        if where in K.values:
            return bool(self.by_kind.get(where))
        return "{宿舍}" not in where or self.dorms != ["宿舍楼"]

    def pick(self, rng, where):
        """``(room id or None, place)`` for a finding's ``where``."""
        if where in K.values:
            rooms = self.by_kind.get(where) or self.any
            if rooms:
                return rooms[rng.randrange(len(rooms))], ""
            return None, str(K(where).label)
        if where.startswith("@"):
            rooms = self.by_name.get(where[1:])
            if rooms:
                return rooms[rng.randrange(len(rooms))], ""
            return None, where[1:]
        if "{楼}" in where:
            where = where.replace("{楼}", self.teaching[rng.randrange(len(self.teaching))])
        if "{宿舍}" in where:
            where = where.replace("{宿舍}", self.dorms[rng.randrange(len(self.dorms))])
        return None, where


# --- The simulation -------------------------------------------------------------------------


@dataclass
class _Step:
    at: datetime
    field: str  # "status", or the field a service records (responsible_person, plan, deadline)
    to: str
    actor: object
    note: str = ""
    from_: str = ""  # for the fields other than status (a status step's comes from the replay)
    updates: dict = field(default_factory=dict)
    extra: tuple | None = None  # ("plan" | "deferral", kwargs): a row made by the step


@dataclass
class _Fate:
    """What happens to a hazard; ``stop`` is the status its life stops in (None: closed)."""

    withdraw: str = ""
    major: bool = False
    stop: str | None = None
    rejects: int = 0
    deferrals: tuple = ()  # (days after the start, days added to the deadline)
    deadline_days: int | None = None
    days: float | None = None  # how long the work takes once started
    assign_hours: tuple = (0.5, 8)


@dataclass
class _Hazard:
    fields: dict
    finding: Finding
    t0: datetime  # recorded (reported, or its inspection submitted)
    fate: _Fate
    inspection: object = None  # an _Inspection
    steps: list = field(default_factory=list)


@dataclass
class _Inspection:
    fields: dict
    items: list  # ChecklistItem (the template's in use, of its area)
    history: list = field(default_factory=list)  # (at, from, to, actor, note)
    results: list = field(default_factory=list)  # dicts of InspectionResult fields
    hazards: list = field(default_factory=list)  # _Hazard, in item order
    forced: list = field(default_factory=list)  # (finding, fate): hazards it must find


class _Seeder:
    def __init__(self, school, *, main, seed):
        self.school = school
        self.main = main
        self.rng = random.Random(seed)  # noqa: S311 - made-up demo data
        self.tz = timezone.get_default_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.na_table = NOT_APPLICABLE if main else NEIGHBOUR_NOT_APPLICABLE
        self.inspections: list[_Inspection] = []
        self.hazards: list[_Hazard] = []
        self.used_places = set()

    # -- set-up --

    def run(self):
        people = User.objects.filter(school=self.school, is_active=True).order_by("pk")
        people = people.select_related("department").prefetch_related("groups")
        self.people = {u.username: u for u in people}
        self.office = self._with_role(Role.GENERAL_AFFAIRS, "zongwu", "htsx-zongwu")
        self.officer = self._with_role(Role.SAFETY_OFFICER, "anquan", "htsx-anquan")
        if self.office is None or self.officer is None:
            return {}  # nobody to inspect or to check: not a demo school
        self.principal = self._with_role(Role.PRINCIPAL, "xiaozhang") or self.office
        self.departments = {d.name: d for d in Department.objects.filter(school=self.school)}
        self.places = Places.of(self.school)
        self.templates = {
            t.default_key: t
            for t in ChecklistTemplate.objects.filter(school=self.school, is_active=True)
            if t.default_key
        }
        self.items = {}
        for item in ChecklistItem.objects.filter(
            template__in=self.templates.values(), is_active=True
        ).order_by("sort_order", "pk"):
            self.items.setdefault(item.template_id, []).append(item)
        self.findings = finding_items(item for items in self.items.values() for item in items)
        self._calendar()
        self._schedules()
        self._plan_inspections()
        self._plan_reports()
        counts = self._write()
        counts["drills"] = self._drills()
        counts["agreements"] = self._agreements()
        figures_changed(self.school)  # written in bulk: no signal raised the stamp
        return counts

    def _with_role(self, role, *usernames):
        for username in usernames:
            user = self.people.get(username)
            if user is not None and user.has_role(role):
                return user
        return next((u for u in self.people.values() if u.has_role(role)), None)

    def _calendar(self):
        semesters = Semester.objects.filter(school=self.school)
        if not semesters.exists():  # the neighbour follows the district's terms
            semesters = Semester.objects.filter(school__district_id=self.school.district_id)
        self.semesters = sorted(set(semesters.values_list("start_date", "end_date")))
        if not self.semesters:
            self.semesters = [(self.today - timedelta(days=120), self.today + timedelta(days=60))]
        current = [s for s in self.semesters if s[0] <= self.today <= s[1]]
        start = current[0][0] if current else self.today - timedelta(days=120)
        if (self.today - start).days < 42:
            start = self.today - timedelta(days=120)
        self.start = start
        # The semesters (terms) the records cover.
        self.terms = [s for s in self.semesters if s[0] <= self.today and s[1] >= start]
        self.term_start = min(s[0] for s in self.terms) if self.terms else start
        # The daily patrol: the last four weeks of term (up to today); it stops with the
        # term, so the tick makes none in the holidays.
        ended = [s for s in self.semesters if s[0] <= self.today]
        self.daily_until = min(self.today, ended[-1][1]) if ended else self.today
        monday = self.daily_until - timedelta(days=27)
        self.daily_from = max(
            monday - timedelta(days=monday.weekday()), ended[-1][0] if ended else monday
        )
        self.daily_ends = ended[-1][1] if ended else None

    def is_school_day(self, day):
        return school_day(day, self.semesters)

    def school_days(self, first, last):
        day, days = first, []
        while day <= last:
            if self.is_school_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    # -- time --

    def _at(self, day, hours):
        return datetime.combine(day, time(0), tzinfo=self.tz) + timedelta(hours=hours)

    @staticmethod
    def _window(day):
        if (day.month, day.day) in HOLIDAYS:
            return None
        return {5: (8.0, 11.5), 6: None}.get(day.weekday(), (7.5, 17.5))

    def _work(self, t):
        """``t`` if it falls in working hours, else a few minutes into the next window."""
        local = timezone.localtime(t, self.tz)
        day = local.date()
        hour = local.hour + local.minute / 60
        for i in range(20):
            window = self._window(day)
            if window:
                if i == 0 and window[0] <= hour < window[1]:
                    return t
                if i > 0 or hour < window[0]:
                    return self._at(day, window[0]) + timedelta(minutes=self.rng.uniform(5, 50))
            day += timedelta(days=1)
        return t

    def _after(self, t, low, high):
        """``low``–``high`` hours after ``t``, moved into working hours."""
        return self._work(t + timedelta(hours=self.rng.uniform(low, high)))

    def _back(self, work_hours):
        """The moment ``work_hours`` of working time before now."""
        t = self.now
        left = work_hours * 60
        while left > 0:
            t -= timedelta(minutes=15)
            local = timezone.localtime(t, self.tz)
            window = self._window(local.date())
            hour = local.hour + local.minute / 60
            if window and window[0] <= hour < window[1]:
                left -= 15
        return t.replace(second=0, microsecond=0)

    def _days_ago(self, days, hour=None):
        day = self.today - timedelta(days=days)
        while self._window(day) is None:
            day -= timedelta(days=1)
        return self._at(day, hour if hour is not None else self.rng.uniform(8, 16.5))

    def _past(self, t):
        """``t``, or just before now if later."""
        return min(t, self.now - timedelta(minutes=1))

    def _local_date(self, t):
        return timezone.localtime(t, self.tz).date()

    # -- people --

    def _person(self, username):
        if not self.main:
            username = NEIGHBOUR_WHO.get(username, "htsx-weixiu")
        person = self.people.get(username)
        if person is None or person == self.office:
            person = self.officer
        return person

    def _department(self, person, area):
        if person.department_id:
            return person.department
        name = AREA_OWNERS[area][0] if self.main else NEIGHBOUR_DEPARTMENTS.get(area, "总务处")
        return self.departments.get(name)

    # -- schedules and inspections --

    def _schedules(self):
        main = self.main
        t = self.templates
        plan = [
            ("daily", "daily-patrol", self.officer, Frequency.DAILY, self.daily_from,
             "校门、教学楼、宿舍楼、食堂、消防通道和配电间"),
            ("weekly", "weekly-check", self.officer, Frequency.WEEKLY, self.start,
             "全校：消防器材、配电设施、门卫器材、食堂和周边环境"),
            ("monthly", "monthly-check", self.office, Frequency.MONTHLY, self.start,
             "安全检查领导小组：校长、总务处、保卫科" if main else "安全检查领导小组"),
            ("term", "term-start", self.principal, Frequency.TERM, self.term_start,
             "全校：校舍、设施设备、消防、用电、燃气、食堂、周界报警与监控、校园周边200米"),
        ]  # fmt: skip
        if not main:
            plan = [p for p in plan if p[0] in ("weekly", "monthly")]
        self.schedules = {}
        rows = []
        for key, template_key, inspector, frequency, starts_on, scope in plan:
            if template_key not in t:
                continue
            rows.append(
                InspectionSchedule(
                    school=self.school,
                    template=t[template_key],
                    inspector=inspector,
                    frequency=frequency,
                    scope_note=scope,
                    starts_on=starts_on,
                    ends_on=self.daily_ends if key == "daily" else None,
                )
            )
            self.schedules[key] = rows[-1]
        InspectionSchedule.objects.bulk_create(rows)
        for row in rows:
            row.created_at = self._at(row.starts_on - timedelta(days=3), 10)
        _stamp(InspectionSchedule, "created_at", rows)

    def _new(
        self,
        template,
        *,
        inspector,
        first,
        last,
        schedule=None,
        location="",
        creator=None,
        created_at=None,
    ):
        """An inspection of ``template`` for ``first``..``last``, made by the tick (from
        ``schedule``, no history) or by hand (``creator``: planned, recorded)."""
        created_at = created_at or self._at(first, 0.05 + self.rng.uniform(0, 0.5))
        inspection = _Inspection(
            fields={
                "school": self.school,
                "schedule": schedule,
                "template": template,
                "kind": template.kind,
                "inspector": inspector,
                "area": template.area,
                "location": location or (schedule.scope_note if schedule else ""),
                "period_start": first,
                "period_end": last,
                "due_at": day_end(last),
                "status": IS.PLANNED,
                "created_at": created_at,
            },
            items=list(self.items.get(template.pk, [])),
        )
        if creator is not None:
            inspection.history.append((created_at, "", IS.PLANNED, creator, ""))
        self.inspections.append(inspection)
        return inspection

    def _cancel(self, inspection, at, reason):
        # Never before it was made, never after now.
        created = inspection.fields["created_at"]
        at = max(created + timedelta(minutes=1), min(at, self.now - timedelta(minutes=1)))
        inspection.fields["status"] = IS.CANCELLED
        inspection.history.append((at, IS.PLANNED, IS.CANCELLED, self.office, reason))

    def _start(self, inspection, at):
        inspection.fields["status"] = IS.DRAFT
        inspection.fields["started_at"] = at
        inspection.history.append((at, IS.PLANNED, IS.DRAFT, inspection.fields["inspector"], ""))

    def _do(self, inspection, started, *, hazards=0, answered=1.0, submitted=None):
        """Start ``inspection`` at ``started`` and answer ``answered`` of its items (hazards
        on ``hazards`` of them, plus the forced ones); submit it at ``submitted``."""
        rng = self.rng
        if started > self.now - timedelta(minutes=30):
            return inspection  # not begun yet
        if submitted is not None and submitted > self.now - timedelta(minutes=1):
            submitted, answered = None, min(answered, 0.7)  # still being done
        self._start(inspection, started)
        inspector = inspection.fields["inspector"]
        items = inspection.items
        answered_count = len(items) if answered >= 1 else int(len(items) * answered)
        minutes = rng.uniform(0.6, 1.6)  # per item
        candidates = [i for i in range(answered_count) if items[i].pk in self.findings]
        forced = {}
        for finding, fate in inspection.forced:
            position = next((i for i in candidates if finding in self.findings[items[i].pk]), None)
            if position is not None:
                forced[position] = (finding, fate)
        rng.shuffle(candidates)
        chosen = {i: None for i in candidates if i not in forced}
        chosen = dict(list(chosen.items())[:hazards])
        chosen.update(forced)
        for position, item in enumerate(items):
            result = {
                "item": item,
                "area": item.area,
                "text": item.text,
                "sort_order": item.sort_order,
            }
            inspection.results.append(result)
            if position >= answered_count:
                continue
            at = started + timedelta(minutes=minutes * (position + 1))
            result.update(recorded_by=inspector, recorded_at=at)
            na = not_applicable_note(item.text, self.na_table)
            hazard = None
            if position in chosen and not na:
                hazard = self._found(inspection, item, at, chosen[position])
            if hazard is not None:
                result.update(
                    outcome=Outcome.HAZARD,
                    note=hazard.finding.note,
                    hazard_level=hazard.fields["level"],
                    room_id=hazard.fields["room_id"],
                    location=hazard.fields["location"],
                    hazard=hazard,
                )
            elif na:
                result.update(outcome=Outcome.NOT_APPLICABLE, note=na)
            else:
                result.update(outcome=Outcome.OK, note=rng.choice(OK_NOTES))
        if submitted is None:
            return inspection
        found = len(inspection.hazards)
        inspection.fields.update(
            status=IS.SUBMITTED,
            submitted_at=submitted,
            summary=rng.choice(SUMMARIES_HAZARDS if found else SUMMARIES_CLEAN),
        )
        note = (
            ngettext("%(count)s hazard found", "%(count)s hazards found", found) % {"count": found}
            if found
            else _("No hazards")
        )
        inspection.history.append((submitted, IS.DRAFT, IS.SUBMITTED, inspector, note))
        for hazard in inspection.hazards:
            hazard.t0 = submitted
        return inspection

    def _found(self, inspection, item, at, chosen):
        """The hazard answered on ``item`` at ``at`` (a finding of the item, in a place not
        already holding an open hazard of the same item), or None."""
        if chosen is None:
            options = [f for f in self.findings[item.pk] if self.places.has(f.where)]
            if not options:
                return None
            finding = self.rng.choice(options)
            fate = self._random_fate(finding)
        else:
            finding, fate = chosen
        room_id, location = self._place(item.pk, finding)
        hazard = _Hazard(
            fields={
                "school": self.school,
                "level": HazardLevel.MAJOR if fate.major else HazardLevel.GENERAL,
                "category": item.area,
                "description": f"{item.text}：{finding.note}",
                "room_id": room_id,
                "location": location,
                "found_by": inspection.fields["inspector"],
                "found_at": at,
                "source_item": item,
            },
            finding=finding,
            t0=at,
            fate=fate,
            inspection=inspection,
        )
        inspection.hazards.append(hazard)
        self.hazards.append(hazard)
        return hazard

    def _place(self, item_id, finding):
        for _attempt in range(6):
            room_id, location = self.places.pick(self.rng, finding.where)
            if (item_id, room_id, location) not in self.used_places:
                break
        self.used_places.add((item_id, room_id, location))
        return room_id, location

    def _fate(self, **fields):
        rng = self.rng
        fate = _Fate(**fields)
        if not fields:
            roll = rng.random()
            if roll < 0.03:
                fate.withdraw = rng.choice(WITHDRAW_REASONS)
            elif roll < 0.11:
                fate.rejects = 1
        return fate

    def _random_fate(self, finding):
        fate = self._fate()
        if finding.major and not fate.withdraw and self.rng.random() < 0.2:
            fate.major = True
        return fate

    def _plan_inspections(self):
        rng = self.rng
        today, now = self.today, self.now
        # The daily patrol: every school day of the last four weeks; weekends cancelled.
        schedule = self.schedules.get("daily")
        if schedule is not None:
            days = []
            day = self.daily_from
            while day <= self.daily_until:
                days.append(day)
                day += timedelta(days=1)
            school_days = [d for d in days if self.is_school_day(d) and d < today]
            missed = set(school_days[5:6] + school_days[14:15])
            stale = set(school_days[9:10])  # started, never submitted
            late = set(school_days[3:4] + school_days[17:18])
            for day in days:
                inspection = self._new(
                    schedule.template,
                    inspector=schedule.inspector,
                    first=day,
                    last=day,
                    schedule=schedule,
                )
                if not self.is_school_day(day):
                    reason = "双休日不安排日巡视" if day.weekday() >= 5 else "假期不安排日巡视"
                    self._cancel(inspection, self._at(day, 8 + rng.uniform(0, 1.5)), reason)
                    continue
                started = self._at(day, 7.3 + rng.uniform(0, 1.2))
                if day == today:
                    if started < now - timedelta(minutes=40):
                        self._do(inspection, started, hazards=0, answered=0.6)
                    continue
                if day in missed:
                    continue
                if day in stale:
                    self._do(inspection, started, answered=0.4)
                    continue
                hazards = rng.choices([0, 1, 2], [58, 34, 8])[0]
                submitted = started + timedelta(minutes=rng.uniform(40, 80))
                if day in late:
                    submitted = self._at(day + timedelta(days=1), 7.6 + rng.uniform(0, 0.8))
                self._do(inspection, started, hazards=hazards, submitted=submitted)

        # The weekly check: every week of the semester, on its Thursday or Friday.
        schedule = self.schedules.get("weekly")
        if schedule is not None:
            monday = self.start - timedelta(days=self.start.weekday())
            weeks = []
            while monday <= today:
                weeks.append(monday)
                monday += timedelta(days=7)
            missed = weeks[len(weeks) // 2] if len(weeks) > 4 else None
            late = weeks[2] if len(weeks) > 6 else None
            for monday in weeks:
                sunday = monday + timedelta(days=6)
                inspection = self._new(
                    schedule.template,
                    inspector=schedule.inspector,
                    first=monday,
                    last=sunday,
                    schedule=schedule,
                    created_at=self._at(max(monday, schedule.starts_on), 0.05),
                )
                days = self.school_days(monday, sunday)
                if not days:
                    self._cancel(inspection, self._at(monday, 9), "假期，本周不检查")
                    continue
                done = [d for d in days if d.weekday() >= 3] or days
                day = done[-1] if rng.random() < 0.5 else done[0]
                started = self._at(day, 14 + rng.uniform(0, 1.5))
                if started > now - timedelta(hours=3) or monday == missed:
                    continue  # still to do (or never done)
                submitted = started + timedelta(hours=rng.uniform(1.2, 2.5))
                if monday == late:
                    submitted = self._at(sunday + timedelta(days=1), 8.5 + rng.uniform(0, 1))
                hazards = rng.choices([0, 1, 2, 3], [22, 38, 28, 12])[0]
                self._do(inspection, started, hazards=hazards, submitted=submitted)

        # The leadership group's monthly check, in the last days of term of each month.
        schedule = self.schedules.get("monthly")
        if schedule is not None:
            month = self.start.replace(day=1)
            scripted = self._scripted_monthly()
            while month <= today:
                following = (month + timedelta(days=32)).replace(day=1)
                last = following - timedelta(days=1)
                inspection = self._new(
                    schedule.template,
                    inspector=schedule.inspector,
                    first=month,
                    last=last,
                    schedule=schedule,
                    created_at=self._at(max(month, schedule.starts_on), 0.05),
                )
                days = self.school_days(max(month, self.start), last)
                if not days:
                    self._cancel(inspection, self._at(month, 9), "假期，本月不检查")
                elif following <= today:
                    late_days = [d for d in days if d.day >= 20] or days
                    day = late_days[-2] if len(late_days) > 1 else late_days[-1]
                    started = self._at(day, 8.5 + rng.uniform(0, 1))
                    if started < now - timedelta(hours=6):
                        if scripted:
                            inspection.forced.append(scripted.pop(0))
                        hazards = rng.randint(2, 4) if self.main else rng.randint(1, 3)
                        self._do(
                            inspection,
                            started,
                            hazards=hazards,
                            submitted=started + timedelta(hours=rng.uniform(2.5, 4)),
                        )
                month = following

        # The start-of-term full inspection, led by the principal.
        schedule = self.schedules.get("term")
        if schedule is not None:
            for first, last in self.terms:
                inspection = self._new(
                    schedule.template,
                    inspector=schedule.inspector,
                    first=first,
                    last=last,
                    schedule=schedule,
                )
                day = (self.school_days(first, first + timedelta(days=10)) or [first])[0]
                started = self._at(day, 8.5)
                if started > now:
                    continue
                if first == self.terms[-1][0]:
                    inspection.forced.append(self._scripted_wall())
                next_day = (
                    self.school_days(day + timedelta(days=1), day + timedelta(days=7)) or [day]
                )[0]
                self._do(
                    inspection,
                    started,
                    hazards=rng.randint(5, 7),
                    submitted=min(self._at(next_day, 16 + rng.uniform(0, 1)), now),
                )

        self._special_inspections()

    def _special_inspections(self):
        rng, t, today = self.rng, self.templates, self.today
        people = self.people
        canteen = people.get("shitang") or self.office
        dorms = people.get("suguan") or self.officer
        # (template key, inspector, first day, length in days, what becomes of it)
        plan = [
            ("special-canteen", canteen, self.start + timedelta(days=1), 3, "done"),
            ("special-surroundings", self.officer, self.start + timedelta(days=44), 2, "done"),
            ("special-dormitory", dorms, self.start + timedelta(days=61), 2, "done"),
            ("special-fire", self.officer, today - timedelta(days=2), 7, "draft"),
            ("special-gas", self.office, today + timedelta(days=7 - today.weekday()), 5,
             "planned"),
        ]  # fmt: skip
        if not self.main:
            plan = [
                ("special-fire", self.officer, today - timedelta(days=16), 3, "done"),
                ("special-buildings", self.office, today - timedelta(days=1), 5, "draft"),
            ]
        for key, inspector, first, length, fate in plan:
            if key not in t:
                continue
            last = first + timedelta(days=length - 1)
            if fate == "done" and last >= today - timedelta(days=1):
                continue
            created = self._past(self._work(self._at(first - timedelta(days=rng.randint(3, 6)), 9)))
            inspection = self._new(
                t[key],
                inspector=inspector,
                first=first,
                last=last,
                creator=self.office,
                created_at=created,
            )
            if fate == "planned":
                continue
            days = self.school_days(first, min(last, today)) or [first]
            started = self._at(days[0], 9 + rng.uniform(0, 1.5))
            if fate == "draft":
                started = min(started, self.now - timedelta(hours=1))
                self._do(inspection, started, answered=0.6)
                continue
            self._do(
                inspection,
                started,
                hazards=rng.randint(1, 3),
                submitted=started + timedelta(hours=rng.uniform(1.5, 3)),
            )

    def _finding(self, area, note):
        return next(f for f in FINDINGS[area] if f.note == note)

    def _scripted_wall(self):
        """The term inspection finds the leaning wall: major, planned, deferred to the
        winter holidays, still being rectified (not overdue)."""
        finding = self._finding(A.BUILDINGS, "东侧围墙局部倾斜开裂")
        if not self.main:
            return finding, self._fate(major=True)
        return finding, self._fate(
            major=True, stop=S.RECTIFYING, deadline_days=30, deferrals=((24, 150),)
        )

    def _scripted_monthly(self):
        """The monthly checks' findings the demo promises: the fire alarm panel (major,
        closed)."""
        if not self.main:
            return []
        finding = self._finding(A.FIRE, "消防主机有3个故障点位未处理，部分烟感离线")
        return [(finding, self._fate(major=True, deadline_days=20, days=9))]

    # -- hazards reported outside inspections --

    def _plan_reports(self):
        rng = self.rng
        reporters = [u for u in self.people.values() if u != self.office]
        weights = [
            6 if u == self.officer else 2 if u.has_role(Role.TECHNICIAN) else 1 for u in reporters
        ]
        areas = [a for a in REPORT_WEIGHTS if self.main or a != A.DORMITORY]
        area_weights = [REPORT_WEIGHTS[a] for a in areas]
        count = 130 if self.main else 12
        span = (self.now - self._at(self.start, 8)).total_seconds()
        for _i in range(count):
            t0 = self._work(self._at(self.start, 8) + timedelta(seconds=rng.uniform(0, span)))
            if t0 > self.now - timedelta(hours=1):
                continue
            area = rng.choices(areas, area_weights)[0]
            options = [f for f in FINDINGS[area] if self.places.has(f.where)]
            finding = rng.choice(options)
            self._report(
                finding, rng.choices(reporters, weights)[0], t0, self._random_fate(finding)
            )
        if self.main:
            self._scripted_reports()

    def _report(self, finding, reporter, t0, fate):
        room_id, location = self._place(None, finding)
        area = next(a for a, rows in FINDINGS.items() if finding in rows)
        hazard = _Hazard(
            fields={
                "school": self.school,
                "level": HazardLevel.MAJOR if fate.major else HazardLevel.GENERAL,
                "category": area,
                "description": finding.note,
                "room_id": room_id,
                "location": location,
                "found_by": reporter,
                "found_at": t0,
            },
            finding=finding,
            t0=t0,
            fate=fate,
        )
        self.hazards.append(hazard)
        return hazard

    def _scripted_reports(self):
        """The demo's promised cases: a major hazard in every open state, overdue ones, a
        rejected rectification, a deferral, fresh reports not yet assigned, withdrawals."""
        people = self.people
        officer = self.officer
        shitang = people.get("shitang") or officer
        teacher = people.get("jiaoshi") or officer
        weixiu = people.get("weixiu") or officer
        back, ago = self._back, self._days_ago
        f = self._finding
        fate = self._fate
        script = [
            # Major: the gas hose, planned and being rectified (deadline ahead).
            (f(A.GAS, "灶台燃气软管老化开裂"), shitang, ago(4, 10.5),
             fate(major=True, stop=S.RECTIFYING, deadline_days=14)),
            # Major: the railing, rectified, waiting for the check.
            (f(A.BUILDINGS, "三楼走廊栏杆松动"), officer, ago(12, 9.5),
             fate(major=True, stop=S.AWAITING_CHECK, deadline_days=20, days=5)),
            # Sent back once by the check, being rectified again.
            (f(A.FIRE, "消防通道堆放废旧课桌椅和纸箱"), officer, ago(9, 15),
             fate(rejects=1, stop=S.RECTIFYING, deadline_days=7, days=2)),
            # Sent back once, then closed.
            (f(A.FIRE, "疏散指示灯不亮"), teacher, ago(33, 10),
             fate(rejects=1, deadline_days=5, days=1.5)),
            # Deferred (采购), then closed.
            (f(A.SECURITY_SYSTEMS, "摄像头损坏，画面黑屏"), officer, ago(45, 9),
             fate(deadline_days=7, deferrals=((5, 21),), days=23)),
            # Overdue: assigned, never started; started, not finished.
            (f(A.ELECTRICAL, "楼层配电箱未上锁"), officer, ago(19, 14),
             fate(stop=S.REPORTED, deadline_days=5)),
            (f(A.BUILDINGS, "雨水井盖破损"), weixiu, ago(24, 10),
             fate(stop=S.RECTIFYING, deadline_days=7)),
            # Just reported, not yet assigned.
            (f(A.ELECTRICAL, "插座松动，面板烧黑"), teacher, back(1.5),
             fate(assign_hours=(40, 60))),
            (f(A.DORMITORY, "上铺护栏松动"), people.get("suguan") or officer, back(4),
             fate(assign_hours=(40, 60))),
            # Withdrawn.
            (f(A.BUILDINGS, "窗玻璃破裂"), teacher, ago(27, 9.5),
             fate(withdraw="经核实不属于安全隐患，已转报修处理")),
            (f(A.FIRE, "楼梯间堆放纸箱等可燃物"), weixiu, ago(16, 15),
             fate(withdraw="与已上报的隐患重复")),
        ]  # fmt: skip
        for finding, reporter, t0, hazard_fate in script:
            self._report(finding, reporter, t0, hazard_fate)

    # -- a hazard's life --

    def _life(self, hazard):
        """The steps of ``hazard`` (as the services take them), not yet cut at now."""
        rng = self.rng
        fate = hazard.fate
        office = self.office
        t0 = hazard.t0
        note = ""
        if hazard.inspection is not None:
            note = _("Found in the inspection “%(inspection)s”") % {
                "inspection": f"{hazard.inspection.fields['template'].name} · "
                + _period_label(hazard.inspection.fields)
            }
        steps = [_Step(t0, "status", S.REPORTED, hazard.fields["found_by"], note)]
        if fate.withdraw:
            steps.append(
                _Step(self._after(t0, 1, 20), "status", S.WITHDRAWN, office, fate.withdraw)
            )
            return steps
        finding = hazard.finding
        area = hazard.fields["category"]
        person = self._person(finding.who or AREA_OWNERS[area][1])
        department = self._department(person, area)
        major = hazard.fields["level"] == HazardLevel.MAJOR
        assigned = self._after(t0, *fate.assign_hours)
        days = fate.deadline_days or (
            rng.randint(15, 40) if major else rng.choice([3, 5, 5, 7, 7, 10])
        )
        deadline = self._local_date(assigned) + timedelta(days=days)
        lines = [
            _("Responsible: %(person)s%(department)s, by %(deadline)s")
            % {
                "person": person,
                "department": f" ({department})" if department else "",
                "deadline": date_format(deadline, "Y-m-d"),
            }
        ]
        steps.append(
            _Step(
                assigned,
                "responsible_person",
                person.display_name[:50],
                office,
                "\n".join(lines),
                updates={
                    "responsible_person": person,
                    "department": department,
                    "deadline": deadline,
                    "assigned_at": assigned,
                },
            )
        )
        t = assigned
        if major:
            measures, funding, interim = PLANS.get(finding.note, DEFAULT_PLAN)
            t = self._after(assigned, 2, 30)
            steps.append(
                _Step(
                    t,
                    "plan",
                    "plan",
                    office,
                    f"{_('Rectification plan written')}: {measures[:200]}",
                    extra=(
                        "plan",
                        {
                            "measures": measures,
                            "funding": Decimal(funding),
                            "responsible_person": person,
                            "deadline": deadline,
                            "interim_measures": interim,
                            "created_by": office,
                        },
                    ),
                )
            )
        if fate.stop == S.REPORTED:
            return steps
        started = self._after(t, 0.5, 40 if major else 12)
        steps.append(_Step(started, "status", S.RECTIFYING, person))
        current, last = deadline, started
        for n, (after_days, added) in enumerate(fate.deferrals, start=1):
            at = self._after(started, after_days * 24, after_days * 24 + 4)
            new = max(current + timedelta(days=added), self._local_date(at) + timedelta(days=7))
            reason, interim = DEFERRAL_REASONS[0 if major else rng.randrange(1, 4)]
            steps.append(
                _Step(
                    at,
                    "deadline",
                    new.isoformat(),
                    office,
                    reason,
                    from_=current.isoformat(),
                    updates={"deadline": new, "deferral_count": n},
                    extra=(
                        "deferral",
                        {
                            "reason": reason,
                            "previous_deadline": current,
                            "new_deadline": new,
                            "interim_measures": interim,
                            "created_by": office,
                        },
                    ),
                )
            )
            current, last = new, at
        if fate.stop == S.RECTIFYING and not fate.rejects:
            return steps
        if fate.days is not None:
            work = fate.days * 24
        elif major:
            work = rng.uniform(4, 15) * 24
        else:
            span = max(4.0, (days - 0.5) * 24)
            work = (
                rng.uniform(2, span * 0.5) if rng.random() < 0.9 else rng.uniform(span, span * 1.6)
            )
        done = max(self._after(started, work * 0.9, work * 1.1), self._after(last, 2, 8))
        for round_ in range(fate.rejects + 1):
            steps.append(
                _Step(
                    done,
                    "status",
                    S.AWAITING_CHECK,
                    person,
                    finding.fix,
                    updates={
                        "rectification_note": finding.fix,
                        "rectified_by": person,
                        "rectified_at": done,
                        "verified_by": None,
                        "verified_at": None,
                    },
                )
            )
            if fate.stop == S.AWAITING_CHECK:
                return steps
            checked = self._after(done, 1, 20)
            if round_ < fate.rejects:
                reason = rng.choice(REJECT_REASONS)
                steps.append(
                    _Step(
                        checked,
                        "status",
                        S.RECTIFYING,
                        office,
                        reason,
                        updates={
                            "verified_by": office,
                            "verified_at": checked,
                            "check_note": reason,
                        },
                    )
                )
                if fate.stop == S.RECTIFYING:
                    return steps
                done = self._after(checked, 4, 40)
                continue
            note = rng.choice(CHECK_NOTES)
            steps.append(
                _Step(
                    checked,
                    "status",
                    S.CLOSED,
                    office,
                    note,
                    updates={
                        "verified_by": office,
                        "verified_at": checked,
                        "check_note": note,
                        "closed_at": checked,
                    },
                )
            )
        return steps

    # -- writing --

    def _write(self):
        now = self.now
        inspections = [Inspection(**i.fields) for i in self.inspections]
        Inspection.objects.bulk_create(inspections, batch_size=500)
        for plan, row in zip(self.inspections, inspections, strict=True):
            plan.row = row

        hazards, histories, extras = [], [], []
        for plan in sorted(self.hazards, key=lambda h: h.t0):
            plan.row = None
            fields = dict(plan.fields)
            if plan.inspection is not None:
                fields["inspection"] = plan.inspection.row
                if plan.inspection.fields["status"] != IS.SUBMITTED:
                    continue  # found in a draft: a hazard only once submitted
            status, history, made = "", [], []
            for step in _sorted_steps(self._life(plan)):
                if step.at > now:
                    break
                fields.update(step.updates)
                if step.field == "status":
                    history.append((step.at, "status", status, step.to, step.actor, step.note))
                    status = step.to
                else:
                    history.append(
                        (step.at, step.field, step.from_, step.to, step.actor, step.note)
                    )
                if step.extra:
                    made.append((step.at, step.extra))
            fields["status"] = status
            plan.row = Hazard(**fields)
            hazards.append(plan.row)
            histories.append(history)
            extras.append(made)
        Hazard.objects.bulk_create(hazards, batch_size=500)
        for plan in self.hazards:
            if plan.row is not None:  # recorded when reported, or its inspection submitted
                plan.row.created_at = plan.t0
        _stamp(Hazard, "created_at", hazards)

        results = []
        for plan in self.inspections:
            for result in plan.results:
                values = dict(result)
                hazard = values.pop("hazard", None)
                if hazard is not None and hazard.row is None:
                    hazard = None  # not written: answered in a draft
                results.append(
                    InspectionResult(
                        inspection=plan.row, hazard=hazard.row if hazard else None, **values
                    )
                )
        InspectionResult.objects.bulk_create(results, batch_size=500)

        plans, deferrals, plan_times, deferral_times = [], [], [], []
        for hazard, made in zip(hazards, extras, strict=True):
            for at, (kind, values) in made:
                if kind == "plan":
                    plans.append(RectificationPlan(hazard=hazard, **values))
                    plan_times.append(at)
                else:
                    deferrals.append(HazardDeferral(hazard=hazard, **values))
                    deferral_times.append(at)
        RectificationPlan.objects.bulk_create(plans)
        HazardDeferral.objects.bulk_create(deferrals)
        for row, at in zip(plans, plan_times, strict=True):
            row.created_at = row.updated_at = at
        _stamp(RectificationPlan, "created_at", plans)
        _stamp(RectificationPlan, "updated_at", plans)
        for row, at in zip(deferrals, deferral_times, strict=True):
            row.created_at = at
        _stamp(HazardDeferral, "created_at", deferrals)

        inspection_type = ContentType.objects.get_for_model(Inspection)
        hazard_type = ContentType.objects.get_for_model(Hazard)
        changes, times = [], []
        for plan in self.inspections:
            for at, from_status, to, actor, note in plan.history:
                changes.append(
                    self._change(
                        inspection_type, plan.row.pk, "status", from_status, to, actor, note
                    )
                )
                times.append(at)
        for hazard, history in zip(hazards, histories, strict=True):
            for at, field_name, from_status, to, actor, note in history:
                changes.append(
                    self._change(hazard_type, hazard.pk, field_name, from_status, to, actor, note)
                )
                times.append(at)
        _write_changes(changes, times)
        return {
            "schedules": len(self.schedules),
            "inspections": len(inspections),
            "inspection results": len(results),
            "hazards": len(hazards),
            "rectification plans": len(plans),
            "deferrals": len(deferrals),
            "status changes": len(changes),
        }

    def _change(self, content_type, object_id, field_name, from_status, to, actor, note):
        return StatusChange(
            school=self.school,
            content_type=content_type,
            object_id=object_id,
            field=field_name,
            from_status=str(from_status),
            to_status=str(to),
            actor=actor,
            note=note,
        )

    # -- drills and agreements --

    def _drills(self):
        """Drills by the month's plan (``DRILLS``), for every month of term from the
        previous semester on; the last complete month of term has none."""
        rng = self.rng
        first = min(
            (s[0] for s in self.semesters if s[1] >= self.start - timedelta(days=200)),
            default=self.start,
        )
        months, month = [], first.replace(day=1)
        while month <= self.today:
            following = (month + timedelta(days=32)).replace(day=1)
            if self.school_days(month, following - timedelta(days=1)):
                months.append(month)
            month = following
        complete = [m for m in months if m < self.today.replace(day=1)]
        skipped = {complete[-1]} if complete else set()
        if not self.main:  # the neighbour misses one month in three
            skipped |= set(months[1::3])
        rows = []
        for month in months:
            if month in skipped:
                continue
            following = (month + timedelta(days=32)).replace(day=1)
            days = self.school_days(month, min(following - timedelta(days=1), self.today))
            for kind, title, where, people, seconds, notes in DRILLS.get(month.month, []):
                wanted = {11: 9, 5: 12}.get(month.month, 10 + rng.randint(0, 12))
                options = [d for d in days if d.day >= wanted]
                if month < self.today.replace(day=1):
                    options = options or days[-1:]  # a past month's falls on its last day
                if not options:
                    continue
                held = options[0]
                if not self.main:
                    people = max(1, round(people * 0.35))
                    where = "教学楼、操场" if people > 200 else where
                rows.append(
                    Drill(
                        school=self.school,
                        kind=kind,
                        title=f"{held.year}年{title}" if "开学" in title else title,
                        held_on=held,
                        location=where,
                        participants=people + rng.randint(-25, 25) if people > 200 else people,
                        evacuation_seconds=seconds + rng.randint(-12, 12) if seconds else None,
                        notes=notes,
                        recorded_by=self.officer,
                    )
                )
        Drill.objects.bulk_create(rows)
        for row in rows:
            row.recorded_at = self._past(self._at(row.held_on, 16.5 + rng.uniform(0, 1)))
        _stamp(Drill, "recorded_at", rows)
        return len(rows)

    def _agreements(self):
        """This and last academic year's agreements of the school's people, most signed."""
        rng = self.rng
        year = self.today.year if self.today.month >= 8 else self.today.year - 1
        rows, times = [], []
        for signer in self.people.values():
            kinds = self._agreement_kinds(signer)
            for y in (year - 1, year):
                if y == year and signer.username in UNSIGNED:
                    continue
                if y < year and signer.username in NEW_THIS_YEAR:
                    continue
                signed = date(y, 9, 1) + timedelta(days=rng.randint(0, 6))
                signed = min(signed, self.today)
                for kind, title in kinds:
                    rows.append(
                        SafetyAgreement(
                            school=self.school,
                            signer=signer,
                            kind=kind,
                            title=title,
                            year=y,
                            signed_on=signed,
                            recorded_by=self.office,
                        )
                    )
                    times.append(self._past(self._at(signed, 15 + rng.uniform(0, 2))))
        # One recorded under the wrong kind and withdrawn (the right one stays valid).
        teacher = self.people.get("laoshi07")
        mistaken = None
        if self.main and teacher is not None:
            mistaken = SafetyAgreement(
                school=self.school,
                signer=teacher,
                kind=STAFF_AGREEMENT[0],
                title=STAFF_AGREEMENT[1],
                year=year,
                signed_on=min(date(year, 9, 2), self.today),
                recorded_by=self.office,
                is_active=False,
                retired_reason="误录为教职工责任状，已按班主任安全工作责任书重新登记",
            )
            rows.append(mistaken)
            times.append(self._past(self._at(mistaken.signed_on, 14.5)))
        SafetyAgreement.objects.bulk_create(rows)
        for row, at in zip(rows, times, strict=True):
            row.created_at = at
        _stamp(SafetyAgreement, "created_at", rows)
        if mistaken is not None:
            change = StatusChange(
                school=self.school,
                content_type=ContentType.objects.get_for_model(SafetyAgreement),
                object_id=mistaken.pk,
                field="is_active",
                from_status="valid",
                to_status="withdrawn",
                actor=self.office,
                note=mistaken.retired_reason,
            )
            retired = self._past(self._work(times[-1] + timedelta(days=1)))
            _write_changes([change], [max(retired, times[-1])])
        return len(rows)

    def _agreement_kinds(self, person):
        if person.username in HEADS:
            return HEADS[person.username]
        if person.username.removeprefix("htsx-") in HEADS:
            return HEADS[person.username.removeprefix("htsx-")]
        if person.username.startswith(("laoshi", "htsx-laoshi")):
            return [HEAD_TEACHER]
        if person.has_role(Role.TECHNICIAN):
            return [TECHNICIAN_AGREEMENT]
        return [STAFF_AGREEMENT]


def _period_label(fields):
    first, last = fields["period_start"], fields["period_end"]
    return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} ~ {last:%Y-%m-%d}"


def _sorted_steps(steps):
    return sorted(steps, key=lambda s: s.at)


def _write_changes(changes, times):
    """Insert status changes, then give each its own time (``at`` is stamped on insert)."""
    StatusChange.objects.bulk_create(changes, batch_size=500)
    for change, at in zip(changes, times, strict=True):
        change.at = at
    _stamp(StatusChange, "at", changes)


def _stamp(model, name, rows):
    """Write the times ``rows`` (saved) hold in their field ``name``: ``bulk_create`` stamps
    ``auto_now(_add)`` fields with now. One UPDATE run over all of them (``bulk_update``
    builds a CASE per row, slow for a thousand rows)."""
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    column = ops.quote_name(model._meta.get_field(name).column)
    sql = f"UPDATE {table} SET {column} = %s WHERE id = %s"  # noqa: S608 - names from the model
    params = [(ops.adapt_datetimefield_value(getattr(r, name)), r.pk) for r in rows]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


demo_seeders = [DemoSeeder("safety", seed_safety, order=300)]

__all__ = ["FINDINGS", "NEIGHBOUR_CODE", "Finding", "Places", "demo_seeders", "seed_safety"]
