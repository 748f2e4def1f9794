"""A page a school reporter reads on a phone: its own table with the wrong cells marked, the
list of what to change under it, one A4 page as PDF.

Schools talk to the bureau in WeChat/QQ groups; a phone opens a PDF in the chat, while an .xlsx
with comments needs a computer. The page is the marked workbook's own table sheet (so the cells
the messages name are the cells on the page), everything else removed, the items written below
the table, fitted to one page. LibreOffice turns it into PDF when it is installed (one run for
every school of a batch); without it the clerk is told so in one sentence and sends the .xlsx.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.page import PageMargins

from .free_name import write_free
from ..messages import Note
from ..findings import ERROR, EXPLAIN, WARNING
from ..form.layout import col_letter
from .notice import EXPLAIN_HEAD, RETURNED, Notice
from .xlstyle import DARK_ORANGE, RED, font, page_setup, select_only, set_text, text_height

PHONE_TAG = "手机查看"
TIMEOUT = 180  # seconds for one LibreOffice run over a batch
_WINDOWS_PLACES = (r"C:\Program Files\LibreOffice\program\soffice.exe",
                   r"C:\Program Files (x86)\LibreOffice\program\soffice.exe")
_MAX_COLS = 12
_WRAP = Alignment(wrap_text=True, vertical="top")
_LOOKS = {"head": font(12, bold=True, color=RED), "section": font(11, bold=True), "error": font(11, color=RED),
          "explain": font(11, color=DARK_ORANGE), "warning": font(11), "closing": font(11, bold=True)}


@dataclass
class PhonePages:
    written: list[Path] = field(default_factory=list)
    saved: dict[Path, Path] = field(default_factory=dict)  # asked for -> written ("(2)" when it is open)
    notes: list[str] = field(default_factory=list)


def soffice() -> str | None:
    """LibreOffice's converter, if installed: on PATH, else where Windows installs it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if sys.platform == "win32":
        return next((p for p in _WINDOWS_PLACES if Path(p).is_file()), None)
    return None


def phone_workbook(marked: bytes, table: str, notice: Notice) -> bytes:
    """The table sheet of a marked workbook alone, the notice's items below it, one portrait page."""
    wb = load_workbook(io.BytesIO(marked))
    ws = wb[table]
    for name in list(wb.sheetnames):
        if name != table:
            del wb[name]
    n_cols = max(1, min(ws.max_column, _MAX_COLS))
    width = sum((ws.column_dimensions[col_letter(c)].width or 8.43) for c in range(1, n_cols + 1))
    row = ws.max_row + 2
    lines = [(text, _LOOKS[style]) for style, text in page_lines(notice)]
    for text, look in lines:
        cell = ws.cell(row, 1)
        set_text(cell, text)
        cell.font, cell.alignment = look, _WRAP
        if n_cols > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)
        ws.row_dimensions[row].height = text_height(text, width, look.size)
        row += 1
    ws.print_title_rows = None
    ws.print_area = f"A1:{col_letter(n_cols)}{row - 1}"
    page_setup(ws, fit_width=1, fit_height=1, footer=False,
               margins=PageMargins(left=0.3, right=0.3, top=0.4, bottom=0.4, header=0.1, footer=0.1))
    select_only(wb, ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def page_lines(notice: Notice) -> list[tuple[str, str]]:
    """What the page says under the table: (style, text) per line, as the letter says it."""
    school = notice.school_name
    if notice.kind == RETURNED:
        out = [("head", f"{school}：{notice.head_words()}")]
    else:
        out = [("head", f"{school}：报表已通过，{notice.counts()}")]
    errors = [(n, i) for n, i in notice.numbered() if i.level == ERROR]
    explain = [(n, i) for n, i in notice.numbered() if i.level == EXPLAIN]
    checks = [(n, i) for n, i in notice.numbered() if i.level == WARNING]
    if errors:
        out.append(("section", f"需要修改（{len(errors)} 处，标红的格）："))
        out += [("error", f"{n}. {item.text}") for n, item in errors]
    if explain:
        out.append(("section", f"需要说明（{len(explain)} 处，标橙的格；{EXPLAIN_HEAD}）："))
        out += [("explain", f"{n}. {item.text}") for n, item in explain]
    if checks:
        out.append(("section", f"请核对（{len(checks)} 处，标黄的格，确认无误可以不改）："))
        out += [("warning", f"{n}. {item.text}") for n, item in checks]
    out += [("closing", f"{text}。") for text in notice.unopened_words()]
    if notice.owed:
        out.append(("closing", notice.owed_words()))
    if notice.remark:
        out.append(("closing", f"区教育局说明：{notice.remark}"))
    out += [("closing", text) for text in notice.due_words()]
    if notice.kind == RETURNED:
        out.append(("closing", f"改好后把这个表重新发回，{notice.by_words()}。"))
    else:
        out.append(("closing", "确认无误回复即可，不用重新报送；如需修改，改好后重新报送。"))
    return out


def to_pdf(pages: dict[Path, bytes], *, timeout: float = TIMEOUT) -> PhonePages:
    """Each workbook of ``pages`` (target PDF path -> .xlsx bytes) as a PDF at its target."""
    out = PhonePages()
    if not pages:
        return out
    exe = soffice()
    if exe is None:
        out.notes.append(Note.of("no-libreoffice"))
        return out
    with tempfile.TemporaryDirectory(prefix="dudao-phone-") as tmp:
        work = Path(tmp)
        sources = {}
        for i, (target, data) in enumerate(pages.items(), start=1):
            src = work / f"page{i}.xlsx"
            src.write_bytes(data)
            sources[target] = src
        problem = _convert(exe, list(sources.values()), work / "pdf", work / "profile", timeout)
        for target, src in sources.items():
            pdf = work / "pdf" / f"{src.stem}.pdf"
            if pdf.is_file() and pdf.stat().st_size:
                saved = write_free(target, pdf.read_bytes())
                if saved is not None:
                    out.written.append(saved)
                    out.saved[target] = saved
        missing = len(pages) - len(out.written)
        if missing:
            out.notes.append(Note.of("pdf-missing", count=missing, problem=problem or "没有输出"))
    return out


def _convert(exe: str, sources: list[Path], outdir: Path, profile: Path, timeout: float) -> str:
    """Run soffice once over ``sources``; "" when it finished, else why not."""
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
           "--convert-to", "pdf", "--outdir", str(outdir), *map(str, sources)]
    posix = os.name == "posix"
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=posix)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            if posix:
                os.killpg(proc.pid, signal.SIGKILL)  # soffice is a wrapper: its whole group must go
            else:
                proc.kill()
        proc.communicate()
        return f"转换超过 {int(timeout)} 秒，已停止"
    if proc.returncode != 0:
        return f"转换失败（{err.decode(errors='replace').strip()[:200] or proc.returncode}）"
    return ""
