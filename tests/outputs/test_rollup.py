"""Three districts hand their summaries up to the city, all through the command line, no hand edits.

Each district starts its collection with its own 填报单位/填报人/联系电话 (``init --unit --reporter
--phone``), issues the form, collects its schools' returns as they arrive and writes its
summaries. The city runs the same tool over the three upward versions as a district runs it over
school returns: all three must be accepted as they are, and the city's totals must equal the sum
over every school of the three districts.
"""

from __future__ import annotations

import random
import shutil

import openpyxl

from aggregator.demo import fill_workbook, sample_values
from aggregator.form.parse import load_form
from aggregator.form.layout import layout_of

from cli_helpers import dudao, put, status_json

FORM = load_form()
CELLS = layout_of(FORM).cells
SUMMED = [f.id for f in FORM.fields_summed("sum")]
DISTRICTS = {
    "曾都区": [("曾都区实验小学", "小学"), ("曾都区实验中学", "初中"), ("曾都区文峰学校", "九年一贯制")],
    "广水市": [("广水市实验小学", "小学"), ("广水市第一中学", "初中")],
    "随县": [("随县厉山小学", "小学"), ("随县殷店中学", "初中"), ("随县洪山学校", "九年一贯制"),
           ("随县草店小学", "小学")],
}


def roster_csv(path, rows: list[tuple[str, str, str]]) -> None:
    lines = ["学校名称,学段,所属单位,联系人,联系电话,邮箱"]
    lines += [f"{name},{stage},{parent},王老师,1387230{i:04d},s{i}@edu.example" for i, (name, stage, parent)
              in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def last_lines(out: str) -> dict[str, str]:
    return {line.split("：", 1)[0]: line.split("：", 1)[1] for line in out.splitlines() if "：" in line}


def run_district(tmp_path, capsys, name: str, schools: list[tuple[str, str]], rng: random.Random) -> tuple:
    folder = tmp_path / name
    roster = tmp_path / f"{name}名单.csv"
    roster_csv(roster, [(school, stage, f"{name}直属") for school, stage in schools])
    assert dudao(capsys, "init", folder, "--roster", roster, "--name", name, "--deadline", "2023-11-20",
                 "--reporter", "张三", "--phone", "0722-1234567")[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    returned = []
    for i, (school, stage) in enumerate(schools):
        values = sample_values(rng, stage, school, "王老师", "13872300000")
        returned.append(values)
        data = fill_workbook(folder / "outbox" / f"附件5-{school}.xlsx", FORM, values)
        put(tmp_path / f"{name}微信" / f"附件5({i + 1}).xlsx", data, f"2023-11-1{i}T10:00:00")
    assert dudao(capsys, "collect", folder, tmp_path / f"{name}微信")[0] == 0
    assert {s["status"] for s in status_json(capsys, folder)["schools"]} == {"accepted"}
    code, out, _ = dudao(capsys, "consolidate", folder)
    assert code == 0, out
    upward = last_lines(out)["上报版（直接报送上级）"]
    return upward, returned


def test_three_district_summaries_roll_up_to_the_city_with_no_hand_edits(tmp_path, capsys):
    rng = random.Random(20231120)
    city_mail = tmp_path / "市局QQ下载"
    city_mail.mkdir()
    every_school = []
    for name, schools in DISTRICTS.items():
        upward, values = run_district(tmp_path, capsys, name, schools, rng)
        every_school += values
        shutil.copy(upward, city_mail / f"{name}-{len(values)}所.xlsx")  # as the city saves attachments

    city = tmp_path / "随州市"
    roster = tmp_path / "随州市名单.csv"
    roster_csv(roster, [(f"{name}教育局", "", "随州市") for name in DISTRICTS])
    assert dudao(capsys, "init", city, "--roster", roster, "--name", "随州市", "--deadline", "2023-11-25",
                 "--reporter", "李四", "--phone", "0722-7654321")[0] == 0
    assert dudao(capsys, "collect", city, city_mail)[0] == 0
    report = status_json(capsys, city)
    assert {s["name"]: s["status"] for s in report["schools"]} == {f"{n}教育局": "accepted" for n in DISTRICTS}
    assert all(not s["findings"] for s in report["schools"])
    assert not report["unreadable"] and not report["unidentified"]

    code, out, _ = dudao(capsys, "consolidate", city)
    assert code == 0, out
    lines = last_lines(out)
    for path in (out.strip().splitlines()[-1], lines["上报版（直接报送上级）"]):
        ws = openpyxl.load_workbook(path, data_only=True)[FORM.sheet]
        got = {fid: ws[CELLS[fid]].value for fid in SUMMED}
        assert got == {fid: sum(v[fid] for v in every_school) for fid in SUMMED}
        assert (ws[CELLS["unit"]].value, ws[CELLS["reporter"]].value, ws[CELLS["phone"]].value) == (
            "随州市教育局", "李四", "0722-7654321")


def test_a_partial_district_goes_up_saying_so_and_the_city_reads_it(tmp_path, capsys):
    """随县 sends its summary with one school still missing: the form the city receives says so on
    its own page, and the city's summary of districts counts units."""
    rng = random.Random(20231121)
    folder, schools = tmp_path / "随县", DISTRICTS["随县"]
    roster_csv(tmp_path / "随县名单.csv", [(school, stage, "随县直属") for school, stage in schools])
    assert dudao(capsys, "init", folder, "--roster", tmp_path / "随县名单.csv", "--name", "随县", "--deadline",
                 "2023-11-20", "--reporter", "张三", "--phone", "0722-1234567")[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    for i, (school, stage) in enumerate(schools[:-1]):  # 随县草店小学 never answers
        values = sample_values(rng, stage, school, "王老师", "13872300000")
        put(tmp_path / "随县微信" / f"附件5({i + 1}).xlsx",
            fill_workbook(folder / "outbox" / f"附件5-{school}.xlsx", FORM, values), f"2023-11-1{i}T10:00:00")
    assert dudao(capsys, "collect", folder, tmp_path / "随县微信")[0] == 0
    code, out, _ = dudao(capsys, "consolidate", folder)
    assert code == 0, out
    said = "本表汇总 3 所学校（应报 4 所；未报 1 所）"
    assert last_lines(out)["表上写明"] == said
    upward = last_lines(out)["上报版（直接报送上级）"]

    city_mail = tmp_path / "市局QQ下载"
    city_mail.mkdir()
    shutil.copy(upward, city_mail / "随县汇总表.xlsx")
    full, _ = run_district(tmp_path, capsys, "广水市", DISTRICTS["广水市"], rng)
    shutil.copy(full, city_mail / "广水市汇总表.xlsx")
    received = openpyxl.load_workbook(city_mail / "随县汇总表.xlsx")[FORM.sheet]  # as the city opens it
    line = layout_of(FORM).last_row
    assert received.cell(line, 1).value == said
    assert openpyxl.load_workbook(city_mail / "广水市汇总表.xlsx")[FORM.sheet].cell(line, 1).value == (
        "本表汇总 2 所学校（应报 2 所）")

    city = tmp_path / "随州市"
    roster_csv(tmp_path / "随州市名单.csv", [("随县教育局", "", "随州市"), ("广水市教育局", "", "随州市"),
                                           ("曾都区教育局", "", "随州市")])
    assert dudao(capsys, "init", city, "--roster", tmp_path / "随州市名单.csv", "--name", "随州市", "--deadline",
                 "2023-11-25", "--reporter", "李四", "--phone", "0722-7654321")[0] == 0
    assert dudao(capsys, "collect", city, city_mail)[0] == 0
    assert {s["name"]: s["status"] for s in status_json(capsys, city)["schools"]} == {
        "随县教育局": "accepted", "广水市教育局": "accepted", "曾都区教育局": "missing"}
    code, out, _ = dudao(capsys, "consolidate", city)
    assert code == 0, out
    assert last_lines(out)["表上写明"] == "本表汇总 2 个单位（应报 3 个；未报 1 个）"
