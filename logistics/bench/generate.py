"""Fill the bench database: districts and schools, then every registered generator."""

import time

from django.db import connection, transaction

from logistics.bench import SCHOOL_CODE_PREFIX, BenchContext, BenchSchool
from logistics.common.registry import registry
from logistics.models import District, School

DISTRICTS = [("武进区", "wj"), ("新北区", "xb"), ("天宁区", "tn"), ("钟楼区", "zl")]
TOWNS = [
    "湖塘",
    "牛塘",
    "南夏墅",
    "礼嘉",
    "洛阳",
    "雪堰",
    "前黄",
    "嘉泽",
    "湟里",
    "横山桥",
    "遥观",
    "横林",
    "郑陆",
    "潞城",
    "丁堰",
    "邹区",
    "奔牛",
    "西夏墅",
    "薛家",
    "罗溪",
]
KINDS = ["实验小学", "初级中学", "中心小学", "高级中学"]
# A small (village) school has this fraction of a full school's size.
SMALL_FACTOR = 0.1


def school_name(index: int) -> str:
    town = TOWNS[(index - 1) % len(TOWNS)]
    kind = KINDS[(index - 1) % len(KINDS)]
    lap = (index - 1) // len(TOWNS)
    return f"{town}{kind}" + (f"（{lap + 1}）" if lap else "")


def school_code(index: int) -> str:
    return f"{SCHOOL_CODE_PREFIX}{index:02d}"


def bench_schools(*, schools: int, scale: float, small: int) -> list[BenchSchool]:
    """The generated schools as ``BenchSchool``s (the last ``small`` are small ones)."""
    rows = School.objects.filter(code__startswith=SCHOOL_CODE_PREFIX).order_by("code")
    result = []
    for index, school in enumerate(rows, start=1):
        is_small = index > schools - small
        result.append(
            BenchSchool(
                school=school,
                index=index,
                factor=scale * (SMALL_FACTOR if is_small else 1.0),
                small=is_small,
            )
        )
    return result


def generate(*, schools=20, districts=2, scale=1.0, small=2, seed=20261, log=print):
    """Generate everything in one transaction; returns {kind: rows} and seconds taken."""
    started = time.monotonic()
    counts = {}
    with transaction.atomic():
        district_rows = District.objects.bulk_create(
            [
                District(name=name, code=f"{SCHOOL_CODE_PREFIX}{code}")
                for name, code in DISTRICTS[:districts]
            ]
        )
        School.objects.bulk_create(
            [
                School(
                    district=district_rows[(i - 1) % len(district_rows)],
                    code=school_code(i),
                    name=school_name(i),
                    address=f"江苏省常州市{school_name(i)}路{i}号",
                    phone=f"0519-8{i:07d}",
                )
                for i in range(1, schools + 1)
            ]
        )
        counts["districts"] = len(district_rows)
        counts["schools"] = schools
        ctx = BenchContext(
            schools=bench_schools(schools=schools, scale=scale, small=small),
            districts=district_rows,
            scale=scale,
            seed=seed,
        )
        for data in sorted(registry.bench_data.values(), key=lambda d: (d.order, d.key)):
            step = time.monotonic()
            made = data.generate(ctx) or {}
            counts.update(made)
            log(
                f"  {data.key:<16} {time.monotonic() - step:5.1f} s  "
                + ", ".join(f"{k} {v:,}" for k, v in made.items())
            )
    # Fresh planner statistics and visibility maps, as a database autovacuum looks after
    # would have (outside the generating transaction: VACUUM cannot run inside one).
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM ANALYZE")
    return counts, time.monotonic() - started
