"""Find a form's table on one sheet by its printed labels, wherever the school moved it.

For rows inserted or deleted, columns added, a table pasted at an offset into another workbook,
or retyped by hand. Row labels are matched first, best matches first, each cell used once; then
each kind of section finds its values relative to its labels:

- grid rows: the column of the matching column head above the row (合计 / 小学 / 初中), or,
  with no heads at all (a retyped table), the value cells to the right of the label in order;
- inline rows (共发现典型经验 _ 例): the first value cell right of the label, or the number
  typed inside the label cell;
- lines (主要问题 1/2/3): the cell right of each line number below the section label, or a
  single cell "1.xxx";
- header fields (填报单位：...): the text after the colon in the same cell, or the first
  non-empty cell to the right.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

from ..form.declaration import Form, Section
from .submission import BY_LABELS
from .location import Location
from .normalise import label_key, without_enumeration
from .patterns import ColumnPattern, FormPatterns, RowPattern, patterns
from .port import Grid, value_at

_HEAD_SEARCH_ROWS = 40  # how far above a grid row its column heads may be
_ROW_SCAN_CELLS = 12  # how far right of a label its values may be in a retyped table
_NEAR_CELLS = 3  # how far right of an inline label or a line number its value may be
_LINE_PUNCT = "().、.:"


def search_sheet(grid: Grid, form: Form, sheet: str) -> Location:
    pats = patterns(form)
    texts = _text_cells(grid)
    rows = _match_rows(texts, pats)
    by_row: dict[int, list[tuple[int, str]]] = {}
    for r, c, key, _ in texts:
        by_row.setdefault(r, []).append((c, key))
    label_rows = {r for r, _ in rows.values()}
    cells: dict[str, tuple[int, int]] = {}
    embedded: dict[str, Any] = {}
    used = set(rows.values())
    for p in pats.rows:
        at = rows.get(p.row.id)
        if at is None:
            continue
        if p.section.has_table:
            inside = _figures_in_label(grid, p, at, pats.columns[p.section.id])
            if inside:  # the Word original: "…数量 5（个），其中：学科类 3，非学科类 2" in one cell
                for col_id, value in inside.items():
                    cells[f"{p.row.id}.{col_id}"] = at
                    embedded[f"{p.row.id}.{col_id}"] = value
                continue
            cells.update(_grid_values(grid, by_row, label_rows, p, at, pats.columns[p.section.id], used))
        else:
            _inline_value(grid, p, at, cells, embedded, _first_value_column(cells, pats, at[0]))
    for section in pats.lines:
        _lines(grid, texts, section, label_rows, cells, embedded)
    _header(grid, texts, pats, cells, embedded)
    return Location(sheet, BY_LABELS, cells, embedded, rows_found=len(rows), table_found=len(rows) >= pats.threshold)


# ------------------------------------------------------------------------------------------------
# Row labels
# ------------------------------------------------------------------------------------------------


def _text_cells(grid: Grid) -> list[tuple[int, int, str, str]]:
    """(row, col, key, key without enumeration) of every text cell, row by row."""
    out = []
    for r, line in enumerate(grid, start=1):
        for c, v in enumerate(line, start=1):
            if v.__class__ is str and v:
                key = label_key(v)
                if key:
                    bare = without_enumeration(key)
                    out.append((r, c, key, key if bare == key else bare))
    return out


def _match_rows(texts: list[tuple[int, int, str]], pats: FormPatterns) -> dict[str, tuple[int, int]]:
    """Row id -> its label cell. Strongest matches are taken first and a cell serves one row, so
    "存在问题学校（所）" is never also taken as "存在问题（个）"."""
    candidates = []
    for i, p in enumerate(pats.rows):
        for r, c, key, bare in texts:
            score = p.score(key, bare, pats.structural)
            if score:
                candidates.append((score, i, r, c))
    strong = Counter(c for score, _, _, c in candidates if score >= 3)
    label_col = strong.most_common(1)[0][0] if strong else 0
    candidates.sort(key=lambda t: (-t[0], t[3] != label_col, t[2], t[3]))
    out: dict[str, tuple[int, int]] = {}
    taken = set()
    for _, i, r, c in candidates:
        row_id = pats.rows[i].row.id
        if row_id in out or (r, c) in taken:
            continue
        out[row_id] = (r, c)
        taken.add((r, c))
    return out


# ------------------------------------------------------------------------------------------------
# Grid rows
# ------------------------------------------------------------------------------------------------


def _grid_values(grid, texts_by_row, label_rows, p: RowPattern, at, columns: tuple[ColumnPattern, ...],
                 used) -> dict:
    r, c = at
    fields = {}
    heads = _heads_above(texts_by_row, label_rows, r, c, columns)
    if heads:
        for col in columns:
            if col.column.id in heads:
                fields[f"{p.row.id}.{col.column.id}"] = (r, heads[col.column.id])
        return fields
    for col_id, cell in _values_right(grid, r, c, columns, used).items():
        fields[f"{p.row.id}.{col_id}"] = cell
    return fields


_FIGURE = re.compile(r"[+-]?\d+(?:\.\d+)?")


def _figures_in_label(grid, p: RowPattern, at, columns: tuple[ColumnPattern, ...]) -> dict[str, str]:
    """Column id -> figure, for a row whose figures were typed into its label's own sentence.
    A figure goes to the column named just before it ("学科类 3"), else to the next in order."""
    raw = value_at(grid, *at)
    if not isinstance(raw, str):
        return {}
    rest = _after_label(raw, p.row.label)
    if rest is None and p.core:
        rest = _after_label(raw, p.core)
    if rest is None or not _FIGURE.search(rest):
        return {}
    order = [col.column.id for col in columns]
    out: dict[str, str] = {}
    start = 0
    for m in _FIGURE.finditer(rest):
        named = _names_column(rest[start:m.start()], columns)
        target = named if named and named not in out else next((i for i in order if i not in out), None)
        if target is None:
            break
        out[target] = m.group(0)
        start = m.end()
    return out


def _heads_above(texts_by_row: dict[int, list[tuple[int, str]]], label_rows: set[int], row: int, label_col: int,
                 columns: tuple[ColumnPattern, ...]) -> dict[str, int]:
    """Column id -> sheet column, from the nearest row above that holds this section's heads.
    Rows holding a row label are data rows: "其中：区教育督导部门" typed inside one is not a head."""
    for r in range(row - 1, max(row - _HEAD_SEARCH_ROWS, 0), -1):
        if r in label_rows:
            continue
        found: dict[str, int] = {}
        for c, key in texts_by_row.get(r, ()):
            if c > label_col:
                for col in columns:
                    if col.column.id not in found and col.matches(key):
                        found[col.column.id] = c
        if found:
            return found
    return {}


def _values_right(grid, r: int, c: int, columns: tuple[ColumnPattern, ...], used) -> dict[str, tuple[int, int]]:
    """A retyped row without heads: values in order right of the label. A text naming a column
    on the way ("其中：学科类") sends the next value to that column."""
    out: dict[str, tuple[int, int]] = {}
    order = [col.column.id for col in columns]
    pending = None
    for cc in range(c + 1, c + 1 + _ROW_SCAN_CELLS):
        if len(out) == len(order):
            break
        v = value_at(grid, r, cc)
        named = _names_column(v, columns) if isinstance(v, str) else None
        if named is not None or (r, cc) in used:
            pending = named
            continue
        target = pending if pending and pending not in out else next(i for i in order if i not in out)
        out[target] = (r, cc)
        pending = None
    return out


def _names_column(v: str, columns: tuple[ColumnPattern, ...]) -> str | None:
    key = label_key(v)
    best = max(columns, key=lambda col: col.contained_in(key))
    if best.contained_in(key):
        return best.column.id
    return "" if "其中" in key else None


# ------------------------------------------------------------------------------------------------
# Inline rows, lines, header
# ------------------------------------------------------------------------------------------------


def _after_label(text: str, label: str) -> str | None:
    """What follows ``label`` in ``text`` (spaces and width ignored), or None if absent."""
    flat = unicodedata.normalize("NFKC", text)
    pattern = r"\s*".join(map(re.escape, unicodedata.normalize("NFKC", label)))
    m = re.search(pattern, flat)
    return flat[m.end():] if m else None


def _first_value_column(cells, pats: FormPatterns, row: int) -> int | None:
    """The column of the first value (合计) of the nearest grid row above ``row``: in the printed
    form an inline value lines up with it, wherever a column was inserted."""
    best = None
    for p in pats.rows:
        if p.section.has_table and p.section.columns:
            at = cells.get(f"{p.row.id}.{p.section.columns[0].id}")
            if at and at[0] < row and (best is None or at[0] > best[0]):
                best = at
    return best[1] if best else None


def _inline_value(grid, p: RowPattern, at, cells, embedded, aligned: int | None = None) -> None:
    r, c = at
    fid = p.row.id
    raw = value_at(grid, r, c)
    rest = _after_label(raw, p.row.label) if isinstance(raw, str) else None
    if rest is None and isinstance(raw, str):
        rest = _after_label(raw, p.core) if p.core else None
    if rest is not None:
        suffix = unicodedata.normalize("NFKC", p.row.suffix)
        rest = rest.replace(suffix, "") if suffix else rest
        rest = rest.strip().strip("_").strip()
        if rest:
            cells[fid] = at
            embedded[fid] = rest
            return
    suffix_key = label_key(p.row.suffix)

    def is_suffix(v: Any) -> bool:
        key = label_key(v)
        return bool(key) and key in suffix_key

    found = _value_right(grid, r, c, is_suffix)
    if value_at(grid, *found) in (None, ""):
        # A blank value has no content to find it by: it lines up with the 合计 column above,
        # else it sits just before the rest of the sentence (“例（附相关材料）”).
        if aligned is not None and c < aligned <= c + _NEAR_CELLS:
            found = (r, aligned)
        elif suffix_key:
            for cc in range(c + 2, c + 2 + _NEAR_CELLS):
                if is_suffix(value_at(grid, r, cc)):
                    found = (r, cc - 1)
                    break
    cells[fid] = found


def _value_right(grid, r: int, c: int, skip=lambda v: False) -> tuple[int, int]:
    """The first filled cell just right of a label (a column or two may have been inserted
    between them), else the cell next to it, where a blank value would have been typed."""
    for cc in range(c + 1, c + 1 + _NEAR_CELLS):
        v = value_at(grid, r, cc)
        if v not in (None, "") and not skip(v):
            return r, cc
    return r, c + 1


def _is_line_number(v: Any, label: str) -> bool:
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v) == label
    return isinstance(v, str) and label_key(v).strip(_LINE_PUNCT) == label


def _lines(grid, texts, section: Section, label_rows: set[int], cells, embedded) -> None:
    """主要问题 1/2/3: below the section label, up to the next row of another section."""
    key = label_key(section.label)
    starts = [(r, c) for r, c, k, bare in texts if key in (k, bare)]
    if not starts:
        return
    r0, c0 = starts[0]
    last = r0 + 3 * len(section.rows) + 3
    rows = []
    for r in range(r0, last + 1):
        if r > r0 and r in label_rows:
            break
        rows.append(r)
    taken = set()
    for row in section.rows:
        hit = _find_line(grid, rows, c0, row.label, taken)
        if hit:
            cell, text = hit
            taken.add(cell)
            cells[row.id] = cell
            if text is not None:
                embedded[row.id] = text


def _find_line(grid, rows, c0, label, taken):
    numbered = re.compile(rf"^\(?{re.escape(label)}[).、.:]\s*(.*)$", re.S)
    for r in rows:
        line = grid[r - 1] if r <= len(grid) else []
        for c in range(c0, len(line) + 1):
            if (r, c) not in taken and _is_line_number(line[c - 1], label):
                return _value_right(grid, r, c), None
    for r in rows:
        line = grid[r - 1] if r <= len(grid) else []
        for c in range(c0, len(line) + 1):
            v = line[c - 1]
            if (r, c) in taken or not isinstance(v, str):
                continue
            m = numbered.match(unicodedata.normalize("NFKC", v).strip())
            if m:
                return (r, c), m.group(1).strip()
    return None


def _header(grid, texts, pats: FormPatterns, cells, embedded) -> None:
    """填报单位 / 填报人 / 联系电话: after the colon in the label cell, else the next cell right."""
    labels = [key for _, key in pats.header]
    for f, key in pats.header:
        at = next(((r, c) for r, c, k, _ in texts if key in k), None)
        if at is None:
            continue
        r, c = at
        rest = _after_label(value_at(grid, r, c), f.label) or ""
        for other in labels:  # the whole header line typed into one cell
            if other != key:
                cut = rest.find(other)
                rest = rest[:cut] if cut >= 0 else rest
        rest = rest.strip().lstrip(":：").strip().strip("_").strip()
        if rest:
            cells[f.id] = at
            embedded[f.id] = rest
            continue
        cells[f.id] = (r, c + 1)
        for cc in range(c + 1, c + 1 + _ROW_SCAN_CELLS):
            v = value_at(grid, r, cc)
            if v in (None, ""):
                continue
            if isinstance(v, str) and any(k in label_key(v) for k in labels):
                break  # the next header label: this one was left blank
            cells[f.id] = (r, cc)
            break
