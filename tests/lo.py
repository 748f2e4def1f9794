"""LibreOffice in the loop: the one place the test suite starts soffice.

Our users open our files in Excel and WPS; neither runs here, LibreOffice does, and it is a real,
independent reader and writer of .xlsx, .xls and .ods. Three ways in:

- ``convert(src, fmt, outdir)``: ``soffice --headless --convert-to`` (to PDF, or to save a file
  in another format as LibreOffice would), one throwaway profile per call.
- ``uno_script(text, *args)``: a Python script run under Debian's ``/usr/bin/python3`` (the UNO
  bridge imports only there, never in a virtual environment) with a private soffice started for
  it; the script opens, types into, recalculates and saves workbooks as a school would.
- ``pdf_pages(pdf)`` / ``pdf_page_size(pdf)``: poppler's ``pdfinfo``.

What this works around, measured: soffice exits 0 when a conversion failed (so the output file is
checked), parallel runs sharing a profile silently lose files (so every soffice gets its own
``-env:UserInstallation``), and a soffice left behind would hold its profile (so the bridge stops
it, and kills its process group if it will not stop).

Stdlib only at import: this file is also the bridge's entry point under ``/usr/bin/python3``
(``python3 lo.py SCRIPT ARGS...``), where neither pytest nor the project is importable.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Iterable

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's python3-uno installs the bridge for this one only
TIMEOUT = 180  # seconds for one soffice run; a first start on a cold machine takes ~5
INSTALL = "apt-get install --no-install-recommends libreoffice-calc python3-uno poppler-utils"

# store/convert filter names, by the extension they write
FILTERS = {
    "xlsx": "Calc MS Excel 2007 XML",
    "xls": "MS Excel 97",
    "ods": "calc8",
    "pdf": "calc_pdf_Export",
}


class LibreOfficeError(RuntimeError):
    """soffice or the bridge did not produce what was asked; the message carries its output."""


# What a school does in LibreOffice, run under the bridge (``uno_script``): a job file lists the
# workbooks to open, the cells to type (text with setString, numbers with setValue), the cells to
# read after recalculating, where to save, and the files to reopen and inspect.
TYPE_AND_SAVE = r"""
import json

job = json.loads(open(args[0], encoding="utf-8").read())
out = {"typed": [], "inspected": {}}
for item in job["type"]:
    doc = open_doc(item["src"])
    sheet = doc.Sheets.getByName(job["sheet"])
    for ref, value in item["values"].items():
        cell = sheet.getCellRangeByName(ref)
        if isinstance(value, str):
            cell.setString(value)  # what a school types into a text cell
        else:
            cell.setValue(value)  # a number typed into a count cell
    doc.calculateAll()
    out["typed"].append({ref: sheet.getCellRangeByName(ref).getString() for ref in job["read"]})
    for path in item["save"]:
        store(doc, path)
    close(doc)
for path in job["inspect"]:
    doc = open_doc(path)
    sheets = doc.Sheets
    sheet = sheets.getByName(job["sheet"])
    cells = {}
    for ref in job["cells"]:
        cell = sheet.getCellRangeByName(ref)
        cells[ref] = {"locked": cell.CellProtection.IsLocked, "validation": cell.Validation.Type.value,
                      "text": cell.getString()}
    out["inspected"][path] = {
        "sheets": {name: sheets.getByName(name).IsVisible for name in sheets.ElementNames},
        "protected": sheet.isProtected(),
        "cells": cells,
    }
    close(doc)
print(json.dumps(out, ensure_ascii=False))
"""


# ================================================================================================
# What is installed
# ================================================================================================


def soffice() -> str | None:
    return shutil.which("soffice")


def soffice_available() -> bool:
    return soffice() is not None


@cache
def uno_available() -> bool:
    """Debian's python3 with the UNO bridge (python3-uno), and soffice for it to talk to."""
    if not soffice_available() or not Path(SYSTEM_PYTHON).exists():
        return False
    try:
        return _run([SYSTEM_PYTHON, "-c", "import uno"], 60).returncode == 0
    except LibreOfficeError:
        return False


def pdfinfo_available() -> bool:
    return shutil.which("pdfinfo") is not None and shutil.which("pdftotext") is not None


def missing(*, uno: bool = False, pdf: bool = False) -> str:
    """Why LibreOffice tests cannot run here ("" when they can): a skip reason that says the fix."""
    lacking = []
    if not soffice_available():
        lacking.append("LibreOffice (soffice)")
    if uno and not uno_available():
        lacking.append(f"the UNO bridge for {SYSTEM_PYTHON} (python3-uno)")
    if pdf and not pdfinfo_available():
        lacking.append("pdfinfo and pdftotext (poppler-utils)")
    return f"needs {' and '.join(lacking)}: {INSTALL}" if lacking else ""


def _clean_env() -> dict[str, str]:
    """The environment minus what points a Python at our virtual environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(venv))
    return env


def _profile_arg(profile: Path) -> str:
    return f"-env:UserInstallation={profile.as_uri()}"


def _run(cmd: list[str], timeout: float, *, also_kill: Path | None = None, **kw) -> subprocess.CompletedProcess:
    """``cmd`` in a process group of its own, output captured as text; on timeout the whole group
    is killed (soffice is a wrapper around soffice.bin: killing the wrapper alone leaves it), and
    so is the group whose id ``also_kill`` names (the bridge's soffice), then ``LibreOfficeError``."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_clean_env(), start_new_session=True, **kw)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        groups = [proc.pid]
        if also_kill is not None and also_kill.is_file():
            groups.append(int(also_kill.read_text()))
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        out, err = proc.communicate()
        raise LibreOfficeError(f"{Path(cmd[0]).name} took over {timeout} s and was killed\nstderr: {err.strip()}") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


# ================================================================================================
# soffice --convert-to
# ================================================================================================


def convert(src: str | Path, fmt: str, outdir: str | Path, *, timeout: float = TIMEOUT) -> Path:
    """``src`` converted by LibreOffice to ``fmt`` ("pdf", "xls", "ods", "xlsx", or
    "ext:Filter Name") in ``outdir``; the path of the new file. Raises ``LibreOfficeError`` with
    soffice's output when no file appeared (soffice exits 0 all the same)."""
    return convert_all([src], fmt, outdir, timeout=timeout)[0]


def convert_all(srcs: Iterable[str | Path], fmt: str, outdir: str | Path, *, timeout: float = TIMEOUT) -> list[Path]:
    """Several files in one soffice run (one start, ~1.5 s, instead of one per file)."""
    srcs = [Path(s) for s in srcs]
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    ext = fmt.split(":", 1)[0]
    targets = [outdir / f"{s.stem}.{ext}" for s in srcs]
    if len(set(targets)) != len(targets):
        raise ValueError(f"two sources would convert to the same file in {outdir}: {srcs}")
    for t in targets:
        t.unlink(missing_ok=True)  # a file left from an earlier run must not pass for output
    exe = soffice()
    if exe is None:
        raise LibreOfficeError(missing())
    with tempfile.TemporaryDirectory(prefix="dudao-lo-profile-") as profile:
        run = _run([exe, _profile_arg(Path(profile)), "--headless", "--norestore", "--nolockcheck",
                    "--convert-to", fmt, "--outdir", str(outdir), *map(str, srcs)], timeout)
    lost = [t for t in targets if not t.is_file() or t.stat().st_size == 0]
    if lost:
        raise LibreOfficeError(
            f"soffice --convert-to {fmt} wrote no {', '.join(t.name for t in lost)} (exit {run.returncode})\n"
            f"stdout: {run.stdout.strip()}\nstderr: {run.stderr.strip()}"
        )
    return targets


# ================================================================================================
# pdfinfo
# ================================================================================================


def _pdfinfo(pdf: str | Path) -> dict[str, str]:
    run = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        raise LibreOfficeError(f"pdfinfo {pdf}: exit {run.returncode}: {run.stderr.strip()}")
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in run.stdout.splitlines()) if v}


def pdf_pages(pdf: str | Path) -> int:
    return int(_pdfinfo(pdf)["Pages"])


def pdf_page_size(pdf: str | Path) -> tuple[float, float]:
    """(width, height) in points of the first page: A4 portrait is about (595.3, 841.9)."""
    m = re.match(r"([\d.]+) x ([\d.]+) pts", _pdfinfo(pdf)["Page size"])
    if not m:
        raise LibreOfficeError(f"pdfinfo {pdf}: unexpected page size line")
    return float(m.group(1)), float(m.group(2))


def pdf_text(pdf: str | Path) -> str:
    """The text of the PDF (poppler's pdftotext): Chinese comes out as Chinese even where no
    Chinese font was installed, since LibreOffice writes the characters' Unicode map."""
    run = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, timeout=60)
    if run.returncode != 0:
        raise LibreOfficeError(f"pdftotext {pdf}: exit {run.returncode}: {run.stderr.decode(errors='replace')}")
    return run.stdout.decode("utf-8")


# ================================================================================================
# The UNO bridge
# ================================================================================================


def uno_script(script_text: str, *args: str | Path, timeout: float = TIMEOUT) -> str:
    """Run ``script_text`` under ``/usr/bin/python3`` against a soffice of its own; its stdout.

    The script sees ``args`` (the arguments as strings), ``desktop``, ``uno`` and these helpers:
    ``open_doc(path)`` (hidden, no macros), ``store(doc, path)`` (a copy in the format Save As
    writes for the extension: ``FILTERS``), ``close(doc)`` and ``prop(name, value)``.
    Print results (JSON, say) to stdout; anything soffice says goes elsewhere. A script that
    raises fails the call with its traceback.
    """
    if not uno_available():
        raise LibreOfficeError(missing(uno=True))
    with tempfile.TemporaryDirectory(prefix="dudao-uno-") as tmp:
        script = Path(tmp) / "script.py"
        script.write_text(script_text, encoding="utf-8")
        # The bridge keeps its soffice's profile here, and its process group id, to kill on a hang.
        run = _run([SYSTEM_PYTHON, str(Path(__file__).resolve()), str(script), tmp, *map(str, args)],
                   timeout, also_kill=Path(tmp) / _GROUP_FILE, cwd=tmp)
    if run.returncode != 0:
        raise LibreOfficeError(f"UNO script failed (exit {run.returncode})\nstderr: {run.stderr.strip()}")
    return run.stdout


_GROUP_FILE = "soffice.pgid"


def _bridge(script: str, workdir: str, args: list[str]) -> None:  # pragma: no cover - /usr/bin/python3
    """Start soffice listening on a pipe of its own, connect, run the script, stop soffice."""
    import time
    import uuid

    import uno
    from com.sun.star.beans import PropertyValue
    from com.sun.star.connection import NoConnectException
    from com.sun.star.lang import DisposedException

    def prop(name, value):
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    pipe = f"dudao_{os.getpid()}_{uuid.uuid4().hex}"
    profile = Path(workdir) / "profile"
    office = subprocess.Popen(
        [shutil.which("soffice") or "soffice", _profile_arg(profile), "--headless", "--invisible", "--norestore",
         "--nologo", "--nodefault", "--nolockcheck", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sys.stderr, start_new_session=True,
    )
    (Path(workdir) / _GROUP_FILE).write_text(str(office.pid))
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + 60
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if office.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"soffice did not accept on pipe {pipe} (exit {office.poll()})") from None
                time.sleep(0.1)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

        def open_doc(path):
            url = uno.systemPathToFileUrl(str(Path(path).resolve()))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True), prop("MacroExecutionMode", 0)))
            if doc is None:
                raise RuntimeError(f"LibreOffice could not open {path}")
            return doc

        def store(doc, path):
            path = Path(path).resolve()
            name = FILTERS[path.suffix.lstrip(".").lower()]
            doc.storeToURL(uno.systemPathToFileUrl(str(path)), (prop("FilterName", name), prop("Overwrite", True)))
            if not path.is_file():
                raise RuntimeError(f"LibreOffice stored no {path} ({name})")
            return path

        def close(doc):
            doc.close(True)

        namespace = {"__name__": "__uno_script__", "args": args, "desktop": desktop, "uno": uno, "prop": prop,
                     "open_doc": open_doc, "store": store, "close": close}
        exec(compile(Path(script).read_text(encoding="utf-8"), script, "exec"), namespace)
    finally:
        if desktop is not None:
            try:
                desktop.terminate()
            except DisposedException:  # terminate closes the bridge under our feet
                pass
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(office.pid, signal.SIGKILL)
            office.wait()


if __name__ == "__main__":  # pragma: no cover - the bridge, under /usr/bin/python3
    _bridge(sys.argv[1], sys.argv[2], sys.argv[3:])
