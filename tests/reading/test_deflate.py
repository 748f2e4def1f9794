"""The engine inflates and deflates with zlib-ng where its wheel is installed (``aggregator.deflate``)
and with the standard zlib elsewhere: the same returns read the same either way, a damaged stream is
a damaged file either way, and a copy deflated by either opens in any zip reader."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from aggregator import deflate
from aggregator.demo import fill_workbook
from aggregator.form.parse import load_form
from aggregator.reading import UnreadableFile, read_return

FORM = load_form()

# Reads each path given and prints what was read, one JSON line each: in a fresh process, so that
# ``deflate`` is imported there with or without zlib-ng.
READ = """
import json, sys
if sys.argv[1] == "standard":
    sys.modules["zlib_ng"] = None  # as on a platform without its wheel
from aggregator import deflate
from aggregator.form.parse import load_form
from aggregator.reading import UnreadableFile, read_return
print(deflate.zlib.__name__)
for path in sys.argv[2:]:
    try:
        sub = read_return(path, load_form())
        print(json.dumps([sorted((k, repr(v)) for k, v in sub.values.items()), repr(sub.findings)], ensure_ascii=False))
    except UnreadableFile as exc:
        print(json.dumps(["unreadable", exc.kind], ensure_ascii=False))
"""


def _read_in_a_process(which: str, paths: list[Path]) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", READ, which, *map(str, paths)], capture_output=True, text=True,
                         encoding="utf-8", env=env, check=True)
    return out.stdout.splitlines()


def _damaged(data: bytes, member: str) -> bytes:
    """``data`` with the deflated bytes of ``member`` overwritten in the middle, sizes unchanged."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    head = info.header_offset + 30 + len(info.filename.encode("utf-8")) + len(info.extra)
    middle = head + info.compress_size // 2
    return data[:middle] + b"\xff" * 8 + data[middle + 8:]


@pytest.fixture
def returns(tmp_path, col_dir, school_values) -> list[Path]:
    """Each school's return, and one whose form sheet's deflated bytes are damaged."""
    paths = []
    for name, values in school_values.items():
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(fill_workbook(col_dir / "outbox" / f"附件5-{name}.xlsx", FORM, values))
        paths.append(path)
    broken = tmp_path / "损坏.xlsx"
    broken.write_bytes(_damaged(paths[0].read_bytes(), "xl/worksheets/sheet1.xml"))
    return [*paths, broken]


def test_returns_read_the_same_with_zlib_ng_and_with_the_standard_zlib(returns):
    fast, standard = _read_in_a_process("fast", returns), _read_in_a_process("standard", returns)
    assert standard[0] == "zlib"
    assert fast[0] == "zlib_ng.zlib_ng"  # a dependency (pyproject.toml), on every platform with its wheel
    assert fast[1:] == standard[1:]
    assert json.loads(fast[-1]) == ["unreadable", "corrupt"]
    assert all(json.loads(line)[0] != "unreadable" for line in fast[1:-1])


def test_a_damaged_stream_is_a_damaged_file_whichever_zlib_raised(returns):
    """zlib-ng raises its own error class: ``deflate.ERRORS`` holds both, so it is never a crash."""
    with pytest.raises(UnreadableFile) as caught:
        read_return(returns[-1], FORM)
    assert caught.value.kind == "corrupt"
    assert deflate.zlib.error in deflate.ERRORS and len(deflate.ERRORS) in (1, 2)


def test_a_copy_deflated_by_the_engine_opens_in_zipfile(col_dir):
    """The issued copies are deflated by ``deflate.zlib``: the standard zip reader checks them."""
    issued = sorted((col_dir / "outbox").glob("*.xlsx"))
    assert issued
    for path in issued:
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None
