"""What a declaration leaves out means one documented thing: a rule without ``level`` is an error
(the return is sent back), an outlier or a change from last period without one is explain (the
school keeps the figure if it explains it); a plan's ``who`` takes "all", or
``kind`` and ``parent`` each as one text or a list of them, and refuses anything else by name."""

from __future__ import annotations

import pytest

from aggregator.collection.store.plan import parse_plan
from aggregator.collection.store.roster import School
from aggregator.form.declaration import FormError
from aggregator.form.parse import parse_text

from test_forms import BASE


def test_a_rule_without_a_level_is_an_error():
    form = parse_text(BASE.replace('level = "error"\n', ""), source="mini.toml")
    (rule,) = form.rules
    assert rule.level == "error"


def test_an_outlier_without_a_level_is_to_be_explained():
    text = BASE + '\n[[outliers]]\nid = "far"\nfactor = 3\nfloor = 5\nmin_peers = 4\nmessage = "偏大"\nname = "偏大"\n'
    assert [o.level for o in parse_text(text, source="mini.toml").outliers] == ["explain"]


def plan_with(who) -> dict:
    return {"plan": {"id": "p", "title": "计划"},
            "materials": [{"id": "case", "label": "案例", "kind": "document", "who": who}]}


SCHOOLS = {
    "centre": School("S1", "甲镇中心学校", parent="甲镇中心学校", kind="中心学校"),
    "direct": School("S2", "实验小学", parent="区直学校", kind="区直学校"),
    "village": School("S3", "甲镇乙村小学", parent="甲镇中心学校", kind="其他"),
}


@pytest.mark.parametrize("who, owe", [
    ("all", {"centre", "direct", "village"}),
    ("", {"centre", "direct", "village"}),
    ({"kind": "中心学校"}, {"centre"}),
    ({"kind": ["中心学校", "区直学校"]}, {"centre", "direct"}),
    ({"parent": "区直学校"}, {"direct"}),
    ({"parent": ["区直学校", "甲镇中心学校"]}, {"centre", "direct", "village"}),
    ({"kind": "区直学校", "parent": "甲镇中心学校"}, {"centre", "direct", "village"}),
    ({"kind": []}, {"centre", "direct", "village"}),  # an empty list names no one: all owe it
])
def test_who_takes_a_text_or_a_list_for_kind_and_parent(who, owe):
    (material,) = parse_plan(plan_with(who), "p.toml").materials
    assert {k for k, s in SCHOOLS.items() if material.who.owes(s)} == owe


@pytest.mark.parametrize("who", ["中心学校", {"type": "中心学校"}, ["中心学校"]])
def test_any_other_who_is_refused_naming_the_forms_it_takes(who):
    with pytest.raises(FormError) as refused:
        parse_plan(plan_with(who), "p.toml")
    assert "的 who 应为 \"all\"，或 { kind = [\"中心学校\", \"区直学校\"] }，或 { parent = \"区直学校\" }" in str(refused.value)
