"""Where the summary is saved: a fixed name the clerk finds again, atomically, and never over a
copy the clerk has open in Excel or WPS (then "…(2).xlsx", and the clerk is told)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence

from openpyxl import Workbook

from ...collection.store.folder import Collection, CollectionError
from ...filenames import safe_file_name
from ...form.declaration import Form
from ..bulk_rows import SheetRows, add_rows, fill_cached
from ..free_name import MAX_COPIES, write_free
from ...messages import Note


def default_path(col: Collection, form: Form, draft: bool = False) -> Path:
    """A fixed name the clerk can find again; a draft with failed returns never takes it."""
    name = safe_file_name(f"{col.settings.name}{form.annex}汇总表" + ("（含未通过，仅供参考）" if draft else ""),
                          fallback="汇总表")
    return col.folder("summary") / f"{name}.xlsx"


def upward_path(col: Collection, form: Form) -> Path:
    """The version for the level above, beside the working one: "某某区附件5汇总表(上报).xlsx"."""
    working = default_path(col, form)
    return working.with_name(f"{working.stem}(上报).xlsx")


def target_path(path: Path) -> tuple[Path, list[str]]:
    """An .xlsx path whose folder exists: Excel refuses an .xlsx saved under another extension."""
    path = Path(path)
    notes = []
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
        notes.append(Note.of("summary-renamed", new=path.name))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, notes


def summary_bytes(wb: Workbook, rows: Sequence[SheetRows] = (), cached: dict | None = None) -> bytes:
    """The workbook as .xlsx bytes, with the streamed rows of its long sheets and the present
    values of the formulas openpyxl wrote (sheet -> cell -> value)."""
    saved = io.BytesIO()
    wb.save(saved)
    if not rows:
        return fill_cached(saved.getvalue(), cached or {})
    out = io.BytesIO()
    add_rows(saved.getvalue(), rows, out, cached)
    return out.getvalue()


def save_summary(data: bytes, path: Path) -> tuple[Path, list[str]]:
    """Save atomically to ``path``, or to the first free "(n)" copy when ``path`` is open.

    A Windows lock shows only when the rename fails (PermissionError), so that too moves on to
    the next name; the old file is untouched either way.
    """
    saved = write_free(path, data)
    if saved is not None:
        return saved, [] if saved == path else [Note.of("summary-locked", name=path.name, new=saved.name)]
    raise CollectionError(
        f"无法保存汇总表 {path.name}：它和 {MAX_COPIES - 1} 个备用文件名都被占用或没有写入权限。"
        f"请关闭打开的 Excel/WPS 表格，或用 --out 指定其他位置"
    )
