"""``distribute``: one workbook per roster school in ``outbox/``, the school's name in the file name.

The template is built once per run and copied per school with only the placeholder parts
rewritten; copies are written ``BATCH`` at a time, with one flush to disk per batch, by a thread
of their own while the next batch is made (writing is the kernel's time, making it ours: on two
cores they overlap; one batch at most is in the writer's hands, and a failed write stops the run
at the next batch). Re-running is safe: a workbook already issued is kept as it was sent (its
metadata says when), unless the clerk asks for ``force``. When the collection names a last
period, each copy carries the school's own figures then (the 情况说明 sheet's block of last period:
its live check asks for a 说明 exactly when the engine's comparison would).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import clock
from ..atomic import write_all_atomic
from ..filenames import issued_name
from ..collection.store.folder import Collection
from ..collection.views.previous import last_figures
from ..form.explanations import explanation_layout
from ..progress import Cancel, Job, Progress
from .personalise import personalise, template_bytes


@dataclass
class DistributeResult:
    folder: Path
    written: int = 0
    kept: int = 0
    files: list[Path] = field(default_factory=list)


BATCH = 200  # workbooks written, and made durable, together


def distribute(col: Collection, *, force: bool = False, cancel: Cancel | None = None) -> Job[DistributeResult]:
    form = col.form
    outbox = col.folder("outbox")
    schools = col.schools()
    result = DistributeResult(outbox)
    issued_at = clock.stamp()
    template = None  # built only if some school needs a workbook
    pending: list[tuple[Path, bytes]] = []
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="distribute")
    writing: tuple[Future, int] | None = None  # the batch in the writer's hands, and its size

    def written() -> None:  # the batch in hand is on disk (or its error raised here)
        nonlocal writing
        if writing is not None:
            done, writing = writing, None
            done[0].result()
            result.written += done[1]

    then: dict[str, dict[str, Any]] = {}
    try:
        for i, school in enumerate(schools, 1):
            if cancel is not None and cancel.is_set:
                break
            yield Progress(i, len(schools), school.name, "生成")
            path = outbox / issued_name(form.annex, school.name)
            result.files.append(path)
            if path.exists() and not force:
                result.kept += 1
                continue
            if template is None:  # made once, with last period's figures, when some school needs a workbook
                template = template_bytes(form, district=col.settings.name, previous=bool(col.settings.previous))
                then = _last_period(col, schools)
            data = personalise(
                template,
                {"collection_id": col.settings.id, "school_id": school.id, "school_name": school.name,
                 "issued_at": issued_at, **then.get(school.id, {})},
            )
            pending.append((path, data))
            if len(pending) >= BATCH:
                written()
                batch, pending = pending, []
                writing = (writer.submit(write_all_atomic, batch), len(batch))
    finally:  # also when stopped: what was made is written
        try:
            written()
        finally:
            writer.shutdown()
            write_all_atomic(pending)
            result.written += len(pending)
    return result


def _last_period(col: Collection, schools: list) -> dict[str, dict[str, Any]]:
    """School id -> its figures last period as the issued copy's placeholders take them
    ({} without a last period or a block; a school not found then has none)."""
    layout = explanation_layout(col.form)
    if layout is None or not layout.previous:
        return {}
    return {sid: {r.key: figures.get(r.field) for r in layout.previous}
            for sid, figures in last_figures(col, schools).items()}
