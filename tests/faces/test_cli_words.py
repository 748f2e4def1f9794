"""``dudao --help``, each sub-command's help and each usage error, as a clerk reads them: in
Chinese, every argument she types named in Chinese, and lined up in a console of 80 columns."""

from __future__ import annotations

import argparse
import re

import pytest

from aggregator.chinese_parser import chinese_error
from aggregator.cli import build_parser, main
from aggregator.console import columns

ARGPARSE_ENGLISH = ("usage", "positional arguments", "options", "optional arguments", "show this help",
                    "show program's version", "error:", "required", "invalid choice", "unrecognized", "expected")


def commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def help_of(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as stop:
        main([*args, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def test_the_main_help_is_chinese(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    text = help_of(capsys)
    assert text.startswith("用法：dudao [-h] [--version] 命令 ...\n")
    assert "\n位置参数：\n" in text and "\n选项：\n" in text
    assert "  -h, --help       显示帮助并退出\n" in text
    assert "  --version        显示版本号并退出\n" in text
    for english in ARGPARSE_ENGLISH:
        assert english not in text.lower()


@pytest.mark.parametrize("command", sorted(commands()))
def test_every_sub_command_speaks_chinese_and_fits_80_columns(capsys, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "80")
    text = help_of(capsys, command)
    assert text.startswith(f"用法：dudao {command} ")
    assert "\n选项：\n" in text and "显示帮助并退出" in text
    for english in ARGPARSE_ENGLISH:
        assert english not in text.lower(), english
    assert max(columns(line) for line in text.splitlines()) <= 80  # Chinese is two columns wide
    for action in commands()[command]._actions:  # every argument typed is named in Chinese
        if action.nargs != 0 and not (action.choices and action.option_strings):
            assert re.search(r"[\u4e00-\u9fff]", action.metavar or ""), (command, action.dest)


def test_arguments_are_named_for_what_they_are(capsys):
    parsers = commands()
    names = {command: [a.metavar for a in p._actions if not a.option_strings] for command, p in parsers.items()}
    assert names["status"] == ["收集文件夹"]
    assert names["init"] == ["收集文件夹"]
    assert names["collect"] == ["收集文件夹", "文件或文件夹"]
    assert names["confirm"] == ["收集文件夹", "学校", "提示名称"]
    assert names["check-form"] == ["表单声明文件"]
    assert names["school"] == ["收集文件夹", "操作", "名称"]
    text = help_of(capsys, "init")
    # the help column lines up by display width (a Chinese character is two columns)
    at = {line.split()[0]: columns(line[:line.index(line.split()[2])]) for line in text.splitlines()
          if line.startswith("  --") and len(line.split()) > 2}
    assert at["--roster"] == at["--deadline"] == at["--parents"] == columns("  --parents 上级名称    ")
    assert "  --roster 名单文件" in text and "  --parents 上级名称" in text and "  --previous 上期文件夹" in text


def test_help_wraps_chinese_by_columns_and_keeps_brackets_with_their_words(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    text = help_of(capsys, "init")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  --plan 计划"))
    indent = columns("  --parents 上级名称    ")  # argparse's help column (a longer option takes its own line)
    first, second = lines[start:start + 2]
    assert first.startswith("  --plan 计划 ") and columns(first) <= 80 and second.startswith(" " * indent + "（如 ")
    assert (first.split()[2] + second.strip()).startswith("一次收集多项材料（案例、报告、表格……）：自带计划的名称（如 ")


@pytest.mark.parametrize("args, said", [
    (["status"], "dudao status：错误：缺少必需的参数：收集文件夹"),
    (["confirm", "d"], "dudao confirm：错误：缺少必需的参数：学校, 提示名称"),
    (["school", "d", "rename", "x"], "dudao school：错误：参数 操作：无效的选择 'rename'（可选：'add', 'edit', 'remove'）"),
    (["stauts", "d"], "dudao：错误：参数 命令：无效的选择 'stauts'"),
    (["status", "d", "--colour"], "dudao：错误：无法识别的参数：--colour"),
    (["remark", "d", "", ""], 'dudao：错误：多写了空白的参数（""）'),  # a blank quoted twice: nothing to name
    (["remark", "d", "x", "--note"], "dudao remark：错误：参数 --note：后面需要写一个值"),
])
def test_a_mistyped_command_is_told_in_chinese(capsys, args, said):
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法：dudao")
    assert said in err


def test_an_unknown_argparse_message_is_kept_whole():
    assert chinese_error("something new") == "something new"
    assert chinese_error("argument --x: something new") == "参数 --x：something new"
