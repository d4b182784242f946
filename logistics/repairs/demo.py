"""A semester of demo repair tickets for ``manage.py seed_demo``.

``seed_repairs(school, account=...)`` gives the demo school (and, smaller, its neighbour
湖塘实验小学) the default categories, a materials catalogue, dispatch rules, the people
who file and fix repairs, and some hundreds of tickets from the start of the current
semester up to now, each with the status history its timestamps tell.

Every ticket is played through the same steps as the services (filed, assigned by rule,
by general affairs or taken, started, on hold, finished, reopened, confirmed or confirmed
automatically, cancelled) at times drawn from working hours, and cut at "now": what
happens later is not written, so recent tickets are naturally still open. A few are
scripted: the technician ``weixiu`` has a current queue (assigned, in progress, on hold)
and the teacher ``jiaoshi`` about ten tickets in every state, one of them finished and
waiting for her confirmation and one not yet dispatched.

Deterministic (a fixed seed, relative to today), written with ``bulk_create``, and
idempotent: a school that already has tickets is left alone. The demo tickets have no
photos (the ticket page shows none). ``demo_seeders`` declares it for
``registry.autodiscover`` with order 200, before the apps' seeders (campus safety's is
300), which build on the teachers it makes.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.choices import Role, RoomKind, Trade
from logistics.common.registry import DemoSeeder
from logistics.demo import HOLIDAYS, NEIGHBOUR_CODE
from logistics.models import Building, Room, School, Semester, StatusChange, TechnicianTrade, User
from logistics.repairs.choices import DamageCause, TicketStatus, Urgency
from logistics.repairs.models import DispatchRule, Material, RepairCategory, Ticket, TicketMaterial
from logistics.repairs.services.tickets import (
    repair_categories_load_defaults,
    service_targets,
    ticket_counts_refresh,
)

SEED = 20260901

# --- The materials catalogue: (trade, item, spec, unit, unit cost in 元) ---------------------

MATERIALS = [
    (Trade.PLUMBING, "台盆水管", "40cm", "根", "12.00"),
    (Trade.PLUMBING, "台盆水管", "60cm", "根", "15.00"),
    (Trade.PLUMBING, "台盆下水器", "弹跳式", "套", "28.00"),
    (Trade.PLUMBING, "角阀", "DN15", "个", "22.00"),
    (Trade.PLUMBING, "水龙头", "快开单冷", "只", "35.00"),
    (Trade.PLUMBING, "水龙头", "感应龙头", "只", "260.00"),
    (Trade.PLUMBING, "龙头阀芯", "陶瓷", "个", "18.00"),
    (Trade.PLUMBING, "拖把池龙头", "4分", "只", "25.00"),
    (Trade.PLUMBING, "生料带", "20m", "卷", "2.00"),
    (Trade.PLUMBING, "蹲便器冲水阀", "延时阀", "个", "85.00"),
    (Trade.PLUMBING, "马桶进水阀", "通用", "套", "35.00"),
    (Trade.PLUMBING, "马桶排水阀", "通用", "套", "45.00"),
    (Trade.PLUMBING, "马桶盖板", "通用", "个", "60.00"),
    (Trade.PLUMBING, "地漏", "不锈钢防臭", "个", "38.00"),
    (Trade.PLUMBING, "PPR管", "DN20", "米", "8.00"),
    (Trade.PLUMBING, "PPR弯头", "DN20", "个", "2.50"),
    (Trade.PLUMBING, "PPR直接", "DN20", "个", "2.00"),
    (Trade.PLUMBING, "PVC排水管", "DN50", "米", "12.00"),
    (Trade.PLUMBING, "PVC弯头", "DN50", "个", "5.00"),
    (Trade.PLUMBING, "PVC胶水", "100g", "瓶", "8.00"),
    (Trade.PLUMBING, "进水软管", "不锈钢编织40cm", "根", "10.00"),
    (Trade.PLUMBING, "热水器加热管", "1500W", "根", "65.00"),
    (Trade.PLUMBING, "热水器温控器", "通用", "个", "35.00"),
    (Trade.PLUMBING, "热水器安全阀", "0.75MPa", "个", "30.00"),
    (Trade.PLUMBING, "淋浴花洒", "手持", "套", "55.00"),
    (Trade.PLUMBING, "管卡", "DN20", "个", "3.00"),
    (Trade.ELECTRICAL, "LED灯管", "1.2m 18W", "根", "22.00"),
    (Trade.ELECTRICAL, "LED灯管", "0.6m 9W", "根", "15.00"),
    (Trade.ELECTRICAL, "LED支架", "1.2m", "套", "38.00"),
    (Trade.ELECTRICAL, "LED吸顶灯", "24W", "只", "65.00"),
    (Trade.ELECTRICAL, "LED面板灯", "600×600", "只", "120.00"),
    (Trade.ELECTRICAL, "声控灯头", "E27", "个", "18.00"),
    (Trade.ELECTRICAL, "LED灯泡", "E27 12W", "只", "12.00"),
    (Trade.ELECTRICAL, "黑板灯", "LED 36W", "只", "150.00"),
    (Trade.ELECTRICAL, "应急照明灯", "双头", "只", "85.00"),
    (Trade.ELECTRICAL, "安全出口指示灯", "单面", "只", "55.00"),
    (Trade.ELECTRICAL, "五孔插座", "86型", "个", "12.00"),
    (Trade.ELECTRICAL, "单开开关", "86型", "个", "9.00"),
    (Trade.ELECTRICAL, "双开开关", "86型", "个", "12.00"),
    (Trade.ELECTRICAL, "三开开关", "86型", "个", "16.00"),
    (Trade.ELECTRICAL, "暗盒", "86型", "个", "2.00"),
    (Trade.ELECTRICAL, "空开", "32A 1P", "个", "28.00"),
    (Trade.ELECTRICAL, "空开", "16A 1P", "个", "25.00"),
    (Trade.ELECTRICAL, "漏电保护器", "32A 2P", "个", "75.00"),
    (Trade.ELECTRICAL, "BV电线", "2.5平方", "米", "3.20"),
    (Trade.ELECTRICAL, "BV电线", "4平方", "米", "5.00"),
    (Trade.ELECTRICAL, "PVC线槽", "40×20", "米", "6.00"),
    (Trade.ELECTRICAL, "绝缘胶布", "电工", "卷", "3.00"),
    (Trade.ELECTRICAL, "吊扇调速器", "通用", "个", "35.00"),
    (Trade.ELECTRICAL, "吊扇电容", "2.5μF", "个", "8.00"),
    (Trade.ELECTRICAL, "壁扇", "40cm", "台", "120.00"),
    (Trade.ELECTRICAL, "电水壶温控器", "通用", "个", "15.00"),
    (Trade.ELECTRICAL, "插线板", "五孔3米", "个", "45.00"),
    (Trade.CARPENTRY, "门锁", "球形锁", "把", "45.00"),
    (Trade.CARPENTRY, "门锁", "执手锁", "把", "85.00"),
    (Trade.CARPENTRY, "锁芯", "C级", "个", "55.00"),
    (Trade.CARPENTRY, "挂锁", "40mm", "把", "18.00"),
    (Trade.CARPENTRY, "柜锁", "通用", "把", "12.00"),
    (Trade.CARPENTRY, "合页", "4寸不锈钢", "片", "8.00"),
    (Trade.CARPENTRY, "合页", "3寸", "片", "5.00"),
    (Trade.CARPENTRY, "门拉手", "不锈钢", "个", "15.00"),
    (Trade.CARPENTRY, "闭门器", "60kg", "个", "95.00"),
    (Trade.CARPENTRY, "门吸", "不锈钢", "个", "12.00"),
    (Trade.CARPENTRY, "移门滑轮", "宿舍移门", "只", "12.00"),
    (Trade.CARPENTRY, "移门铜条", "2m", "根", "25.00"),
    (Trade.CARPENTRY, "窗户执手", "铝合金", "个", "15.00"),
    (Trade.CARPENTRY, "窗户滑轮", "推拉窗", "只", "6.00"),
    (Trade.CARPENTRY, "课桌面板", "600×400", "块", "45.00"),
    (Trade.CARPENTRY, "凳子脚套", "橡胶", "个", "1.00"),
    (Trade.CARPENTRY, "床板", "900×2000", "块", "80.00"),
    (Trade.CARPENTRY, "木方", "40×60", "米", "12.00"),
    (Trade.CARPENTRY, "自攻螺丝", "4×30", "盒", "12.00"),
    (Trade.CARPENTRY, "膨胀螺丝", "M8", "个", "1.50"),
    (Trade.CARPENTRY, "木工胶", "白乳胶", "瓶", "15.00"),
    (Trade.CARPENTRY, "柜门铰链", "液压", "个", "10.00"),
    (Trade.CARPENTRY, "抽屉滑轨", "35cm", "副", "18.00"),
    (Trade.AIR_CONDITIONING, "空调遥控器", "万能", "个", "25.00"),
    (Trade.AIR_CONDITIONING, "冷媒", "R410A", "千克", "60.00"),
    (Trade.AIR_CONDITIONING, "冷媒", "R22", "千克", "50.00"),
    (Trade.AIR_CONDITIONING, "空调排水管", "16mm", "米", "4.00"),
    (Trade.AIR_CONDITIONING, "空调滤网", "通用", "片", "15.00"),
    (Trade.AIR_CONDITIONING, "空调电容", "35μF", "个", "35.00"),
    (Trade.AIR_CONDITIONING, "保温棉管", "6mm", "米", "8.00"),
    (Trade.AIR_CONDITIONING, "空调支架", "1.5匹", "副", "60.00"),
    (Trade.AIR_CONDITIONING, "铜管", "6mm", "米", "30.00"),
    (Trade.AIR_CONDITIONING, "电池", "5号", "节", "2.00"),
    (Trade.AIR_CONDITIONING, "空调插座", "16A", "个", "18.00"),
    (Trade.AIR_CONDITIONING, "外机风扇电机", "通用", "台", "180.00"),
    (Trade.NETWORK, "网线", "超五类", "米", "2.50"),
    (Trade.NETWORK, "网线", "六类", "米", "3.50"),
    (Trade.NETWORK, "水晶头", "超五类", "个", "1.00"),
    (Trade.NETWORK, "网络模块", "超五类", "个", "12.00"),
    (Trade.NETWORK, "网络面板", "单口", "个", "8.00"),
    (Trade.NETWORK, "交换机", "8口千兆", "台", "120.00"),
    (Trade.NETWORK, "HDMI线", "5m", "根", "35.00"),
    (Trade.NETWORK, "VGA线", "3m", "根", "25.00"),
    (Trade.NETWORK, "投影仪灯泡", "通用", "只", "380.00"),
    (Trade.NETWORK, "音箱", "壁挂式", "只", "150.00"),
    (Trade.NETWORK, "监控摄像头", "400万像素", "台", "260.00"),
    (Trade.NETWORK, "电源适配器", "12V 2A", "个", "25.00"),
    (Trade.NETWORK, "鼠标", "USB", "个", "25.00"),
    (Trade.NETWORK, "键盘", "USB", "个", "35.00"),
    (Trade.NETWORK, "扩音器", "小蜜蜂", "台", "80.00"),
    (Trade.GENERAL, "玻璃", "5mm", "平方米", "60.00"),
    (Trade.GENERAL, "玻璃", "钢化5mm", "平方米", "120.00"),
    (Trade.GENERAL, "玻璃胶", "防霉", "支", "18.00"),
    (Trade.GENERAL, "窗帘挂钩", "通用", "个", "0.50"),
    (Trade.GENERAL, "窗帘轨道", "铝合金", "米", "25.00"),
    (Trade.GENERAL, "瓷砖", "300×300", "块", "6.00"),
    (Trade.GENERAL, "瓷砖胶", "20kg", "袋", "40.00"),
    (Trade.GENERAL, "水泥", "32.5", "袋", "25.00"),
    (Trade.GENERAL, "腻子粉", "20kg", "袋", "35.00"),
    (Trade.GENERAL, "乳胶漆", "5L", "桶", "180.00"),
    (Trade.GENERAL, "防水涂料", "JS", "千克", "12.00"),
    (Trade.GENERAL, "吊顶板", "600×600", "块", "15.00"),
    (Trade.GENERAL, "黑板漆", "1kg", "桶", "45.00"),
    (Trade.GENERAL, "踢脚线", "PVC", "米", "8.00"),
    (Trade.GENERAL, "防滑条", "铝合金", "米", "10.00"),
]

# Bought or found outside the catalogue (entered freely): (item, spec, unit, unit cost).
FREE_MATERIALS = {
    Trade.PLUMBING: [("密封圈", "DN15", "个", "1.50"), ("管道疏通剂", "", "瓶", "15.00")],
    Trade.ELECTRICAL: [("接线端子", "", "包", "6.00"), ("三插插头", "10A", "个", "6.00")],
    Trade.CARPENTRY: [("门板封边条", "", "米", "3.00"), ("AB胶", "", "支", "12.00")],
    Trade.AIR_CONDITIONING: [("空调主板", "厂家配件", "块", "350.00")],
    Trade.NETWORK: [("扎带", "", "包", "5.00"), ("投影仪滤网", "", "片", "30.00")],
    Trade.GENERAL: [("膨胀螺丝", "M6", "个", "0.80"), ("铁丝", "", "米", "0.50")],
}


# --- What breaks: per trade and category, where, how it is reported and mended -----------------

A = RoomKind


@dataclass(frozen=True)
class Fault:
    category: str
    weight: float
    # Where it happens: room kind -> weight.
    kinds: dict
    # What the requester writes; a (text, kinds) pair only in rooms of those kinds.
    descriptions: tuple
    notes: tuple
    # (item, spec, least, most): what fixing it may use from the catalogue.
    materials: tuple = ()
    material_p: float = 0.8
    urgent: float = 0.1
    damage: float = 0.1
    disaster: float = 0.0
    hours: tuple = (0.3, 2.0)


EVERYWHERE = {A.CLASSROOM: 3, A.OFFICE: 2, A.DORM: 3, A.LAB: 1, A.CANTEEN: 1, A.SPORTS: 1}

FAULTS = {
    Trade.PLUMBING: (
        Fault(
            "漏水",
            8,
            {A.DORM: 6, A.CANTEEN: 2, A.LAB: 2, A.OFFICE: 1, A.CLASSROOM: 1},
            (
                ("卫生间台盆下面水管漏水，地上一直有积水", (A.DORM,)),
                ("洗手台下水管接口处滴水，柜子里都湿了", (A.DORM, A.OFFICE)),
                ("阳台拖把池下水漏水，楼下天花板有水渍", (A.DORM,)),
                ("卫生间墙角渗水，墙面起皮", (A.DORM,)),
                "洗手池下面进水软管漏水",
                ("门口拖把池下水管漏水", (A.CLASSROOM, A.OFFICE)),
                ("后厨洗菜池下水漏水，地面湿滑", (A.CANTEEN,)),
                ("实验台水槽下面漏水", (A.LAB,)),
            ),
            (
                "更换台盆下水管，接口缠生料带，试水无渗漏",
                "更换角阀和进水软管，试水正常",
                "重新密封下水管接口，观察半小时无渗漏",
            ),
            (
                ("台盆水管", "40cm", 1, 2),
                ("台盆水管", "60cm", 1, 1),
                ("生料带", "20m", 1, 1),
                ("角阀", "DN15", 1, 2),
                ("进水软管", "不锈钢编织40cm", 1, 2),
                ("台盆下水器", "弹跳式", 1, 1),
            ),
            material_p=0.9,
            urgent=0.25,
            disaster=0.03,
        ),
        Fault(
            "堵塞",
            6,
            {A.DORM: 5, A.CANTEEN: 3, A.LAB: 1, A.CLASSROOM: 1},
            (
                ("卫生间地漏堵了，洗澡水漫出来", (A.DORM,)),
                "拖把池堵塞，水下不去",
                "洗手池下水很慢，有异味",
                ("后厨下水道堵塞，地面积水", (A.CANTEEN,)),
                ("蹲坑堵塞，冲不下去", (A.DORM,)),
            ),
            (
                "疏通地漏，清出大量头发杂物",
                "用疏通机疏通下水管道，排水恢复正常",
                "拆开存水弯清理堵塞物，试水正常",
            ),
            (("地漏", "不锈钢防臭", 1, 1), ("PVC排水管", "DN50", 1, 3), ("PVC弯头", "DN50", 1, 2)),
            material_p=0.3,
            urgent=0.2,
            damage=0.25,
        ),
        Fault(
            "水龙头",
            7,
            {A.DORM: 4, A.LAB: 3, A.CANTEEN: 2, A.OFFICE: 1, A.CLASSROOM: 1},
            (
                "水龙头关不紧，一直滴水",
                "水龙头拧不动了",
                "水龙头出水很小",
                "水龙头松动，整个在晃",
                ("洗手池感应龙头不出水", (A.LAB, A.OFFICE, A.CLASSROOM)),
            ),
            ("更换水龙头1只", "更换龙头阀芯，不再滴水", "紧固龙头底座，清理起泡器水垢"),
            (
                ("水龙头", "快开单冷", 1, 1),
                ("龙头阀芯", "陶瓷", 1, 1),
                ("拖把池龙头", "4分", 1, 1),
                ("生料带", "20m", 1, 1),
            ),
            urgent=0.05,
        ),
        Fault(
            "马桶/蹲便器",
            5,
            {A.DORM: 1},
            (
                "蹲便器冲水阀坏了，按下去不出水",
                "马桶水箱一直流水",
                "冲水按钮卡住了，一直在冲水",
                "马桶盖板断了",
            ),
            ("更换延时冲水阀，试冲正常", "更换水箱进水阀", "调整浮球，水箱不再长流水"),
            (
                ("蹲便器冲水阀", "延时阀", 1, 1),
                ("马桶进水阀", "通用", 1, 1),
                ("马桶排水阀", "通用", 1, 1),
                ("马桶盖板", "通用", 1, 1),
            ),
            urgent=0.1,
            damage=0.15,
        ),
        Fault(
            "水管",
            3,
            {A.DORM: 2, A.CANTEEN: 1, A.LAB: 1, A.CLASSROOM: 1, A.OFFICE: 1, A.SPORTS: 1},
            (
                "走廊水管爆裂，水漫出来了",
                "水管接头破裂喷水",
                "饮水机进水管脱落，地上都是水",
                "墙里面的水管好像漏了，墙面一直潮湿",
            ),
            ("关闭总阀，热熔更换破损PPR管段", "更换进水管并加固管卡", "开墙查漏，更换破损管段"),
            (
                ("PPR管", "DN20", 1, 3),
                ("PPR弯头", "DN20", 2, 4),
                ("PPR直接", "DN20", 1, 3),
                ("管卡", "DN20", 1, 4),
            ),
            material_p=0.95,
            urgent=0.5,
            hours=(1.0, 4.0),
        ),
        Fault(
            "热水器",
            3,
            {A.DORM: 6, A.OFFICE: 1},
            (
                "热水器不出热水",
                ("电热水器漏水", (A.DORM,)),
                "热水器指示灯不亮，不加热",
                ("淋浴花洒坏了，水到处喷", (A.DORM,)),
            ),
            ("更换加热管，试机正常", "更换温控器", "更换安全阀，排除漏水"),
            (
                ("热水器加热管", "1500W", 1, 1),
                ("热水器温控器", "通用", 1, 1),
                ("热水器安全阀", "0.75MPa", 1, 1),
                ("淋浴花洒", "手持", 1, 1),
            ),
            urgent=0.1,
        ),
        Fault(
            "其他",
            1.5,
            EVERYWHERE,
            ("饮水机出水口滴水", "拖把池瓷砖脱落", "水表井盖松动"),
            ("已处理", "更换密封圈"),
            material_p=0.3,
        ),
    ),
    Trade.ELECTRICAL: (
        Fault(
            "灯具",
            10,
            {A.CLASSROOM: 5, A.DORM: 4, A.OFFICE: 2, A.LAB: 2, A.SPORTS: 1, A.CANTEEN: 1},
            (
                ("后排两根灯管不亮", (A.CLASSROOM, A.LAB)),
                "有一根灯管不亮",
                "灯管一直闪，看着眼睛难受",
                "吸顶灯不亮了",
                "走廊声控灯不亮，晚上很黑",
                ("黑板灯坏了一根", (A.CLASSROOM,)),
                ("宿舍卫生间灯不亮", (A.DORM,)),
                ("馆里有几盏灯不亮", (A.SPORTS,)),
            ),
            ("更换LED灯管，试亮正常", "更换灯具", "更换声控灯头", "灯座接触不良，重新接线"),
            (
                ("LED灯管", "1.2m 18W", 1, 4),
                ("LED吸顶灯", "24W", 1, 1),
                ("声控灯头", "E27", 1, 2),
                ("LED灯泡", "E27 12W", 1, 2),
                ("LED支架", "1.2m", 1, 2),
                ("黑板灯", "LED 36W", 1, 1),
            ),
            material_p=0.9,
            urgent=0.03,
            hours=(0.2, 1.0),
        ),
        Fault(
            "开关插座",
            6,
            {A.CLASSROOM: 3, A.OFFICE: 3, A.DORM: 3, A.LAB: 2, A.CANTEEN: 1},
            (
                ("讲台边插座没电", (A.CLASSROOM, A.LAB)),
                ("墙上插座没电", (A.OFFICE, A.DORM, A.CANTEEN)),
                "开关面板松动，按了没反应",
                "插座烧黑了，有焦味",
                "插座面板掉出来了，线露在外面",
                ("宿舍插座接触不良，充电时断时续", (A.DORM,)),
            ),
            ("更换五孔插座", "更换开关面板", "重新接线，紧固面板"),
            (
                ("五孔插座", "86型", 1, 2),
                ("单开开关", "86型", 1, 1),
                ("双开开关", "86型", 1, 1),
                ("暗盒", "86型", 1, 1),
                ("绝缘胶布", "电工", 1, 1),
            ),
            urgent=0.2,
            damage=0.15,
        ),
        Fault(
            "跳闸断电",
            4,
            {A.DORM: 4, A.OFFICE: 2, A.CLASSROOM: 2, A.LAB: 2, A.CANTEEN: 1},
            (
                ("一直跳闸，电脑用不了", (A.OFFICE, A.LAB)),
                ("整层断电", (A.DORM,)),
                ("没电了，多媒体开不了机", (A.CLASSROOM,)),
                "下雨后漏电跳闸",
                ("空调一开就跳闸", (A.OFFICE, A.CLASSROOM, A.LAB)),
                ("后厨插座一用就跳闸", (A.CANTEEN,)),
            ),
            (
                "排查为违规电器短路，复位空开，已告知宿管",
                "更换空开1只，恢复供电",
                "线路受潮漏电，处理接头后恢复供电",
                "负载过大，调整线路后恢复",
            ),
            (("空开", "32A 1P", 1, 1), ("空开", "16A 1P", 1, 1), ("漏电保护器", "32A 2P", 1, 1)),
            material_p=0.5,
            urgent=0.6,
            damage=0.2,
            disaster=0.1,
        ),
        Fault(
            "电扇",
            3,
            {A.CLASSROOM: 4, A.DORM: 3, A.OFFICE: 1},
            (
                "吊扇转起来晃得厉害，有异响",
                "电扇调速器坏了，只能开最高档",
                "吊扇不转",
                "壁扇摇头坏了",
            ),
            ("更换调速器", "更换吊扇电容，紧固吊杆", "更换壁扇"),
            (("吊扇调速器", "通用", 1, 1), ("吊扇电容", "2.5μF", 1, 1), ("壁扇", "40cm", 1, 1)),
            urgent=0.05,
        ),
        Fault(
            "线路",
            2,
            EVERYWHERE,
            (
                "电线外露，存在安全隐患",
                "墙上电线老化，有焦味",
                "线槽脱落，电线挂在外面",
                ("讲台电源线被老鼠咬坏", (A.CLASSROOM,)),
            ),
            ("更换老化电线，加装线槽", "重新固定线槽", "更换电源线"),
            (
                ("BV电线", "2.5平方", 5, 20),
                ("BV电线", "4平方", 5, 15),
                ("PVC线槽", "40×20", 2, 6),
                ("绝缘胶布", "电工", 1, 2),
            ),
            material_p=0.9,
            urgent=0.4,
            hours=(1.0, 3.0),
        ),
        Fault(
            "其他",
            2,
            {A.OFFICE: 2, A.DORM: 2, A.CANTEEN: 1, A.CLASSROOM: 1},
            (
                ("电热水壶不加热", (A.OFFICE, A.DORM)),
                ("饮水机不加热", (A.OFFICE, A.CLASSROOM)),
                "应急照明灯不亮",
                "安全出口指示灯不亮",
            ),
            ("更换温控器", "更换应急灯", "更换指示灯"),
            (
                ("电水壶温控器", "通用", 1, 1),
                ("应急照明灯", "双头", 1, 1),
                ("安全出口指示灯", "单面", 1, 1),
            ),
        ),
    ),
    Trade.CARPENTRY: (
        Fault(
            "门窗",
            8,
            {A.DORM: 4, A.CLASSROOM: 4, A.OFFICE: 2, A.LAB: 1},
            (
                ("前门合页松了，门关不上", (A.CLASSROOM, A.OFFICE, A.LAB)),
                "窗户关不严，漏风",
                "门拉手掉了",
                "橱门掉下来了",
                "窗户执手断了，窗打不开",
                "门被踢坏了，门板开裂",
                ("移门滑轮坏了，推不动", (A.DORM,)),
                ("移门铜条脱落", (A.DORM,)),
            ),
            ("更换合页，调整门扇", "更换移门滑轮", "更换移门铜条", "更换门拉手", "修理门扇"),
            (
                ("合页", "4寸不锈钢", 2, 3),
                ("移门滑轮", "宿舍移门", 2, 4),
                ("移门铜条", "2m", 1, 2),
                ("门拉手", "不锈钢", 1, 1),
                ("窗户执手", "铝合金", 1, 1),
                ("闭门器", "60kg", 1, 1),
                ("自攻螺丝", "4×30", 1, 1),
            ),
            damage=0.25,
        ),
        Fault(
            "门锁",
            8,
            {A.DORM: 4, A.OFFICE: 3, A.CLASSROOM: 3, A.LAB: 1, A.STORAGE: 1, A.SPORTS: 1},
            (
                "门锁坏了，钥匙插不进去",
                "锁芯坏了，需要换锁",
                "门把手坏了，门锁打不开",
                "钥匙断在锁里了",
                "门锁反锁后打不开",
                "钥匙丢了，需要换锁芯",
            ),
            (
                "更换球形锁1把，钥匙已交本人",
                "更换锁芯，新钥匙交宿管",
                "取出断钥匙，锁芯上油",
                "修锁，调整锁舌",
            ),
            (
                ("门锁", "球形锁", 1, 1),
                ("门锁", "执手锁", 1, 1),
                ("锁芯", "C级", 1, 1),
                ("挂锁", "40mm", 1, 1),
            ),
            material_p=0.85,
            urgent=0.15,
            damage=0.2,
            hours=(0.2, 1.0),
        ),
        Fault(
            "课桌椅",
            5,
            {A.CLASSROOM: 6, A.LAB: 2, A.OFFICE: 1, A.CANTEEN: 1},
            (
                ("学生凳子腿松了，坐着晃", (A.CLASSROOM, A.LAB)),
                ("课桌桌面开裂", (A.CLASSROOM,)),
                ("讲台抽屉坏了", (A.CLASSROOM,)),
                "椅子靠背断了",
                ("课桌抽屉底板掉了", (A.CLASSROOM,)),
                ("办公椅升降坏了", (A.OFFICE,)),
                ("实验凳松动", (A.LAB,)),
                ("餐椅松动", (A.CANTEEN,)),
            ),
            ("紧固螺丝，加固凳腿", "更换课桌面板", "修理抽屉", "修理讲台"),
            (
                ("课桌面板", "600×400", 1, 2),
                ("凳子脚套", "橡胶", 4, 8),
                ("自攻螺丝", "4×30", 1, 1),
                ("木工胶", "白乳胶", 1, 1),
                ("木方", "40×60", 1, 2),
            ),
            material_p=0.7,
            damage=0.3,
        ),
        Fault(
            "柜子",
            3,
            {A.OFFICE: 3, A.DORM: 3, A.CLASSROOM: 2, A.LAB: 1},
            ("储物柜门掉了", "文件柜锁坏了打不开", "柜子铰链坏了，柜门关不上", "抽屉拉不出来"),
            ("更换铰链", "更换柜锁", "更换抽屉滑轨"),
            (("柜门铰链", "液压", 1, 4), ("柜锁", "通用", 1, 1), ("抽屉滑轨", "35cm", 1, 2)),
        ),
        Fault(
            "床铺",
            3,
            {A.DORM: 1},
            ("上铺护栏松动，有安全隐患", "床板断了一块", "床梯螺丝掉了", "床架晃动厉害"),
            ("更换床板", "紧固护栏螺栓", "加固床架"),
            (
                ("床板", "900×2000", 1, 1),
                ("膨胀螺丝", "M8", 2, 6),
                ("自攻螺丝", "4×30", 1, 1),
                ("木方", "40×60", 1, 2),
            ),
            urgent=0.3,
            damage=0.3,
        ),
        Fault(
            "其他",
            1,
            EVERYWHERE,
            ("讲台木板翘起来了", "公告栏木框松脱", "门口踢脚板脱落"),
            ("已修好", "重新固定"),
            (("自攻螺丝", "4×30", 1, 1), ("木工胶", "白乳胶", 1, 1)),
            material_p=0.5,
        ),
    ),
    Trade.AIR_CONDITIONING: (
        Fault(
            "不制冷/不制热",
            5,
            {A.OFFICE: 4, A.CLASSROOM: 3, A.DORM: 2, A.LAB: 2},
            (
                "空调不制冷，开了一小时还是很热",
                "空调制热没效果，吹的是冷风",
                "空调开机几分钟就停",
                "空调显示故障代码E1",
            ),
            ("检漏补焊后加氟，试机正常", "更换压缩机电容，试机正常", "清洗滤网和室外机，恢复正常"),
            (
                ("冷媒", "R410A", 1, 2),
                ("冷媒", "R22", 1, 2),
                ("空调电容", "35μF", 1, 1),
                ("空调滤网", "通用", 1, 2),
            ),
            hours=(0.5, 2.5),
        ),
        Fault(
            "漏水",
            3,
            {A.OFFICE: 3, A.CLASSROOM: 3, A.DORM: 2, A.LAB: 1},
            ("空调滴水滴到桌子上", "空调室内机往下漏水"),
            ("疏通排水管", "更换排水管，调整坡度"),
            (("空调排水管", "16mm", 1, 3), ("保温棉管", "6mm", 1, 2)),
            material_p=0.5,
        ),
        Fault(
            "噪音",
            2,
            {A.OFFICE: 3, A.CLASSROOM: 3, A.DORM: 1},
            (("室外机噪音很大，影响上课", (A.CLASSROOM,)), "室外机噪音很大", "空调室内机有异响"),
            ("更换外机风扇电机", "紧固外机支架"),
            (("外机风扇电机", "通用", 1, 1), ("空调支架", "1.5匹", 1, 1)),
            material_p=0.6,
        ),
        Fault(
            "遥控器",
            2,
            {A.OFFICE: 3, A.CLASSROOM: 3, A.DORM: 1},
            ("空调遥控器没反应", "空调遥控器丢失"),
            ("更换万能遥控器", "更换电池"),
            (("空调遥控器", "万能", 1, 1), ("电池", "5号", 2, 2)),
            material_p=0.95,
            urgent=0.0,
            damage=0.3,
            hours=(0.1, 0.4),
        ),
        Fault(
            "其他",
            1,
            {A.OFFICE: 2, A.CLASSROOM: 2, A.DORM: 1},
            ("空调插座松动", "空调外机支架生锈松动"),
            ("更换空调插座", "更换外机支架"),
            (("空调插座", "16A", 1, 1), ("空调支架", "1.5匹", 1, 1)),
            urgent=0.2,
        ),
    ),
    Trade.NETWORK: (
        Fault(
            "无法上网",
            4,
            {A.OFFICE: 5, A.LAB: 2, A.CLASSROOM: 1},
            ("电脑无法上网", "网络时断时续", "电脑连不上校园网", "无线网络信号很差"),
            ("交换机端口故障，更换端口", "重做水晶头，网络恢复", "IP冲突，重新配置"),
            (("网线", "超五类", 3, 15), ("水晶头", "超五类", 2, 4)),
            material_p=0.4,
        ),
        Fault(
            "网口/网线",
            3,
            {A.OFFICE: 4, A.LAB: 2, A.CLASSROOM: 2},
            ("墙上网口接触不良", "网线被门夹断了", "讲台网口没信号"),
            ("更换网络模块", "重新布线，做水晶头"),
            (
                ("网线", "超五类", 5, 30),
                ("水晶头", "超五类", 2, 6),
                ("网络模块", "超五类", 1, 2),
                ("网络面板", "单口", 1, 1),
            ),
            material_p=0.9,
        ),
        Fault(
            "多媒体设备",
            6,
            {A.CLASSROOM: 6, A.LAB: 2, A.OFFICE: 1},
            (
                "投影仪不亮",
                "一体机触摸失灵",
                "多媒体音响没声音",
                "投影画面发黄发暗",
                "电脑开不了机，上课用不了",
                "实物展台没有画面",
            ),
            ("更换投影仪灯泡", "重新校准触摸框", "更换HDMI线", "重装系统，恢复正常"),
            (
                ("投影仪灯泡", "通用", 1, 1),
                ("HDMI线", "5m", 1, 1),
                ("VGA线", "3m", 1, 1),
                ("鼠标", "USB", 1, 1),
                ("键盘", "USB", 1, 1),
                ("音箱", "壁挂式", 1, 1),
            ),
            material_p=0.55,
            urgent=0.2,
        ),
        Fault(
            "广播",
            1.5,
            {A.CLASSROOM: 3, A.SPORTS: 1},
            ("广播没声音", "广播有杂音"),
            ("更换音箱", "重新接线"),
            (("音箱", "壁挂式", 1, 1),),
            material_p=0.5,
        ),
        Fault(
            "监控",
            1.5,
            {A.OFFICE: 1, A.CANTEEN: 1, A.STORAGE: 1, A.SPORTS: 1},
            ("监控画面黑屏", "监控摄像头角度偏了"),
            ("更换摄像头电源", "更换摄像头", "调整角度"),
            (("监控摄像头", "400万像素", 1, 1), ("电源适配器", "12V 2A", 1, 1)),
            material_p=0.6,
        ),
        Fault(
            "其他",
            1,
            {A.CLASSROOM: 2, A.OFFICE: 1},
            ("扩音器坏了", "电子班牌不亮"),
            ("更换扩音器", "重启后恢复"),
            (("扩音器", "小蜜蜂", 1, 1),),
            material_p=0.4,
        ),
    ),
    Trade.GENERAL: (
        Fault(
            "墙面地面",
            3,
            EVERYWHERE,
            ("墙皮大面积脱落", "地砖松动翘起，容易绊倒", "踢脚线脱落", "墙面有涂鸦需要粉刷"),
            ("铲除空鼓墙皮，批腻子刷漆", "重新铺贴地砖", "更换踢脚线"),
            (
                ("腻子粉", "20kg", 1, 1),
                ("乳胶漆", "5L", 1, 1),
                ("瓷砖", "300×300", 2, 6),
                ("瓷砖胶", "20kg", 1, 1),
                ("踢脚线", "PVC", 2, 6),
                ("水泥", "32.5", 1, 2),
            ),
            damage=0.2,
            hours=(1.0, 4.0),
        ),
        Fault(
            "玻璃",
            3,
            {A.CLASSROOM: 3, A.DORM: 3, A.OFFICE: 1, A.LAB: 1, A.SPORTS: 1},
            (
                "窗玻璃碎了一块",
                "门上玻璃裂了",
                ("篮球打碎了窗户玻璃", (A.SPORTS, A.CLASSROOM)),
            ),
            ("配换玻璃1块，打玻璃胶", "更换钢化玻璃"),
            (("玻璃", "5mm", 0.5, 1.5), ("玻璃", "钢化5mm", 0.5, 1.0), ("玻璃胶", "防霉", 1, 2)),
            material_p=0.95,
            urgent=0.4,
            damage=0.55,
            disaster=0.1,
        ),
        Fault(
            "窗帘",
            2,
            {A.CLASSROOM: 3, A.OFFICE: 2, A.DORM: 1},
            ("窗帘轨道脱落", "窗帘挂钩断了好几个", "窗帘拉不动"),
            ("重新安装窗帘轨道", "更换窗帘挂钩"),
            (("窗帘挂钩", "通用", 10, 30), ("窗帘轨道", "铝合金", 2, 4)),
        ),
        Fault(
            "黑板",
            1.5,
            {A.CLASSROOM: 1},
            ("黑板反光，后排看不清", "黑板推拉不动", "黑板边框松动"),
            ("黑板重新刷漆", "调整滑轨", "紧固边框"),
            (("黑板漆", "1kg", 1, 1), ("自攻螺丝", "4×30", 1, 1)),
            material_p=0.6,
        ),
        Fault(
            "屋顶渗漏",
            2.5,
            {A.DORM: 2, A.CLASSROOM: 1, A.OFFICE: 1, A.SPORTS: 1},
            ("下雨屋顶渗水，天花板在滴水", "吊顶有水渍，怕掉下来"),
            ("屋面局部刷防水涂料，更换吊顶板", "清理天沟，修补防水层"),
            (("防水涂料", "JS", 5, 20), ("吊顶板", "600×600", 1, 4)),
            urgent=0.4,
            damage=0.0,
            disaster=0.45,
            hours=(2.0, 5.0),
        ),
        Fault(
            "其他",
            1.5,
            EVERYWHERE,
            ("天花板吊顶掉了一块", "楼梯防滑条脱落", "宣传栏玻璃松动"),
            ("更换吊顶板", "重新固定防滑条", "重新固定"),
            (("吊顶板", "600×600", 1, 3), ("防滑条", "铝合金", 1, 3), ("玻璃胶", "防霉", 1, 1)),
            urgent=0.15,
        ),
    ),
}

# How often each trade is asked for (plumbing and electrical most; carpentry close behind).
TRADE_WEIGHTS = {
    Trade.PLUMBING: 28,
    Trade.ELECTRICAL: 26,
    Trade.CARPENTRY: 22,
    Trade.AIR_CONDITIONING: 8,
    Trade.NETWORK: 9,
    Trade.GENERAL: 7,
}

HOLD_REASONS = [
    "等待配件",
    "等待配件到货（已下单）",
    "需采购审批",
    "等学生放学后施工",
    "需要停水施工，等通知",
    "等周末集中施工",
]
LONG_HOLD_REASONS = [
    "等待配件（已下单）",
    "需厂家上门维修",
    "需采购审批（金额超过500元）",
    "等寒假集中施工",
]
REOPEN_REASONS = [
    "还是漏水",
    "又不亮了",
    "用了一天又坏了",
    "还是关不严",
    "问题没解决",
    "还是有异响",
]
CANCEL_BY_REQUESTER = ["已经好了，不用修了", "重复报修", "报错了房间，已重新报修", "自己处理好了"]
CANCEL_BY_OFFICE = [
    "重复报修",
    "属于保修期内，已联系厂家上门",
    "非维修事项，已转交办公室处理",
]
REASSIGN_NOTES = ["原维修工请假", "工作量调整", "需要专业工种处理"]
COMMENTS = {
    5: ["修得很快，谢谢师傅！", "师傅很认真，点赞", "当天就修好了", "服务态度好"],
    4: ["修好了，谢谢", "还可以，就是等了一天", "修好了，现场有点乱"],
    3: ["修好了，但等了好几天", "先观察几天看看", "师傅来之前没打电话"],
    2: ["拖了很久才来修", "修完没清理现场"],
    1: ["报了几次才修好", "问题没有彻底解决"],
}
RATINGS = [1, 2, 3, 4, 5]
RATING_WEIGHTS = [1, 2, 7, 28, 62]
RATING_WEIGHTS_LATE = [6, 8, 20, 36, 30]

# --- People ---------------------------------------------------------------------------------

# The demo school's class teachers: they file the classroom repairs (username, name, group).
TEACHERS = [
    ("laoshi01", "陈静", "语文组"),
    ("laoshi02", "杨帆", "数学组"),
    ("laoshi03", "黄丽娟", "英语组"),
    ("laoshi04", "朱海峰", "物理组"),
    ("laoshi05", "林晓燕", "化学组"),
    ("laoshi06", "徐磊", "数学组"),
    ("laoshi07", "高敏", "语文组"),
    ("laoshi08", "郭建军", "体育组"),
    ("laoshi09", "罗佳", "英语组"),
    ("laoshi10", "梁志勇", "化学组"),
    ("laoshi11", "宋雪", "语文组"),
    ("laoshi12", "韩冬", "数学组"),
    ("laoshi13", "唐慧", "英语组"),
    ("laoshi14", "曹伟", "物理组"),
]
SCIENCE = {"wuli", "laoshi04", "laoshi05", "laoshi10", "laoshi14"}
# Who files for the offices of 行政楼, by room name.
OFFICE_OWNERS = {
    "门卫值班室": "anquan",
    "监控室": "anquan",
    "保卫科": "anquan",
    "总务处": "zongwu",
    "校长室": "xiaozhang",
    "办公室": "zongwu",
}
# Dispatch rules: trade -> (school-wide technician or None, {building: technician}).
RULES = {
    Trade.PLUMBING: ("weixiu", {"学生宿舍6号楼": "shuigong", "食堂": "shuigong"}),
    Trade.ELECTRICAL: ("diangong", {"求真楼": "weixiu", "求实楼": "weixiu", "明德楼": "weixiu"}),
    Trade.CARPENTRY: ("mugong", {"学生宿舍5号楼": "zonghe", "学生宿舍6号楼": "zonghe"}),
    Trade.NETWORK: ("wangluo", {}),
    Trade.GENERAL: (None, {"食堂": "zonghe"}),
    Trade.AIR_CONDITIONING: (None, {}),
}
# Who general affairs gives a ticket no rule matched, with weights.
DISPATCH = {
    Trade.AIR_CONDITIONING: [("kongtiao", 7), ("diangong", 3)],
    Trade.GENERAL: [("zonghe", 1)],
    Trade.PLUMBING: [("weixiu", 2), ("shuigong", 1)],
    Trade.ELECTRICAL: [("weixiu", 1), ("diangong", 1)],
    Trade.CARPENTRY: [("mugong", 2), ("zonghe", 1)],
    Trade.NETWORK: [("wangluo", 1)],
}

# The neighbour primary school: (username, name, roles, trades, phone).
NEIGHBOUR_PEOPLE = [
    (
        "htsx-weixiu",
        "顾建华",
        [Role.TECHNICIAN],
        [Trade.PLUMBING, Trade.ELECTRICAL, Trade.CARPENTRY, Trade.GENERAL],
        "13900000101",
    ),
    (
        "htsx-dianjiao",
        "陆晓东",
        [Role.TECHNICIAN],
        [Trade.NETWORK, Trade.AIR_CONDITIONING],
        "13900000102",
    ),
    ("htsx-laoshi1", "周晓琳", [Role.STAFF], [], "13900000111"),
    ("htsx-laoshi2", "钱佳怡", [Role.STAFF], [], "13900000112"),
    ("htsx-laoshi3", "孙丽", [Role.STAFF], [], "13900000113"),
    ("htsx-laoshi4", "李娜", [Role.STAFF], [], "13900000114"),
    ("htsx-laoshi5", "吴斌", [Role.STAFF], [], "13900000115"),
    ("htsx-laoshi6", "郑秀英", [Role.STAFF], [], "13900000116"),
]
NEIGHBOUR_RULES = {
    Trade.PLUMBING: ("htsx-weixiu", {}),
    Trade.ELECTRICAL: ("htsx-weixiu", {}),
    Trade.CARPENTRY: ("htsx-weixiu", {}),
    Trade.GENERAL: ("htsx-weixiu", {}),
    Trade.NETWORK: ("htsx-dianjiao", {}),
    Trade.AIR_CONDITIONING: ("htsx-dianjiao", {}),
}


# --- Entry ----------------------------------------------------------------------------------


def seed_repairs(school, *, account):
    """Give the demo school and its neighbour their repair set-up and a semester of
    tickets; ``account(username, **fields)`` makes (or finds) a demo account. Returns the
    number of tickets made (0 when they already had tickets)."""
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    departments = {d.name: d for d in school.departments.all()}
    for username, name, department in TEACHERS:
        user = account(
            username,
            name=name,
            school=school,
            department=departments.get(department),
            phone=f"1380000{int(username[-2:]) + 100:04d}",
            email=f"{username}@wjsy.example.cn",
        )
        user.groups.add(groups[Role.STAFF])
    start = first_day(school)
    made = _Seeder(school, RULES, DISPATCH, seed=SEED, start=start).run(main=True)

    neighbour = School.objects.filter(code=NEIGHBOUR_CODE).first()
    if neighbour is not None:
        for username, name, roles, trades, phone in NEIGHBOUR_PEOPLE:
            user = account(username, name=name, school=neighbour, phone=phone)
            user.groups.add(*(groups[str(r)] for r in roles))
            for trade in trades:
                TechnicianTrade.objects.get_or_create(user=user, trade=trade)
        seeder = _Seeder(neighbour, NEIGHBOUR_RULES, {}, seed=SEED + 1, start=start)
        made += seeder.run(main=False)
    return made


def seed(school, *, main=True, account):
    """The seeder ``seed_demo`` calls for the demo school (``main``), then its neighbour:
    ``seed_repairs`` does both schools at the first call."""
    return seed_repairs(school, account=account) if main else 0


demo_seeders = [DemoSeeder("repairs", seed, order=200)]


def first_day(school):
    """The first day of the demo tickets: the current semester's; if it began less than
    six weeks ago (or has not begun), 120 days back, so that the demo has a history."""
    today = timezone.localdate()
    semester = Semester.objects.filter(school=school, is_current=True).first()
    start = semester.start_date if semester else today - timedelta(days=120)
    if (today - start).days < 42:
        start = today - timedelta(days=120)
    return start


# --- The simulation -------------------------------------------------------------------------


@dataclass
class _Plan:
    """One ticket being played: its fields, the steps in time order, the materials."""

    fields: dict
    steps: list = field(default_factory=list)  # (at, to_status, actor, note, updates)
    materials: list = field(default_factory=list)  # (added_at, TicketMaterial kwargs)


@dataclass
class _Fate:
    """What happens to a ticket; the times in ``at`` (by step name) are fixed, the rest
    drawn. ``stop`` is the status its life stops in (None: it runs to the end)."""

    stop: str | None = None
    cancel: str = ""  # "requester" or "office"
    hold: bool = False
    reopen: bool = False
    auto: bool | None = None
    rating: int | None = None
    at: dict = field(default_factory=dict)


class _Seeder:
    def __init__(self, school, rules, dispatch, *, seed, start):
        self.school = school
        self.start = start
        self.rng = random.Random(seed)  # noqa: S311 - made-up demo data
        self.tz = timezone.get_default_timezone()
        self.now = timezone.now()
        self.rules_spec = rules
        self.dispatch_spec = dispatch

    # -- set-up --

    def run(self, *, main):
        repair_categories_load_defaults(self.school)
        self.categories = {
            (c.trade, c.name): c for c in RepairCategory.objects.filter(school=self.school)
        }
        self._catalogue()
        self._people()
        self._rules()
        if Ticket.objects.filter(school=self.school).exists():
            return 0
        self.rooms = list(
            Room.objects.filter(building__school=self.school, is_active=True)
            .select_related("building")
            .order_by("building__name", "floor", "number")
        )
        self.by_kind = {}
        for room in self.rooms:
            self.by_kind.setdefault(room.kind, []).append(room)
        plans = self._main_plans() if main else self._neighbour_plans()
        return self._write(plans)

    def _catalogue(self):
        if not Material.objects.filter(school=self.school).exists():
            Material.objects.bulk_create(
                Material(
                    school=self.school,
                    trade=trade,
                    name=name,
                    spec=spec,
                    unit=unit,
                    unit_cost=Decimal(cost),
                )
                for trade, name, spec, unit, cost in MATERIALS
            )
        self.materials = {(m.name, m.spec): m for m in Material.objects.filter(school=self.school)}

    def _people(self):
        people = User.objects.filter(school=self.school, is_active=True).prefetch_related("groups")
        self.people = {u.username: u for u in people}
        self.staff = sorted(
            (u for u in self.people.values() if u.has_role(Role.STAFF)), key=lambda u: u.pk
        )
        self.office = next(
            (u for u in self.people.values() if u.has_role(Role.GENERAL_AFFAIRS)), None
        )

    def _rules(self):
        buildings = {b.name: b for b in Building.objects.filter(school=self.school)}
        self.rule = {}
        rows = []
        for trade, (everywhere, by_building) in self.rules_spec.items():
            if everywhere in self.people:
                self.rule[(trade, None)] = self.people[everywhere]
                rows.append((trade, None, self.people[everywhere]))
            for name, username in by_building.items():
                if name in buildings and username in self.people:
                    self.rule[(trade, buildings[name].pk)] = self.people[username]
                    rows.append((trade, buildings[name], self.people[username]))
        if not DispatchRule.objects.filter(school=self.school).exists():
            DispatchRule.objects.bulk_create(
                DispatchRule(school=self.school, trade=t, building=b, technician=u)
                for t, b, u in rows
            )

    # -- time --

    def _at(self, day, hours):
        return datetime.combine(day, time(0), tzinfo=self.tz) + timedelta(hours=hours)

    @staticmethod
    def _window(day, mode):
        if mode == "awake":
            return (7.0, 22.0)
        if mode == "urgent":
            return (6.5, 22.0)
        if (day.month, day.day) in HOLIDAYS:
            return None
        return {5: (8.0, 11.5), 6: None}.get(day.weekday(), (7.5, 17.5))

    def _shift(self, t, mode="work"):
        """``t`` if it falls in a working window (technicians) or waking hours
        (requesters), else a few minutes into the next one."""
        local = t.astimezone(self.tz)
        day = local.date()
        hour = local.hour + local.minute / 60
        for i in range(15):
            window = self._window(day, mode)
            if window:
                if i == 0 and window[0] <= hour < window[1]:
                    return t
                if i > 0 or hour < window[0]:
                    return self._at(day, window[0]) + timedelta(minutes=self.rng.uniform(3, 40))
            day += timedelta(days=1)
        return t

    def _back(self, work_hours):
        """The moment ``work_hours`` of working time before now (for scripted tickets)."""
        t = self.now
        left = work_hours * 60
        step = timedelta(minutes=10)
        while left > 0:
            t -= step
            local = t.astimezone(self.tz)
            window = self._window(local.date(), "work")
            if window and window[0] <= local.hour + local.minute / 60 < window[1]:
                left -= 10
        return t.replace(second=0, microsecond=0) - timedelta(minutes=self.rng.randint(0, 9))

    def _days_ago(self, days, hour):
        today = timezone.localdate(self.now)
        day = today - timedelta(days=min(days, (today - self.start).days - 1))
        while self._window(day, "work") is None:
            day -= timedelta(days=1)
        return self._at(day, hour)

    def _filing_time(self, room, urgent):
        """A filing moment between the first day and now: weekdays and office hours most,
        dormitories also in the evening, the first fortnight of term busier."""
        rng = self.rng
        today = timezone.localdate(self.now)
        days = [self.start + timedelta(days=i) for i in range((today - self.start).days + 1)]
        weights = []
        for day in days:
            w = {5: 0.35, 6: 0.25}.get(day.weekday(), 1.0)
            if (day.month, day.day) in HOLIDAYS:
                w = 0.1
            if (day - self.start).days < 14:
                w *= 1.6
            weights.append(w)
        for _attempt in range(30):
            day = rng.choices(days, weights)[0]
            evening = 0.3 if room.kind in (RoomKind.DORM, RoomKind.CANTEEN) else 0.05
            roll = rng.random()
            if roll < evening:
                hour = rng.uniform(17.5, 21.5)
            elif roll < evening + (1 - evening) * 0.55:
                hour = rng.uniform(7.3, 11.8)
            else:
                hour = rng.uniform(13.3, 17.3)
            t = self._at(day, hour).replace(second=0, microsecond=0)
            if t < self.now - timedelta(minutes=30):
                return t
        return self.now - timedelta(hours=rng.uniform(1, 48))

    # -- choosing --

    def _pick(self, pairs):
        items, weights = zip(*pairs, strict=True)
        return self.rng.choices(items, weights)[0]

    def _fault(self, trade, kinds):
        faults = [f for f in FAULTS[trade] if set(f.kinds) & kinds]
        return self._pick([(f, f.weight) for f in faults])

    def _room(self, fault):
        kind = self._pick([(k, w) for k, w in fault.kinds.items() if k in self.by_kind])
        return self.rng.choice(self.by_kind[kind])

    def _description(self, fault, room):
        texts = [d for d in fault.descriptions if isinstance(d, str) or room.kind in d[1]]
        text = self.rng.choice(texts)
        return text if isinstance(text, str) else text[0]

    def _requester(self, room, main):
        rng = self.rng
        people = self.people
        if not main:
            return rng.choice([u for u in self.staff if not u.has_role(Role.TECHNICIAN)])
        teachers = [people[u] for u, *_rest in TEACHERS if u in people] + [
            people[u] for u in ("shuxue", "yingyu", "wuli", "tiyu") if u in people
        ]
        if self.office and rng.random() < 0.07:  # a phone call, filed by the office
            return self.office
        by_kind = {
            RoomKind.DORM: [("suguan", 7), (None, 3)],
            RoomKind.CANTEEN: [("shitang", 9), ("zongwu", 1)],
            RoomKind.SPORTS: [("tiyu", 8), (None, 2)],
            RoomKind.STORAGE: [("zongwu", 1)],
        }
        if room.kind == RoomKind.OFFICE and room.name in OFFICE_OWNERS:
            username = OFFICE_OWNERS[room.name]
        elif room.kind == RoomKind.LAB:
            username = rng.choice(sorted(SCIENCE))
        elif room.kind in by_kind:
            username = self._pick(by_kind[room.kind])
        else:
            username = None
        return people.get(username) or rng.choice(teachers)

    def _rule_for(self, trade, room):
        return self.rule.get((trade, room.building_id)) or self.rule.get((trade, None))

    def _dispatch_to(self, trade):
        choices = [
            (self.people[u], w) for u, w in self.dispatch_spec.get(trade, []) if u in self.people
        ]
        if choices:
            return self._pick(choices)
        technicians = [u for u in self.people.values() if u.has_role(Role.TECHNICIAN)]
        return self.rng.choice(sorted(technicians, key=lambda u: u.pk))

    # -- one ticket --

    def _plan(self, *, room, trade, fault, requester, t0, urgent, fate, description=None):
        rng = self.rng
        urgency = Urgency.URGENT if urgent else Urgency.NORMAL
        respond_by, complete_by = service_targets(self.school, urgency, t0)
        plan = _Plan(
            fields={
                "school": self.school,
                "requester": requester,
                "contact_phone": requester.phone if rng.random() < 0.6 else "",
                "room": room,
                "trade": trade,
                "category": self.categories.get((trade, fault.category)),
                "description": description or self._description(fault, room),
                "urgency": urgency,
                "created_at": t0,
                "respond_by": respond_by,
                "complete_by": complete_by,
            }
        )
        steps = plan.steps
        at = fate.at
        mode = "urgent" if urgent else "work"
        steps.append((t0, TicketStatus.SUBMITTED, requester, "", {}))

        def cancel(t, to_from_submitted):
            if fate.cancel == "requester":
                actor, reason = requester, rng.choice(CANCEL_BY_REQUESTER)
            else:
                actor, reason = self.office or requester, rng.choice(CANCEL_BY_OFFICE)
            steps.append((t, TicketStatus.CANCELLED, actor, reason, {}))
            return plan

        # Assigned: by rule at once, else by general affairs or taken by a technician.
        technician = self._rule_for(trade, room)
        if technician is not None:
            t = t0
            note = _("Assigned by rule to %(name)s") % {"name": technician}
            steps.append((t, TicketStatus.ASSIGNED, None, note, {"assignee": technician}))
        else:
            if fate.stop == TicketStatus.SUBMITTED:
                return plan
            t = at.get("assign") or self._shift(t0 + timedelta(hours=rng.uniform(0.2, 3)), mode)
            if fate.cancel and rng.random() < 0.5:
                return cancel(t0 + timedelta(hours=rng.uniform(0.2, 2)), True)
            technician = self._dispatch_to(trade)
            if self.office is not None and rng.random() < 0.7:
                actor, note = self.office, _("Assigned to %(name)s") % {"name": technician}
            else:
                actor, note = technician, _("Taken by %(name)s") % {"name": technician}
            steps.append((t, TicketStatus.ASSIGNED, actor, note, {"assignee": technician}))
        plan.fields["assigned_at"] = t
        if fate.cancel:
            return cancel(t + timedelta(hours=rng.uniform(0.2, 3)), False)
        if fate.stop == TicketStatus.ASSIGNED:
            return plan
        if not at and self.office is not None and rng.random() < 0.025:
            others = [u for u, _w in self.dispatch_spec.get(trade, []) if u in self.people]
            others = [self.people[u] for u in others if self.people[u] != technician]
            if others:
                previous, technician = technician, rng.choice(others)
                t = self._shift(t + timedelta(hours=rng.uniform(0.5, 3)))
                text = _("Reassigned from %(old)s to %(new)s") % {
                    "old": previous,
                    "new": technician,
                }
                note = f"{text}\n{rng.choice(REASSIGN_NOTES)}"
                updates = {"assignee": technician, "assigned_at": t}
                steps.append((t, TicketStatus.ASSIGNED, self.office, note, updates))

        # Started: urgent ones within the hour or two, others within the working day.
        if "start" in at:
            t = at["start"]
        elif urgent:
            t = self._shift(t + timedelta(hours=rng.uniform(0.15, 1.5)), "urgent")
            if rng.random() < 0.08:
                t += timedelta(hours=rng.uniform(2, 8))
        else:
            t = self._shift(t + timedelta(hours=min(rng.expovariate(1 / 5), 30)))
            if rng.random() < 0.1:
                t = self._shift(t + timedelta(hours=rng.uniform(24, 60)))
        start = t
        steps.append((t, TicketStatus.IN_PROGRESS, technician, "", {"started_at": t}))
        if fate.stop == TicketStatus.IN_PROGRESS:
            if rng.random() < 0.5:
                self._use(plan, fault, trade, technician, t + timedelta(minutes=15), count=1)
            return plan

        # On hold (waiting for parts), then on again.
        if fate.hold or fate.stop == TicketStatus.ON_HOLD or rng.random() < 0.07:
            t = at.get("hold") or t + timedelta(minutes=rng.uniform(10, 50))
            if rng.random() < 0.5:
                self._use(plan, fault, trade, technician, start + (t - start) / 2, count=1)
            long = fate.stop == TicketStatus.ON_HOLD and not at
            reason = at.get("reason") or rng.choice(LONG_HOLD_REASONS if long else HOLD_REASONS)
            steps.append((t, TicketStatus.ON_HOLD, technician, reason, {"hold_reason": reason}))
            if fate.stop == TicketStatus.ON_HOLD:
                return plan
            t = self._shift(t + timedelta(days=rng.uniform(0.5, 6)))
            steps.append((t, TicketStatus.IN_PROGRESS, technician, "", {"hold_reason": ""}))

        # Done: the cause, the notes, the materials.
        done = at.get("done") or t + timedelta(hours=rng.uniform(*fault.hours))
        if not plan.materials and rng.random() < fault.material_p:
            self._use(plan, fault, trade, technician, t + (done - t) * rng.uniform(0.4, 0.95))
        roll = rng.random()
        cause = (
            DamageCause.DISASTER
            if roll < fault.disaster
            else DamageCause.DAMAGE
            if roll < fault.disaster + fault.damage
            else DamageCause.WEAR
        )
        notes = rng.choice(fault.notes)
        updates = {"cause": cause, "work_notes": notes, "done_at": done}
        steps.append((done, TicketStatus.DONE, technician, notes, updates))
        late = done > complete_by

        # Reopened: not fixed, back to the technician with a new deadline.
        if fate.reopen or (not at and fate.stop is None and rng.random() < 0.04):
            t = self._shift(done + timedelta(hours=rng.uniform(2, 30)), "awake")
            reason = rng.choice(REOPEN_REASONS)
            new_target = service_targets(self.school, urgency, t)[1]
            updates = {"reopen_count": 1, "done_at": None, "complete_by": new_target}
            steps.append((t, TicketStatus.ASSIGNED, requester, reason, updates))
            t = self._shift(t + timedelta(hours=rng.uniform(0.5, 16)))
            steps.append((t, TicketStatus.IN_PROGRESS, technician, "", {}))
            done = t + timedelta(hours=rng.uniform(0.3, 1.5))
            if rng.random() < 0.5:
                self._use(plan, fault, trade, technician, t + (done - t) / 2, count=1)
            notes = rng.choice(fault.notes)
            updates = {"work_notes": notes, "done_at": done}
            steps.append((done, TicketStatus.DONE, technician, notes, updates))
            late = True
        if fate.stop == TicketStatus.DONE:
            return plan

        # Closed: rated by the requester within the period, or confirmed by the tick.
        days = self.school.repair_auto_confirm_days
        auto = fate.auto if fate.auto is not None else rng.random() < 0.2
        if not auto:
            t = self._shift(done + timedelta(hours=rng.expovariate(1 / 10)), "awake")
            auto = t >= done + timedelta(days=days) - timedelta(hours=1)
        if auto:
            t = done + timedelta(days=days)
            t = t.replace(minute=0, second=0, microsecond=0) + timedelta(
                hours=1, minutes=rng.randint(0, 2), seconds=rng.randint(0, 59)
            )
            note = _("Confirmed automatically after %(days)s days") % {"days": days}
            updates = {"auto_confirmed": True, "closed_at": t}
            steps.append((t, TicketStatus.CLOSED, None, note, updates))
            return plan
        rating = (
            fate.rating or rng.choices(RATINGS, RATING_WEIGHTS_LATE if late else RATING_WEIGHTS)[0]
        )
        comment_p = 0.3 if rating == 5 else 0.25 if rating == 4 else 0.8
        comment = rng.choice(COMMENTS[rating]) if rng.random() < comment_p else ""
        updates = {"rating": rating, "rating_comment": comment, "closed_at": t}
        steps.append((t, TicketStatus.CLOSED, requester, comment, updates))
        return plan

    def _use(self, plan, fault, trade, technician, at, count=None):
        """Materials used, from the fault's list (quantities and costs from the catalogue),
        now and then one entered freely."""
        rng = self.rng
        options = [m for m in fault.materials if (m[0], m[1]) in self.materials]
        if count is None:
            count = rng.choices([1, 2, 3], [6, 3, 1])[0]
        for name, spec, least, most in rng.sample(options, min(count, len(options))):
            item = self.materials[(name, spec)]
            if isinstance(least, float) or isinstance(most, float):
                quantity = Decimal(max(1, round(rng.uniform(least, most) * 2))) / 2
            else:
                quantity = Decimal(rng.randint(least, most))
            plan.materials.append(
                (
                    at,
                    {
                        "material": item,
                        "name": item.name,
                        "spec": item.spec,
                        "quantity": quantity,
                        "unit": item.unit,
                        "unit_cost": item.unit_cost,
                        "added_by": technician,
                    },
                )
            )
        if rng.random() < 0.08:
            name, spec, unit, cost = rng.choice(FREE_MATERIALS[trade])
            plan.materials.append(
                (
                    at + timedelta(minutes=1),
                    {
                        "material": None,
                        "name": name,
                        "spec": spec,
                        "quantity": Decimal(rng.randint(1, 4)),
                        "unit": unit,
                        "unit_cost": Decimal(cost),
                        "added_by": technician,
                    },
                )
            )

    def _random(self, *, main, fate=None, trade=None, fault=None, room=None, t0=None):
        rng = self.rng
        kinds = set(self.by_kind)
        trade = trade or self._pick(list(TRADE_WEIGHTS.items()))
        fault = fault or self._fault(trade, kinds)
        room = room or self._room(fault)
        requester = self._requester(room, main)
        urgent = rng.random() < fault.urgent
        t0 = t0 or self._filing_time(room, urgent)
        if fate is None:
            fate = _Fate()
            if rng.random() < 0.03:
                fate.cancel = "requester" if rng.random() < 0.6 else "office"
        return self._plan(
            room=room,
            trade=trade,
            fault=fault,
            requester=requester,
            t0=t0,
            urgent=urgent,
            fate=fate,
        )

    # -- the schools' tickets --

    def _count(self, per_day, least, most):
        days = (timezone.localdate(self.now) - self.start).days
        return max(least, min(most, round(per_day * days)))

    def _find_room(self, building, number):
        for room in self.rooms:
            if room.building.name == building and room.number == number:
                return room
        return self.rng.choice(self.rooms)

    def _fault_named(self, trade, category):
        return next(f for f in FAULTS[trade] if f.category == category)

    def _main_plans(self):
        plans = []
        plans += self._scripted()
        # Rooms with the same fault again and again (3+ tickets each).
        series = [
            ("学生宿舍5号楼", "312", Trade.PLUMBING, "漏水", 4),
            ("学生宿舍6号楼", "508", Trade.CARPENTRY, "门锁", 3),
            ("求真楼", "203", Trade.NETWORK, "多媒体设备", 4),
            ("食堂", "102", Trade.PLUMBING, "堵塞", 5),
            ("行政楼", "303", Trade.AIR_CONDITIONING, "不制冷/不制热", 3),
            ("实验楼", "302", Trade.PLUMBING, "水龙头", 3),
            ("求实楼", "405", Trade.ELECTRICAL, "灯具", 3),
        ]
        for building, number, trade, category, count in series:
            room = self._find_room(building, number)
            fault = self._fault_named(trade, category)
            for _i in range(count):
                plans.append(self._random(main=True, trade=trade, fault=fault, room=room))
        total = self._count(5.5, 420, 600)
        jiaoshi = self.people.get("jiaoshi")
        while len(plans) < total:
            plan = self._random(main=True)
            if plan.fields["requester"] == jiaoshi:  # hers are scripted
                continue
            plans.append(plan)
        plans += self._stuck(main=True)
        return plans

    def _neighbour_plans(self):
        plans = [self._random(main=False) for _i in range(self._count(0.6, 50, 90))]
        return plans + self._stuck(main=False, count=3)

    def _stuck(self, *, main, count=14):
        """Open tickets that stopped somewhere in the last weeks: never dispatched, never
        started, a long job, waiting for parts or the holidays. Most are overdue."""
        plans = []
        stops = [
            TicketStatus.SUBMITTED,
            TicketStatus.SUBMITTED,
            TicketStatus.ASSIGNED,
            TicketStatus.ASSIGNED,
            TicketStatus.ASSIGNED,
            TicketStatus.IN_PROGRESS,
            TicketStatus.IN_PROGRESS,
            TicketStatus.IN_PROGRESS,
            TicketStatus.ON_HOLD,
            TicketStatus.ON_HOLD,
            TicketStatus.ON_HOLD,
            TicketStatus.ON_HOLD,
            TicketStatus.ON_HOLD,
            TicketStatus.ASSIGNED,
        ][:count]
        if not main:
            stops = [TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD][:count]
        for stop in stops:
            trade = None
            if stop == TicketStatus.SUBMITTED:  # only where no rule assigns at once
                trade = self.rng.choice([Trade.AIR_CONDITIONING, Trade.GENERAL])
            for _attempt in range(20):
                t0 = self.now - timedelta(days=self.rng.uniform(2, 25))
                t0 = self._shift(t0.replace(second=0, microsecond=0))
                if t0 > self.now - timedelta(hours=2):
                    continue
                plan = self._random(main=main, fate=_Fate(stop=stop), trade=trade, t0=t0)
                requester = plan.fields["requester"]
                if requester.username == "jiaoshi":
                    continue
                if stop != TicketStatus.SUBMITTED or plan.steps[-1][1] == TicketStatus.SUBMITTED:
                    break
            plans.append(plan)
        return plans

    def _scripted(self):
        """The queue of ``weixiu`` and the tickets of ``jiaoshi`` the demo promises."""
        people = self.people
        weixiu, jiaoshi = people.get("weixiu"), people.get("jiaoshi")
        if weixiu is None or jiaoshi is None:
            return []
        back, ago = self._back, self._days_ago
        P, E, C, N, A_, G = (
            Trade.PLUMBING,
            Trade.ELECTRICAL,
            Trade.CARPENTRY,
            Trade.NETWORK,
            Trade.AIR_CONDITIONING,
            Trade.GENERAL,
        )
        S = TicketStatus
        # (building, room, trade, category, description, requester, urgent, t0, fate)
        script = [
            # weixiu's current queue: assigned, in progress, on hold (rules send them to him).
            ("求实楼", "304", E, "灯具", "教室后排两根灯管不亮", "laoshi02", False, back(2),
             _Fate(stop=S.ASSIGNED)),
            ("行政楼", "202", P, "水管", "饮水机进水管脱落，地上都是水", "zongwu", True, back(5),
             _Fate(stop=S.ASSIGNED)),
            ("明德楼", "203", E, "开关插座", "讲台边插座没电", "laoshi06", False, back(9),
             _Fate(stop=S.ASSIGNED)),
            ("学生宿舍5号楼", "406", P, "漏水", "卫生间台盆下面水管漏水，地上一直有积水",
             "suguan", False, back(8), _Fate(stop=S.IN_PROGRESS, at={"start": back(6)})),
            ("实验楼", "302", P, "水龙头", "实验台水龙头关不紧，一直滴水", "laoshi05", False,
             back(4), _Fate(stop=S.IN_PROGRESS, at={"start": back(3)})),
            ("实验楼", "303", P, "水龙头", "洗手池感应龙头不出水", "laoshi10", False, back(32),
             _Fate(stop=S.ON_HOLD, at={"start": back(30), "hold": back(29.5),
                                       "reason": "等待配件（感应龙头已下单）"})),
            # jiaoshi (王晓梅, 语文组): about ten tickets in every state.
            ("求真楼", "207", E, "灯具", "办公室灯管一直闪", "jiaoshi", False, ago(62, 9.2),
             _Fate(rating=5)),
            ("求真楼", "203", C, "门锁", "教室前门门锁坏了，钥匙插不进去", "jiaoshi", False,
             ago(48, 10.5), _Fate(rating=4)),
            ("求真楼", "204", N, "广播", "教室广播没声音", "jiaoshi", False, ago(40, 14.1),
             _Fate(rating=5)),
            ("求真楼", "203", N, "多媒体设备", "投影仪不亮，下午要上公开课", "jiaoshi", True,
             ago(33, 8.1), _Fate(auto=True)),
            ("求真楼", "203", C, "门窗", "教室后面的窗户关不严，漏风", "jiaoshi", False,
             ago(21, 15.3), _Fate(reopen=True, rating=3)),
            ("求真楼", "207", G, "窗帘", "办公室窗帘轨道脱落", "jiaoshi", False, ago(12, 9.7),
             _Fate(cancel="requester")),
            ("求真楼", "207", P, "其他", "办公室饮水机出水口滴水", "jiaoshi", False, back(7),
             _Fate(stop=S.DONE, at={"start": back(5), "done": back(3)})),
            ("求真楼", "203", E, "电扇", "吊扇转起来晃得厉害，有异响", "jiaoshi", False,
             back(5.5), _Fate(stop=S.IN_PROGRESS, at={"start": back(1.5)})),
            ("求真楼", "204", C, "课桌椅", "课桌桌面开裂", "jiaoshi", False, back(4),
             _Fate(stop=S.ASSIGNED)),
            ("求真楼", "207", A_, "不制冷/不制热", "办公室空调制热没效果，吹的是冷风",
             "jiaoshi", False, back(1), _Fate(stop=S.SUBMITTED)),
        ]  # fmt: skip
        plans = []
        for building, number, trade, category, text, who, urgent, t0, fate in script:
            plans.append(
                self._plan(
                    room=self._find_room(building, number),
                    trade=trade,
                    fault=self._fault_named(trade, category),
                    requester=people.get(who) or jiaoshi,
                    t0=t0,
                    urgent=urgent,
                    fate=fate,
                    description=text,
                )
            )
        return plans

    # -- writing --

    def _write(self, plans):
        """Cut every ticket's life at now; write tickets, materials and history in bulk."""
        now = self.now
        tickets, histories, used = [], [], []
        for plan in sorted(plans, key=lambda p: p.fields["created_at"]):
            fields = dict(plan.fields)
            history = []
            status = ""
            for at, to, actor, note, updates in sorted(plan.steps, key=lambda s: s[0]):
                if at > now:
                    break
                fields.update(updates)
                history.append((at, status, to, actor, note))
                status = to
            if not history:  # filed after now: never happens, but never write half a ticket
                continue
            fields["status"] = status
            if fields.get("assignee") is None:
                fields["assigned_at"] = None
            tickets.append(Ticket(**fields))
            histories.append(history)
            # Materials are recorded while the work is going on, so never before it starts.
            used.append([(at, m) for at, m in plan.materials if at <= now])
        Ticket.objects.bulk_create(tickets, batch_size=500)
        ticket_counts_refresh(School.objects.filter(pk=self.school.pk))

        ticket_type = ContentType.objects.get_for_model(Ticket)
        changes, times = [], []
        for ticket, history in zip(tickets, histories, strict=True):
            for at, from_status, to, actor, note in history:
                changes.append(
                    StatusChange(
                        school=self.school,
                        content_type=ticket_type,
                        object_id=ticket.pk,
                        from_status=str(from_status),
                        to_status=str(to),
                        actor=actor,
                        note=note,
                    )
                )
                times.append(at)
        StatusChange.objects.bulk_create(changes, batch_size=500)
        # ``at`` is stamped on insert: set it to the step's own time.
        for change, at in zip(changes, times, strict=True):
            change.at = at
        StatusChange.objects.bulk_update(changes, ["at"], batch_size=500)

        rows, times = [], []
        for ticket, materials in zip(tickets, used, strict=True):
            for at, values in materials:
                rows.append(TicketMaterial(ticket=ticket, **values))
                times.append(at)
        TicketMaterial.objects.bulk_create(rows, batch_size=500)
        for row, at in zip(rows, times, strict=True):
            row.added_at = at
        TicketMaterial.objects.bulk_update(rows, ["added_at"], batch_size=500)
        return len(tickets)
