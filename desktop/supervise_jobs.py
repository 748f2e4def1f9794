"""The 整改督办 tab's work as plain values, no Qt: the register as the tab shows it, and the
clerk's intents (登记问题, 导入问题清单, 下发督办单, 销号, 撤销销号, 生成整改台账) as jobs run like
the others (``jobs.execute`` in the worker thread), each saying what came of it in Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aggregator.session import ItemState, Overview, Session, open_session

from .clerk_jobs import _quick
from .jobs import JobSpec

ALL = "all"
FILTERS = {ALL: "全部", "open": "未整改", "answered": "已反馈待核", "closed": "已销号", "overdue": "逾期",
           "near": "临近时限"}


@dataclass(frozen=True)
class Row:
    """One line of the tab's table: what it shows, and what the clerk can do with it."""

    id: int
    school: str
    problem: str
    due: str
    state: str  # the state's label, with （逾期）
    sheet: str
    evidence: tuple[tuple[str, str], ...]  # (file name, archived path inside the folder)
    colour: str  # closed | near | overdue | ""
    closed: bool
    keys: frozenset[str]  # the filters it matches
    requirement: str = ""
    time_left: str = ""  # "已逾期 3 天", "今天到期", "还有 5 天"; "" once closed
    note: str = ""  # the clerk's words on the last close or reopen

    @classmethod
    def of(cls, i: ItemState) -> "Row":
        keys = {ALL, i.state} | ({"overdue"} if i.overdue else set()) | ({"near"} if i.near else set())
        return cls(i.item.id, i.school.name, i.item.problem, i.item.due,
                   i.state_label + ("（逾期）" if i.overdue else ""), i.item.sheet or "未下发",
                   tuple((a.name, a.archived) for a in i.answers), i.colour, i.state == "closed", frozenset(keys),
                   i.item.requirement, i.time_left, i.note)

    def details(self) -> str:
        """What the clerk reads of the chosen item under the table: all of it, as the register has it."""
        when = f"（{self.time_left}）" if self.time_left else ""
        lines = [f"第 {self.id} 项 · {self.school} · {self.state}",
                 f"督办单：{self.sheet}",
                 f"发现的问题：{self.problem}",
                 f"整改要求：{self.requirement or '（未填写）'}",
                 f"整改时限：{self.due}{when}",
                 "整改材料：" + ("、".join(name for name, _ in self.evidence) if self.evidence else "（尚未收到）")]
        if self.note:
            lines.append(f"{'销号说明' if self.closed else '撤销销号说明'}：{self.note}")
        return "\n".join(lines)


def read_rows(folder: str | Path) -> list[Row]:
    """The register now, for the tab (read in the calling thread, like a refresh)."""
    with open_session(folder) as session:
        return [Row.of(i) for i in session.supervision.items()]


def add_job(folder: Path, school: str, problem: str, requirement: str, due: str) -> JobSpec:
    def describe(session: Session, found: ItemState, ov: Overview) -> str:
        return f"已登记第 {found.item.id} 项：{found.school.name}：{found.item.problem}（整改时限 {found.item.due}）。"

    return JobSpec("supervise", Path(folder),
                   _quick(lambda session: session.supervision.add(school, problem, requirement, due)), describe, stage="登记")


def import_job(folder: Path, path: str) -> JobSpec:
    def describe(session: Session, added: list, ov: Overview) -> str:
        return f"已导入 {len(added)} 项问题，涉及 {len({i.school.id for i in added})} 所学校。点击“下发督办单”生成督办单。"

    return JobSpec("supervise", Path(folder), _quick(lambda session: session.supervision.import_list(path)), describe,
                   stage="导入问题清单")


def issue_job(folder: Path) -> JobSpec:
    def describe(session: Session, res: Any, ov: Overview) -> str:
        if not res.sheets:
            return "没有待下发的问题（都已下发过督办单）。"
        return (f"已下发督办单 {len(res.sheets)} 份（{res.sheets[0].number} 起）。每份的 .txt 可直接发到微信/QQ 群，"
                "督办单 .docx 可作为附件发给学校。")

    return JobSpec("supervise", Path(folder), _quick(lambda session: session.supervision.issue()), describe,
                   output=lambda session, res: res.folder if res.sheets else None, stage="下发督办单")


def event_job(folder: Path, verb: str, item_id: int, note: str) -> JobSpec:
    """销号 (close) or 撤销销号 (reopen) of one item, with the clerk's note."""
    def describe(session: Session, found: ItemState, ov: Overview) -> str:
        return f"第 {found.item.id} 项（{found.school.name}：{found.item.problem}）现为：{found.state_label}。"

    return JobSpec("supervise", Path(folder), _quick(lambda session: getattr(session.supervision, verb)(item_id, note)),
                   describe, stage="记录")


def register_job(folder: Path) -> JobSpec:
    return JobSpec("supervise-register", Path(folder), _quick(lambda session: session.supervision.write_register()),
                   lambda session, path, ov: f"已生成整改台账：{path.name}（在 summary 文件夹中）。",
                   output=lambda session, path: path, stage="生成整改台账")
