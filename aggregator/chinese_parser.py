"""argparse in Chinese: ``dudao --help``, every sub-command's help and every usage error.

argparse writes its own words (usage, positional arguments, options, "show this help message
and exit", "the following arguments are required") through gettext, which no catalogue
translates for us. Rather than touch each ``add_argument`` line, a parser class and a help
formatter say them in Chinese, and ``name_arguments`` walks a built parser and names every
argument the clerk types (``dir`` → 收集文件夹, ``--roster ROSTER`` → ``--roster 名单文件``) by its
``dest``, so a command added later is named too (by the fallback, 值, until the table knows it).

The formatter lines help up by display width (a Chinese character takes two columns), and wraps
it by display width too: argparse counts characters, so Chinese help ran past the terminal.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

from .console import columns

USAGE = "用法："
POSITIONALS = "位置参数"
OPTIONS = "选项"
HELP = "显示帮助并退出"
VERSION = "显示版本号并退出"

# What the clerk types, by dest: (metavar, help when the parser gives none).
NAMES: dict[str, tuple[str, str]] = {
    "dir": ("收集文件夹", "本次收集的文件夹（dudao init 建立的那个）"),
    "paths": ("文件或文件夹", ""),
    "file": ("文件名", ""),
    "school": ("学校", ""),
    "rule": ("提示名称", ""),
    "name": ("名称", ""),
    "action": ("操作", "add 增加、edit 修改、remove 移除"),
    "roster": ("名单文件", ""),
    "deadline": ("日期", ""),
    "form": ("表单", ""),
    "plan": ("计划", ""),
    "unit": ("单位", ""),
    "reporter": ("姓名", ""),
    "phone": ("电话", ""),
    "note": ("说明", ""),
    "material": ("材料", ""),
    "new_name": ("新名称", ""),
    "stage": ("学段", ""),
    "parent": ("所属单位", ""),
    "contact": ("联系人", ""),
    "email": ("邮箱", ""),
    "kind": ("学校类型", ""),
    "watch": ("文件夹", ""),
    "mail_host": ("服务器", ""),
    "mail_port": ("端口", ""),
    "mail_user": ("账号", ""),
    "mail_sender": ("地址", ""),
    "out": ("文件", ""),
    "resubmit_by": ("日期", ""),
    "resubmit_days": ("天数", ""),
    "parents": ("上级名称", ""),
    "previous": ("上期文件夹", ""),
    "previous_names": ("对照表", ""),
    "prefix": ("编号前缀", ""),
    "target": ("清单或编号", ""),
    "problem": ("问题", ""),
    "requirement": ("整改要求", ""),
    "due": ("日期", ""),
    "json": ("", "以 JSON 格式输出（供脚本读取）"),
}
# The same dest where one command means something else by it: (command, dest) -> (metavar, help).
IN_COMMAND: dict[tuple[str, str], tuple[str, str]] = {
    ("init", "dir"): ("收集文件夹", "要建立的收集文件夹（一个新的或空的文件夹）"),
    ("demo", "dir"): ("收集文件夹", "演示用的收集文件夹"),
    ("check-form", "file"): ("表单声明文件", "自己编写的表单声明 .toml 文件"),
    ("roster-template", "file"): ("保存为", "名单模板保存的位置"),
}
VALUE = "值"
CLOSING = "，。、；：！？）》」』”’…"  # never at the start of a wrapped line
OPENING = "（《「『“‘"  # never at its end  # an option that takes a value the tables do not know yet

# argparse's error messages (Python 3.11) and ours: the English one as a pattern, the Chinese
# one as a template of the pattern's groups. Anything else is shown as it came, after 错误：.
ERRORS: tuple[tuple[str, str], ...] = (
    (r"argument (?P<name>.+?): (?P<inner>.+)", "参数 {name}：{inner}"),
    (r"the following arguments are required: (?P<names>.+)", "缺少必需的参数：{names}"),
    (r"unrecognized arguments: (?P<names>.*\S.*)", "无法识别的参数：{names}"),
    (r"unrecognized arguments: \s*", "多写了空白的参数（\"\"）"),
    (r"invalid choice: (?P<value>.+) \(choose from (?P<choices>.+)\)", "无效的选择 {value}（可选：{choices}）"),
    (r"expected one argument", "后面需要写一个值"),
    (r"expected at most one argument", "后面最多写一个值"),
    (r"expected at least one argument", "后面至少需要写一个值"),
    (r"expected (?P<n>\d+) arguments?", "后面需要写 {n} 个值"),
    (r"not allowed with argument (?P<name>.+)", "不能与参数 {name} 同时使用"),
    (r"ignored explicit argument (?P<value>.+)", "不需要写值（多写了 {value}）"),
    (r"one of the arguments (?P<names>.+) is required", "参数 {names} 中必须写一个"),
    (r"ambiguous option: (?P<option>.+) could match (?P<matches>.+)", "选项 {option} 不明确，可能是：{matches}"),
    (r"invalid (?P<type>\S+) value: (?P<value>.+)", "无效的值 {value}"),
    (r"unexpected option string: (?P<option>.+)", "多余的选项 {option}"),
)
_ERRORS = tuple((re.compile(pattern, re.DOTALL), chinese) for pattern, chinese in ERRORS)


def chinese_error(message: str) -> str:
    """argparse's error ``message`` in Chinese (the part it quotes from the command line kept)."""
    for pattern, chinese in _ERRORS:
        found = pattern.fullmatch(message)
        if found:
            parts = found.groupdict()
            if "inner" in parts:
                parts["inner"] = chinese_error(parts["inner"])
            return chinese.format(**parts)
    return message


class ChineseFormatter(argparse.HelpFormatter):
    """argparse's formatter, saying 用法 and lining help up and wrapping it by display width."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, USAGE if prefix is None else prefix)

    def add_argument(self, action: argparse.Action) -> None:
        if action.help is argparse.SUPPRESS:
            return
        invocations = [self._format_action_invocation(action)]
        invocations += [self._format_action_invocation(sub) for sub in self._iter_indented_subactions(action)]
        self._action_max_length = max(self._action_max_length,
                                      max(map(columns, invocations)) + self._current_indent)
        self._add_item(self._format_action, [action])

    def _format_action(self, action: argparse.Action) -> str:
        """As argparse's own, with the width of the invocation in columns, not characters."""
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        if not action.help:
            parts, first = [f"{indent}{header}\n"], 0
        elif columns(header) <= action_width:
            parts, first = [f"{indent}{header}{' ' * (action_width - columns(header))}  "], 0
        else:
            parts, first = [f"{indent}{header}\n"], help_position
        text = self._expand_help(action) if action.help and action.help.strip() else ""
        if text:
            lines = self._split_lines(text, help_width)
            parts.append(" " * first + lines[0] + "\n")
            parts += [" " * help_position + line + "\n" for line in lines[1:]]
        elif not parts[0].endswith("\n"):
            parts.append("\n")
        parts += [self._format_action(sub) for sub in self._iter_indented_subactions(action)]
        return self._join_parts(parts)

    def _format_usage(self, usage, actions, groups, prefix) -> str:
        """argparse wraps the usage by characters: narrowed until its lines fit in columns."""
        width = self._width
        try:
            while True:
                text = super()._format_usage(usage, actions, groups, prefix)
                if self._width <= 40 or max(map(columns, text.splitlines())) <= width:
                    return text
                self._width -= 4
        finally:
            self._width = width

    def _split_lines(self, text: str, width: int) -> list[str]:
        """Wrapped at ``width`` columns: between words, or anywhere between Chinese characters
        but before a closing mark (，。）…) or after an opening one (（“…), as Chinese is set."""
        lines, line = [], ""
        for token in re.findall(r"[\x21-\x7e]+|\s+|.", self._whitespace_matcher.sub(" ", text).strip()):
            if line and columns(line.rstrip()) + columns(token.rstrip()) > width and not token.isspace() \
                    and token not in CLOSING:
                line = line.rstrip()
                kept = line[-1] if line[-1] in OPENING and len(line) > 1 else ""  # goes with what it opens
                lines.append(line[: len(line) - len(kept)])
                line = kept
            if line or not token.isspace():
                line += token
        return lines + [line.rstrip()] if line.strip() else lines


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose headings, help entries and errors are Chinese; its sub-commands'
    parsers are of this class too (argparse makes them of the parent's class)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", ChineseFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = POSITIONALS
        self._optionals.title = OPTIONS
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = HELP

    def format_help(self) -> str:
        text = super().format_help()  # argparse puts an ASCII colon after each heading
        return text.replace(f"\n{POSITIONALS}:\n", f"\n{POSITIONALS}：\n").replace(f"\n{OPTIONS}:\n", f"\n{OPTIONS}：\n")

    def add_argument(self, *args, **kwargs) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        if isinstance(action, argparse._VersionAction) and "help" not in kwargs:
            action.help = VERSION
        return action

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{chinese_error(message)}\n")


def name_arguments(parser: argparse.ArgumentParser, command: str = "") -> argparse.ArgumentParser:
    """Give every argument of ``parser`` and of its sub-commands that the clerk types a Chinese
    name (``NAMES``), and a help line where it has none; names given in the code are kept."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                name_arguments(sub, name)
            continue
        if action.nargs == 0 or action.help is argparse.SUPPRESS:
            if action.help is None and action.dest in NAMES:
                action.help = NAMES[action.dest][1] or None
            continue
        metavar, text = IN_COMMAND.get((command, action.dest)) or NAMES.get(action.dest, (VALUE, ""))
        if action.metavar is None and not (action.choices and action.option_strings):
            action.metavar = metavar or VALUE
        if action.help is None and text:
            action.help = text
    return parser
