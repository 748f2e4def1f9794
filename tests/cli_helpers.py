"""Driving ``dudao`` in-process as a clerk would, on a small roster of six schools.

Shared by the collection, hostile-input and scale tests; the fixtures over these live in
``conftest.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from aggregator.cli import main
from aggregator.demo import put_received

ROSTER = """学校名称,学段,所属单位,联系人,联系电话,邮箱
曾都区实验小学,小学,区直学校,王丽,13872301001,syxx@zdedu.example
曾都区实验中学,初中,区直学校,黄伟,13872301008,syzx@zdedu.example
曾都区文峰学校,九年一贯制,区直学校,徐涛,13872301011,wfxx@zdedu.example
万店镇中心小学,小学,万店镇中心学校,朱红,13872302001,wdzx@zdedu.example
万店镇初级中学,初中,万店镇中心学校,胡斌,13872302002,
何店镇白龙小学,小学,何店镇中心学校,罗刚,13872303003,hdbl@zdedu.example
"""
SCHOOLS = [line.split(",") for line in ROSTER.strip().splitlines()[1:]]


def dudao(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def status_json(capsys, folder) -> dict:
    code, out, _ = dudao(capsys, "status", folder, "--json")
    assert code == 0
    return json.loads(out)


def states(capsys, folder) -> dict[str, str]:
    return {s["name"]: s["status"] for s in status_json(capsys, folder)["schools"]}


def put(path: Path, data: bytes, when: str = "2023-11-15T10:00:00") -> Path:
    """A received file, with the time it was downloaded."""
    return put_received(path, data, when)


def issued(folder: Path, name: str) -> Path:
    return folder / "outbox" / f"附件5-{name}.xlsx"
