"""Every file name we write is valid on Windows, whatever a school is called."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.filenames import MAX_NAME, MAX_PATH, fit, safe_file_name

WINDOWS_FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def valid_on_windows(name: str) -> bool:
    stem = name.split(".")[0].upper()
    return (bool(name) and not (set(name) & WINDOWS_FORBIDDEN) and not name.endswith((" ", "."))
            and stem not in RESERVED and len(name) <= 255)


def test_examples():
    assert safe_file_name('实验小学<分校>:"一"') == "实验小学_分校___一_"
    assert safe_file_name("CON") == "_CON" and safe_file_name("nul.txt") == "_nul.txt"
    assert safe_file_name("  学校. ") == "学校" and safe_file_name("...") == "文件"
    long = "曾都区" + "某" * 300 + "中心小学"
    assert len(safe_file_name(long)) == MAX_NAME and safe_file_name(long).endswith("中心小学")


@settings(max_examples=500)
@given(st.text(min_size=0, max_size=400))
def test_any_unicode_name_becomes_a_valid_windows_name(name):
    assert valid_on_windows(safe_file_name(name))


@settings(max_examples=300)
@given(st.lists(st.text(min_size=1, max_size=300), min_size=1, max_size=8),
       st.sampled_from(["C:\\Users\\办公室\\Documents\\曾都区双减\\feedback", "/home/x/" + "深" * 150]))
def test_paths_fit_and_twins_are_told_apart(names, folder):
    taken: set[str] = set()
    paths = [fit(Path(folder), name, ".xlsx", taken) for name in names]
    assert all(len(str(p)) <= MAX_PATH + 4 and valid_on_windows(p.name) for p in paths)
    assert len({p.name.lower() for p in paths}) == len(paths)
