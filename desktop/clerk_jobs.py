"""The clerk's own decisions and settings as jobs: overrules, the roster, junk files, settings,
the test mail, corrected copies, one school's marked workbook.

Each is quick, but runs like the long jobs (``jobs.execute`` in the worker thread): the ledger
is used by the thread that opened it, the overview is taken afresh for the window, and a
refusal from the engine (a ``CollectionError``) reaches the clerk as its own sentence. No Qt here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Generator

from aggregator.collection.clerk import overrule
from aggregator.collection.store.folder import Collection, CollectionError
from aggregator.filenames import display_name
from aggregator.collection.store.roster import School
from aggregator.collection.views.status import STATE_LABELS, Overview
from aggregator.messages import rule_name
from aggregator.progress import Cancel, Progress

from .jobs import JobSpec

# verb -> (what the window says once it is done, what it says once undone)
VERBS = {
    "accept": ("已记录：{school} 仍然通过", "已撤销：{school} 的“仍然通过”"),
    "send_back": ("已记录：{school} 退回修改", "已撤销：{school} 的“退回”"),
    "exempt": ("已记录：{school} 免报，不再计为未报", "已撤销：{school} 的“免报”"),
    "remark": ("已记录给 {school} 的说明，会写进下一封反馈或催报", "已撤销给 {school} 的说明"),
}
SETTINGS_SAVED = "已保存设置。"


def _quick(work: Callable[[Collection], Any]) -> Callable[[Collection, Cancel], Generator[Progress, None, Any]]:
    """An engine step with nothing to report while it runs."""

    def engine(col: Collection, cancel: Cancel) -> Generator[Progress, None, Any]:
        yield from ()
        return work(col)

    return engine


def _said(text: str) -> Callable[[Collection, Any, Overview], str]:
    return lambda col, res, ov: text


def decide_job(folder: Path, verb: str, school: str, note: str = "", undo: bool = False) -> JobSpec:
    """仍然通过, 退回, 免报, 添加说明 (or undoing one) for one school."""
    done, undone = VERBS[verb]
    text = (undone if undo else done).format(school=school)
    if note and not undo:
        text += f"（{note}）"
    work = _quick(lambda col: getattr(overrule, verb)(col, school, note, undo=undo))
    return JobSpec("decide", Path(folder), work, _said(text + "。"), stage="记录")


def confirm_job(folder: Path, school: str, rule: str, note: str = "", undo: bool = False) -> JobSpec:
    """请核对, settled: the clerk checked a warning with the school (``overrule.confirm``), or undoes it."""
    work = _quick(lambda col: overrule.confirm(col, school, rule, note, undo=undo))

    def said(col: Collection, decision: Any, ov: Overview) -> str:
        name = rule_name(decision.rule, col.form)
        state = next((s for s in ov.schools if s.school.name == school), None)
        now = f"现在：{STATE_LABELS[state.status]}。" if state is not None else ""
        if undo:
            return f"已撤销：{school} 的提示“{name}”重新计为提示。{now}"
        return f"已记录：{school} 的提示“{name}”已核实" + (f"（{note}）" if note else "") + f"，不再提示。{now}"

    return JobSpec("decide", Path(folder), work, said, stage="记录")


def school_job(folder: Path, action: str, name: str, details: dict[str, str], note: str = "") -> JobSpec:
    """Add, edit or remove a roster school."""

    def work(col: Collection) -> School:
        if action == "add":
            return overrule.add_school(col, School("", name, **details), note=note)
        if action == "edit":
            return overrule.edit_school(col, name, note=note, **details)
        return overrule.remove_school(col, name, note=note)

    def describe(col: Collection, school: School, ov: Overview) -> str:
        return {"add": f"已把“{school.name}”加入名单（现有 {len(ov.schools)} 所）。",
                "edit": f"已修改“{school.name}”的信息。",
                "remove": f"已把“{school.name}”移出名单；它发来的文件仍然保留。"}[action]

    return JobSpec("school", Path(folder), _quick(work), describe, stage="修改名单")


def file_job(folder: Path, action: str, file: str, school: str = "", note: str = "", undo: bool = False) -> JobSpec:
    """忽略 a junk file, or tie an unreadable file to the school that sent it."""
    if action == "ignore":
        work = _quick(lambda col: overrule.ignore(col, file, note, undo=undo))
        text = "已忽略 {name}（文件仍保存在收集文件夹的 archive 中）。"
    else:
        work = _quick(lambda col: overrule.tie(col, file, school, note, undo=undo))
        text = f"已记下：{{name}} 是 {school} 发来的，催报时会告诉它这份文件无法读取。"

    def said(col: Collection, decision: Any, ov: Overview) -> str:  # the file's name, not the hash it was picked by
        name = next((f.original_name for f in col.ledger.files() if f.sha256 == decision.sha256), file)
        return text.format(name=display_name(name))

    return JobSpec("file", Path(folder), work, said, stage="记录")


def told_job(folder: Path, pending: list[tuple[str, str, str]]) -> JobSpec:
    """What went out to schools another way than the tool's e-mail: (school, channel, note) each."""
    from aggregator.collection.clerk.overrule import tell_schools

    def work(col: Collection) -> list:
        return tell_schools(col, pending)

    said = "" if all(channel == "chat" for _, channel, _ in pending) else \
        "已记下：" + "、".join(dict.fromkeys(school for school, _, _ in pending)) + " 已告知。"
    return JobSpec("told", Path(folder), _quick(work), _said(said), stage="记录")


def settings_job(folder: Path, changes: dict[str, Any], password: str | None = None,
                 test_mail: bool = False) -> JobSpec:
    """Save changed settings; ``password``: None leaves the stored one, "" forgets it;
    ``test_mail``: then send a test message to the sender's own mailbox (发送测试邮件)."""
    from aggregator.collection.store.credentials import CredentialError, store_password
    from aggregator.outputs.mailcheck import send_test_mail

    def work(col: Collection) -> str:
        if changes:
            col.change_settings(**changes)
        said = SETTINGS_SAVED
        if password is not None:
            try:
                store_password(col.settings.mail, password)
            except CredentialError as exc:
                said = f"{SETTINGS_SAVED}但{exc}。"
        if test_mail:
            try:
                address = send_test_mail(col)
            except CollectionError as exc:
                raise CollectionError(f"{said}{exc.render('window')}") from None
            said += f"测试邮件已发到 {address}，请到邮箱查收：收到即说明发信设置正确。"
        return said

    return JobSpec("settings", Path(folder), _quick(work), lambda col, res, ov: res,
                   stage="发送测试邮件" if test_mail else "保存设置")


def correction_job(folder: Path, school: str) -> JobSpec:
    """修改后收取, first half: a working copy of the school's return, for Excel or WPS."""
    from aggregator.collection.clerk.corrected import working_copy

    def describe(col: Collection, path: Path, ov: Overview) -> str:
        return (f"已为 {school} 准备一份修改稿：{path.name}。在 Excel 或 WPS 中改好并保存后，"
                "点击“收取修改后的表”，它会作为新的一版收取，并注明“由区教育局修改”。")

    return JobSpec("correction", Path(folder), _quick(lambda col: working_copy(col, school)), describe,
                   output=lambda col, path: path, stage="准备修改稿")


def corrected_job(folder: Path, school: str) -> JobSpec:
    """修改后收取, second half: the saved copy collected as the school's new version."""
    from aggregator.collection.clerk.corrected import collect_corrected

    def describe(col: Collection, res: Any, ov: Overview) -> str:
        state = next((s for s in ov.schools if s.school.name == school), None)
        if state is None:
            return f"已收取 {school} 的修改稿，注明“由区教育局修改”。"
        return (f"已收取 {school} 的修改稿，作为第 {state.versions} 版，注明“由区教育局修改”，"
                f"现在：{STATE_LABELS[state.status]}。")

    return JobSpec("corrected", Path(folder), lambda col, c: collect_corrected(col, school, cancel=c), describe,
                   stage="收取修改稿")


def marked_job(folder: Path, school: str) -> JobSpec:
    """打开标注表: the school's marked workbook, made by ``feedback`` when it is missing or older
    than the school's current return."""
    from aggregator.filenames import safe_file_name
    from aggregator.outputs.feedback import RETURNED_TAG, feedback
    from aggregator.outputs.free_name import newest_copy

    def engine(col: Collection, cancel: Cancel) -> Generator[Progress, None, Path]:
        state = _state(col, school)
        if state.status != "returned" or state.current is None:
            raise CollectionError(f"{school} 现在不需要退回修改，没有标注表")
        named = col.root / "feedback" / f"{safe_file_name(state.school.name, fallback='学校')}-{RETURNED_TAG}.xlsx"
        archived = col.root / state.current.archived
        path = newest_copy(named)  # "(2)" when the first one was open in Excel as feedback wrote it
        if path is None or path.stat().st_mtime < archived.stat().st_mtime:
            yield from feedback(col, send=False, cancel=cancel)
            path = newest_copy(named)
        if path is None:
            raise CollectionError(f"没能生成 {school} 的标注表，请点击“生成反馈”后在反馈文件夹中查看")
        return path

    return JobSpec("marked", Path(folder), engine, _said(""), output=lambda col, path: path, stage="生成标注表")


def _state(col: Collection, school: str):
    from aggregator.collection.views.decisions import find_school
    from aggregator.collection.views.status import overview

    found = find_school(col, school)
    return next(s for s in overview(col).schools if s.school.id == found.id)
