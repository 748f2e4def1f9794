"""Annex 5's sample district on deadline day: consistent returns, and every mistake a clerk meets.

Most schools send their workbook back correctly, some with the usual mistakes (sums that do not
add up, “3个” typed in a number cell, full-width digits, a missing phone number, a retyped table,
a Word file instead of the workbook, a zip from a 中心学校 with Chinese names, the same file
twice, a corrected second version, a late one, a file nobody can place, one that claims another
school); a few never answer.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Mapping

from ..form.declaration import Form
from ..outputs.distribute import issued_name
from .documents import word
from .files import fill_workbook, gbk_zip, put_received, retyped_workbook

WECHAT = Path("WeChat Files") / "wxid_zdjyj2023" / "FileStorage" / "File" / "2023-11"

PROBLEMS = [
    "作业公示制度落实不到位，部分班级未按周公示",
    "课后服务内容较单一，以看管和作业辅导为主",
    "个别班级书面作业平均完成时间超标",
    "期中考试后仍有按成绩排名的现象",
    "校园周边校外培训广告清理不彻底",
    "课后服务收费公示不及时",
    "小学一二年级仍布置了少量书面家庭作业",
    "作业设计未纳入教研活动，分层作业较少",
]


def sample_values(rng: random.Random, stage: str, unit: str, reporter: str, phone: str) -> dict[str, Any]:
    """A consistent Annex 5 return for a school of the given 学段 (every rule holds)."""
    has_primary = stage != "初中"
    has_junior = stage not in ("小学",)
    v: dict[str, Any] = {"unit": unit, "reporter": reporter, "phone": phone}

    def split(row: str, hi: int, lo: int = 0) -> None:
        p = rng.randint(lo, hi) if has_primary else 0
        j = rng.randint(lo, hi) if has_junior else 0
        v[f"{row}.primary"], v[f"{row}.junior"], v[f"{row}.total"] = p, j, p + j

    v["training_orgs.subject"] = rng.randint(0, 2)
    v["training_orgs.non_subject"] = rng.randint(0, 4)
    v["training_orgs.total"] = v["training_orgs.subject"] + v["training_orgs.non_subject"]
    split("inspectors", 2, 1 if has_primary else 0)
    split("schools_visited", 2, 1)
    split("notices", 2)
    for col in ("primary", "junior"):
        active = (col == "primary" and has_primary) or (col == "junior" and has_junior)
        visited = v[f"schools_visited.{col}"]
        ps = rng.randint(0, min(1, visited)) if active else 0
        probs = rng.randint(ps, ps * 3) if ps else 0
        fixed = rng.randint(0, probs)
        v[f"problem_schools.{col}"] = ps
        if fixed == probs:
            v[f"rectified_schools.{col}"] = ps
        else:  # a problem still in progress: not completed (drawn all the same, so the sample keeps its figures)
            rng.randint(0, ps)
            v[f"rectified_schools.{col}"] = 0
        v[f"problems.{col}"] = probs
        v[f"problems_rectified.{col}"] = fixed
        v[f"problems_in_progress.{col}"] = probs - fixed
    for row in ("problem_schools", "rectified_schools", "problems", "problems_rectified", "problems_in_progress"):
        v[f"{row}.total"] = v[f"{row}.primary"] + v[f"{row}.junior"]
    for row in ("orders", "circulars", "interviews", "accountabilities"):
        total = rng.randint(0, 2)
        v[f"{row}.total"], v[f"{row}.bureau"] = total, rng.randint(0, total)
    v["typical_cases"] = rng.randint(0, 2)
    texts = rng.sample(PROBLEMS, 3) if v["problems.total"] else ["", "", ""]
    n = min(3, v["problems.total"])
    for i in range(3):
        v[f"problem_{i + 1}"] = texts[i] if i < n else ""
    return v


COMPLETED_BUT_IN_PROGRESS = "曾都区文峰学校"
# What the schools asked to check (请核对) said on the phone two days after the deadline.
PHONE_NOTES = {
    ("曾都区烈山小学", "school-type"): "电话核实：该校督学同时督导附设的初中部，初中栏无误",
    ("曾都区季梁小学", "problems-text"): "电话核实：问题为作业公示不及时，已整改中，不再补报文字",
}


def completed_but_in_progress(v: dict[str, Any], col: str) -> None:
    """The contradiction issue 20 found in three returns: the one school with problems is counted
    as having completed its rectification, yet no problem is completed and every one is in progress."""
    v[f"problem_schools.{col}"] = v[f"rectified_schools.{col}"] = 1
    v[f"problems.{col}"] = v[f"problems_in_progress.{col}"] = max(v[f"problems.{col}"], 2)
    v[f"problems_rectified.{col}"] = 0
    v[f"schools_visited.{col}"] = max(v[f"schools_visited.{col}"], 1)
    for row in ("schools_visited", "problem_schools", "rectified_schools", "problems", "problems_rectified",
                "problems_in_progress"):
        v[f"{row}.total"] = v[f"{row}.primary"] + v[f"{row}.junior"]
    if not v["problem_1"]:
        v["problem_1"], v["problem_2"] = PROBLEMS[2], PROBLEMS[5]


MISSING = frozenset({"北郊八角楼小学", "府河镇马鞍山小学", "何店镇油坊小学", "万店镇泉水小学"})
# The schools with a story of their own, in the order their figures are drawn (after every other
# school's); 泉水小学's broken download is drawn last.
SPECIAL = ("曾都区东城小学", "曾都区实验中学", "万店镇中心小学", "何店镇白龙小学", "曾都区烈山小学",
           "洛阳镇中心小学", "洛阳镇初级中学", "洛阳镇九口堰小学", "南郊两水小学", "府河镇古城小学",
           "淅河镇蒋家岗小学", "曾都区季梁小学", "曾都区编钟小学", "北郊龙门小学", "曾都区第二初级中学")
OUTLIER = "曾都区编钟小学"  # 30 督学 among peers with 1 or 2: explained in its second version
OUTLIER_SAID = "本校派出的责任督学含各年级兼职督学，共 30 人次，与上年基本持平，数字无误"


def district_values(schools: list, seed: int = 2023) -> dict[str, dict[str, Any]]:
    """The figures of every school that sends something, before the mistakes of its story: what
    it would send were it right. Drawn in the story's order, so the demo's figures never move."""
    rng = random.Random(seed)
    by_name = {s.name: s for s in schools}
    order = [s.name for s in schools if s.name not in MISSING and s.name not in SPECIAL]
    order += [*SPECIAL, "万店镇泉水小学"]
    return {name: sample_values(rng, by_name[name].stage, name, by_name[name].contact, by_name[name].phone)
            for name in order if name in by_name}


def simulate_returns(root: Path, form: Form, outbox: Path, inbox: Path, schools: list, seed: int = 2023, *,
                     in_word: str = "", explained: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    """Write what a download folder looks like on deadline day. Returns school -> what happened.
    ``in_word``: a school that fills the form in the Word table the plan shipped with instead;
    ``explained``: schools that explain a figure on the 情况说明 sheet (rule id -> their words)."""
    base = district_values(schools, seed)
    story: dict[str, str] = {}
    wechat = inbox / WECHAT

    def issued(name: str) -> Path:
        return outbox / issued_name(form.annex, name)

    def vals(name: str) -> dict[str, Any]:
        return dict(base[name])

    missing, special = MISSING, set(SPECIAL)
    day = 13
    for i, s in enumerate(schools):
        if s.name in missing or s.name in special:
            continue
        names = [f"{form.annex}-{s.name}.xlsx", f"{form.annex}({i % 3 + 1}).xlsx", f"{s.name}双减统计表.xlsx"]
        when = f"2023-11-{day + i % 7:02d}T{9 + i % 8:02d}:{i * 7 % 60:02d}:00"
        if s.name == in_word:
            put_received(wechat / f"{s.name}附件5（Word版）.docx", word_return(vals(s.name)), when)
            story[s.name] = "在 Word 版附件5中填写，按表格文字读取后通过"
            continue
        v = vals(s.name)
        story[s.name] = "按时正确报送"
        if s.name == COMPLETED_BUT_IN_PROGRESS:
            completed_but_in_progress(v, "junior" if s.stage == "初中" else "primary")
            story[s.name] = "填了学校都已完成整改，问题却都还在整改，退回"
        said = (explained or {}).get(s.name)
        if said:
            story[s.name] = "与上期相比变化很大，已在“情况说明”表中说明，通过"
        put_received(wechat / f"{i:02d}-{names[i % 3]}" if i % 3 == 1 else wechat / names[i % 3],
                     fill_workbook(issued(s.name), form, v, explanations=said), when)

    # Sums that do not add up: sent back.
    v = vals("曾都区东城小学")
    v["inspectors.total"] += 1
    put_received(wechat / "附件5-曾都区东城小学.xlsx", fill_workbook(issued("曾都区东城小学"), form, v), "2023-11-16T10:12:00")
    story["曾都区东城小学"] = "合计≠小学+初中，退回"
    v = vals("曾都区实验中学")
    v["problems.junior"] += 2
    v["problems.total"] += 2
    put_received(wechat / "实验中学附件5.xlsx", fill_workbook(issued("曾都区实验中学"), form, v), "2023-11-17T15:40:00")
    story["曾都区实验中学"] = "存在问题≠已完成整改+正在整改，退回"
    # What people type in number cells: read, normalised, noted.
    v = vals("万店镇中心小学")
    raw = {"inspectors.primary": f"{v['inspectors.primary']}人", "schools_visited.total": f"{v['schools_visited.total']} 所",
           "typical_cases": chr(0xFF10 + v["typical_cases"])}
    put_received(wechat / "万店中心小学.xlsx", fill_workbook(issued("万店镇中心小学"), form, v, raw), "2023-11-15T11:03:00")
    story["万店镇中心小学"] = "填了“2人”“3 所”和全角数字，自动识别后通过"
    # Forgot the phone number.
    v = vals("何店镇白龙小学")
    v["phone"] = ""
    put_received(wechat / "附件5-何店镇白龙小学.xlsx", fill_workbook(issued("何店镇白龙小学"), form, v), "2023-11-18T08:30:00")
    story["何店镇白龙小学"] = "漏填联系电话，退回"
    # A 小学 reporting 初中 figures: accepted with a warning.
    v = vals("曾都区烈山小学")
    v["inspectors.junior"], v["inspectors.total"] = 1, v["inspectors.total"] + 1
    put_received(wechat / "烈山小学.xlsx", fill_workbook(issued("曾都区烈山小学"), form, v), "2023-11-16T17:05:00")
    story["曾都区烈山小学"] = "小学填了初中栏，提示核对"
    # A 中心学校 sends its schools' files in one zip with Chinese (GBK) names; one of them twice.
    members = {}
    for name in ("洛阳镇中心小学", "洛阳镇初级中学", "洛阳镇九口堰小学"):
        members[f"洛阳镇各校报表/{form.annex}-{name}.xlsx"] = fill_workbook(issued(name), form, vals(name))
        story[name] = "由中心学校打包（压缩包）报送"
    put_received(wechat / "洛阳镇中心学校-双减统计表.zip", gbk_zip(members), "2023-11-18T16:25:00")
    put_received(wechat / f"{form.annex}-洛阳镇初级中学.xlsx", members[f"洛阳镇各校报表/{form.annex}-洛阳镇初级中学.xlsx"],
         "2023-11-18T16:30:00")
    story["洛阳镇初级中学"] += "，又单独发了一次（同一文件只算一次）"
    # Retyped the table in a blank workbook: found by its labels.
    put_received(wechat / "南郊两水小学（手工录入）.xlsx", retyped_workbook(form, vals("南郊两水小学")), "2023-11-19T20:45:00")
    story["南郊两水小学"] = "自己重新做的表，按文字找到各项"
    # First version wrong, corrected second version later: the newer one counts.
    v = vals("府河镇古城小学")
    wrong = dict(v)
    wrong["orders.bureau"] = wrong["orders.total"] + 2
    put_received(wechat / "附件5-府河镇古城小学.xlsx", fill_workbook(issued("府河镇古城小学"), form, wrong), "2023-11-14T09:00:00")
    put_received(wechat / "附件5-府河镇古城小学(1).xlsx", fill_workbook(issued("府河镇古城小学"), form, v), "2023-11-17T09:00:00")
    story["府河镇古城小学"] = "第一版有错，第二版改正后通过（保留第一版记录）"
    # Late.
    put_received(wechat / "蒋家岗小学附件5.xlsx", fill_workbook(issued("淅河镇蒋家岗小学"), form, vals("淅河镇蒋家岗小学")),
         "2023-11-22T10:00:00")
    story["淅河镇蒋家岗小学"] = "逾期报送"
    # Problems reported but no main problems written: a warning.
    v = vals("曾都区季梁小学")
    if not v["problems.total"]:
        v.update({"problems.primary": 1, "problems.total": 1, "problems_in_progress.primary": 1,
                  "problems_in_progress.total": 1, "problem_schools.primary": 1, "problem_schools.total": 1,
                  "rectified_schools.primary": 0, "rectified_schools.total": 0})
    v.update({"problem_1": "", "problem_2": "", "problem_3": ""})
    put_received(wechat / "附件5-曾都区季梁小学.xlsx", fill_workbook(issued("曾都区季梁小学"), form, v), "2023-11-18T11:00:00")
    story["曾都区季梁小学"] = "有问题但未写主要问题，提示"
    # A figure far above its peers' (30 督学), an explain check with no explanation in the workbook:
    # sent back to correct it, or to say why it is right; its second version, after the deadline,
    # says why on the 情况说明 sheet (last period it had 27) and is accepted with it.
    v = vals(OUTLIER)
    v["inspectors.primary"], v["inspectors.total"] = 30, 30 + v["inspectors.junior"]
    put_received(wechat / "编钟小学.xlsx", fill_workbook(issued(OUTLIER), form, v), "2023-11-16T09:20:00")
    put_received(wechat / "编钟小学(1).xlsx", fill_workbook(issued(OUTLIER), form, v,
                                                          explanations={"outlier": OUTLIER_SAID}), "2023-11-21T15:40:00")
    story[OUTLIER] = "数字明显偏大（30）且未说明，退回；第二版在“情况说明”表中说明后通过"
    # The workbook issued to one school, filled in with another school's name: the clerk decides.
    v = vals("北郊龙门小学")
    v["unit"] = "北郊草店子小学"
    put_received(wechat / "附件5(4).xlsx", fill_workbook(issued("北郊龙门小学"), form, v), "2023-11-19T14:00:00")
    story["北郊龙门小学"] = "用了发给本校的表却写成别校名称，待人工确认"
    # Nobody can tell whose: no metadata, no unit, meaningless file name.
    v = vals("曾都区第二初级中学")
    v["unit"] = ""
    put_received(wechat / "新建 Microsoft Excel 工作表.xlsx", retyped_workbook(form, v), "2023-11-19T22:10:00")
    story["曾都区第二初级中学"] = "未写填报单位的自制表，无法识别，算未报"
    # An empty download, and a download cut short (a school that did send, but whose file broke).
    put_received(wechat / "附件5-万店镇泉水小学.xlsx",
                 fill_workbook(issued("万店镇泉水小学"), form, vals("万店镇泉水小学"))[:3000], "2023-11-19T21:00:00")
    put_received(wechat / "附件5 (2).xlsx", b"", "2023-11-19T23:59:00")
    for name in missing:
        story[name] = "未报送"
    return story


def word_return(values: Mapping[str, Any]) -> bytes:
    """Annex 5 filled in the Word table the plan shipped with, cell for cell as in the seed:
    the header line a paragraph, the first row's three figures typed inside its sentence, the
    典型经验 figure inside its sentence, merged section cells."""
    v = lambda fid: "" if values.get(fid) is None else values[fid]  # noqa: E731

    def grid(row: str) -> list:
        return [("", 1, "continue"), LABELS[row]] + [v(f"{row}.{c}") for c in ("total", "primary", "junior")]

    header = f"填报单位：{v('unit')}           填报人：{v('reporter')}                      联系电话：{v('phone')}"
    table = [
        ["责任督学到培训机构督导工作情况",
         (f"实地督导校外培训机构数量 {v('training_orgs.total')} （个），其中：\n学科类 {v('training_orgs.subject')} ，"
          f"非学科类 {v('training_orgs.non_subject')} ", 4)],
        [("责任督学到校督导工作情况", 1, "restart"), "落实内容", "合计", "小学", "初中"],
        grid("inspectors"), grid("schools_visited"), grid("notices"),
        [("主要问题", 1, "restart"), "1", (v("problem_1"), 3)],
        [("", 1, "continue"), "2", (v("problem_2"), 3)],
        [("", 1, "continue"), "3", (v("problem_3"), 3)],
        [("学校整改落实情况", 1, "restart"), "整改进展", "合计", "小学", "初中"],
        *[grid(r) for r in ("problem_schools", "rectified_schools", "problems", "problems_rectified",
                            "problems_in_progress")],
        [("问责情况", 1, "restart"), "问责情况", "合计", ("其中：区教育督导部门", 2)],
        *[[("", 1, "continue"), LABELS[r], v(f"{r}.total"), (v(f"{r}.bureau"), 2)]
          for r in ("orders", "circulars", "interviews", "accountabilities")],
        ["典型经验", (f"共发现典型经验 {v('typical_cases')} 例（附相关材料）", 4)],
    ]
    return word(["附件5", "曾都区2023年“双减”督导有关情况统计表", header, table,
                 "说明：“学校整改落实情况”栏中，存在问题=已完成整改+正在整改问题"])


LABELS = {
    "inspectors": "派出责任督学数（人）", "schools_visited": "实地督导学校数量（所）",
    "notices": "责任督学已出具整改通知书及问题清单（套）", "problem_schools": "存在问题学校（所）",
    "rectified_schools": "已完成整改学校数", "problems": "存在问题（个）", "problems_rectified": "已完成整改问题数",
    "problems_in_progress": "正在整改问题数", "orders": "印发督办单（件）", "circulars": "通报（次）",
    "interviews": "约谈（人次）", "accountabilities": "问责（人次）",
}
