"""The sample district's rectification story (问题整改销号), told beside the returns.

On 2 November the inspectors' list of problems found at three schools is imported and the
督办单 go out, numbered 曾都督〔2023〕1号 on (the prefix is the demo's setting). Two schools
answer before the deadline: one sends its 督办单 filled in under its 编号, the other an 整改报告
that names it and the word 整改; both are collected with everything else. On deadline day the
clerk closes one item on the evidence; the third school never answers and its item is overdue
(its letter of 20 November reminds it).

The schools are picked so that their Annex 5 figures (已完成整改问题数, 正在整改问题数) agree with
their items: the rest of the story counts what it counted before.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from .documents import word
from .files import put_received

PREFIX = "曾都督〔2023〕"
LIST_NAME = "督导组问题清单.xlsx"
# school, problem, requirement, deadline
ITEMS = (
    ("曾都区东城小学", "作业公示制度落实不到位，部分班级未按周公示", "各班每周一在教室和家长群公示作业", "2023-11-18"),
    ("曾都区东城小学", "课后服务内容较单一，以看管和作业辅导为主", "增设文体、科普类课后服务项目", "2023-11-25"),
    ("万店镇牛王小学", "小学一二年级仍布置了少量书面家庭作业", "一二年级不布置书面家庭作业，开展家长告知", "2023-11-30"),
    ("曾都区文峰学校", "期中考试后仍有按成绩排名的现象", "取消排名，实行等级评价", "2023-11-17"),
)
CLOSED = (1, "已查看整改后的作业公示照片和家长群截图，问题已整改到位")  # item id, the clerk's note


def inspectors_list(path: Path) -> Path:
    """The list as the inspectors hand it over: a title row above the headers."""
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws.append(["2023年秋季“双减”督导发现问题清单"])
    ws.append(["学校名称", "发现的问题", "整改要求", "整改时限"])
    for row in ITEMS:
        ws.append(list(row))
    for col, width in zip("ABCD", (20, 44, 36, 12)):
        ws.column_dimensions[col].width = width
    wb.save(path)
    return path


def simulate_answers(folder: Path) -> list[str]:
    """Two schools answer in the WeChat folder: the sheet filled in (by its 编号), an 整改报告."""
    filled = word(["曾都区“双减”教育督导问题整改督办单", f"编号：{PREFIX}1号",
                   "整改情况：各班已于11月13日起每周一公示作业，家长群同步公示；课后服务新增篮球、书法、科学实验三个项目。",
                   "学校（单位）：曾都区东城小学（盖章）　2023年11月14日", "联系人：陈静　联系电话：13872301005"],
                  title="整改督办单（已填写）")
    report = word(["万店镇牛王小学关于书面作业问题的整改报告",
                   "接到区教育局督办单后，学校召开专题会议，一二年级即日起不再布置书面家庭作业，"
                   "并通过家长会和致家长的一封信告知家长，教导处每周抽查落实情况。"])
    names = [f"{PREFIX}1号-曾都区东城小学-督办单（已填写）.docx", "万店镇牛王小学整改报告.docx"]
    put_received(folder / names[0], filled, "2023-11-14T16:40:00")
    put_received(folder / names[1], report, "2023-11-16T11:05:00")
    return names
