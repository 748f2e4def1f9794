"""The e-mails a school receives: sent back, asked to check, or reminded, in the bureau's voice.

A letter is addressed to the person the roster names ("黄老师：", not the school), lists every
item once (connected findings as one item with one fix, ``items``), says by when, carries the
clerk's own words for this school (``dudao remark``), and is signed with the collection's own
填报单位, 填报人 and 联系电话, so the school knows whom to call back.
"""

from __future__ import annotations

import re
from datetime import date
from email.headerregistry import Address
from email.utils import formataddr

from ..findings import ERROR, WARNING
from ..collection.store.roster import School
from ..collection.store.settings import Settings
from .items import Item

# Chinese compound surnames: "欧阳明" is 欧阳老师, not 欧老师.
_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "令狐",
             "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "申屠", "太史", "闻人", "赫连", "澹台", "公冶", "宗政")
_TITLES = ("老师", "校长", "主任", "书记", "同志", "先生", "女士")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def shown_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


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
    """From: "曾都区教育局 <jyj@example.com>", or "" when no address is set (the caller says so)."""
    address = str(settings.mail.get("sender") or settings.mail.get("smtp_user") or "").strip()
    if "@" not in address:
        return ""
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError):
        return ""
    return formataddr((settings.reporting_unit, address)) if settings.reporting_unit else address


def deadline_sentence(settings: Settings, today: date, *, reminder: bool) -> str:
    if not settings.deadline:
        return "请尽快报送。" if reminder else "请尽快修改后重新报送。"
    end = date.fromisoformat(settings.deadline)
    shown = shown_date(end)
    if today > end:
        late = (today - end).days
        return (f"报送截止日期（{shown}）已过 {late} 天，请尽快报送。" if reminder
                else f"报送截止日期（{shown}）已过，请尽快修改后重新报送。")
    if today == end:
        return (f"今天（{shown}）是报送截止日期，请在今天内报送。" if reminder
                else f"今天（{shown}）是报送截止日期，请在今天内修改后重新报送。")
    left = (end - today).days
    return (f"报送截止日期为 {shown}（还有 {left} 天），请按时报送。" if reminder
            else f"修改后的报表请于 {shown} 前重新报送。")


def signature(settings: Settings, today: date) -> str:
    who = "  ".join(x for x in (settings.reporter, settings.phone) if x)
    lines = [settings.reporting_unit or f"{settings.name}教育局"]
    if who:
        lines.append(f"联系人：{who}")
    lines.append(shown_date(today))
    return "\n" + "\n".join(lines) + "\n"


def numbered(items: list[Item]) -> list[str]:
    """One paragraph per item; the cells are named in the words, never repeated in brackets."""
    out = []
    for i, item in enumerate(items, start=1):
        text = item.text
        cells = [c for c in item.cells if c not in text]
        head = f"{i}. " + (f"[{'、'.join(cells)}] " if cells and len(cells) == len(item.cells) else "")
        out.append(head + text.replace("\n", "\n   "))  # a group's lines under its number
    return out


def returned_body(settings: Settings, school: School, title: str, file_name: str, items: list[Item],
                  deadline: str, today: date, remark: str = "") -> str:
    errors = [i for i in items if i.level == ERROR]
    warnings = [i for i in items if i.level == WARNING]
    lines = [greeting(school), "",
             f"您好！{school.name}报送的《{title}》（文件“{file_name}”）经校验，有 {len(errors)} 处需要修改，"
             "现退回，请修改后重新报送。", ""]
    if remark:
        lines += [f"{settings.reporting_unit or '区教育局'}说明：{remark}", ""]
    lines += ["需要修改的问题："] + numbered(errors)
    if warnings:
        lines += ["", "请核对的地方（确认无误可以不改）："] + numbered(warnings)
    lines += ["", "请在附件表格中按标红单元格的批注修改后重新报送。附件表格的第一页“请先看这里”列出了全部问题。",
              deadline, signature(settings, today)]
    return "\n".join(lines)


def check_body(settings: Settings, school: School, title: str, file_name: str, items: list[Item],
               today: date, remark: str = "") -> str:
    lines = [greeting(school), "",
             f"您好！{school.name}报送的《{title}》（文件“{file_name}”）已收到，已通过校验并计入汇总。"
             f"有 {len(items)} 处请核对：", ""]
    if remark:
        lines += [f"{settings.reporting_unit or '区教育局'}说明：{remark}", ""]
    lines += numbered(items)
    lines += ["", "确认无误请回复本邮件告知（不用重新报送）；如需修改，请在附件表格中改好（标黄的单元格）后重新报送。",
              signature(settings, today)]
    return "\n".join(lines)


def documents_body(settings: Settings, school: School, title: str, owed: str, today: date, remark: str = "") -> str:
    """To a school whose form is in but whose documents (a case, a report) are not."""
    lines = [greeting(school), "", f"您好！{title}中，{school.name}的报表已收到，{owed}。",
             "", "请将材料直接回复到本邮件或发到工作群，文件名写上学校名称和材料名称。"]
    if remark:
        lines += ["", f"{settings.reporting_unit or '区教育局'}说明：{remark}"]
    lines.append(signature(settings, today))
    return "\n".join(lines)


def reminder_body(settings: Settings, school: School, title: str, attachment: str, deadline: str,
                  today: date, remark: str = "", unreadable: str = "") -> str:
    lines = [greeting(school), "", f"您好！《{title}》目前还没有收到{school.name}的报表。{deadline}"]
    if unreadable:
        lines += ["", unreadable]
    if remark:
        lines += ["", f"{settings.reporting_unit or '区教育局'}说明：{remark}"]
    lines += ["", f"请填写附件中的表格（{attachment}）后报送。如已报送，请回复本邮件告知，我们核对是否收到。",
              signature(settings, today)]
    return "\n".join(lines)
