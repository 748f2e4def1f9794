"""``dudao status`` on the demo district, as the clerk reads it in a console and as a script reads
its JSON: columns that line up, each school's 所属单位, totals per material at the end; each
material with its own findings; one warning for one typo."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from aggregator import clock
from aggregator.cli import main
from aggregator.collection.views.status import STATE_LABELS
from aggregator.console import columns


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("status") / "曾都区双减"
    assert main(["demo", str(folder)]) == 0
    return folder


def status(capsys, *args) -> str:
    capsys.readouterr()
    with clock.pinned(datetime(2023, 11, 22, 10, 30)):  # when the demo's story ends
        assert main(["status", *map(str, args)]) == 0
    return capsys.readouterr().out


def test_names_and_units_start_in_one_column_whatever_the_state(demo, capsys):
    lines = [line for line in status(capsys, demo).splitlines() if line.split(" ")[0] in STATE_LABELS.values()]
    assert len(lines) == 40
    name_at = {columns(line[:line.index(name)]) for line in lines for name in [line.split()[1]]}
    assert name_at == {16}  # after 通过（有提示）, 14 columns wide (the widest state shown: two explained), and two spaces
    unit_at = {columns(line[:line.index(unit, line.index(name) + len(name))])
               for line in lines for name, unit in [line.split()[1:3]]}
    assert unit_at == {16 + 24 + 2}  # the widest name, 淅河镇蒋家岗小学（逾期）, 12 characters, and two spaces
    assert lines[0].startswith("已通过          曾都区实验小学            区直学校        2023-11-13 09:00:00 第1版 ")
    assert "万店镇中心学校" in next(line for line in lines if "万店镇中心小学" in line)


def test_status_ends_with_the_totals_of_each_material(demo, capsys):
    last = status(capsys, demo).splitlines()[-5:]
    assert last == [
        "应报 40，已通过 30，退回 4，待确认 1，未报 5，逾期 2；无法读取 2，未识别 1",  # 编钟小学's second version
        "“双减”督导优秀工作案例：应交 40，已交 33（逾期交 4），未交 7（已过截止日期 7）",
        "优秀督导干部推荐（附简要工作事例）：应交 20，已交 16，未交 4（已过截止日期 4）",
        "督导工作落实情况报告：应交 40，已交 31，未交 9（已过截止日期 9）",
        "“双减”督导有关情况统计表（附件5）：应交 40，已交 35（逾期交 2），退回 4，未交 5（已过截止日期 5）",
    ]


def test_each_material_gives_its_own_findings_in_the_json(demo, capsys):
    schools = {s["name"]: s for s in json.loads(status(capsys, demo, "--json"))["schools"]}
    returned = schools["曾都区实验中学"]
    materials = {m["id"]: m for m in returned["materials"]}
    assert len(returned["findings"]) == 5
    assert [(f["rule"], f["level"], f["cells"]) for f in materials["data"]["findings"]] == [
        (f["rule"], f["level"], f["cells"]) for f in returned["findings"]]
    assert [materials[m]["findings"] for m in ("case", "cadre", "report")] == [[], [], []]
    short = {m["id"]: m for m in schools["万店镇中心小学"]["materials"]}  # a case of 23 characters
    assert [f["rule"] for f in short["case"]["findings"]] == ["doc-short"] and short["data"]["findings"] == []


def test_one_typo_is_one_finding(demo, capsys):
    school = next(s for s in json.loads(status(capsys, demo, "--json"))["schools"] if s["name"] == "曾都区编钟小学")
    assert [(f["rule"], f["level"], f["cells"]) for f in school["findings"]] == [("outlier", "explain", ["C8", "D8"])]
    text = status(capsys, demo)
    assert text.count("[已说明：数字明显偏大]") == 1  # explained by its second version (issue 23)
    assert ("[已说明：数字明显偏大] C8、D8 派出责任督学数（人）·合计与小学为 30，远高于同类学校（20 所，通常不超过 9），"
            "请核对是否多填了数字（学校说明：本校派出的责任督学含各年级兼职督学") in text
    assert ("[第2版改动] 情况说明!D4 情况说明·数字明显偏大：（空） → 本校派出的责任督学含各年级兼职督学，共 30 人次，"
            "与上年基本持平，数字无误；已说明 1 处") in text


def test_connected_findings_are_listed_each_once_with_their_one_fix_once(demo, capsys):
    text = status(capsys, demo)
    block = text[text.index("曾都区实验中学 "):]
    block = block[:block.index("    [材料]")]
    fix = ("存在问题（个）填的是 2（C17、E17），以此为准；请补填：已完成整改问题数与正在整改问题数之和应为 2（C18+C19、E18+E19）；"
           "存在问题学校（所）至少为 1（C15、E15）")
    assert text.count(fix) == 1
    assert block.splitlines()[1:] == [
        "    [错误] 合计栏：C17 存在问题(2) ≠ 已完成整改问题数(0) + 正在整改问题数(0)",
        "    [错误] 初中栏：E17 存在问题(2) ≠ 已完成整改问题数(0) + 正在整改问题数(0)",
        "    [错误] 合计栏：C17 存在问题(2个)，但 C15 存在问题学校为 0",
        "    [错误] 初中栏：E17 存在问题(2个)，但 E15 存在问题学校为 0",
        f"        改法：{fix}",
        "    [提示：填写主要问题] 填报了存在问题 2 个，但“主要问题”C11 起的三行都是空的，请简要填写主要问题",
    ]
