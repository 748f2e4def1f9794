"""The summaries as LibreOffice opens and prints them: the upward version opens on the form and
holds no school's contact; the working summary prints readably, every page numbered.

The sample district of ``dudao demo`` (40 schools, the wide sheets a clerk prints), run once.
How small a page printed is read from the PDF itself: the height of its words, against the same
11 pt text printed at 100 % in the same LibreOffice run.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
from pathlib import Path

import openpyxl
import pytest

import lo
from aggregator.collection.store.folder import open_collection
from aggregator.form.declaration import load_form
from aggregator.outputs.xlstyle import MIN_SCALE, font

from test_libreoffice import demo  # noqa: F401 - the sample district, run once for this module

FORM = load_form()
pytestmark = pytest.mark.libreoffice
needs_pdf = pytest.mark.skipif(bool(lo.missing(pdf=True)), reason=lo.missing(pdf=True) or "-")
needs_uno = pytest.mark.skipif(bool(lo.missing(uno=True)), reason=lo.missing(uno=True) or "-")
PAGE_FOOTER = re.compile(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页")


def summaries(demo: Path) -> tuple[Path, Path]:
    upward = next((demo / "summary").glob("*(上报).xlsx"))
    working = next(p for p in (demo / "summary").glob("*附件5汇总表.xlsx") if p != upward)
    return working, upward


def roster_contacts(demo: Path) -> set[str]:
    with open_collection(demo) as col:
        schools = col.schools()
    return {s.phone for s in schools if s.phone} | {s.email for s in schools if s.email}


def word_heights(pdf: Path) -> list[list[float]]:
    """Per page, the heights of its words (poppler's bounding boxes)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, timeout=60,
                          check=True).stdout
    pages = html.split("<page ")[1:]
    return [[float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', p)]
            for p in pages]


def reference(tmp_path: Path) -> Path:
    """A sheet of 11 pt text printed at 100 %: what full size looks like in this LibreOffice."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 30):
        cell = ws.cell(r, 1, "曾都区实验小学 派出责任督学数 2023")
        cell.font = font()
    ws.page_setup.scale = 100
    path = tmp_path / "reference.xlsx"
    wb.save(path)
    return path


@needs_pdf
def test_working_summary_prints_no_page_under_60_percent_and_numbers_every_page(demo, tmp_path):
    working, _ = summaries(demo)
    staged = tmp_path / "in"
    staged.mkdir()
    (staged / "working.xlsx").write_bytes(working.read_bytes())
    ref = reference(staged)
    pdf, ref_pdf = lo.convert_all([staged / "working.xlsx", ref], "pdf", tmp_path / "pdf")
    full = statistics.median(word_heights(ref_pdf)[0])
    pages = word_heights(pdf)
    assert len(pages) == lo.pdf_pages(pdf) > 5
    scales = [statistics.median(h) / full for h in pages]
    assert min(scales) >= MIN_SCALE / 100 - 0.02, [round(s, 2) for s in scales]
    text = lo.pdf_text(pdf)
    footers = [PAGE_FOOTER.search(page) for page in text.split("\f")[: len(pages)]]
    assert all(footers), [i for i, f in enumerate(footers, start=1) if not f]
    assert len({f.group(2) for f in footers}) == 1  # "共 M 页" agrees on every page


@needs_uno
def test_upward_version_opens_on_the_form_with_no_school_contacts(demo):
    _, upward = summaries(demo)
    script = """
import json
doc = open_doc(args[0])
sheets = doc.Sheets
texts = []
for name in sheets.ElementNames:
    sheet = sheets.getByName(name)
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.getRangeAddress()
    for row in range(end.EndRow + 1):
        for col in range(end.EndColumn + 1):
            s = sheet.getCellByPosition(col, row).getString()
            if s:
                texts.append(s)
active = doc.CurrentController.getActiveSheet().getName()
print(json.dumps({"active": active, "sheets": list(sheets.ElementNames), "texts": texts}, ensure_ascii=False))
close(doc)
"""
    seen = json.loads(lo.uno_script(script, upward))
    assert seen["active"] == FORM.sheet
    assert seen["sheets"][0] == FORM.sheet
    text = "\n".join(seen["texts"])
    assert "张敏" in text and "0722-3251234" in text and "曾都区教育局" in text  # our own, from the settings
    leaked = [c for c in roster_contacts(demo) if c in text]
    assert not leaked
    assert not re.search(r"1[3-9]\d{9}", text)  # no mobile number at all
    assert "@" not in text
