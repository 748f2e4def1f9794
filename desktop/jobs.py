"""The clerk's jobs as plain values: what to run in the engine and how to say what came of it.

No Qt here. A ``JobSpec`` names the folder, how to open the collection (open, or create), the
engine generator to drive and a function that turns the engine's result into a Chinese sentence.
``execute`` runs one spec start to finish in whatever thread calls it: it opens the collection
itself (a SQLite connection may only be used by the thread that made it), drives the engine's
generator, takes the overview while the ledger is open and closes it again. What comes back,
``Outcome``, is plain data the GUI thread can keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generator, Iterable

from aggregator.collection.folder import Collection, Settings, init_collection, open_collection
from aggregator.form.declaration import DEFAULT_FORM
from aggregator.progress import Cancel, Cancelled, Progress
from aggregator.collection.status import STATE_LABELS, Overview, overview

from aggregator.messages import WINDOW, render

from .view import View, view_of

Engine = Callable[[Collection, Cancel], Generator[Progress, None, Any]]
Describe = Callable[[Collection, Any, Overview], str]

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
    output: Callable[[Collection, Any], Path | None] = lambda col, result: None
    create: Callable[[], Collection] | None = None  # for "new": make the collection instead of opening it
    stage: str = ""  # shown before the first progress event


def execute(spec: JobSpec, cancel: Cancel, report: Callable[[Progress], None]) -> Outcome:
    """Run ``spec`` in the calling thread. Clerk errors (CollectionError, …) propagate unchanged."""
    col = spec.create() if spec.create else open_collection(spec.folder)
    with col:
        job = spec.engine(col, cancel)
        result = None
        try:
            while True:
                try:
                    report(next(job))
                except StopIteration as stop:
                    result = stop.value
                    break
            cancelled = cancel.is_set or bool(getattr(result, "cancelled", False))
            ov = overview(col)
            text = spec.describe(col, result, ov)
            if cancelled:
                text = f"{CANCELLED}{text}"
            output = None if cancelled else spec.output(col, result)
        except Cancelled:
            ov = overview(col)
            cancelled, text, output = True, CANCELLED, None
        return _outcome(col, ov, spec.kind, text, output, cancelled)


def _outcome(col: Collection, ov: Overview, kind: str, text: str, output: Path | None = None,
             cancelled: bool = False) -> Outcome:
    """The collection as it stands, with what the window draws beside the overview."""
    return Outcome(kind, col.root, col.settings, ov, text, output, cancelled, view_of(col, ov))


# --- the jobs --------------------------------------------------------------------------------


def _nothing(col: Collection, cancel: Cancel) -> Generator[Progress, None, None]:
    """The engine step of jobs that only open (or create) the collection."""
    yield from ()


def open_job(folder: str | Path) -> JobSpec:
    return JobSpec("open", Path(folder), _nothing, lambda col, _, ov: "", stage="打开")  # the window says it all


def new_job(folder: str | Path, roster: str | Path, name: str, deadline: str, form: str = DEFAULT_FORM) -> JobSpec:
    def create() -> Collection:
        return init_collection(folder, roster, name=name, deadline=deadline, form=form)

    def describe(col: Collection, _: Any, ov: Overview) -> str:
        return (f"已建立收集文件夹：{col.root}，收集《{col.form.title(col.settings.name)}》，"
                f"名单共 {len(ov.schools)} 所学校。"
                "下一步：点击“下发空白表”，为每所学校生成要发出的表。")

    return JobSpec("new", Path(folder), _nothing, describe, create=create, stage="建立")


def distribute_job(folder: str | Path, force: bool = False) -> JobSpec:
    from aggregator.outputs.distribute import distribute

    def describe(col: Collection, res: Any, ov: Overview) -> str:
        return (f"已生成 {res.written} 份空白表，{res.kept} 份已存在未覆盖。"
                "请点击“打开空白表文件夹”，把每所学校的表发给该校（微信、QQ 或邮件均可）。")

    return JobSpec("distribute", Path(folder), lambda col, c: distribute(col, force=force, cancel=c), describe,
                   output=lambda col, res: res.folder, stage="生成")


def collect_job(folder: str | Path, paths: Iterable[str | Path] | None = None, quiet: bool = False,
                watched: bool = False) -> JobSpec:
    """``quiet``: a collect the clerk did not ask for (the folder watch) says nothing when nothing is new;
    ``watched``: the inbox and what is new and ours in the watched download folders."""
    from aggregator.collection.collect import collect
    from aggregator.collection.watched import collect_watched

    chosen = [Path(p) for p in paths] if paths else None

    def engine(col: Collection, cancel: Cancel):
        return collect_watched(col, cancel) if watched else collect(col, chosen, cancel=cancel)

    def describe(col: Collection, res: Any, ov: Overview) -> str:
        if quiet and not (res.new_returns or res.unreadable or res.cancelled):
            return ""
        return collect_sentence(res, ov)

    return JobSpec("collect", Path(folder), engine, describe, stage="收取")


def collect_sentence(res: Any, ov: Overview) -> str:
    """What a collect brought, counted as the header counts: files, then schools (a school that
    sent two versions is one school), and where those schools now stand."""
    parts = [f"本次共 {res.seen} 个文件：新收到报表 {len(res.new_returns)} 份"]
    names = {school for _, school, _ in res.new_returns if school}
    if names:
        counts: dict[str, int] = {}
        for s in ov.schools:
            if s.school.name in names:
                counts[s.status] = counts.get(s.status, 0) + 1
        now = "，".join(f"{STATE_LABELS[k]} {n} 所" for k, n in counts.items())
        parts.append(f"，来自 {len(names)} 所学校（现在{now}）")
    parts.append(f"；重复 {res.duplicates} 份，无法读取 {len(res.unreadable)} 个，待人工确认 {len(res.review)} 个。")
    return "".join(parts)


def _sentences(notes: Any) -> str:
    """The engine's notes, worded for the window, as one paragraph."""
    out = []
    for note in notes:
        text = render(note, WINDOW)
        out.append(text if text.endswith(("。", "！", "）")) else f"{text}。")
    return "".join(out)


def consolidate_job(folder: str | Path, include: str = "accepted") -> JobSpec:
    from aggregator.outputs.consolidate import consolidate

    def describe(col: Collection, res: Any, ov: Overview) -> str:
        notes = _sentences(res.notes)
        said = f"表上写明：{res.coverage}。" if res.coverage else ""
        return f"已汇总 {res.included} / 应报 {res.expected} 所学校，汇总表：{res.path.name}。{said}{notes}"

    return JobSpec("consolidate", Path(folder), lambda col, c: consolidate(col, include=include, cancel=c), describe,
                   output=lambda col, res: res.path, stage="汇总")


def feedback_job(folder: str | Path, send: bool = False) -> JobSpec:
    from aggregator.outputs.feedback import feedback

    def describe(col: Collection, res: Any, ov: Overview) -> str:
        sent = f"已发送 {res.sent} 封邮件。" if send else "邮件草稿（.eml）可用 Outlook 或 Foxmail 打开后发送。"
        notes = _sentences(res.notes)
        documents = f"，催交材料 {res.documents} 所" if res.documents else ""
        return f"退回修改 {res.returned} 所，催报 {res.reminders} 所{documents}；{sent}{notes}"

    return JobSpec("feedback", Path(folder), lambda col, c: feedback(col, send=send, cancel=c), describe,
                   output=lambda col, res: res.folder, stage="生成反馈")


def assign_job(folder: str | Path, file: str, school: str) -> JobSpec:
    from aggregator.collection.review import assign

    def engine(col: Collection, cancel: Cancel) -> Generator[Progress, None, tuple]:
        yield from ()  # quick: no progress to show, but run like the others, in the worker
        return assign(col, file, school)

    def describe(col: Collection, res: Any, ov: Overview) -> str:
        ret, name = res
        from aggregator.collection.intake import display_name

        return f"已将 {display_name(ret.original_name)} 指定为“{name}”的报表，并已重新校验。"

    return JobSpec("assign", Path(folder), engine, describe, stage="指定")


def assign_document_job(folder: str | Path, file: str, school: str, material: str) -> JobSpec:
    from aggregator.collection.folder import CollectionError
    from aggregator.collection.intake import display_name
    from aggregator.collection.review import assign_document, find_document

    def engine(col: Collection, cancel: Cancel) -> Generator[Progress, None, tuple]:
        yield from ()
        doc = find_document(col, file)
        if doc is None:
            raise CollectionError(f"“{file}”不是收到的材料，请刷新后重试")
        return (doc, *assign_document(col, doc, school, material))

    def describe(col: Collection, res: Any, ov: Overview) -> str:
        doc, name, chosen = res
        return f"已将 {display_name(doc.original_name)} 指定为“{name}”的“{chosen.label}”。"

    return JobSpec("assign", Path(folder), engine, describe, stage="指定")


def read_overview(folder: str | Path) -> Outcome:
    """The collection as it stands now, for a refresh in the calling thread."""
    with open_collection(folder) as col:
        return _outcome(col, overview(col), "refresh", "")
