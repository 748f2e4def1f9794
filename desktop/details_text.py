"""What the window says about one school: the details pane's page, and the table's tooltip.

What the school must do now is the engine's one description of it (``outputs.notice``), the same
the marked workbook, the e-mail, the chat text and the phone page lay out: its items numbered
as the school reads them (connected findings once, each problem on its line and their one fix
after them), what it still owes with each material's deadline, files of its that could not be
opened, its rectification items due, the date to send again.

Each warning has a link to settle it (已核实…) and each settled one a link to undo it (撤销): the
pane turns a click into the clerk's intent (``CONFIRM``/``UNCONFIRM`` + the rule id).

Beside it, what the clerk checks an explanation against: what the school's latest version changed
from the one before (``SchoolState.resubmission``), and its figures last period beside this
period's (``PeriodValue``: the bounded ones, and any that differ; beyond the bound in orange).
"""

from __future__ import annotations

import html

from aggregator.session import (ERROR, EXPLAIN, WARNING, WINDOW, Item, Notice, PeriodValue, SchoolState, display_name,
                                items_of, render, rule_name)

LEVELS = {ERROR: ("错误", "#b00000"), WARNING: ("提示", "#8a6d00"), "info": ("说明", "#555555"),
          "explain": ("须说明", "#c05a00"), "explained": ("已说明", "#8a6d00")}  # 须说明: orange, as in every letter
CONFIRM, UNCONFIRM = "confirm:", "unconfirm:"  # link targets, followed by a rule id
TIP_ITEMS = 5  # items in the table's tooltip


def received_text(received_at: str) -> str:
    """2023-11-16T10:12:00 → 2023-11-16 10:12."""
    return received_at.replace("T", " ")[:16]


def _paragraph(level: str, body: str, link: str = "") -> str:
    """``body`` is HTML already."""
    label, colour = LEVELS[level]
    return (f'<p style="margin:0 0 6px 0"><span style="color:{colour};font-weight:bold">[{label}]</span> '
            f"{body}{link}</p>")


def shown_level(item: Item) -> str:
    """How the window labels an item: an explain finding is 须说明 until explained, then 已说明."""
    first = item.findings[0]
    if first.level == EXPLAIN:
        return "explained" if first.explained else "explain"
    return item.level


def item_html(item: Item) -> str:
    """One thing to put right: a lone finding's message (an explain finding with whose 说明 it
    has), or each problem of a group on its line and their fix once."""
    if not item.grouped:
        f = item.findings[0]
        said = (f"（{'区教育局' if f.explained_by == 'clerk' else '学校'}说明：{f.explanation}）"
                if f.level == EXPLAIN and f.explained else "")
        return html.escape(f.message + said)
    problems = "；<br>".join(html.escape(f.problem) for f in item.findings)
    return f"{problems}。<br><b>改法：</b>{html.escape(item.findings[0].fix)}"


def findings_html(s: SchoolState) -> list[str]:
    """The open findings of the school's return, errors first, as items; each warning with its
    已核实… link."""
    parts = []
    for item in items_of(s.findings):
        rule = item.findings[0].rule
        link = (f' <a href="{CONFIRM}{html.escape(rule)}">已核实…</a>'
                if item.level == WARNING or item.findings[0].level == EXPLAIN else "")
        parts.append(_paragraph(shown_level(item), item_html(item), link))
    return parts


HEADS = {"returned": "退回修改", "check": "请核对", "reminder": "催报", "documents": "催交材料", "supervise": "整改督办"}


def notice_html(notice: Notice) -> list[str]:
    """The school's one description: what it will be told, item by item, as every channel says it."""
    said = "，".join(x for x in (notice.head_words(), notice.by_words()) if x)
    parts = [f'<p style="margin:6px 0 6px 0;color:#2b4a6f"><b>给学校的反馈（{HEADS.get(notice.kind, "")}）</b>'
             f'{"：" + html.escape(said) if said else ""}</p>']
    parts += [f'<p style="color:#8a1010">{html.escape(t)}。</p>' for t in notice.unopened_words()]
    for n, item in notice.numbered():
        confirmable = (item.level == WARNING or item.findings[0].level == EXPLAIN) and item not in notice.documents
        link = f' <a href="{CONFIRM}{html.escape(item.findings[0].rule)}">已核实…</a>' if confirmable else ""
        parts.append(_paragraph(shown_level(item), f"{n}. {item_html(item)}", link))
    if notice.owed:
        parts.append(f"<p>{html.escape(notice.owed_words())}</p>")
    if notice.remark:
        parts.append(f"<p>区教育局说明：{html.escape(notice.remark)}</p>")
    parts += [f"<p>{html.escape(t)}</p>" for t in notice.due_words()]
    return parts


def documents_html(s: SchoolState) -> list[str]:
    """What the school's documents (a case, a report) were found to lack, each under its name."""
    parts = []
    for m in s.materials:
        if not m.material.is_form:
            for f in m.findings:
                if f.level in LEVELS:
                    parts.append(_paragraph(f.level, f"{html.escape(m.material.heading)}：{html.escape(f.message)}"))
    return parts


def items_tip(s: SchoolState) -> str | None:
    """The table's tooltip: what must change or be explained (what sends it back), each item once."""
    errors = [item for item in items_of(s.findings) if item.level in (ERROR, EXPLAIN)]
    return "\n".join(item.text for item in errors[:TIP_ITEMS]) or None


ORANGE = "#c05a00"


def _value(v) -> str:
    if v is None or v == "":
        return "（空）"
    return f"{v:g}" if isinstance(v, float) else str(v)


def changes_html(s: SchoolState) -> list[str]:
    """What the latest version changed from the one before, and what it put right ([] for a first version)."""
    if s.versions < 2 or s.current is None:
        return []
    since = s.resubmission
    if not (since.changes or since.fixed or since.still):
        return []
    corrected = len(since.fixed) - len(since.explained)
    counts = "，".join(x for x in (f"已改正 {corrected} 处" if corrected else "",
                                   f"已说明 {len(since.explained)} 处" if since.explained else "",
                                   f"仍有 {len(since.still)} 处" if since.still else "") if x)
    lines = [f"{html.escape(c.cell)} {html.escape(c.label)}：{html.escape(_value(c.old))} → "
             f"<b>{html.escape(_value(c.new))}</b>" for c in since.changes]
    head = f"第{since.version}版与上一版相比" + (f"（{counts}）" if counts else "") + ("：" if lines else "")
    return [f'<p style="margin:6px 0 2px 0;color:#2b4a6f"><b>{head}</b></p>'] + \
        [f'<p style="margin:0 0 2px 12px">{line}</p>' for line in lines or ["没有改动数字"]]


def _moved_words(v: PeriodValue) -> str:
    """Which way a figure left its bound, as the finding says it: up "超过上期的 3 倍", down
    "不到上期的 1/3"."""
    if not v.moved:
        return ""
    up = isinstance(v.previous, (int, float)) and isinstance(v.current, (int, float)) and v.current > v.previous
    return f"（超过上期的 {v.factor:g} 倍）" if up else f"（不到上期的 1/{v.factor:g}）"


def previous_html(values: list[PeriodValue]) -> list[str]:
    """Last period's figures beside this period's: those the form bounds, and any that differ."""
    shown = [v for v in values if v.factor is not None or v.previous != v.current]
    if not shown:
        return []
    rows = []
    for v in shown:
        style = f' style="color:{ORANGE};font-weight:bold"' if v.moved else ""
        note = _moved_words(v)
        rows.append(f"<tr{style}><td>{html.escape(v.label)}{note}</td><td align=\"right\">{_value(v.previous)}</td>"
                    f"<td align=\"right\">{_value(v.current)}</td></tr>")
    return ['<p style="margin:8px 0 2px 0;color:#2b4a6f"><b>与上期比较</b></p>',
            '<table cellspacing="0" cellpadding="2" border="1" style="border-collapse:collapse;border-color:#bbb">'
            '<tr style="background:#eef2f8"><th align="left">项目</th><th>上期</th><th>本期</th></tr>'
            + "".join(rows) + "</table>"]


def details_html(s: SchoolState, notice: Notice | None = None, previous: list[PeriodValue] | None = None) -> str:
    """Everything the clerk needs to phone the school: what it will be told (``notice``), worded
    as the school will read it; without a notice, its findings one by one; what its latest
    version changed, and (``previous``) its figures last period beside this period's."""
    parts = []
    cur = s.current
    if cur is None:
        parts.append("<p>免报：这所学校不需要报送。</p>" if s.status == "exempt" else
                     "<p>尚未收到这所学校的报表。可以“复制催报消息”发到群里，或“生成反馈”准备催报邮件。</p>")
    else:
        late = "（逾期）" if s.late else ""
        parts.append(f"<p>报送时间：{received_text(cur.received_at)}{late}　第{s.versions}版<br>"
                     f"文件：{html.escape(display_name(cur.original_name))}</p>")
        if cur.review:
            parts.append(f'<p style="color:#7a4100"><b>[待确认]</b> {html.escape(render(cur.review, WINDOW))}</p>')
        parts += changes_html(s)
    told = notice is not None and bool(notice.kind)
    if cur is not None and not any(f.level in (ERROR, WARNING, EXPLAIN) for f in s.findings) and not cur.review:
        parts.append('<p style="color:#1d5e17">报表校验全部通过。</p>')  # before what else it is told
    parts += notice_html(notice) if told else findings_html(s)
    if cur is not None:
        for note in s.notes:
            parts.append(_paragraph("info", html.escape(note)))
    if not told:
        parts += documents_html(s)
    parts += previous_html(previous or [])
    for f in s.files:
        parts.append(f'<p style="color:#8a1010"><b>[发来的文件无法读取]</b> {html.escape(display_name(f.original_name))}：'
                     f"{html.escape(f.reason)}</p>")
    for t in s.feedback.records:
        what = f"{t.label}：{t.detail}" if t.detail else t.label
        tail = "（已生成，未确认发出）" if not t.sent else ""
        parts.append(f'<p style="color:#444"><b>[反馈]</b> {received_text(t.at)} {html.escape(what)}{tail}</p>')
    form = s.form
    for d in s.decisions:
        label = f"{d.label}“{rule_name(d.rule, form)}”" if d.rule else d.label
        what = f"{label}：{d.note}" if d.note and d.note != d.label else label
        undo = f' <a href="{UNCONFIRM}{html.escape(d.rule)}">撤销</a>' if d.kind == "confirm" and d.rule else ""
        parts.append(f'<p style="color:#2b4a6f"><b>[区教育局]</b> {html.escape(what)}'
                     f'<span style="color:#666">（{received_text(d.at)} {html.escape(d.by)}）</span>{undo}</p>')
    return "".join(parts)
