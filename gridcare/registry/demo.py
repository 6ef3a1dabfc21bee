"""The demo city: a district of Jiayuguan (嘉峪关), its grids, households, residents and staff.

`gridcare demo load` fills an empty, migrated database so the app can be tried at once.
The city is drawn from a seeded `random.Random`, so it is the same every time it is
loaded on a given day (ages are counted back from today, so they stay plausible).
Identity numbers go in the way the registry stores them: encrypted, plus a keyed hash.
"""

import math
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import click
from sqlalchemy import func, insert, inspect, select

from gridcare.accounts.models import Role, User
from gridcare.accounts.services import hash_password
from gridcare.areas.models import Area, AreaKind
from gridcare.audit import services as audit
from gridcare.clock import today, years_before
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry import id_numbers
from gridcare.registry.care_levels import household_care_level
from gridcare.registry.models import (
    EmergencyContact,
    Gender,
    Household,
    Resident,
    ResidentStatus,
)

DEMO_PASSWORD = "gridcare-demo-2026"
SEED = 620202

demo_cli = click.Group("demo", help="Demo data.")


@dataclass(frozen=True)
class Scale:
    streets: int
    communities_per_street: int
    grids_per_community: int
    households_per_grid: int


SCALES = {
    "small": Scale(
        streets=2, communities_per_street=2, grids_per_community=3, households_per_grid=50
    ),
    # About ten times the households, for benchmarks.
    "city": Scale(
        streets=5, communities_per_street=4, grids_per_community=6, households_per_grid=50
    ),
}

# ---------------------------------------------------------------------------------------
# Place and people names
# ---------------------------------------------------------------------------------------

DISTRICT_CODE = "620202"
DISTRICT_NAME = "雄关区"
CITY_CENTRE = (39.7730, 98.2890)  # Jiayuguan, WGS-84

STREETS = (
    ("新华路街道", ("明珠社区", "新华社区", "和诚社区", "紫轩社区")),
    ("五一路街道", ("朝阳社区", "五一社区", "东湖社区", "迎宾社区")),
    ("胜利路街道", ("胜利社区", "兰新社区", "长城社区", "雄关社区")),
    ("建设路街道", ("建设社区", "绿化社区", "文化社区", "南湖社区")),
    ("前进路街道", ("前进社区", "祁连社区", "峪泉社区", "光明社区")),
)

ROADS = (
    "新华中路", "新华南路", "新华北路", "五一路", "雄关东路", "雄关西路", "兰新东路",
    "兰新西路", "胜利南路", "胜利北路", "建设东路", "建设西路", "迎宾东路", "迎宾西路",
    "长城东路", "长城西路", "文化路", "绿化路", "南湖大道", "朝阳路", "团结路", "和诚东路",
    "和诚西路", "峪泉路", "前进路", "祁连路", "体育大道", "机场路", "东湖路", "大唐路",
)  # fmt: skip

COMPOUND_PREFIXES = (
    "明珠", "新华", "紫轩", "和诚", "东湖", "迎宾", "祁连", "雄关", "嘉峪", "长城", "朝阳",
    "五一", "兰新", "建设", "绿化", "文化", "南湖", "胜利", "前进", "酒钢", "金港", "世纪",
    "阳光", "丽景", "恒基", "天诚", "盛世", "锦绣", "康乐", "安居", "峪苑", "园丁", "电力",
    "铁路", "镜铁", "花园", "富强", "和谐", "育才", "惠民",
)  # fmt: skip
COMPOUND_SUFFIXES = ("小区", "花园", "佳苑", "家园", "新村", "生活区", "公寓", "雅居")

# Common surnames, weighted roughly by how often they occur.
SURNAMES = (
    ("王", 72), ("李", 70), ("张", 66), ("刘", 55), ("陈", 45), ("杨", 32), ("赵", 22),
    ("黄", 22), ("周", 21), ("吴", 20), ("徐", 15), ("孙", 15), ("马", 14), ("胡", 13),
    ("朱", 13), ("郭", 12), ("何", 11), ("罗", 10), ("高", 10), ("林", 9), ("郑", 8),
    ("梁", 8), ("谢", 7), ("宋", 7), ("唐", 7), ("韩", 6), ("冯", 6), ("于", 6), ("董", 6),
    ("萧", 5), ("程", 5), ("曹", 5), ("袁", 5), ("邓", 5), ("许", 5), ("傅", 5), ("沈", 5),
    ("曾", 5), ("彭", 5), ("吕", 5), ("苏", 5), ("卢", 5), ("蒋", 5), ("蔡", 5), ("贾", 4),
    ("丁", 4), ("魏", 4), ("薛", 4), ("叶", 4), ("阎", 4), ("余", 4), ("潘", 4), ("杜", 4),
    ("戴", 3), ("夏", 3), ("钟", 3), ("汪", 3), ("田", 3), ("任", 3), ("姜", 3), ("范", 3),
    ("方", 3), ("石", 3), ("姚", 3), ("谭", 3), ("廖", 3), ("邹", 3), ("熊", 3), ("金", 3),
    ("陆", 3), ("郝", 3), ("孔", 3), ("白", 3), ("崔", 3), ("康", 2), ("毛", 2), ("邱", 2),
    ("秦", 2), ("江", 2), ("史", 2), ("顾", 2), ("侯", 2), ("邵", 2), ("孟", 2), ("龙", 2),
    ("万", 2), ("段", 2), ("雷", 2), ("钱", 2), ("汤", 2), ("尹", 2), ("黎", 2), ("易", 2),
    ("常", 2), ("武", 2), ("乔", 2), ("贺", 2), ("赖", 2), ("龚", 2), ("文", 2), ("牛", 2),
)  # fmt: skip

# Given names as they were chosen for people born 1930–1965 …
OLD_GIVEN_NAMES = {
    Gender.male: (
        "建国", "国强", "建华", "志强", "永福", "德明", "富贵", "振华", "玉山", "文明", "保国",
        "学军", "卫东", "国庆", "长生", "春生", "福来", "有才", "双喜", "胜利", "跃进", "红军",
        "光明", "学文", "德胜", "文华", "明德", "立新", "金山", "树林", "广田", "玉林", "德福",
        "永祥", "世杰", "志明", "汉卿", "进财", "守仁", "继红", "新民", "建设", "援朝", "解放",
    ),
    Gender.female: (
        "秀英", "桂英", "秀兰", "玉兰", "桂兰", "淑珍", "凤英", "玉珍", "秀珍", "丽华", "兰英",
        "玉梅", "桂芳", "淑英", "凤兰", "秀云", "桂珍", "玉英", "素芳", "淑兰", "翠兰", "金凤",
        "红梅", "爱华", "美华", "春花", "秋菊", "冬梅", "建英", "玉芬", "桂香", "秀芳", "月娥",
        "巧云", "素珍", "玉凤", "凤琴", "淑华", "兰芳", "彩霞", "玉琴", "美兰", "荣华", "惠兰",
    ),
}  # fmt: skip
# … and for people born 1966–2018.
YOUNG_GIVEN_NAMES = {
    Gender.male: (
        "伟", "磊", "强", "军", "勇", "杰", "涛", "斌", "超", "鹏", "浩", "宇轩", "子豪", "俊杰",
        "志伟", "海波", "晓东", "建军", "海龙", "晓明", "文博", "浩然", "振宇", "明轩", "国栋",
        "志刚", "红兵", "卫国", "向东", "永刚", "建平", "东升", "亮", "刚", "波", "辉", "健",
    ),
    Gender.female: (
        "丽", "静", "敏", "燕", "艳", "娟", "霞", "婷", "雪", "芳", "晓燕", "丽娜", "欣怡",
        "雨萱", "婷婷", "海燕", "丽娟", "红霞", "晓丽", "春燕", "小红", "雪梅", "慧敏", "佳怡",
        "梓涵", "思雨", "晓霞", "丽萍", "玉洁", "文静", "亚楠", "秀娟", "小燕", "颖", "倩",
    ),
}  # fmt: skip

# Where residents' ID numbers were first issued: mostly Jiayuguan, then Gansu, then the
# provinces that sent workers to the steel works from the late 1950s on.
REGIONS = (
    ("620201", 46),  # 嘉峪关市辖区
    ("620200", 14),  # 嘉峪关市
    ("620902", 8),  # 酒泉 肃州区
    ("620102", 5),  # 兰州 城关区
    ("620921", 3),  # 金塔县
    ("621102", 3),  # 定西 安定区
    ("620702", 3),  # 张掖 甘州区
    ("410305", 4),  # 洛阳 涧西区
    ("410102", 3),  # 郑州 中原区
    ("610102", 3),  # 西安 新城区
    ("370102", 2),  # 济南 历下区
    ("140105", 2),  # 太原 小店区
    ("210302", 2),  # 鞍山 铁东区
    ("640104", 2),  # 银川 兴庆区
)

PHONE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "170", "173", "176", "177", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "191", "193", "198", "199",
)  # fmt: skip

HEALTH_NOTES = (
    "高血压", "糖尿病", "冠心病", "慢性支气管炎", "脑梗后遗症，右侧肢体活动不便",
    "白内障术后", "听力下降，需大声说话", "腿脚不便，使用助行器", "轻度认知障碍",
    "骨质疏松", "心脏支架术后", "帕金森病早期", "慢阻肺，冬季易发作", "风湿性关节炎",
)  # fmt: skip

OVERRIDE_REASONS = (
    "独居且有心脏病史",
    "患阿尔茨海默病，曾走失",
    "冬季用煤炉取暖，有一氧化碳中毒风险",
    "髋关节术后行动困难，子女在外地",
    "老伴住院，本人行动不便",
    "视力听力都差，白天长时间独自在家",
)

# GB/T 26341 categories as they occur among the elderly, and among younger people.
ELDERLY_DISABILITIES = ((4, 40), (2, 25), (1, 20), (7, 8), (6, 3), (5, 2), (3, 2))
YOUNG_DISABILITIES = ((5, 30), (4, 25), (6, 20), (7, 10), (2, 8), (1, 7))
GRADES = ((1, 12), (2, 28), (3, 32), (4, 28))

# Who lives in a household: the shape, and how often it occurs.
HOUSEHOLD_SHAPES = (
    ("alone", 24),  # 独居
    ("empty_nest", 34),  # 空巢 couple, children living elsewhere
    ("widowed", 5),  # a couple, one of them died recently; the other now lives alone
    ("with_children", 29),  # one or two elderly people with a grown-up child at home
    ("young_disabled", 8),  # a younger disabled person, with or without parents
)

# ---------------------------------------------------------------------------------------
# The plan: everything the demo city holds, decided before anything is written
# ---------------------------------------------------------------------------------------


@dataclass
class PlannedArea:
    kind: AreaKind
    name: str
    code: str
    parent_code: str | None
    centre: tuple[float, float]


@dataclass
class PlannedPerson:
    name: str
    gender: Gender
    birth_date: date
    id_number: str
    phone: str = ""
    lives_alone: bool = False
    empty_nest: bool = False
    disability: tuple[int, int] | None = None  # (category, grade)
    health_notes: str = ""
    status: ResidentStatus = ResidentStatus.active
    status_date: date | None = None
    contacts: list[tuple[str, str, str]] = field(default_factory=list)  # name, relation, phone

    @property
    def certificate(self) -> str | None:
        if self.disability is None:
            return None
        category, grade = self.disability
        return f"{self.id_number}{category}{grade}"


@dataclass
class PlannedHousehold:
    grid_code: str
    address: str
    building: str
    unit: str
    room: str
    lat: float
    lon: float
    residents: list[PlannedPerson]
    override: int | None = None
    override_reason: str = ""


@dataclass
class PlannedUser:
    username: str
    role: Role
    full_name: str
    phone: str
    area_code: str | None


@dataclass
class CityPlan:
    areas: list[PlannedArea]
    households: list[PlannedHousehold]
    users: list[PlannedUser]


def plan_city(scale: Scale, on: date, seed: int = SEED) -> CityPlan:
    """Decide the whole demo city for the day `on`; the same inputs give the same city."""
    return _Planner(scale, on, random.Random(seed)).plan()


class _Planner:
    def __init__(self, scale: Scale, on: date, rng: random.Random):
        self.scale = scale
        self.on = on
        self.rng = rng
        self.used_ids: set[str] = set()
        self.used_compounds: set[str] = set()
        self._surnames, self._surname_weights = zip(*SURNAMES, strict=True)
        self._regions, self._region_weights = zip(*REGIONS, strict=True)

    # -- areas and staff ----------------------------------------------------------------

    def plan(self) -> CityPlan:
        areas = self.plan_areas()
        grids = [a for a in areas if a.kind == AreaKind.grid]
        households = [h for grid in grids for h in self.plan_grid(grid)]
        return CityPlan(areas=areas, households=households, users=self.plan_users(areas))

    def plan_areas(self) -> list[PlannedArea]:
        district = PlannedArea(AreaKind.district, DISTRICT_NAME, DISTRICT_CODE, None, CITY_CENTRE)
        areas = [district]
        communities_total = self.scale.streets * self.scale.communities_per_street
        columns = math.ceil(math.sqrt(communities_total))
        community_index = 0
        for s in range(self.scale.streets):
            street_name, community_names = STREETS[s % len(STREETS)]
            street = PlannedArea(
                AreaKind.street,
                street_name if s < len(STREETS) else f"{street_name}{s // len(STREETS) + 1}",
                f"{DISTRICT_CODE}{s + 1:03d}",
                district.code,
                district.centre,
            )
            areas.append(street)
            for c in range(self.scale.communities_per_street):
                name = community_names[c % len(community_names)]
                if c >= len(community_names) or s >= len(STREETS):
                    name = f"{name[:-2]}{c + 1}社区"
                # Communities sit on a rough grid about 1.2 km apart around the centre.
                row, col = divmod(community_index, columns)
                centre = _offset(
                    CITY_CENTRE,
                    north_m=(row - (columns - 1) / 2) * 1200 + self.rng.uniform(-150, 150),
                    east_m=(col - (columns - 1) / 2) * 1200 + self.rng.uniform(-150, 150),
                )
                community = PlannedArea(
                    AreaKind.community, name, f"{street.code}{c + 1:03d}", street.code, centre
                )
                areas.append(community)
                community_index += 1
                for g in range(self.scale.grids_per_community):
                    angle = 2 * math.pi * g / self.scale.grids_per_community
                    areas.append(
                        PlannedArea(
                            AreaKind.grid,
                            f"{name[:-2]}{g + 1}网格",
                            f"{community.code}{g + 1:03d}",
                            community.code,
                            _offset(centre, 380 * math.sin(angle), 380 * math.cos(angle)),
                        )
                    )
        return areas

    def plan_users(self, areas: list[PlannedArea]) -> list[PlannedUser]:
        users = []
        for kind, prefix, role in (
            (AreaKind.grid, "worker", Role.grid_worker),
            (AreaKind.community, "officer", Role.officer),
            (AreaKind.district, "civil", Role.civil_affairs),
        ):
            of_kind = [a for a in areas if a.kind == kind]
            for n, area in enumerate(of_kind, start=1):
                gender = self.rng.choice(list(Gender))
                name = self.surname() + self.rng.choice(YOUNG_GIVEN_NAMES[gender])
                users.append(PlannedUser(f"{prefix}{n}", role, name, self.phone(), area.code))
        users.append(PlannedUser("admin", Role.admin, "系统管理员", self.phone(), None))
        return users

    # -- households ---------------------------------------------------------------------

    def plan_grid(self, grid: PlannedArea) -> list[PlannedHousehold]:
        doors = self.doors(grid)
        households = []
        for address, building, unit, room, (lat, lon) in doors:
            residents = self.residents()
            households.append(
                PlannedHousehold(grid.code, address, building, unit, room, lat, lon, residents)
            )
        # An officer flags a few households as high risk for reasons the rules cannot see.
        for household in households:
            if self.rng.random() < 0.025:
                household.override = 1
                household.override_reason = self.rng.choice(OVERRIDE_REASONS)
        return households

    def doors(self, grid: PlannedArea):
        """The grid's homes: flats in one or two compounds, sometimes a lane of bungalows."""
        wanted = self.scale.households_per_grid
        road_index = self.rng.randrange(len(ROADS))
        sites = []
        for n in range(2):
            road = ROADS[(road_index + n) % len(ROADS)]
            centre = _offset(grid.centre, self.rng.uniform(-140, 140), self.rng.uniform(-140, 140))
            bungalows = n == 1 and self.rng.random() < 0.3
            sites.append((road, centre, bungalows))
        homes = []
        per_site = (wanted + 1) // 2
        for road, centre, bungalows in sites:
            count = min(per_site, wanted - len(homes))
            if bungalows:
                homes.extend(self.bungalow_lane(road, centre, count))
            else:
                homes.extend(self.compound(road, centre, count))
        return homes

    def compound(self, road: str, centre, count: int):
        name = self.compound_name()
        address = f"{road}{self.rng.randrange(1, 300)}号{name}"
        buildings = self.rng.randint(6, 12)
        units = self.rng.randint(2, 4)
        floors = self.rng.choice((5, 6, 6, 7))
        flats = [
            (b, u, f, d)
            for b in range(1, buildings + 1)
            for u in range(1, units + 1)
            for f in range(1, floors + 1)
            for d in (1, 2)
        ]
        homes = []
        for b, u, f, d in sorted(self.rng.sample(flats, count)):
            row, col = divmod(b - 1, 4)
            # Blocks stand in rows about 40 m apart; a phone's fix scatters a few metres.
            spot = _offset(
                centre,
                north_m=(row - 1) * 40 + self.rng.uniform(-4, 4),
                east_m=(col - 1.5) * 45 + (u - 2) * 12 + self.rng.uniform(-4, 4),
            )
            homes.append((address, str(b), str(u), f"{f}{d:02d}", spot))
        return homes

    def bungalow_lane(self, road: str, centre, count: int):
        name = f"{road}{self.rng.randrange(1, 400)}号院"
        while name in self.used_compounds:
            name = f"{road}{self.rng.randrange(1, 400)}号院"
        self.used_compounds.add(name)
        homes = []
        for i in range(count):
            lane, number = divmod(i, 12)
            spot = _offset(
                centre,
                north_m=lane * 25 + self.rng.uniform(-3, 3),
                east_m=number * 14 + self.rng.uniform(-3, 3),
            )
            homes.append((f"{name}{lane + 1}排{number + 1}号", "", "", "", spot))
        return homes

    def compound_name(self) -> str:
        for _ in range(30):
            name = self.rng.choice(COMPOUND_PREFIXES) + self.rng.choice(COMPOUND_SUFFIXES)
            if name not in self.used_compounds:
                break
        else:
            # Names run out in a big city: an estate's later phases (2期, 3期 …) take new ones.
            base, phase = name, 2
            while (name := f"{base}{phase}期") in self.used_compounds:
                phase += 1
        self.used_compounds.add(name)
        return name

    def residents(self) -> list[PlannedPerson]:
        shape = self.rng.choices(*zip(*HOUSEHOLD_SHAPES, strict=True))[0]
        return getattr(self, f"shape_{shape}")()

    def shape_alone(self) -> list[PlannedPerson]:
        gender = Gender.female if self.rng.random() < 0.65 else Gender.male
        person = self.elderly(gender, age=self.elderly_age(mode=76))
        person.lives_alone = True
        self.add_children_as_contacts(person, self.surname())
        return [person]

    def shape_empty_nest(self) -> list[PlannedPerson]:
        husband, wife = self.couple()
        husband.empty_nest = wife.empty_nest = True
        self.add_children_as_contacts(husband, husband.name[0])
        return [husband, wife]

    def shape_widowed(self) -> list[PlannedPerson]:
        husband, wife = self.couple()
        died, survivor = (husband, wife) if self.rng.random() < 0.7 else (wife, husband)
        died.status = ResidentStatus.deceased
        died.status_date = self.on - timedelta(days=self.rng.randint(20, 900))
        died.phone = ""
        survivor.lives_alone = True
        self.add_children_as_contacts(survivor, husband.name[0])
        return [husband, wife]

    def shape_with_children(self) -> list[PlannedPerson]:
        if self.rng.random() < 0.55:
            parents = list(self.couple())
        else:
            gender = Gender.female if self.rng.random() < 0.6 else Gender.male
            parents = [self.elderly(gender, age=self.elderly_age(mode=72))]
        eldest = max(self.on.year - p.birth_date.year for p in parents)
        family = next(p for p in parents if p.gender == Gender.male) if len(parents) == 2 else None
        surname = family.name[0] if family else self.surname()
        child_age = max(25, eldest - self.rng.randint(24, 34))
        child = self.young(self.rng.choice(list(Gender)), child_age, surname)
        return [*parents, child]

    def shape_young_disabled(self) -> list[PlannedPerson]:
        age = int(self.rng.triangular(8, 56, 30))
        gender = self.rng.choice(list(Gender))
        surname = self.surname()
        person = self.young(gender, age, surname)
        person.disability = self.disability(YOUNG_DISABILITIES)
        if age >= 30 and self.rng.random() < 0.2:
            person.lives_alone = True
            self.add_children_as_contacts(person, surname, relations=("哥哥", "姐姐", "表哥"))
            return [person]
        mother_age = age + self.rng.randint(22, 32)
        people = [person, self.parent(Gender.female, mother_age)]
        if self.rng.random() < 0.6 and mother_age + 4 <= 95:
            people.append(self.parent(Gender.male, mother_age + self.rng.randint(0, 4), surname))
        return people

    # -- people -------------------------------------------------------------------------

    def couple(self) -> tuple[PlannedPerson, PlannedPerson]:
        husband_age = self.elderly_age(mode=70)
        wife_age = max(56, husband_age - self.rng.randint(0, 6))
        return self.elderly(Gender.male, husband_age), self.elderly(Gender.female, wife_age)

    def elderly(self, gender: Gender, age: int, surname: str | None = None) -> PlannedPerson:
        person = self.person(gender, self.birth_date(age), old=True, surname=surname)
        if self.rng.random() < 0.12:
            person.disability = self.disability(ELDERLY_DISABILITIES)
        if self.rng.random() < 0.35:
            notes = self.rng.sample(HEALTH_NOTES, self.rng.choice((1, 1, 2)))
            person.health_notes = "；".join(notes)
        if self.rng.random() < 0.3:
            person.phone = ""  # many of the very old have no mobile of their own
        return person

    def parent(self, gender: Gender, age: int, surname: str | None = None) -> PlannedPerson:
        """A younger disabled person's parent: elderly or not, by age."""
        if age >= 60:
            return self.elderly(gender, age, surname)
        return self.person(gender, self.birth_date(age), old=age >= 56, surname=surname)

    def young(self, gender: Gender, age: int, surname: str) -> PlannedPerson:
        person = self.person(gender, self.birth_date(age), old=False, surname=surname)
        if age < 16:
            person.phone = ""
        return person

    def person(
        self, gender: Gender, birth_date: date, old: bool, surname: str | None = None
    ) -> PlannedPerson:
        names = OLD_GIVEN_NAMES if old else YOUNG_GIVEN_NAMES
        return PlannedPerson(
            name=(surname or self.surname()) + self.rng.choice(names[gender]),
            gender=gender,
            birth_date=birth_date,
            id_number=self.id_number(birth_date, gender),
            phone=self.phone(),
        )

    def add_children_as_contacts(
        self, person: PlannedPerson, surname: str, relations=("儿子", "女儿")
    ) -> None:
        roll = self.rng.random()
        if roll < 0.08:
            return  # nobody to call: exactly the people a grid worker worries about
        if roll < 0.16:
            relation = self.rng.choice(("侄子", "外甥女", "邻居"))
            gender = Gender.female if relation == "外甥女" else self.rng.choice(list(Gender))
            name = self.surname() + self.rng.choice(YOUNG_GIVEN_NAMES[gender])
            person.contacts.append((name, relation, self.phone()))
            return
        for _ in range(self.rng.choice((1, 1, 2))):
            relation = self.rng.choice(relations)
            gender = Gender.female if relation in ("女儿", "姐姐") else Gender.male
            name = surname + self.rng.choice(YOUNG_GIVEN_NAMES[gender])
            person.contacts.append((name, relation, self.phone()))

    def disability(self, weights) -> tuple[int, int]:
        category = self.rng.choices(*zip(*weights, strict=True))[0]
        grade = self.rng.choices(*zip(*GRADES, strict=True))[0]
        return category, grade

    def elderly_age(self, mode: int) -> int:
        return min(95, int(self.rng.triangular(60, 96, mode)))

    def birth_date(self, age: int) -> date:
        """A birthday that makes someone exactly `age` years old on the planning day."""
        last_birthday = years_before(self.on, age)
        return last_birthday - timedelta(days=self.rng.randrange(365))

    def surname(self) -> str:
        return self.rng.choices(self._surnames, self._surname_weights)[0]

    def id_number(self, birth_date: date, gender: Gender) -> str:
        region = self.rng.choices(self._regions, self._region_weights)[0]
        while True:
            # The 17th digit is odd for men and even for women.
            sequence = self.rng.randrange(1, 500) * 2 + (1 if gender == Gender.male else 0)
            number = id_numbers.make(region, birth_date, sequence)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"


def _offset(point: tuple[float, float], north_m: float, east_m: float) -> tuple[float, float]:
    lat, lon = point
    metres_per_degree = 111_320.0
    return (
        round(lat + north_m / metres_per_degree, 6),
        round(lon + east_m / (metres_per_degree * math.cos(math.radians(lat))), 6),
    )


# ---------------------------------------------------------------------------------------
# Writing the plan
# ---------------------------------------------------------------------------------------


class SchemaMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoLoad:
    """What `load_demo` did: counts, or `skipped_because` when it changed nothing."""

    areas: int = 0
    households: int = 0
    residents: int = 0
    users: int = 0
    skipped_because: str = ""


def load_demo(scale_name: str = "small") -> DemoLoad:
    """Fill an empty database with the demo city in one transaction; never touch a used one."""
    if not inspect(db.session.connection()).has_table(Area.__tablename__):
        raise SchemaMissing("the database has no tables yet: run `gridcare db upgrade` first")
    existing_areas = db.session.scalar(select(func.count()).select_from(Area))
    if existing_areas:
        return DemoLoad(skipped_because=f"the database already has {existing_areas} areas")
    plan = plan_city(SCALES[scale_name], today())
    usernames = [u.username for u in plan.users]
    taken = db.session.scalars(select(User.username).where(User.username.in_(usernames))).all()
    if taken:
        return DemoLoad(skipped_because=f"the database already has the account {taken[0]}")

    areas = _write_areas(plan.areas)
    users = _write_users(plan.users, areas)
    residents = _write_households(plan.households, areas)
    audit.record(
        "demo_load",
        "area",
        areas[DISTRICT_CODE].id,
        user_id=None,
        client_addr="system",
        fields=["areas", "households", "residents", "users"],
    )
    db.session.commit()
    return DemoLoad(
        areas=len(areas), households=len(plan.households), residents=residents, users=users
    )


def _write_areas(planned: list[PlannedArea]) -> dict[str, Area]:
    by_code: dict[str, Area] = {}
    for kind in AreaKind:  # parents first, so each level can take its parents' paths
        level = []
        for p in planned:
            if p.kind == kind:
                parent = by_code[p.parent_code] if p.parent_code else None
                area = Area(kind=p.kind, name=p.name, code=p.code, parent=parent)
                by_code[p.code] = area
                level.append(area)
        db.session.add_all(level)
        db.session.flush()
        for area in level:
            area.path = f"{area.parent.path if area.parent else '/'}{area.id}/"
    db.session.flush()
    return by_code


def _write_users(planned: list[PlannedUser], areas: dict[str, Area]) -> int:
    # One hash for the one shared demo password: hashing is deliberately slow.
    password_hash = hash_password(DEMO_PASSWORD)
    db.session.add_all(
        User(
            username=u.username,
            password_hash=password_hash,
            role=u.role,
            full_name=u.full_name,
            phone=u.phone,
            areas=[areas[u.area_code]] if u.area_code else [],
        )
        for u in planned
    )
    db.session.flush()
    return len(planned)


def _write_households(planned: list[PlannedHousehold], areas: dict[str, Area]) -> int:
    """Bulk-insert households, then residents, then contacts; returns the resident count."""
    secrets = vault()
    on = today()
    household_rows = []
    for h in planned:
        transient = [
            Resident(
                birth_date=p.birth_date,
                status=p.status,
                lives_alone=p.lives_alone,
                empty_nest=p.empty_nest,
                disability_category=p.disability[0] if p.disability else None,
                disability_grade=p.disability[1] if p.disability else None,
            )
            for p in h.residents
        ]
        household_rows.append(
            {
                "grid_id": areas[h.grid_code].id,
                "address": h.address,
                "building": h.building,
                "unit": h.unit,
                "room": h.room,
                "lat": h.lat,
                "lon": h.lon,
                "care_level": household_care_level(transient, h.override, on),
                "care_level_override": h.override,
                "care_level_override_reason": h.override_reason,
            }
        )
    household_ids = db.session.scalars(
        insert(Household).returning(Household.id, sort_by_parameter_order=True), household_rows
    ).all()

    people = [(hid, p) for hid, h in zip(household_ids, planned, strict=True) for p in h.residents]
    resident_rows = [
        {
            "household_id": hid,
            "name": p.name,
            "gender": p.gender,
            "birth_date": p.birth_date,
            "id_number_encrypted": secrets.encrypt(p.id_number),
            "id_number_hash": secrets.keyed_hash(p.id_number),
            "phone": p.phone,
            "lives_alone": p.lives_alone,
            "empty_nest": p.empty_nest,
            "disability_category": p.disability[0] if p.disability else None,
            "disability_grade": p.disability[1] if p.disability else None,
            "disability_certificate_encrypted": (
                secrets.encrypt(p.certificate) if p.certificate else None
            ),
            "health_notes": p.health_notes,
            "status": p.status,
            "status_date": p.status_date,
        }
        for hid, p in people
    ]
    resident_ids = db.session.scalars(
        insert(Resident).returning(Resident.id, sort_by_parameter_order=True), resident_rows
    ).all()

    contact_rows = [
        {"resident_id": rid, "name": name, "relation": relation, "phone": phone}
        for rid, (_, p) in zip(resident_ids, people, strict=True)
        for name, relation, phone in p.contacts
    ]
    if contact_rows:
        db.session.execute(insert(EmergencyContact), contact_rows)
    return len(resident_rows)


# ---------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------


@demo_cli.command("load")
@click.option(
    "--scale",
    type=click.Choice(list(SCALES)),
    default="small",
    show_default=True,
    help="small: 12 grids, about 600 households; city: about ten times that.",
)
@click.option(
    "--history-days",
    type=click.IntRange(0, 365),
    default=14,
    show_default=True,
    help="Days of visits to simulate before today (0: only plan from today).",
)
def load_command(scale: str, history_days: int) -> None:
    """Load the demo city into an empty database (run `gridcare db upgrade` first)."""
    started = time.perf_counter()
    try:
        result = load_demo(scale)
    except SchemaMissing as exc:
        raise click.ClickException(str(exc)) from exc
    if result.skipped_because:
        click.echo(f"Demo not loaded: {result.skipped_because}. Nothing was changed.")
        return
    elapsed = time.perf_counter() - started
    size = SCALES[scale]
    communities = size.streets * size.communities_per_street
    grids = communities * size.grids_per_community
    click.echo(
        f"Loaded the demo city {DISTRICT_NAME} ({scale}) in {elapsed:.1f} s: "
        f"{result.areas} areas, {result.households} households, "
        f"{result.residents} residents, {result.users} accounts."
    )
    from gridcare.visits.demo import simulate_history

    history = simulate_history(days=history_days)
    click.echo(
        f"Simulated {history_days} days of visits: {history.done} done, "
        f"{history.not_home} not home, {history.missed} missed, {history.planned} planned now."
    )
    click.echo(f"Every demo account has the password: {DEMO_PASSWORD}")
    accounts = (
        (f"worker1 … worker{grids}", "grid workers (网格员), one grid each"),
        (f"officer1 … officer{communities}", "community officers, one community each"),
        ("civil1", "civil-affairs staff (民政), the whole district"),
    )
    for usernames, who in accounts:
        click.echo(f"  {usernames:<22}{who}")
    click.echo(f"  {'admin':<22}administrator")
