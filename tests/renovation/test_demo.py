from gridcare.areas.models import AreaKind
from gridcare.areas.scope import EVERYWHERE
from gridcare.areas.services import areas_in_scope
from gridcare.demo import load_demo
from gridcare.renovation.demo import load_renovation_demo
from gridcare.renovation.models import STAGE_ORDER, Stage
from gridcare.renovation.services import renovation_report
from tests.conftest import TEST_DAY


def test_the_demo_programme_has_about_120_homes_in_every_stage(app, test_day):
    load_demo("small")
    demo = load_renovation_demo(TEST_DAY)
    assert 110 <= demo.households <= 120
    assert all(demo.by_stage[stage] > 0 for stage in (*STAGE_ORDER, Stage.declined))
    (district,) = areas_in_scope(EVERYWHERE, [AreaKind.district])
    report = renovation_report(district, TEST_DAY.year)
    assert report.households == demo.households
    assert 0 < report.completion_rate < 1 and 0.8 < report.satisfaction_rate <= 1
    assert 0 < report.cost_spent < report.cost_planned < report.budget
