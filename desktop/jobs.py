"""The clerk's jobs as plain values: what to run in the engine and how to say what came of it.

No Qt here. A ``JobSpec`` names the folder, how to open the collection (open, or create), the
session's verb to drive and a function that turns its result into a Chinese sentence (the
engine's own words where it has them: ``said``, rendered for the window). ``execute`` runs one
spec start to finish in whatever thread calls it: it opens a session itself (a SQLite connection
may only be used by the thread that made it), drives the verb, takes the overview while the
ledger is open and closes it again. What comes back, ``Outcome``, is plain data the GUI thread
can keep. The window reaches the engine through ``aggregator.session`` alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generator, Iterable

from aggregator.session import (DEFAULT_FORM, WINDOW, Cancel, Cancelled, Overview, Progress, Session,
                                Settings, create_session, open_session, render, said)
# The window loads the intake (the reader, calamine, the reading processes' machinery) as it starts:
# loaded by the first collect in the worker thread, its import held the interpreter and the window
# stood still (a gap of 80-140 ms with one busy process per core). The command line loads it only
# for a collect.
from aggregator.session import CollectResult  # noqa: E402,F401

from .view import View, view_of

Engine = Callable[[Session, Cancel], Generator[Progress, None, Any]]
Describe = Callable[[Session, Any, Overview], str]

CANCELLED = "已取消。已处理完的都已保存，再次运行即可继续。"


@dataclass(frozen=True)
class Outcome:
    """What the GUI keeps after a job: the collection as it now stands and what to tell the clerk."""

    kind: str
    folder: Path
    settings: Settings
    overview: Overview
    text: str
    output: Path | None = None  # a file or folder the clerk may want to open now
    cancelled: bool = False
    view: View = field(default_factory=View)  # what the window draws beside the overview


@dataclass(frozen=True)
class JobSpec:
    kind: str  # open | new | distribute | collect | consolidate | feedback | assign
    folder: Path
    engine: Engine
    describe: Describe
    output: Callable[[Session, Any], Path | None] = lambda session, result: None
    create: Callable[[], Session] | None = None  # for "new": make the collection instead of opening it
    stage: str = ""  # shown before the first progress event


def execute(spec: JobSpec, cancel: Cancel, report: Callable[[Progress], None]) -> Outcome:
    """Run ``spec`` in the calling thread. Clerk errors (CollectionError, …) propagate unchanged."""
    session = spec.create() if spec.create else open_session(spec.folder)
    with session:
        job = spec.engine(session, cancel)
        result = None
        try:
            while True:
                try:
                    report(next(job))
                except StopIteration as stop:
                    result = stop.value
                    break
            cancelled = cancel.is_set or bool(getattr(result, "cancelled", False))
            ov = getattr(result, "overview", None) or session.overview()  # a collect's own, when it made one
            text = spec.describe(session, result, ov)
            if cancelled:
                text = f"{CANCELLED}{text}"
            output = None if cancelled else spec.output(session, result)
        except Cancelled:
            ov = session.overview()
            cancelled, text, output = True, CANCELLED, None
        return _outcome(session, ov, spec.kind, text, output, cancelled)


def _outcome(session: Session, ov: Overview, kind: str, text: str, output: Path | None = None,
             cancelled: bool = False) -> Outcome:
    """The collection as it stands, with what the window draws beside the overview."""
    return Outcome(kind, session.root, session.settings, ov, text, output, cancelled, view_of(session, ov))


def window_words(note: Any) -> str:
    """An engine note as a sentence of the window, ending in a full stop."""
    text = render(note, WINDOW)
    return text if not text or text.endswith(("。", "！", "）")) else f"{text}。"


# --- the jobs --------------------------------------------------------------------------------


def _nothing(session: Session, cancel: Cancel) -> Generator[Progress, None, None]:
    """The engine step of jobs that only open (or create) the collection."""
    yield from ()


def open_job(folder: str | Path) -> JobSpec:
    return JobSpec("open", Path(folder), _nothing, lambda session, _, ov: "", stage="打开")  # the window says it all


def new_job(folder: str | Path, roster: str | Path, name: str, deadline: str, form: str = DEFAULT_FORM,
            parents: str = "") -> JobSpec:
    def create() -> Session:
        return create_session(folder, roster, name=name, deadline=deadline, form=form, parents=parents)

    def describe(session: Session, _: Any, ov: Overview) -> str:
        return (f"已建立收集文件夹：{session.root}，收集《{session.title}》，"
                f"名单共 {len(ov.schools)} 所学校。"
                "下一步：点击“下发空白表”，为每所学校生成要发出的表。")

    return JobSpec("new", Path(folder), _nothing, describe, create=create, stage="建立")


def distribute_job(folder: str | Path, force: bool = False) -> JobSpec:
    return JobSpec("distribute", Path(folder), lambda session, c: session.distribute(force=force, cancel=c),
                   lambda session, res, ov: window_words(said.distributed(res)),
                   output=lambda session, res: res.folder, stage="生成")


def collect_job(folder: str | Path, paths: Iterable[str | Path] | None = None, quiet: bool = False,
                watched: bool = False) -> JobSpec:
    """``quiet``: a collect the clerk did not ask for (the folder watch) says nothing when nothing is new;
    ``watched``: the inbox and what is new and ours in the watched download folders."""
    chosen = [Path(p) for p in paths] if paths else None

    def describe(session: Session, res: Any, ov: Overview) -> str:
        if quiet and not (res.new_returns or res.unreadable or res.cancelled):
            return ""
        return window_words(said.collected(res, ov, session.root))

    return JobSpec("collect", Path(folder), lambda session, c: session.collect(chosen, cancel=c, watched=watched),
                   describe, stage="收取")


def _sentences(notes: Any) -> str:
    """The engine's notes, worded for the window, as one paragraph."""
    return "".join(window_words(note) for note in notes)


def consolidate_job(folder: str | Path, include: str = "accepted") -> JobSpec:
    def describe(session: Session, res: Any, ov: Overview) -> str:
        notes = _sentences(res.notes)
        said = f"表上写明：{res.coverage}。" if res.coverage else ""
        return f"已汇总 {res.included} / 应报 {res.expected} 所学校，汇总表：{res.path.name}。{said}{notes}"

    return JobSpec("consolidate", Path(folder), lambda session, c: session.consolidate(include=include, cancel=c),
                   describe, output=lambda session, res: res.path, stage="汇总")


def feedback_job(folder: str | Path, send: bool = False, warnings: bool = False) -> JobSpec:
    """生成反馈; ``warnings``: also the 请核对 letters to schools whose warnings nobody confirmed."""
    def describe(session: Session, res: Any, ov: Overview) -> str:
        sent = f"已发送 {res.sent} 封邮件。" if send else "邮件草稿（.eml）可用 Outlook 或 Foxmail 打开后发送。"
        notes = _sentences(res.notes)
        return f"{render(said.fed_back(res, warnings), WINDOW)}；{sent}{notes}"

    return JobSpec("feedback", Path(folder), lambda session, c: session.feedback(send=send, warnings=warnings, cancel=c),
                   describe, output=lambda session, res: res.folder, stage="生成反馈")


def assign_job(folder: str | Path, file: str, school: str, material: str = "") -> JobSpec:
    """Whose a waiting return is, or (``material``) which school's which material a waiting document is."""
    def engine(session: Session, cancel: Cancel) -> Generator[Progress, None, Any]:
        yield from ()  # quick: no progress to show, but run like the others, in the worker
        return session.assign(file, school, material)

    return JobSpec("assign", Path(folder), engine, lambda session, note, ov: window_words(note), stage="指定")


def assign_document_job(folder: str | Path, file: str, school: str, material: str) -> JobSpec:
    return assign_job(folder, file, school, material)


def read_overview(folder: str | Path) -> Outcome:
    """The collection as it stands now, for a refresh in the calling thread."""
    with open_session(folder) as session:
        return _outcome(session, session.overview(), "refresh", "")
