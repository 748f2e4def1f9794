"""The catalogue of the engine's own Chinese messages, keyed by a stable id.

Form rules carry their messages in the form's declaration; everything the engine itself says
about a file or a cell (it could not read it, it changed it), and every note it hands the clerk
(a return waits for her, a summary is a draft), lives here, so wording is reviewed in one place
and an English catalogue could sit beside it later.

A note is data (``Note``: an id and its values) until it is shown. Where it tells the clerk what
to do next, the command line and the window say it differently ("dudao assign" / "点击“指定学校…”"):
``{do:assign}`` in a message is filled from ``ACTIONS`` for the channel it is rendered for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

MESSAGES: dict[str, str] = {
    # --- cells the reader could not take as they are (rule ids of findings) ---
    "not-a-number": "{cell} {label}填的是“{raw}”，不是数字，请只填写阿拉伯数字（如 3）",
    "not-whole": "{cell} {label}填的是 {raw}，应为整数，请改为整数",
    "negative": "{cell} {label}填的是 {raw}，不能为负数，请改为 0 或正整数",
    "formula-error": "{cell} {label}的公式结果是错误值“{raw}”，请直接填写数字",
    "formula-unsupported": "{cell} {label}是公式“{raw}”，且文件中没有保存计算结果，请在 Excel/WPS 中打开后保存一次，或直接填写数字",
    "not-a-date": "{cell} {label}填的是“{raw}”，不是日期，请按 2024-03-05 的格式填写",
    "not-a-choice": "{cell} {label}填的是“{raw}”，请从下拉列表中选择：{choices}",
    "doc-empty": "这份{label}中没有文字内容，请确认发送的是写好的材料，重新发送",
    "doc-short": "这份{label}正文只有 {chars} 个字，不像完整的材料（一般应有 {min_chars} 字以上），请核对是否发错了文件",
    "doc-unchanged": "这份{label}是下发的原文件，没有填写或修改，请填写后重新发送",
    "not-found": "表中找不到“{label}”这一项，请使用下发的原表填写，不要删除或改动表格中的文字",
    "form-not-found": "文件中找不到《{title}》的表格，请使用下发的原表填写后报送",
    "wrong-form": "这是《{found}》，不是本次收集的《{title}》，请核对附件后用本次下发的表重新报送",
    # --- one agreed correction for connected findings (``checks.fixes``) ---
    "fix-set": "请把 {changes}",
    "fix-set-item": "{cell}（{label}）改为 {value}",
    "fix-basis": "{label}填的是 {values}",
    "fix-trust": "{basis}，以此为准；",
    "fix-fill": "请补填：{items}",
    "fix-change": "请改正：{items}",
    "fix-eq": "{what}应为 {bounds}",
    "fix-le": "{what}不超过 {bounds}",
    "fix-ge": "{what}至少为 {bounds}",
    "fix-sum": "{what}之和",
    "fix-together": "这几处相互关联，请一并核对 {cells}，使 {rules} 同时成立",
    # --- notes on values the reader normalised (info level) ---
    "blank-as-zero": "{cell} {label}未填写，按 0 计",
    "text-number": "{cell} {label}是文本格式的数字“{raw}”，按 {value} 计",
    "full-width": "{cell} {label}含全角数字“{raw}”，按 {value} 计",
    "unit-suffix": "{cell} {label}填的是“{raw}”，按 {value} 计",
    "whole-float": "{cell} {label}填的是 {raw}，按 {value} 计",
    "trimmed": "{cell} {label}前后有空格，已去掉",
    "rounded": "{cell} {label}填的是 {raw}，按 {value} 计（保留规定的小数位数）",
    "date-serial": "{cell} {label}是数字 {raw}，按日期 {value} 计",
    "date-text": "{cell} {label}填的是“{raw}”，按日期 {value} 计",
    "choice-typed": "{cell} {label}填的是“{raw}”，按“{value}”计",
    "formula-computed": "{cell} {label}是公式“{raw}”，文件中没有计算结果，已按公式算得 {value}",
    "formula-text": "{cell} {label}是公式“{raw}”，文件中没有保存结果，按显示的文字“{value}”记录",
    # --- files that could not be read at all (collect's "unreadable" reasons): each says what to do ---
    "empty-file": "文件是空的（0 字节），可能没有下载完整，请重新下载或让学校重新发送",
    "corrupt": "文件已损坏，无法打开{detail}，请让学校用 Excel/WPS 打开后重新保存再发送",
    "corrupt-document": "文件已损坏，无法打开{detail}，请让学校用 Word/WPS 打开后重新保存（照片请重新拍照）再发送",
    "encrypted": "文件设置了打开密码，无法读取，请让学校取消密码后重新发送",
    "not-spreadsheet": "这不是 Excel 表格文件（看起来是{kind}），请让学校发送填好的 Excel 表",
    "word-form-old": "这是用 Word 填写的{label}（.doc/.wps 旧格式），程序读不了其中的表格，请让学校另存为 .docx 或填写下发的 Excel 表后重新报送",
    "old-excel": "旧版 Excel 格式（Excel 4.0 或更早），请另存为 .xlsx 后重新报送",
    "oversized": "文件过大（{size}），不像是本表，为安全起见未打开，请核对是否发错了文件",
    "zip-bomb": "文件解压后异常巨大（{size}），为安全起见未打开，请让学校重新保存后发送",
    "unsafe-xml": "文件内容含有不安全的结构，为安全起见未打开，请让学校用 Excel/WPS 重新保存后发送",
    "too-many-cells": "文件中的数据量异常{detail}，不像是本表，为安全起见未读取，请让学校只保留本表后重新发送",
    "read-error": "读取时出错，请让学校用 Excel/WPS 打开后另存为 .xlsx 再发送",
    "read-crash": "读取时程序意外退出，文件可能已损坏，请让学校用 Excel/WPS 打开后另存为 .xlsx 再发送",
    "read-timeout": "读取超时，文件可能已损坏或异常复杂，请让学校用 Excel/WPS 打开后另存为 .xlsx 再发送",
    "read-memory": "读取这份文件需要的内存异常多，为安全起见已停止，请让学校只保留本表后另存为 .xlsx 再发送",
    # --- what collect skips, found before any reading ---
    "link": "这是一个快捷方式/链接，不是文件本身，已跳过，请把文件本身放进来",
    "zip-link": "压缩包中的这一项是链接，不是文件，已跳过，请让学校直接发送表格文件",
    "zip-nested": "压缩包嵌套层数过多，为安全起见未继续解开，请让学校直接发送表格文件",
    "missing": "找不到文件或文件夹：{path}，请检查路径是否正确",
    "locked": "文件正被其他程序打开，请关闭后重新收取",
    # --- notes for the clerk (``Note``) ---
    "text": "{text}",
    "review-meta-vs-unit": "这份表是发给“{school}”的，但{unit_label}写的是“{unit}”，请确认是哪所学校的报表",
    "review-unit-vs-file": "{unit_label}写的是“{unit}”，但文件名像是“{school}”的，请确认是哪所学校的报表",
    "unidentified-unit": "{unit_label}“{unit}”不在学校名单中，文件名也看不出是哪所学校，请指定学校{do:assign}",
    "unidentified-blank": "没有填写{unit_label}，文件名也看不出是哪所学校，请指定学校{do:assign}",
    "document-two-schools": "文件名像是“{by_name}”的，但文中写的是“{by_text}”，请确认是哪所学校的材料{do:assign}",
    "document-no-school": "文件名和标题都看不出是哪所学校的材料，请指定学校{do:assign}",
    "document-no-material": "看得出是“{school}”的，但看不出是哪一项材料（如案例、报告），请指定材料{do:assign}",
    "not-a-collection": "{root} 不是收集文件夹（没有 {settings}）。{do:init}",
    "file-not-found": "没有找到文件“{ref}”。请用{do:listed-file}",
    "file-ambiguous": "“{ref}”对应多个文件，请写出完整路径{do:see-status}",
    "feedback-waiting": "{schools} 的报表待人工确认{do:status-why}，本次未生成反馈",
    "documents-exported": "各校报送的 {count} 份材料已按“所属单位-学校-材料”命名，放在 summary 文件夹的“{folder}”中，另有压缩包 {zip}",
    "summary-draft": "注意：本次汇总含未通过校验的学校数据，仅供参考。",
    "summary-check": "汇总数字未通过校验：{message}",
    "summary-locked": "汇总表 {name} 正在被其他程序打开，本次保存为 {new}",
    "feedback-locked": "反馈文件 {name} 正在被其他程序打开，本次保存为 {new}",
    "summary-renamed": "汇总表只能保存为 .xlsx 文件，已保存为 {new}",
    # --- what a summary covers, and why no upward version was written (``outputs.summary.coverage``) ---
    "coverage": "本表汇总 {included} {noun}（应报 {expected} {measure}{left_out}）{unchecked}",
    "coverage-left-out": "；{parts}",
    "coverage-missing": "未报 {n} {measure}",
    "coverage-returned": "退回修改中 {n} {measure}",
    "coverage-needs_review": "待确认 {n} {measure}",
    "coverage-exempt": "免报 {n} {measure}",
    "coverage-unchecked": "，含 {n} {noun}未经核实的提示数据",
    "upward-unconfirmed": "未生成上报版：已计入汇总的 {n} 所学校有尚未核实的提示（{schools}）。请与学校核实{do:confirm-warning}{do:despite-warnings}",
    "upward-draft": "本次汇总含未通过校验的学校数据，不能上报，未生成上报版",
    "upward-unsigned": "未生成上报版：请先设置本级{missing}{do:set-reporting}，再汇总一次",
    "upward-despite": "上报版含 {n} 所学校未经核实的提示数据（{schools}），表上已注明",
    "upward-stale": "上次生成的上报版已不是现在的数据，已改名为“{name}”，请勿报送",
    "problems-review-kept": "“{sheet}”中修改过的文字和顺序已沿用到本次汇总和上报版",
    "problems-review-stale": "各校所填的“{label}”有变化，已重新归纳，“{sheet}”中原来修改的文字未沿用，请重新核对",
    "cover-unconfirmed": "{n} 所已计入汇总的学校有尚未核实的提示：{schools}。请与学校核实{do:ask-schools}{do:confirm-warning}",
    "cover-other-files": "收到的文件中另有 {unidentified} 份未能确定是哪所学校、{unreadable} 个无法读取，均未计入汇总{do:see-files}",
    "cover-problems": "“{form_sheet}”中的“{label}”是程序按各校所填的文字自动归纳的（共归纳为 {n} 类，见“{sheet}”），报送前请核对：可在“{sheet}”中直接修改文字、学校数和顺序，保存后再汇总一次，上报版即用改后的文字",
    "cover-upward": "请报送“{name}”（与本文件在同一文件夹）：只有“{form_sheet}”一页，数字不含公式，不含学校名称、联系方式和校验问题",
    "cover-upward-detail": "请报送“{name}”（与本文件在同一文件夹）：“{form_sheet}”一页（数字不含公式），另附分校明细和分单位小计，不含学校的联系方式和校验问题",
}

# Rule ids of the engine's own findings, as a person reads them (a form names its own rules with
# ``name`` in its declaration). Ids appear only in JSON.
RULE_NAMES: dict[str, str] = {
    "not-a-number": "不是数字",
    "not-whole": "不是整数",
    "negative": "负数",
    "formula-error": "公式结果错误",
    "formula-unsupported": "公式没有结果",
    "not-a-date": "不是日期",
    "not-a-choice": "不是可选的选项",
    "not-found": "找不到该项",
    "form-not-found": "找不到表格",
    "wrong-form": "不是本次的表",
    "outlier": "数字明显偏大",
}


def rule_name(rule_id: str, form: Any = None) -> str:
    """A rule as a person reads it: the form's own name for it, the engine's, else the id."""
    declared = form.rule_name(rule_id) if form is not None and hasattr(form, "rule_name") else ""
    return declared or RULE_NAMES.get(rule_id, rule_id)


# What to do next, as each channel says it.
ACTIONS: dict[str, dict[str, str]] = {
    "assign": {"cli": "（dudao assign）", "window": "（选中这个文件，点击“指定学校…”）"},
    "init": {"cli": "请先运行 dudao init 建立", "window": "请点击“新建收集…”建立，或选择已有的收集文件夹"},
    "listed-file": {"cli": " dudao status 中列出的文件名", "window": "列表中的文件"},
    "see-status": {"cli": "（见 dudao status）", "window": ""},
    "status-why": {"cli": "（dudao status 查看原因）", "window": "（见学校列表）"},
    "confirm-warning": {
        "cli": "，核实后逐条记录（dudao confirm {root} 学校名称 提示名称 --note 核实情况），再汇总一次",
        "window": "，核实后在学校详情中确认这条提示（写明核实情况），再点“汇总”",
        "book": "，核实后在桌面程序的学校详情中确认这条提示（命令行为 confirm 命令），再汇总一次"},
    "despite-warnings": {"cli": "；核实后数据无误、来不及逐条记录的，可加 --despite-warnings 照样生成（表上会注明）",
                         "window": "", "book": ""},
    "set-reporting": {"cli": "（dudao settings {root} --reporter 张三 --phone 0722-1234567）",
                      "window": "（在“设置”中填写）", "book": "（在桌面程序的“设置”中填写，命令行为 settings 命令）"},
    "ask-schools": {"cli": "（dudao feedback {root} --warnings 写“请核对”的反馈）",
                    "window": "（生成反馈时包括“请核对”）",
                    "book": "（在桌面程序中生成包括“请核对”的反馈，命令行为 feedback 命令）"},
    "see-files": {"cli": "（见 dudao status {root}）", "window": "（见“待处理的文件”）",
                  "book": "（见桌面程序的“待处理的文件”，命令行为 status 命令）"},
}
CLI, WINDOW, BOOK = "cli", "window", "book"  # the channels a note is worded for (BOOK: inside a workbook)
_ACTION = re.compile(r"\{do:([\w-]+)\}")


@dataclass(frozen=True)
class Note:
    """Something the engine tells the clerk, kept as data until it is shown."""

    id: str
    values: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, note_id: str, **values: Any) -> "Note":
        if note_id not in MESSAGES:
            raise KeyError(f"no message {note_id!r} in the catalogue")
        return cls(note_id, tuple(values.items()))

    def render(self, channel: str = "cli") -> str:
        # A workbook says what the window says where it has no words of its own.
        template = _ACTION.sub(lambda m: ACTIONS[m.group(1)].get(channel, ACTIONS[m.group(1)][WINDOW]),
                               MESSAGES[self.id])
        try:
            return template.format(**dict(self.values))
        except (KeyError, IndexError):
            return template

    def __str__(self) -> str:
        return self.render("cli")

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "values": dict(self.values)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> "Note | None":
        """A stored note; a plain sentence (a ledger written before notes were typed) as itself."""
        if not text:
            return None
        try:
            data = json.loads(text)
            if isinstance(data, Mapping) and data.get("id") in MESSAGES:
                return cls(data["id"], tuple(dict(data.get("values", {})).items()))
        except ValueError:
            pass
        return cls.of("text", text=text)


def render(item: "Note | str | None", channel: str = CLI) -> str:
    """A note for ``channel``; a plain string as it is."""
    if item is None:
        return ""
    return item.render(channel) if isinstance(item, Note) else str(item)


def message(key: str, **values: object) -> str:
    """Fill a catalogue message; unknown placeholders are left visible rather than raising."""
    template = MESSAGES[key]
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template
