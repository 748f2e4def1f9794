"""Where every label and value of a declared form sits in the template we issue.

Pure geometry derived from the ``Form``: the template builder draws it, the reader's fast path
expects it, and the feedback writer marks cells with it. The fingerprint lets the reader tell a
workbook that still has our layout from one a school has rearranged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache

from .declaration import Form

HEADER_ROW = 3
FIRST_TABLE_ROW = 4
LABEL_COL = 2  # B: item labels
FIRST_VALUE_COL = 3  # C: first value column


def col_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def coord(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


def split_coord(ref: str) -> tuple[int, int]:
    """'C7' -> (7, 3); '$C$7' too."""
    ref = ref.replace("$", "").upper()
    i = 0
    while i < len(ref) and ref[i].isalpha():
        i += 1
    col = 0
    for ch in ref[:i]:
        col = col * 26 + ord(ch) - 64
    return int(ref[i:]), col


@dataclass(frozen=True)
class Text:
    """A printed piece of text: where, what, and what kind of text it is (for styling)."""

    cell: str
    text: str
    kind: str  # annex title header_label section head column_head row_label line_label suffix note check_head


@dataclass(frozen=True)
class Layout:
    n_cols: int
    cells: dict[str, str]  # field id -> input cell (top-left of its merge)
    label_cells: dict[str, str]  # field id -> cell holding its row label (or header label)
    check_cells: dict[str, str]  # row id -> that row's live-check cell
    texts: tuple[Text, ...]
    merges: tuple[str, ...]
    table_rows: tuple[int, int]  # first and last row of the bordered table
    note_row: int
    summary_cell: str  # the overall live-check line below the table
    value_spans: dict[str, str] = field(default_factory=dict)  # field id -> merged range if spanning
    fingerprint: str = ""

    @property
    def last_row(self) -> int:
        return split_coord(self.summary_cell)[0]


@cache
def layout_of(form: Form) -> Layout:
    n_cols = len(form.widths) or 6
    check_col = n_cols
    value_cols = check_col - FIRST_VALUE_COL  # C..E for Annex 5
    texts: list[Text] = [Text("A1", form.annex, "annex"), Text("A2", "{title}", "title")]
    merges = [f"A2:{col_letter(n_cols)}2"]
    cells: dict[str, str] = {}
    label_cells: dict[str, str] = {}
    check_cells: dict[str, str] = {}
    spans: dict[str, str] = {}

    for i, f in enumerate(form.header):
        label_col, value_col = 1 + 2 * i, 2 + 2 * i
        texts.append(Text(coord(HEADER_ROW, label_col), f"{f.label}：", "header_label"))
        label_cells[f.id] = coord(HEADER_ROW, label_col)
        cells[f.id] = coord(HEADER_ROW, value_col)

    row = FIRST_TABLE_ROW
    for section in form.sections:
        first = row
        if section.kind == "grid":
            texts.append(Text(coord(row, LABEL_COL), section.head, "head"))
            col = FIRST_VALUE_COL
            for c in section.columns:
                texts.append(Text(coord(row, col), c.label, "column_head"))
                if c.span > 1:
                    merges.append(f"{coord(row, col)}:{coord(row, col + c.span - 1)}")
                col += c.span
            texts.append(Text(coord(row, check_col), form.check_label, "check_head"))
            row += 1
            for r in section.rows:
                texts.append(Text(coord(row, LABEL_COL), r.label, "row_label"))
                col = FIRST_VALUE_COL
                for c in section.columns:
                    fid = f"{r.id}.{c.id}"
                    cells[fid] = coord(row, col)
                    label_cells[fid] = coord(row, LABEL_COL)
                    if c.span > 1:
                        rng = f"{coord(row, col)}:{coord(row, col + c.span - 1)}"
                        merges.append(rng)
                        spans[fid] = rng
                    col += c.span
                check_cells[r.id] = coord(row, check_col)
                row += 1
        elif section.kind == "lines":
            for r in section.rows:
                texts.append(Text(coord(row, LABEL_COL), r.label, "line_label"))
                rng = f"{coord(row, FIRST_VALUE_COL)}:{coord(row, FIRST_VALUE_COL + value_cols - 1)}"
                merges.append(rng)
                cells[r.id] = coord(row, FIRST_VALUE_COL)
                label_cells[r.id] = coord(row, LABEL_COL)
                spans[r.id] = rng
                check_cells[r.id] = coord(row, check_col)
                row += 1
        else:  # inline: label, one value, the rest of the sentence
            for r in section.rows:
                texts.append(Text(coord(row, LABEL_COL), r.label, "row_label"))
                cells[r.id] = coord(row, FIRST_VALUE_COL)
                label_cells[r.id] = coord(row, LABEL_COL)
                if r.suffix:
                    texts.append(Text(coord(row, FIRST_VALUE_COL + 1), r.suffix, "suffix"))
                    if value_cols > 2:
                        merges.append(f"{coord(row, FIRST_VALUE_COL + 1)}:{coord(row, check_col - 1)}")
                check_cells[r.id] = coord(row, check_col)
                row += 1
        texts.append(Text(coord(first, 1), section.label, "section"))
        if row - 1 > first:
            merges.append(f"{coord(first, 1)}:{coord(row - 1, 1)}")

    table = (FIRST_TABLE_ROW, row - 1)
    note_row = row
    texts.append(Text(coord(note_row, 1), form.note, "note"))
    merges.append(f"{coord(note_row, 1)}:{coord(note_row, n_cols)}")
    summary_row = note_row + 1
    merges.append(f"{coord(summary_row, 1)}:{coord(summary_row, n_cols)}")

    fp_source = "|".join(
        [form.id, form.version]
        + [f"{t.cell}={t.text}" for t in texts if t.kind not in ("title",)]
        + [f"{k}@{v}" for k, v in sorted(cells.items())]
    )
    return Layout(
        n_cols=n_cols,
        cells=cells,
        label_cells=label_cells,
        check_cells=check_cells,
        texts=tuple(texts),
        merges=tuple(merges),
        table_rows=table,
        note_row=note_row,
        summary_cell=coord(summary_row, 1),
        value_spans=spans,
        fingerprint=hashlib.sha256(fp_source.encode()).hexdigest()[:16],
    )
