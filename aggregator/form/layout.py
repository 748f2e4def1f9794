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

HEADER_ROW = 3  # the header fields start here (填报单位：…), wrapping onto more rows
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
    n_cols: int  # every column, the live-check column last
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
    widths: tuple[float, ...] = ()  # of every column, the declared ones or sensible defaults

    @property
    def last_row(self) -> int:
        return split_coord(self.summary_cell)[0]

    @property
    def printed_cols(self) -> int:
        """The form as printed stops before the live-check column: that is for the screen."""
        return self.n_cols - 1

    @property
    def print_area(self) -> str:
        return f"A1:{col_letter(self.printed_cols)}{self.note_row}"


def value_columns(form: Form) -> int:
    """How many value columns the table needs: its widest grid or checklist, and two for an
    inline value followed by the rest of its sentence (共发现典型经验 _ 例)."""
    widest = max((sum(c.span for c in s.columns) for s in form.sections if s.has_table), default=1)
    if any(r.suffix for s in form.sections if s.kind == "inline" for r in s.rows):
        widest = max(widest, 2)
    return widest


def _widths(form: Form, n_cols: int) -> tuple[float, ...]:
    """The declared widths where there are enough of them, else: section, label, values, check."""
    if len(form.widths) >= n_cols:
        return tuple(form.widths[:n_cols])
    # A table's last column spans whatever its neighbours leave, so a checklist's 问题说明 beside
    # a wider grid is wide already; alone in the last column, it is widened.
    values = [12.0] * (n_cols - 3)
    for s in form.sections:
        if s.has_table and s.columns and (s.columns[-1].type or "count") == "text":
            if sum(c.span for c in s.columns[:-1]) == len(values) - 1:
                values[-1] = 30.0
    return (14.0, 40.0, *values, 26.0)


def _header_rows(form: Form, printed: int) -> tuple[list[tuple[Text, str, str]], list[str], int]:
    """Header fields in label/value pairs across the printed columns, wrapping onto more rows:
    (label text, field id, value range) per field, the merges, and how many rows it took."""
    per_row = max(1, printed // 2)
    placed, merges = [], []
    rows = 0
    for i, f in enumerate(form.header):
        r, k = HEADER_ROW + i // per_row, i % per_row
        rows = r - HEADER_ROW + 1
        label_col, value_col = 1 + 2 * k, 2 + 2 * k
        last_in_row = k == per_row - 1 or i == len(form.header) - 1
        end = printed if last_in_row else value_col
        rng = f"{coord(r, value_col)}:{coord(r, end)}" if end > value_col else coord(r, value_col)
        if end > value_col:
            merges.append(rng)
        placed.append((Text(coord(r, label_col), f"{f.label}：", "header_label"), f.id, rng))
    return placed, merges, rows


@cache
def layout_of(form: Form) -> Layout:
    # A declaration may give more value columns than its widest table needs (its widths say so):
    # the header line uses them, and each table's last column spans the rest.
    n_values = max(value_columns(form), len(form.widths) - 3)
    n_cols = n_values + 3  # section, label, values, live check
    check_col = n_cols
    printed = n_cols - 1
    last_value = check_col - 1
    texts: list[Text] = [Text("A1", form.annex, "annex"), Text("A2", "{title}", "title")]
    merges = [f"A2:{col_letter(printed)}2"]
    cells: dict[str, str] = {}
    label_cells: dict[str, str] = {}
    check_cells: dict[str, str] = {}
    spans: dict[str, str] = {}

    placed, header_merges, header_rows = _header_rows(form, printed)
    merges += header_merges
    for text, fid, rng in placed:
        texts.append(text)
        label_cells[fid] = text.cell
        cells[fid] = rng.partition(":")[0]
        if ":" in rng:
            spans[fid] = rng

    # A header on one line leaves a gap before the table, as the seed prints it; so the table's
    # cells (C8 …) are where they were when the header took two lines.
    first_table_row = HEADER_ROW + max(header_rows, 2)
    row = first_table_row
    for section in form.sections:
        first = row
        if section.has_table:
            texts.append(Text(coord(row, LABEL_COL), section.head, "head"))
            col = FIRST_VALUE_COL
            for i, c in enumerate(section.columns):
                span = c.span if i < len(section.columns) - 1 else last_value - col + 1
                texts.append(Text(coord(row, col), c.label, "column_head"))
                if span > 1:
                    merges.append(f"{coord(row, col)}:{coord(row, col + span - 1)}")
                col += span
            texts.append(Text(coord(row, check_col), form.check_label, "check_head"))
            row += 1
            groups: list[tuple[str, int, int]] = []  # (group label, first row, last row)
            for n, r in enumerate(section.rows, start=1):
                label = f"{n}.{r.label}" if section.kind == "checklist" else r.label
                texts.append(Text(coord(row, LABEL_COL), label, "row_label"))
                col = FIRST_VALUE_COL
                for i, c in enumerate(section.columns):
                    span = c.span if i < len(section.columns) - 1 else last_value - col + 1
                    fid = f"{r.id}.{c.id}"
                    cells[fid] = coord(row, col)
                    label_cells[fid] = coord(row, LABEL_COL)
                    if span > 1:
                        rng = f"{coord(row, col)}:{coord(row, col + span - 1)}"
                        merges.append(rng)
                        spans[fid] = rng
                    col += span
                check_cells[r.id] = coord(row, check_col)
                if r.group and (not groups or groups[-1][0] != r.group):
                    groups.append((r.group, row, row))
                elif r.group:
                    groups[-1] = (r.group, groups[-1][1], row)
                row += 1
            if groups:
                for label, g1, g2 in groups:
                    texts.append(Text(coord(g1, 1), label, "section"))
                    if g2 > g1:
                        merges.append(f"{coord(g1, 1)}:{coord(g2, 1)}")
                if section.label:  # the section's own name heads the group column
                    texts.append(Text(coord(first, 1), section.label, "section"))
                continue
        elif section.kind == "lines":
            for r in section.rows:
                texts.append(Text(coord(row, LABEL_COL), r.label, "line_label"))
                rng = f"{coord(row, FIRST_VALUE_COL)}:{coord(row, last_value)}"
                if last_value > FIRST_VALUE_COL:
                    merges.append(rng)
                    spans[r.id] = rng
                cells[r.id] = coord(row, FIRST_VALUE_COL)
                label_cells[r.id] = coord(row, LABEL_COL)
                check_cells[r.id] = coord(row, check_col)
                row += 1
        else:  # inline: label, one value, the rest of the sentence
            for r in section.rows:
                texts.append(Text(coord(row, LABEL_COL), r.label, "row_label"))
                cells[r.id] = coord(row, FIRST_VALUE_COL)
                label_cells[r.id] = coord(row, LABEL_COL)
                if r.suffix:
                    texts.append(Text(coord(row, FIRST_VALUE_COL + 1), r.suffix, "suffix"))
                    if last_value > FIRST_VALUE_COL + 1:
                        merges.append(f"{coord(row, FIRST_VALUE_COL + 1)}:{coord(row, last_value)}")
                elif last_value > FIRST_VALUE_COL:
                    rng = f"{coord(row, FIRST_VALUE_COL)}:{coord(row, last_value)}"
                    merges.append(rng)
                    spans[r.id] = rng
                check_cells[r.id] = coord(row, check_col)
                row += 1
        texts.append(Text(coord(first, 1), section.label, "section"))
        if row - 1 > first:
            merges.append(f"{coord(first, 1)}:{coord(row - 1, 1)}")

    table = (first_table_row, row - 1)
    note_row = row
    texts.append(Text(coord(note_row, 1), form.note, "note"))
    merges.append(f"{coord(note_row, 1)}:{coord(note_row, printed)}")
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
        widths=_widths(form, n_cols),
    )
