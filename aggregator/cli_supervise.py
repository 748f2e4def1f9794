"""``dudao supervise`` (the rectification register: items, 督办单, answers, 销号) and ``dudao pick``
(the documents recommended upward). Registered from ``cli.build_parser`` by ``add_commands``;
each command prints what the engine's records say, the engine itself prints nothing."""

from __future__ import annotations

import argparse
import json
import sys

from .console import out
from .session import CollectionError, open_session, render, said

ACTIONS = ("add", "import", "issue", "list", "close", "reopen", "register")


def add_commands(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("supervise", help="问题整改督办：登记问题、下发督办单、销号、整改台账")
    s.add_argument("dir")
    s.add_argument("action", choices=ACTIONS, metavar="操作",
                   help="add 登记一项问题；import 导入问题清单；issue 下发督办单；list 列出全部问题；"
                        "close 销号；reopen 撤销销号；register 生成整改台账")
    s.add_argument("target", nargs="?", help="import：问题清单文件（.xlsx 或 .csv）；close、reopen：问题的编号")
    s.add_argument("--school", help="add：学校名称")
    s.add_argument("--problem", help="add：发现的问题")
    s.add_argument("--requirement", default="", help="add：整改要求")
    s.add_argument("--due", help="add：整改时限，如 2023-12-10")
    s.add_argument("--note", default="", help="close、reopen：销号的依据或撤销的原因")
    s.add_argument("--prefix", help="issue：督办单编号的前缀，如 某某督〔2023〕（保存在收集设置中）")
    s.add_argument("--json", action="store_true", help="list：输出 JSON")
    s.set_defaults(run=cmd_supervise)

    s = sub.add_parser("pick", help="推荐：把一所学校的材料（如案例）推荐上报，汇总时放入“上报材料”")
    s.add_argument("dir")
    s.add_argument("material", help="哪一项材料，如 案例、推荐")
    s.add_argument("school", help="名单上的学校名称")
    s.add_argument("--note", default="", help="推荐理由（写进推荐名单）")
    s.add_argument("--undo", action="store_true", help="撤销推荐")
    s.set_defaults(run=cmd_pick)


def cmd_pick(a: argparse.Namespace) -> int:
    with open_session(a.dir) as session:
        p = session.supervision.pick(a.material, a.school, a.note, undo=a.undo)
    out(f"{render(said.picked(p, a.undo))}。")
    return 0


def cmd_supervise(a: argparse.Namespace) -> int:
    with open_session(a.dir) as session:
        register = session.supervision
        if a.action == "add":
            missing = [flag for flag, v in (("--school", a.school), ("--problem", a.problem), ("--due", a.due)) if not v]
            if missing:
                raise CollectionError(f"登记问题需要 {'、'.join(missing)}，如：dudao supervise {a.dir} add --school 学校 "
                                      "--problem \"发现的问题\" --requirement \"整改要求\" --due 2023-12-10")
            found = register.add(a.school, a.problem, a.requirement, a.due)
            out(f"已登记：{found.school.name}：{found.item.problem}（整改时限 {found.item.due}）。"
                f"下发督办单：dudao supervise {a.dir} issue")
            out(str(found.item.id))
        elif a.action == "import":
            if not a.target:
                raise CollectionError(f"请写问题清单的文件名，如：dudao supervise {a.dir} import 问题清单.xlsx")
            added = register.import_list(a.target)
            schools = len({i.school.id for i in added})
            out(f"已导入 {len(added)} 项问题，涉及 {schools} 所学校（第 {added[0].item.id}–{added[-1].item.id} 项）。"
                f"下发督办单：dudao supervise {a.dir} issue")
        elif a.action == "issue":
            res = register.issue(a.prefix)
            for s in res.sheets:
                out(f"  {s.number}  {s.school}：{len(s.items)} 项  → {s.docx.name}")
            out(f"已下发督办单 {len(res.sheets)} 份，在：{res.folder}（每份的 .txt 可直接发到微信/QQ 群）"
                if res.sheets else "没有待下发的问题（都已下发过督办单）。")
        elif a.action in ("close", "reopen"):
            if not a.target:
                raise CollectionError(f"请写问题的编号，如：dudao supervise {a.dir} {a.action} 3 --note \"…\"")
            found = getattr(register, a.action)(a.target, a.note)
            out(f"第 {found.item.id} 项（{found.school.name}：{found.item.problem}）现为：{found.state_label}")
        elif a.action == "register":
            path = register.write_register()
            out(f"整改台账：{path}")
        else:
            _list(register.items(), a.json)
    return 0


def _list(items, as_json: bool) -> None:
    if as_json:
        json.dump({"items": [i.to_json() for i in items]}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    for i in items:
        flag = "（逾期）" if i.overdue else "（临近时限）" if i.near else ""
        out(f"{i.item.id:>4}  {i.state_label}{flag}  {i.school.name}  {i.item.problem}  时限 {i.item.due}"
            f"  {i.item.sheet or '未下发'}")
        for a in i.answers:
            out(f"        [整改材料] {a.name}")
        for e in i.events:
            out(f"        [{e.label}] {e.at.replace('T', ' ')[:16]} {e.by} {e.note}")
    closed = sum(1 for i in items if i.state == "closed")
    out(f"共 {len(items)} 项：已销号 {closed}，已反馈待核 {sum(1 for i in items if i.state == 'answered')}，"
        f"未整改 {sum(1 for i in items if i.state == 'open')}；逾期 {sum(1 for i in items if i.overdue)}")
