"""Annex 4, the 问题整改督办单, as declared in ``excel_templates/supervision/``: its title and
labels, how a 编号 is written, the headers of an inspectors' list, the words that mark a school's
answer and the figures of a collected form the register is compared with.

The code names none of these: a bureau whose 督办单 says 整改通知书, or whose numbers read
"某督字〔2024〕第3号", changes the declaration, not the tool.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ...form.declaration import FormError
from ...resources import TEMPLATES_DIR
from ...messages import toml_words

ORDER_FILE = TEMPLATES_DIR / "supervision" / "annex4_order.toml"
LABELS = ("number", "target", "issued", "items", "unit", "date", "contact", "phone")
IMPORT_COLUMNS = ("school", "problem", "requirement", "due")


@dataclass(frozen=True)
class Compare:
    """Where a form counts the problems closed and in progress (field ids of that form)."""

    form: str
    closed: str
    open: str


@dataclass(frozen=True)
class OrderForm:
    id: str
    annex: str
    title_text: str  # {district}
    number_text: str  # {prefix} {n}
    default_prefix: str  # {year}
    register_title_text: str
    near_days: int
    labels: dict[str, str]
    item_problem: str  # {i} {problem}
    item_requirement: str  # {requirement} {due}
    closing: str  # {unit}
    columns: dict[str, tuple[str, ...]]  # import column -> the headers it may have
    answer_keywords: tuple[str, ...]
    compare: tuple[Compare, ...] = ()

    def title(self, district: str) -> str:
        return self.title_text.format(district=district)

    def register_title(self, district: str) -> str:
        return self.register_title_text.format(district=district)

    def prefix(self, configured: str, year: int) -> str:
        """The 编号 prefix: the collection's setting, else the declared default for ``year``."""
        return configured or self.default_prefix.format(year=year)

    def number(self, prefix: str, n: int) -> str:
        return self.number_text.format(prefix=prefix, n=n)

    def compare_for(self, form_id: str) -> Compare | None:
        return next((c for c in self.compare if c.form == form_id), None)


@cache
def load_order(path: Path = ORDER_FILE) -> OrderForm:
    """The declaration; ``FormError`` names every key that is missing."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FormError(f"督办单的声明 {Path(path).name} 无法读取（{toml_words(exc)}）") from None
    problems: list[str] = []

    def need(table: str, key: str) -> str:
        value = data.get(table, {}).get(key)
        if not isinstance(value, str) or not value:
            problems.append(f"{Path(path).name}：[{table}] 缺少 {key}")
            return ""
        return value

    order = {k: need("order", k) for k in ("id", "annex", "title", "number", "default_prefix", "register_title")}
    labels = {k: need("labels", k) for k in LABELS}
    item = {k: need("item", k) for k in ("problem", "requirement", "closing")}
    columns = {}
    for key in IMPORT_COLUMNS:
        names = data.get("import", {}).get(key)
        if not names or not all(isinstance(n, str) for n in names):
            problems.append(f"{Path(path).name}：[import] 缺少 {key}（表头的写法列表）")
        columns[key] = tuple(names or ())
    compare = tuple(Compare(str(c.get("form", "")), str(c.get("closed", "")), str(c.get("open", "")))
                    for c in data.get("compare", ()))
    if problems:
        raise FormError(problems)
    return OrderForm(order["id"], order["annex"], order["title"], order["number"], order["default_prefix"],
                     order["register_title"], int(data["order"].get("near_days", 3)), labels, item["problem"],
                     item["requirement"], item["closing"], columns,
                     tuple(data.get("answer", {}).get("keywords", ())), compare)
