"""The e-mails a school receives: sent back, asked to check, or reminded, in the bureau's voice.

A letter is addressed to the person the roster names ("黄老师：", not the school), and says what
the school's ``Notice`` says: every item once (connected findings as one item with one fix),
what to change apart from what to check, the materials still owed with their own deadlines, the
date to send again, and the clerk's own words for this school (``dudao remark``). It is signed with the collection's own
填报单位, 填报人 and 联系电话, so the school knows whom to call back.
"""

from __future__ import annotations

import re
from datetime import date
from email.headerregistry import Address
from email.utils import formataddr

from ..findings import ERROR, EXPLAIN, WARNING
from ..collection.store.roster import School
from ..collection.store.settings import Settings
from .dates import full_date, month_day
from .items import Item
from .notice import EXPLAIN_HEAD, REMINDER, Notice

# Chinese compound surnames: "欧阳明" is 欧阳老师, not 欧老师.
_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "令狐",
             "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "申屠", "太史", "闻人", "赫连", "澹台", "公冶", "宗政")
_TITLES = ("老师", "校长", "主任", "书记", "同志", "先生", "女士")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def shown_date(d: date) -> str:
    """2023年11月20日 (the summary's 填报日期 reads it from here)."""
    return full_date(d)


def greeting(school: School) -> str:
    """"黄老师：" for 联系人 黄伟; the title as written for "王主任"; the school when nobody is named."""
    name = re.sub(r"\s+", "", school.contact or "")
    name = re.split(r"[，,、；;/（(]", name)[0] if name else ""
    if name.endswith(_TITLES):
        return f"{name}："
    if _HAN.match(name):
        surname = name[:2] if name.startswith(_COMPOUND) and len(name) > 2 else name[0]
        return f"{surname}老师："
    return f"{school.name}："


def sender(settings: Settings) -> str:
    """From: "某某区教育局 <jyj@example.com>", or "" when no address is set (the caller says so)."""
    address = str(settings.mail.get("sender") or settings.mail.get("smtp_user") or "").strip()
    if "@" not in address:
        return ""
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError):
        return ""
    return formataddr((settings.reporting_unit, address)) if settings.reporting_unit else address


def signature(settings: Settings, today: date) -> str:
    who = "  ".join(x for x in (settings.reporter, settings.phone) if x)
    lines = [settings.reporting_unit or f"{settings.name}教育局"]
    if who:
        lines.append(f"联系人：{who}")
    lines.append(full_date(today))
    return "\n" + "\n".join(lines) + "\n"


def numbered(items: list[tuple[int, Item]]) -> list[str]:
    """One paragraph per item; the cells are named in the words, never repeated in brackets."""
    out = []
    for i, item in items:
        text = item.text
        cells = [c for c in item.cells if c not in text]
        head = f"{i}. " + (f"[{'、'.join(cells)}] " if cells and len(cells) == len(item.cells) else "")
        out.append(head + text.replace("\n", "\n   "))  # a group's lines under its number
    return out


def _items(notice: Notice) -> list[str]:
    """需要修改 (errors only, counted), 需要说明, then 请核对, numbered on as every channel numbers them."""
    numbered_items = notice.numbered()
    errors = [(n, i) for n, i in numbered_items if i.level == ERROR]
    explain = [(n, i) for n, i in numbered_items if i.level == EXPLAIN]
    checks = [(n, i) for n, i in numbered_items if i.level == WARNING]
    lines = []
    if errors:
        lines += [f"需要修改（{len(errors)} 处，附件表格中标红的单元格）："] + numbered(errors)
    if explain:
        lines += ([""] if lines else []) + [f"需要说明（{len(explain)} 处，附件表格中标橙的单元格；"
                                            f"{EXPLAIN_HEAD}）："] + numbered(explain)
    if checks:
        where = "附件表格中标黄的单元格，" if notice.warnings else ""
        lines += ([""] if lines else []) + [f"请核对（{len(checks)} 处，{where}确认无误可以不改）："] + numbered(checks)
    return lines


def _owed_and_remark(settings: Settings, notice: Notice) -> list[str]:
    """What else the school must know: files of its that could not be opened (a reminder says it
    first), the materials it still owes, the clerk's words."""
    lines = []
    if notice.unopened and notice.kind != REMINDER:
        lines += [""] + [f"{t}。" for t in notice.unopened_words()]
    if notice.owed:
        lines += ["", f"{notice.owed_words()}。材料请直接回复本邮件或发到工作群，文件名写上学校名称和材料名称。"]
    if notice.remark:
        lines += ["", f"{settings.reporting_unit or '区教育局'}说明：{notice.remark}"]
    if notice.due:
        lines += [""] + notice.due_words()
    return lines


def returned_body(settings: Settings, school: School, notice: Notice) -> str:
    since = f"{notice.since_words()}。" if notice.since else ""
    lines = [greeting(school), "",
             f"您好！{since}{school.name}报送的《{notice.title}》（文件“{notice.file_name}”）经校验，{notice.counts()}，"
             f"现退回，{notice.by_words()}。", ""]
    lines += _items(notice)
    lines += _owed_and_remark(settings, notice)
    how = "，".join((["按批注修改标红的单元格"] if notice.errors else [])
                   + (["标橙的改正数字或在“情况说明”表写明原因"] if notice.explain else [])) or "按批注修改"
    lines += ["", f"请在附件表格中{how}，改好后保存，于{month_day(notice.by)}前用这个表重新报送。"
              "附件表格的第一页“请先看这里”列出了全部问题。", signature(settings, notice.today)]
    return "\n".join(lines)


def check_body(settings: Settings, school: School, notice: Notice) -> str:
    lines = [greeting(school), ""]
    if notice.warnings:
        lines.append(f"您好！{school.name}报送的《{notice.title}》（文件“{notice.file_name}”）已收到，"
                     f"已通过校验并计入汇总，{notice.counts()}。")
    else:
        lines.append(f"您好！{school.name}报送的《{notice.title}》已收到，已通过校验并计入汇总。"
                     f"贵校发来的材料{notice.counts()}。")
    lines += [""] + _items(notice)
    lines += _owed_and_remark(settings, notice)
    closing = ("确认无误请回复本邮件告知（不用重新报送）；如需修改，请在附件表格中改好（标黄的单元格）后重新报送。"
               if notice.warnings else "确认无误请回复本邮件告知；如发错了文件，请重新发送。")
    lines += ["", closing, signature(settings, notice.today)]
    return "\n".join(lines)


def documents_body(settings: Settings, school: School, title: str, notice: Notice) -> str:
    """To a school whose form is in but whose documents (a case, a report) are not."""
    lines = [greeting(school), "", f"您好！{title}中，{school.name}的报表已收到，{notice.owed_words()}。",
             "", "请将材料直接回复到本邮件或发到工作群，文件名写上学校名称和材料名称。"]
    if notice.documents:
        lines += [""] + _items(notice)
    if notice.remark:
        lines += ["", f"{settings.reporting_unit or '区教育局'}说明：{notice.remark}"]
    if notice.due:
        lines += [""] + notice.due_words()
    lines.append(signature(settings, notice.today))
    return "\n".join(lines)


def supervise_body(settings: Settings, school: School, notice: Notice) -> str:
    """To a school told nothing else: its rectification items near or past their deadline."""
    words = notice.due_words()
    lines = [greeting(school), "", f"您好！{words[0]}"] + words[1:]
    if notice.remark:
        lines += ["", f"{settings.reporting_unit or '区教育局'}说明：{notice.remark}"]
    lines += ["", "整改完成后，请将填好的督办单和整改报告、佐证材料回复到本邮件或发到工作群。",
              signature(settings, notice.today)]
    return "\n".join(lines)


def reminder_body(settings: Settings, school: School, notice: Notice, attachment: str) -> str:
    if notice.unopened:
        said = "；".join(notice.unopened_words())
        lines = [greeting(school), "", f"您好！关于《{notice.title}》，{said}。{notice.by_words()}。",
                 "", f"也可以重新填写附件中的表格（{attachment}）后报送。"]
    else:
        lines = [greeting(school), "", f"您好！《{notice.title}》目前还没有收到{school.name}的报表，{notice.by_words()}。",
                 "", f"请填写附件中的表格（{attachment}）后报送。如已报送，请回复本邮件告知，我们核对是否收到。"]
    if notice.documents:
        lines += [""] + _items(notice)
    lines += _owed_and_remark(settings, notice)
    lines.append(signature(settings, notice.today))
    return "\n".join(lines)
