"""What a frozen bundle does differently from a source run, checked from the source tree: where
the forms are found, how reading workers are started, what each entry point does first, and the
window's one-picture mode. The bundle itself is run by test_bundle.py."""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

import pytest

from aggregator import resources
from aggregator.collection.intake import pool
from desktop import app as desktop_app
from desktop_fixtures import *  # noqa: F403 - demo, qapp and friends

PACKAGING = ROOT / "packaging"  # noqa: F405


def test_from_source_the_forms_are_beside_the_code():
    assert resources.root() == ROOT  # noqa: F405
    assert (resources.TEMPLATES_DIR / "annex5_2023.toml").is_file()


def test_frozen_the_forms_are_in_the_bundle_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.frozen() and resources.root() == tmp_path


@pytest.mark.parametrize("threads", [1, 2])
def test_a_frozen_program_always_spawns_its_readers(monkeypatch, threads):
    """Frozen, the pool spawns on Linux too (as dudao.exe must on Windows), also with one thread,
    where a source run forks."""
    monkeypatch.setattr(pool.threading, "active_count", lambda: threads)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert pool.start_method().get_start_method() == "spawn"
    monkeypatch.setattr(sys, "frozen", False)
    if sys.platform.startswith("linux") and threads == 1:
        assert pool.start_method().get_start_method() == "fork"


@pytest.mark.parametrize("script", ["dudao_cli.py", "dudao_gui.py"])
def test_each_entry_point_calls_freeze_support_before_importing_the_program(script):
    """A spawned reading worker is the program started again: it must become a worker before the
    CLI or the window is imported, let alone run."""
    tree = ast.parse((PACKAGING / script).read_text(encoding="utf-8"))
    main = next(n for n in tree.body if isinstance(n, ast.If) and "__main__" in ast.unparse(n.test))
    first = ast.unparse(main.body[0])
    assert first == "multiprocessing.freeze_support()"
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert {n.module for n in imports} <= {"aggregator.cli", "desktop.app"}
    assert all(n in ast.walk(main) for n in imports)  # imported only under __main__, after it


def test_the_spec_carries_the_forms_and_names_both_programs():
    spec = (PACKAGING / "dudao.spec").read_text(encoding="utf-8")
    assert '"excel_templates"' in spec and "dudao_cli.py" in spec and "dudao_gui.py" in spec
    assert '"dudao"' in spec and '"dudao-gui"' in spec
    assert (PACKAGING / "dudao.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"  # an icon file


def test_the_window_saves_one_picture_of_a_collection_and_exits(qapp, demo, tmp_path, capsys):
    target = tmp_path / "窗口 截图"
    assert desktop_app.main(["dudao-gui", str(demo), "--screenshot", str(target)]) == 0
    saved = target.with_name("窗口 截图.png")
    head = saved.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (1366, 728)
    assert capsys.readouterr().out.strip() == str(saved)


def test_a_screenshot_of_a_folder_that_is_no_collection_says_why(qapp, tmp_path, capsys):
    assert desktop_app.main(["dudao-gui", str(tmp_path), "--screenshot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "Traceback" not in err
    assert not (tmp_path / "x.png").exists()
    assert desktop_app.main(["dudao-gui", str(tmp_path / "无"), "--screenshot", str(tmp_path / "x.png")]) == 2
    assert "找不到文件夹" in capsys.readouterr().err

