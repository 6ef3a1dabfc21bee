"""One plan per household: an officer takes a household from survey to accepted, with
photos, the family's consent and a satisfaction answer; the household page shows each step."""

import re

from gridcare.clock import today
from tests.browser.live import jpeg_bytes, log_in


def _submit(page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()


def _photo(tmp_path, name: str, colour: str):
    path = tmp_path / name
    path.write_bytes(jpeg_bytes(colour))
    return path


def test_officer_takes_a_household_from_survey_to_accepted(live, phone, tmp_path):
    officer = phone().new_page()
    log_in(officer, "officer1")

    # A programme for the officer's community; its households come from the registry.
    officer.goto("/renovation/programmes/new")
    officer.locator("input[name=name]").fill("无障碍改造 浏览器测试")
    area = officer.locator("select[name=area_id] option").last.get_attribute("value")
    officer.locator("select[name=area_id]").select_option(area)
    officer.locator("input[name=budget]").fill("60000")
    _submit(officer)
    assert "/candidates" in officer.url
    boxes = officer.locator("input[name=household_ids]")
    assert boxes.count() > 0, "no household with disability grade 1–2 was offered"
    for i in range(1, boxes.count()):
        boxes.nth(i).uncheck()
    _submit(officer)
    officer.locator("a[href^='/renovation/cases/']").first.click()
    officer.wait_for_url(re.compile(r"/renovation/cases/\d+$"))
    case_url = officer.url

    # Assessment: photos, a measurement and the needs found.
    officer.locator("a[href$='/assess']").click()
    officer.locator("input[name=photos]").set_input_files(
        [_photo(tmp_path, "door.jpg", "#8e44ad"), _photo(tmp_path, "bath.jpg", "#2980b9")]
    )
    officer.locator("input[name=needs][value=grab_bars]").check()
    officer.locator("input[name=needs][value=ramps]").check()
    officer.locator("input[name=door_width]").fill("68")
    _submit(officer)
    assert officer.locator("[data-case-stage=assessed]").count() == 1

    # The plan, with costs and the family's consent.
    officer.locator("a[href$='/plan']").click()
    officer.locator("input[name='items-0-estimated_cost']").fill("1200")
    officer.locator("input[name='items-1-estimated_cost']").fill("2600")
    officer.locator("input[name=consent_by]").fill("刘明")
    officer.locator("input[name=consent_relation]").fill("儿子")
    officer.locator("input[name=consent_on]").fill(live.run(today).isoformat())
    _submit(officer)
    assert officer.locator("[data-case-stage=planned]").count() == 1

    officer.locator("a[href$='/construction']").click()
    officer.locator("input[name=contractor]").fill("雄关建设工程有限公司")
    _submit(officer)
    officer.locator("a[href$='/supervise']").click()
    officer.locator("input[name=photos]").set_input_files(_photo(tmp_path, "work.jpg", "#e67e22"))
    officer.locator("textarea[name=note]").fill("扶手已安装，坡道浇筑中")
    _submit(officer)

    # Acceptance: first without a photo for the money point, which is refused.
    officer.locator("a[href$='/accept']").click()
    for i, point in enumerate(("person", "items", "money", "supervision")):
        block = officer.locator(f"fieldset[data-point={point}]")
        block.locator("input[value=pass]").check()
        if point != "money":
            block.locator("input[type=file]").set_input_files(
                _photo(tmp_path, f"{point}.jpg", ["#16a085", "#27ae60", "#f1c40f", "#c0392b"][i])
            )
    officer.locator("input[name=actual_cost]").fill("3650")
    officer.locator("input[name=answer][value=satisfied]").check()
    officer.locator("input[name=answered_by]").fill("刘明")
    _submit(officer)
    assert officer.locator("#money_photos-msg").count() == 1, "a point passed without a photo"
    for i, point in enumerate(("person", "items", "money", "supervision")):
        block = officer.locator(f"fieldset[data-point={point}]")
        block.locator("input[value=pass]").check()
        block.locator("input[type=file]").set_input_files(
            _photo(tmp_path, f"{point}-2.jpg", ["#16a085", "#27ae60", "#f1c40f", "#c0392b"][i])
        )
    officer.locator("input[name=actual_cost]").fill("3650")
    officer.locator("input[name=answer][value=satisfied]").check()
    _submit(officer)
    assert officer.url == case_url
    assert officer.locator("[data-case-stage=accepted]").count() == 1

    # The household page shows the case and every step, with the photos.
    officer.locator("main p.muted a[href^='/registry/households/']").click()
    officer.wait_for_url(re.compile(r"/registry/households/\d+$"))
    steps = officer.locator("[data-case-steps] > li").evaluate_all(
        "items => items.map(i => i.dataset.step)"
    )
    assert steps == ["survey", "assess", "plan", "start_construction", "supervise", "accept"]
    section = officer.locator("section[id^=renovation-case-]")
    assert section.locator("img").count() == 2 + 1 + 4
    assert "刘明" in section.inner_text()
