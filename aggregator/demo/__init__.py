"""``dudao demo``: the whole job on a bundled sample district, as a clerk would live it.

A roster of 40 schools of 曾都区; every school gets its workbook; the returns arrive as they do on
deadline day (``annex5`` for Annex 5, ``generic`` for any other form); then collect, consolidate
and feedback run on them exactly as they would on real returns.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Callable

from .. import clock
from ..messages import Note
from ..collection.store.folder import SETTINGS, CollectionError
from ..messages import render
from ..form.declaration import DEFAULT_FORM
from ..resources import TEMPLATES_DIR
from ..form.parse import load_form
from .annex5 import PHONE_NOTES, PROBLEMS, WECHAT, district_values, sample_values, simulate_returns
from .last_period import FOLDER as LAST_FOLDER, MOVED, MOVED_SAID, build_last_period, last_period_values
from .documents import simulate_documents
from .files import fill_workbook, gbk_zip, put_received, retyped_workbook, word_file
from .generic import simulate_generic
from .supervision import CLOSED, LIST_NAME, PREFIX, inspectors_list, simulate_answers

__all__ = ["PROBLEMS", "SAMPLE_ROSTER", "fill_workbook", "gbk_zip", "put_received", "retyped_workbook",
           "run_demo", "sample_values", "word_file"]

SAMPLE_ROSTER = TEMPLATES_DIR / "samples" / "曾都区学校名单.csv"
DEADLINE = "2023-11-20"
PLAN = "shuangjian-2023"  # Annex 5's demo collects all the seed plan asks for: cases, reports, recommendations
IN_WORD = "曾都区青年路小学"  # fills Annex 5 in the plan's Word table


# The simulated clock of the story: the forms go out on 1 November, the clerk collects and writes
# back at 17:00 on deadline day, and consolidates two days later, once a late return is in.
ISSUED_AT = datetime(2023, 11, 1, 9, 0)
DEADLINE_EVENING = datetime(2023, 11, 20, 17, 0)
SUMMED_AT = datetime(2023, 11, 22, 10, 30)
LISTED_AT = datetime(2023, 11, 2, 10, 0)  # the inspectors' list comes in, the 督办单 go out
OUR_OWN = {"unit": "曾都区教育局", "reporter": "张敏", "phone": "0722-3251234"}
SENDER = "zdjyj@zdedu.example"


def run_demo(root: Path, drive: Callable, out: Callable[[str], None], form: str = DEFAULT_FORM) -> int:
    """The clerk's whole job on the sample district, through the front door as a face drives it."""
    from ..session import STATE_LABELS, create_session, said

    declared = load_form(form)  # an unknown form is refused before the folder is touched

    if root.exists() and any(root.iterdir()):
        if not (root / SETTINGS).exists() or not (root / ".demo").exists():
            raise CollectionError(Note.of("demo-folder-busy", root=root))
        shutil.rmtree(root)  # our own earlier demo: start again
    annex5 = declared.id == load_form(DEFAULT_FORM).id
    with clock.pinned(ISSUED_AT):
        session = create_session(root, SAMPLE_ROSTER, name="曾都区", parents=("湖北省", "随州市"), deadline=DEADLINE,
                                 form=form, plan=PLAN if annex5 else "", **OUR_OWN)
        session.change_settings(mail_sender=SENDER)
        (root / ".demo").write_text("dudao demo\n", encoding="utf-8")
    with session:
        explained: dict[str, dict[str, str]] = {}
        if annex5:  # last year's collection of the same schools, to compare with
            schools = session.schools()
            before = last_period_values(schools, district_values(schools))
            last = build_last_period(root / LAST_FOLDER, SAMPLE_ROSTER, form, before, drive, **OUR_OWN)
            explained = {MOVED: {"vs-previous": MOVED_SAID}}
        with clock.pinned(ISSUED_AT):
            out(f"1. {_when()} 建立收集文件夹 {root}，收集《{session.title}》，"
                f"导入示例名单 {len(session.schools())} 所学校，截止日期 {DEADLINE}")
            if annex5:
                out(f"   {render(said.previous(session.set_previous(last)))}")
            res = drive(session.distribute())
            out(f"2. {_when()} 下发：已为每所学校生成空白表 {res.written} 份 → {res.folder}")
        inbox = session.folder("inbox")
        if annex5:
            story = simulate_returns(root, session.form, res.folder, inbox, session.schools(), in_word=IN_WORD,
                                     explained=explained)
            simulate_documents(inbox / WECHAT, session.plan, session.schools(),
                               {k for k, v in story.items() if v == "未报送"})
            with clock.pinned(LISTED_AT):
                _issue(session, root, out)
            simulate_answers(inbox / WECHAT)
        else:
            simulate_generic(root, session.form, res.folder, inbox, session.schools())
        later = _hold_back(inbox, root / ".demo-later", DEADLINE_EVENING)
        out(f"3. 学校陆续报回：文件在 {inbox / WECHAT}")
        with clock.pinned(DEADLINE_EVENING):
            got = drive(session.collect())
            docs = f"其他材料 {len(got.documents)} 份，" if got.documents else ""
            out(f"4. {_when()} 收取：共 {got.seen} 个文件，新报表 {len(got.new_returns)} 份，{docs}重复 {got.duplicates} 份，"
                f"无法读取 {len(got.unreadable)} 个，待确认 {len(got.review)} 个")
            if annex5:
                _close(session, out)
            _states(out, session.overview(), STATE_LABELS)
            _materials(out, session.overview(), session.plan)
            fb = drive(session.feedback(warnings=True))
            out(f"5. {_when()} 反馈：退回修改 {fb.returned} 所、请核对 {fb.checks} 所（标注好的表、邮件草稿、"
                f"群消息 .txt、手机查看 PDF），催报 {fb.reminders} 所，催交材料 {fb.documents} 所")
            for note in fb.notes:
                out(f"   {render(note)}")
        _release(later, inbox)
        with clock.pinned(SUMMED_AT):
            got = drive(session.collect())
            out(f"6. {_when()} 又收到 {len(got.new_returns)} 份逾期的报表，再次收取")
            _states(out, session.overview(), STATE_LABELS)
            summary = drive(session.consolidate())
            out(f"7. {_when()} 汇总：已汇总 {summary.included} / 应报 {summary.expected}")
            if summary.upward is None and summary.notes:
                out(f"   {render(summary.notes[-1])}")
                confirmed = _confirm_by_phone(session)
                if confirmed:
                    out(f"8. {_when()} 电话核实后记录：{'；'.join(confirmed)}")
                    summary = drive(session.consolidate())
                    out(f"9. {_when()} 再次汇总：{summary.coverage}")
        out("")
        out(f"查看各校情况：dudao status {root}")
        out(f"反馈文件夹（退回、核对、催报，可直接发到群里的 .txt 和 PDF）：{fb.folder}")
        out(f"汇总表（工作用，含全部明细）：{summary.path}")
        if summary.upward is not None:
            out(f"汇总表（上报用，直接报送上级）：{summary.upward}")
    return 0


def _issue(session, root: Path, out: Callable[[str], None]) -> None:
    """The inspectors' list imported, the 督办单 issued (``supervision``)."""
    added = session.supervision.import_list(inspectors_list(root / LIST_NAME))
    issued = session.supervision.issue(PREFIX)
    out(f"   {_when()} 导入督导组问题清单 {len(added)} 项，下发督办单 {len(issued.sheets)} 份"
        f"（{issued.sheets[0].number}–{issued.sheets[-1].number}）→ {issued.folder}")


def _close(session, out: Callable[[str], None]) -> None:
    """The clerk checks the answers collected and closes one item (销号)."""
    session.supervision.close(*CLOSED)
    items = session.supervision.items()
    answered = sorted({i.school.name for i in items if i.answers})
    out(f"   整改督办：{'、'.join(answered)} 报来整改材料；销号 {sum(i.state == 'closed' for i in items)} 项，"
        f"逾期未整改 {sum(i.overdue for i in items)} 项（dudao supervise {session.root} list）")


def _confirm_by_phone(session) -> list[str]:
    """The clerk calls the schools whose warnings are still open and records what they said
    (``dudao confirm``), as she must before the summary goes up."""
    from ..session import rule_name

    said = []
    for state in session.overview().schools:
        if state.status != "accepted_with_warnings":
            continue
        for rule in dict.fromkeys(f.rule for f in state.findings if f.level == "warning"):
            note = PHONE_NOTES.get((state.school.name, rule), "电话核实：数据无误")
            session.decide("confirm", state.school.name, note, rule=rule)
            said.append(f"{state.school.name} {rule_name(rule, session.form)}（{note}）")
    return said


def _when() -> str:
    return clock.now().strftime("%m月%d日 %H:%M")


def _states(out: Callable[[str], None], ov, labels) -> None:
    counts = "，".join(f"{labels[s]} {ov.count(s)}" for s in ("accepted", "accepted_with_warnings", "returned",
                                                            "needs_review", "missing"))
    out(f"   各校状态：{counts}；逾期 {ov.late}")


def _materials(out: Callable[[str], None], ov, plan) -> None:
    """Per document material: how many schools sent it of those that owe it, how many late."""
    for m in plan.documents:
        mine = [x for s in ov.schools for x in s.materials if x.material.id == m.id]
        got = [x for x in mine if x.received]
        late = sum(1 for x in got if x.late)
        out(f"   {m.label}：已收 {len(got)} / 应交 {len(mine)}" + (f"，逾期 {late}" if late else ""))
    if ov.documents_waiting:
        out(f"   另有 {len(ov.documents_waiting)} 份材料看不出是哪所学校或哪项材料，等待人工指定（dudao assign）")


def _hold_back(inbox: Path, holding: Path, until: datetime) -> list[tuple[Path, Path]]:
    """Files that arrive after ``until`` are not there yet: set them aside until their time."""
    moved = []
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        if datetime.fromtimestamp(path.stat().st_mtime) > until:
            target = holding / path.relative_to(inbox)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            moved.append((target, path))
    return moved


def _release(moved: list[tuple[Path, Path]], inbox: Path) -> None:
    for held, back in moved:
        back.parent.mkdir(parents=True, exist_ok=True)
        os.replace(held, back)
    if moved:
        shutil.rmtree(moved[0][0].parents[len(moved[0][1].relative_to(inbox).parts) - 1], ignore_errors=True)
