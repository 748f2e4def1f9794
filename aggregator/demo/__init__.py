"""``dudao demo``: the whole job on a bundled sample district, as a clerk would live it.

A roster of 40 schools of 曾都区; every school gets its workbook; the returns arrive as they do on
deadline day (``annex5`` for Annex 5, ``generic`` for any other form); then collect, consolidate
and feedback run on them exactly as they would on real returns.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

from ..collection.folder import SETTINGS, CollectionError, init_collection
from ..form.declaration import DEFAULT_FORM, TEMPLATES_DIR, load_form
from .annex5 import PROBLEMS, WECHAT, sample_values, simulate_returns
from .files import fill_workbook, gbk_zip, put_received, retyped_workbook, word_file
from .generic import simulate_generic

__all__ = ["PROBLEMS", "SAMPLE_ROSTER", "fill_workbook", "gbk_zip", "put_received", "retyped_workbook",
           "run_demo", "sample_values", "word_file"]

SAMPLE_ROSTER = TEMPLATES_DIR / "samples" / "曾都区学校名单.csv"
DEADLINE = "2023-11-20"


def run_demo(root: Path, drive: Callable, out: Callable[[str], None], form: str = DEFAULT_FORM) -> int:
    from ..collection.collect import collect
    from ..collection.status import STATE_LABELS, overview
    from ..outputs.consolidate import consolidate
    from ..outputs.distribute import distribute
    from ..outputs.feedback import feedback

    declared = load_form(form)  # an unknown form is refused before the folder is touched

    if root.exists() and any(root.iterdir()):
        if not (root / SETTINGS).exists() or not (root / ".demo").exists():
            raise CollectionError(f"{root} 不是空文件夹，演示不会覆盖它。请换一个文件夹名，如 dudao demo 演示")
        shutil.rmtree(root)  # our own earlier demo: start again
    col = init_collection(root, SAMPLE_ROSTER, name="曾都区", deadline=DEADLINE, form=form)
    (root / ".demo").write_text("dudao demo\n", encoding="utf-8")
    with col:
        out(f"1. 建立收集文件夹 {root}，收集《{col.form.title(col.settings.name)}》，"
            f"导入示例名单 {len(col.schools())} 所学校，截止日期 {DEADLINE}")
        res = drive(distribute(col))
        out(f"2. 下发：已为每所学校生成空白表 {res.written} 份 → {res.folder}")
        simulate = simulate_returns if declared.id == load_form(DEFAULT_FORM).id else simulate_generic
        simulate(root, col.form, res.folder, col.folder("inbox"), col.schools())
        out(f"3. 模拟学校报回：文件在 {col.folder('inbox') / WECHAT}")
        got = drive(collect(col))
        out(f"4. 收取：共 {got.seen} 个文件，新报表 {len(got.new_returns)} 份，重复 {got.duplicates} 份，"
            f"无法读取 {len(got.unreadable)} 个，待确认 {len(got.review)} 个")
        ov = overview(col)
        counts = "，".join(f"{STATE_LABELS[s]} {ov.count(s)}" for s in ("accepted", "accepted_with_warnings",
                                                                        "returned", "needs_review", "missing"))
        out(f"   各校状态：{counts}；逾期 {ov.late}")
        summary = drive(consolidate(col))
        out(f"5. 汇总：已汇总 {summary.included} / 应报 {summary.expected}")
        fb = drive(feedback(col))
        out(f"6. 反馈：退回修改 {fb.returned} 所（标注好的表和邮件草稿），催报 {fb.reminders} 所")
        out("")
        out(f"查看各校情况：dudao status {root}")
        out(f"反馈文件夹：{fb.folder}")
        out(f"汇总表：{summary.path}")
    return 0
