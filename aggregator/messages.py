"""The catalogue of the engine's own Chinese messages, keyed by a stable id.

Form rules carry their messages in the form's declaration; everything the engine itself says
about a file or a cell (it could not read it, it changed it) lives here, so wording is reviewed
in one place and an English catalogue could sit beside it later.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # --- cells the reader could not take as they are (rule ids of findings) ---
    "not-a-number": "{cell} {label}填的是“{raw}”，不是数字，请只填写阿拉伯数字（如 3）",
    "not-whole": "{cell} {label}填的是 {raw}，应为整数，请改为整数",
    "negative": "{cell} {label}填的是 {raw}，不能为负数，请改为 0 或正整数",
    "formula-error": "{cell} {label}的公式结果是错误值“{raw}”，请直接填写数字",
    "formula-unsupported": "{cell} {label}是公式“{raw}”，且文件中没有保存计算结果，请在 Excel/WPS 中打开后保存一次，或直接填写数字",
    "not-found": "表中找不到“{label}”这一项，请使用下发的原表填写，不要删除或改动表格中的文字",
    "form-not-found": "文件中找不到《{title}》的表格，请使用下发的原表填写后报送",
    "wrong-form": "这份文件是“{found}”，不是本次要报的《{title}》，请核对附件",
    # --- notes on values the reader normalised (info level) ---
    "blank-as-zero": "{cell} {label}未填写，按 0 计",
    "text-number": "{cell} {label}是文本格式的数字“{raw}”，按 {value} 计",
    "full-width": "{cell} {label}含全角数字“{raw}”，按 {value} 计",
    "unit-suffix": "{cell} {label}填的是“{raw}”，按 {value} 计",
    "whole-float": "{cell} {label}填的是 {raw}，按 {value} 计",
    "trimmed": "{cell} {label}前后有空格，已去掉",
    "formula-computed": "{cell} {label}是公式“{raw}”，文件中没有计算结果，已按公式算得 {value}",
    # --- files that could not be read at all (collect's "unreadable" reasons) ---
    "empty-file": "文件是空的（0 字节），可能没有下载完整，请让学校重新发送",
    "corrupt": "文件已损坏，无法打开（{detail}），请让学校重新保存后发送",
    "encrypted": "文件设置了打开密码，无法读取，请让学校取消密码后重新发送",
    "not-spreadsheet": "这不是 Excel 表格文件（看起来是 {kind}），请让学校发送填好的 Excel 表",
    "oversized": "文件过大（{size}），不像是本表，为安全起见未打开，请核对",
    "zip-bomb": "文件解压后异常巨大（{size}），为安全起见未打开，请让学校重新保存后发送",
    "unsafe-xml": "文件内容含有不安全的结构，为安全起见未打开，请让学校用 Excel/WPS 重新保存后发送",
    "too-many-cells": "文件中的数据量异常（{detail}），不像是本表，为安全起见未读取",
}


def message(key: str, **values: object) -> str:
    """Fill a catalogue message; unknown placeholders are left visible rather than raising."""
    template = MESSAGES[key]
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template
