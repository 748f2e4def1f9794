"""The clerk's own decisions and settings as jobs: overrules, the roster, junk files, settings,
the test mail, corrected copies, one school's marked workbook.

Each is quick, but runs like the long jobs (``jobs.execute`` in the worker thread): the ledger
is used by the thread that opened it, the overview is taken afresh for the window, and a
refusal from the engine (a ``CollectionError``) reaches the clerk as its own sentence. What each
says once done is the engine's (``said``), worded for the window. No Qt here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Generator

from aggregator.session import (STATE_LABELS, Cancel, CollectionError, Overview, Progress, School, Session, rule_name,
                                said)

from .jobs import JobSpec, window_words

SETTINGS_SAVED = "已保存设置。"


def _quick(work: Callable[[Session], Any]) -> Callable[[Session, Cancel], Generator[Progress, None, Any]]:
    """A session verb with nothing to report while it runs."""

    def engine(session: Session, cancel: Cancel) -> Generator[Progress, None, Any]:
        yield from ()
        return work(session)

    return engine


def _said(text: str) -> Callable[[Session, Any, Overview], str]:
    return lambda session, res, ov: text


def _now(ov: Overview, school: str) -> str:
    """Where the school stands after the decision: "现在：通过（有提示）。"."""
    state = next((s for s in ov.schools if s.school.name == school), None)
    return f"现在：{STATE_LABELS[state.status]}。" if state is not None else ""


def decide_job(folder: Path, verb: str, school: str, note: str = "", undo: bool = False) -> JobSpec:
    """仍然通过, 退回, 免报, 添加说明 (or undoing one) for one school."""
    work = _quick(lambda session: session.decide(verb, school, note, undo=undo))
    return JobSpec("decide", Path(folder), work,
                   lambda session, decision, ov: window_words(said.decided(decision, school, undo=undo)), stage="记录")


def confirm_job(folder: Path, school: str, rule: str, note: str = "", undo: bool = False) -> JobSpec:
    """请核对, settled: the clerk checked a warning with the school (``confirm``), or undoes it."""
    work = _quick(lambda session: session.decide("confirm", school, note, rule=rule, undo=undo))

    def describe(session: Session, decision: Any, ov: Overview) -> str:
        name = rule_name(decision.rule, session.form)
        return window_words(said.decided(decision, school, rule=name, undo=undo)) + _now(ov, school)

    return JobSpec("decide", Path(folder), work, describe, stage="记录")


def pick_job(folder: Path, school: str, material: str, note: str = "", undo: bool = False) -> JobSpec:
    """推荐上报 a school's document, or undo it."""
    work = _quick(lambda session: session.supervision.pick(material, school, note, undo=undo))
    return JobSpec("decide", Path(folder), work,
                   lambda session, p, ov: window_words(said.picked(p, undo)), stage="记录")


def school_job(folder: Path, action: str, name: str, details: dict[str, str], note: str = "") -> JobSpec:
    """Add, edit or remove a roster school."""

    def work(session: Session) -> School:
        if action == "add":
            return session.add_school(School("", name, **details), note=note)
        if action == "edit":
            return session.edit_school(name, note=note, **details)
        return session.remove_school(name, note=note)

    return JobSpec("school", Path(folder), _quick(work),
                   lambda session, school, ov: window_words(said.school_changed(action, school, len(ov.schools))),
                   stage="修改名单")


def file_job(folder: Path, action: str, file: str, school: str = "", note: str = "", undo: bool = False) -> JobSpec:
    """忽略 a junk file, or tie an unreadable file to the school that sent it."""
    if action == "ignore":
        work = _quick(lambda session: session.ignore(file, note, undo=undo))
    else:
        work = _quick(lambda session: session.tie(file, school, note, undo=undo))

    def describe(session: Session, decision: Any, ov: Overview) -> str:  # the file's name, not its hash
        return window_words(said.decided(decision, school, file=session.file_name(decision.sha256, file), undo=undo))

    return JobSpec("file", Path(folder), work, describe, stage="记录")


def told_job(folder: Path, pending: list[tuple[str, str, str]]) -> JobSpec:
    """What went out to schools another way than the tool's e-mail: (school, channel, note) each."""
    text = "" if all(channel == "chat" for _, channel, _ in pending) else \
        window_words(said.told(school for school, _, _ in pending))
    return JobSpec("told", Path(folder), _quick(lambda session: session.tell_schools(pending)), _said(text),
                   stage="记录")


def settings_job(folder: Path, changes: dict[str, Any], password: str | None = None,
                 test_mail: bool = False, previous: tuple[str, str] | None = None) -> JobSpec:
    """Save changed settings; ``password``: None leaves the stored one, "" forgets it;
    ``test_mail``: then send a test message to the sender's own mailbox (发送测试邮件);
    ``previous``: last period's folder and mapping file, taken now ("" for the folder: none)."""

    def work(session: Session) -> str:
        if changes:
            session.change_settings(**changes)
        text = SETTINGS_SAVED
        if previous is not None:
            folder, names = previous
            text += window_words(said.previous(session.set_previous(folder, names or None)))
        if password is not None:
            try:
                session.store_mail_password(password)
            except CollectionError as exc:
                text = f"{SETTINGS_SAVED}但{exc.render('window')}。"
        if test_mail:
            try:
                address = session.send_test_mail()
            except CollectionError as exc:
                raise CollectionError(f"{text}{exc.render('window')}") from None
            text += f"测试邮件已发到 {address}，请到邮箱查收：收到即说明发信设置正确。"
        return text

    return JobSpec("settings", Path(folder), _quick(work), lambda session, res, ov: res,
                   stage="发送测试邮件" if test_mail else "保存设置")


def correction_job(folder: Path, school: str) -> JobSpec:
    """修改后收取, first half: a working copy of the school's return, for Excel or WPS."""

    def describe(session: Session, path: Path, ov: Overview) -> str:
        return (f"已为 {school} 准备一份修改稿：{path.name}。在 Excel 或 WPS 中改好并保存后，"
                "点击“收取修改后的表”，它会作为新的一版收取，并注明“由区教育局修改”。")

    return JobSpec("correction", Path(folder), _quick(lambda session: session.working_copy(school)), describe,
                   output=lambda session, path: path, stage="准备修改稿")


def corrected_job(folder: Path, school: str) -> JobSpec:
    """修改后收取, second half: the saved copy collected as the school's new version."""

    def describe(session: Session, res: Any, ov: Overview) -> str:
        state = next((s for s in ov.schools if s.school.name == school), None)
        if state is None:
            return f"已收取 {school} 的修改稿，注明“由区教育局修改”。"
        return (f"已收取 {school} 的修改稿，作为第 {state.versions} 版，注明“由区教育局修改”，"
                f"现在：{STATE_LABELS[state.status]}。")

    return JobSpec("corrected", Path(folder), lambda session, c: session.collect_corrected(school, cancel=c),
                   describe, stage="收取修改稿")


def marked_job(folder: Path, school: str) -> JobSpec:
    """打开标注表: the school's marked workbook, made by ``feedback`` when it is missing or older
    than the school's current return."""
    return JobSpec("marked", Path(folder), lambda session, c: session.marked_workbook(school, c), _said(""),
                   output=lambda session, path: path, stage="生成标注表")
