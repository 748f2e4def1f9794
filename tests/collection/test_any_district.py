"""Any district: the code knows none. The collection's own name and the levels above it, kept in
its settings, are what schools may write before their names; without a name there is no collection.
"""

from __future__ import annotations

import random

import pytest

from aggregator.collection.store.folder import open_collection
from aggregator.demo import retyped_workbook, sample_values
from aggregator.form.parse import load_form
from cli_helpers import dudao, put, status_json

FORM = load_form()
GUANGSHUI = """学校名称,学段,所属单位,联系人,联系电话,邮箱
十里街道中心小学,小学,十里街道中心学校,陈红,13872311001,
长岭镇中心学校,九年一贯制,长岭镇中心学校,李强,13872311002,
广水市实验小学,小学,市直学校,王芳,13872311003,
"""
# What schools of 广水市 type in 填报单位: the city and province before the name, the town's
# 镇/街道 left out of a 中心学校, spaces.
TYPED = {
    "十里街道中心小学": "湖北省随州市广水市十里街道中心小学",
    "长岭镇中心学校": "广水 长岭中心学校",
    "广水市实验小学": "随州市广水市实验小学",
}


@pytest.fixture
def guangshui(tmp_path, capsys):
    roster = tmp_path / "广水市名单.csv"
    roster.write_text(GUANGSHUI, encoding="utf-8")
    folder = tmp_path / "广水市双减"
    code, out, err = dudao(capsys, "init", folder, "--roster", roster, "--name", "广水市", "--parents", "湖北省,随州市",
                           "--deadline", "2023-11-20")
    assert code == 0, err
    return folder


def test_a_collection_named_guangshui_recognises_its_prefixed_returns(guangshui, capsys):
    rng = random.Random(3)
    stages = {line.split(",")[0]: line.split(",")[1] for line in GUANGSHUI.strip().splitlines()[1:]}
    for i, (name, typed) in enumerate(TYPED.items()):
        values = sample_values(rng, stages[name], typed, "老师", "13800000000")
        put(guangshui / "inbox" / f"附件5({i + 1}).xlsx", retyped_workbook(FORM, values))  # no name in the file's
    assert dudao(capsys, "collect", guangshui)[0] == 0
    data = status_json(capsys, guangshui)
    assert {s["name"]: s["status"] != "missing" for s in data["schools"]} == dict.fromkeys(TYPED, True)
    assert data["unidentified"] == []


def test_the_levels_are_kept_in_the_settings_and_can_be_changed(guangshui, capsys):
    with open_collection(guangshui) as col:
        assert (col.settings.name, col.settings.parents) == ("广水市", ("湖北省", "随州市"))
    code, out, _ = dudao(capsys, "settings", guangshui, "--parents", "湖北省、随州市、随州市")
    assert code == 0 and "本级名称：广水市（上级：湖北省、随州市）" in out
    text = (guangshui / "收集设置.toml").read_text(encoding="utf-8")
    assert 'parents = ["湖北省", "随州市"]' in text


def test_init_without_a_name_is_refused_in_chinese(tmp_path, capsys):
    roster = tmp_path / "r.csv"
    roster.write_text(GUANGSHUI, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        dudao(capsys, "init", tmp_path / "c", "--roster", roster)
    assert exit_.value.code == 2 and not (tmp_path / "c").exists()
    assert "--name" in capsys.readouterr().err


def test_a_blank_name_is_refused_with_the_fix(tmp_path, capsys):
    roster = tmp_path / "r.csv"
    roster.write_text(GUANGSHUI, encoding="utf-8")
    code, _, err = dudao(capsys, "init", tmp_path / "c", "--roster", roster, "--name", "  ")
    assert code == 2 and not (tmp_path / "c").exists()
    assert err.strip() == ("错误：请写明本级名称（如“某某区”“某某市”），它会出现在每一份下发的表、给学校的信和汇总表上："
                           "dudao init 文件夹 --roster 名单 --name 某某区")


def test_a_title_without_a_district_names_none():
    assert FORM.title() == FORM.title("")
    assert "曾都" not in FORM.title() and FORM.title("广水市").startswith("广水市")
