"""The engine's parts the desktop stands on: the mail password's keeping, the test mail, the
corrected copy (修改后收取), the overview's tallies, the watched folders and the roster template.
Each through the CLI where a clerk can reach it there too."""

from __future__ import annotations

import email
import email.policy
import os
import time
from dataclasses import replace
from pathlib import Path

from aggregator.progress import run as drive
from aggregator.collection.clerk.corrected import MARK, collect_corrected, pending_copy, working_copy
from aggregator.collection.store.credentials import SERVICE, account
from aggregator.collection.store.folder import CollectionError, open_collection
from aggregator.collection.store.roster import load_roster, template_bytes
from aggregator.collection.views.status import overview
from aggregator.collection.views.tally import by_unit, main_fields, totals
from aggregator.collection.intake.watched import new_files
from aggregator.demo import fill_workbook
from aggregator.progress import Cancel
from cli_helpers import SCHOOLS, dudao, issued, put, states, status_json
from mail_fixtures import PASSWORD, memory_keyring, no_keyring, smtp_server  # noqa: F401 - fixtures

import pytest


def mail_settings(capsys, col_dir, port) -> None:
    code, _, err = dudao(capsys, "settings", col_dir, "--mail-host", "127.0.0.1", "--mail-port", port,
                         "--mail-tls", "none", "--mail-user", "jyj@example.com")
    assert code == 0, err


# --- the password --------------------------------------------------------------------------------


def test_the_password_goes_to_the_credential_store_never_the_settings_file(capsys, col_dir, memory_keyring):
    mail_settings(capsys, col_dir, 2525)
    code, out, _ = dudao(capsys, "settings", col_dir, "--mail-password", PASSWORD)
    assert code == 0 and "已保存邮箱密码" in out
    assert PASSWORD not in (col_dir / "收集设置.toml").read_text(encoding="utf-8")
    assert memory_keyring.kept == {(SERVICE, "jyj@example.com@127.0.0.1"): PASSWORD}
    with open_collection(col_dir) as col:
        assert col.mail()["smtp_password"] == PASSWORD
        assert account(col.settings.mail) == "jyj@example.com@127.0.0.1"
    assert "密码 已保存" in dudao(capsys, "settings", col_dir)[1]
    assert dudao(capsys, "settings", col_dir, "--forget-mail-password")[0] == 0
    assert memory_keyring.kept == {}


def test_without_a_credential_store_saving_says_what_to_do_instead(capsys, col_dir, no_keyring, monkeypatch):
    mail_settings(capsys, col_dir, 2525)
    code, _, err = dudao(capsys, "settings", col_dir, "--mail-password", PASSWORD)
    assert code == 2 and "凭据管理器" in err and "DUDAO_SMTP_PASSWORD" in err
    monkeypatch.setenv("DUDAO_SMTP_PASSWORD", PASSWORD)
    with open_collection(col_dir) as col:
        assert col.mail()["smtp_password"] == PASSWORD


def test_a_test_mail_logs_in_with_the_stored_password(capsys, col_dir, memory_keyring, smtp_server):
    inbox, port = smtp_server
    mail_settings(capsys, col_dir, port)
    code, _, err = dudao(capsys, "settings", col_dir, "--test-mail")
    assert code == 2 and "还没有保存邮箱密码" in err and not inbox.logins  # said before connecting
    assert "全角" in dudao(capsys, "settings", col_dir, "--mail-password", "授权码")[2]
    dudao(capsys, "settings", col_dir, "--mail-password", PASSWORD)
    code, out, err = dudao(capsys, "settings", col_dir, "--test-mail")
    assert code == 0, err
    assert "测试邮件已发到 jyj@example.com" in out
    assert inbox.logins[-1] == ("jyj@example.com", PASSWORD)
    (sender, to, content), = inbox.received
    msg = email.message_from_bytes(content, policy=email.policy.default)
    assert to == ["jyj@example.com"] and "测试邮件" in msg["Subject"] and msg["X-Unsent"] is None


# --- 修改后收取 --------------------------------------------------------------------------------------


def test_a_corrected_copy_is_collected_as_a_new_version_marked_as_ours(capsys, col_dir, school_values):
    name = SCHOOLS[0][0]
    bad = dict(school_values[name], **{"inspectors.total": 99})
    put(col_dir / "inbox" / "实验小学.xlsx", fill_workbook(issued(col_dir, name), form_of(col_dir), bad))
    dudao(capsys, "collect", col_dir)
    assert states(capsys, col_dir)[name] == "returned"
    with open_collection(col_dir) as col:
        copy = working_copy(col, name)
        assert pending_copy(col_dir, name) == copy and MARK in copy.name
        with pytest.raises(CollectionError) as refused:
            drive(collect_corrected(col, name))
        assert refused.value.render("window") == ("修改后的表还没有保存过：请在 Excel 或 WPS 中改好并保存（Ctrl+S），"
                                                  "再点“收取修改后的表”")
        copy.write_bytes(fill_workbook(issued(col_dir, name), col.form, school_values[name]))  # saved in Excel
        drive(collect_corrected(col, name, cancel=Cancel()))
        assert pending_copy(col_dir, name) is None and (col_dir / "corrections" / "已收取").is_dir()
    school = next(s for s in status_json(capsys, col_dir)["schools"] if s["name"] == name)
    assert school["status"] == "accepted" and school["version"] == 2
    assert [d["label"] for d in school["decisions"]] == [MARK]
    assert school["received_at"] == "2023-11-15T10:00:00"  # still the school's own time: not late
    assert MARK in dudao(capsys, "status", col_dir)[1]


def form_of(col_dir):
    with open_collection(col_dir) as col:
        return col.form


# --- the overview's tallies ----------------------------------------------------------------------


def test_progress_by_unit_and_the_main_totals(capsys, col_dir, school_values):
    for name in (SCHOOLS[0][0], SCHOOLS[3][0]):
        put(col_dir / "inbox" / f"{name}.xlsx", fill_workbook(issued(col_dir, name), form_of(col_dir),
                                                               school_values[name]))
    dudao(capsys, "collect", col_dir)
    dudao(capsys, "exempt", col_dir, SCHOOLS[4][0], "--note", "已撤并")
    with open_collection(col_dir) as col:
        ov = overview(col)
        units = {u.unit: (u.reported, u.expected, u.passed) for u in by_unit(ov)}
        assert units == {"区直学校": (1, 3, 1), "万店镇中心学校": (1, 1, 1), "何店镇中心学校": (0, 1, 0)}
        fields = main_fields(col.form)
        assert [f.id for f in fields][:2] == ["training_orgs.total", "inspectors.total"]
        got = {t.field.id: t.value for t in totals(col.form, ov, col.ledger)}
        want = school_values[SCHOOLS[0][0]]["inspectors.total"] + school_values[SCHOOLS[3][0]]["inspectors.total"]
        assert got["inspectors.total"] == want


# --- watched folders -----------------------------------------------------------------------------


def test_from_a_download_folder_only_new_files_of_this_collection_are_taken(capsys, col_dir, school_values, tmp_path):
    wechat = tmp_path / "WeChat Files" / "File"
    old = put(wechat / "2023-10" / "附件5-去年的.xlsx", b"old")  # there before the folder was watched
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    dudao(capsys, "settings", col_dir, "--watch", wechat)
    with open_collection(col_dir) as col:
        assert new_files(col, [wechat]) == []  # the first look only notes the time
        name = SCHOOLS[1][0]
        mine = wechat / "2023-11" / "附件5(1).xlsx"
        mine.parent.mkdir(parents=True)
        mine.write_bytes(fill_workbook(issued(col_dir, name), col.form, school_values[name]))
        renamed = wechat / "2023-11" / "下载.xlsx"  # no telling name: the issued workbook's id says
        renamed.write_bytes(fill_workbook(issued(col_dir, SCHOOLS[2][0]), col.form, school_values[SCHOOLS[2][0]]))
        (wechat / "2023-11" / "通知.docx").write_bytes(b"PK")
        (wechat / "2023-11" / "照片.jpg").write_bytes(b"\xff\xd8")
        (wechat / "2023-11" / "别的表.xlsx").write_bytes(b"PK")
        assert sorted(p.name for p in new_files(col, [wechat])) == ["下载.xlsx", "附件5(1).xlsx"]
        from aggregator.collection.intake.watched import collect_watched

        res = drive(collect_watched(col))
        assert len(res.new_returns) == 2
        assert new_files(col, [wechat]) == []  # taken: not again
    assert states(capsys, col_dir)[SCHOOLS[1][0]] == "accepted"


# --- the roster template -------------------------------------------------------------------------


def test_the_roster_template_reads_back_as_a_roster(capsys, tmp_path):
    path = tmp_path / "名单模板.xlsx"
    path.write_bytes(template_bytes())
    with pytest.raises(Exception, match="没有任何学校"):
        load_roster(path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active.append(["曾都区实验小学", "小学", "区直学校", "王丽", "13872301001", "a@b.cn", ""])
    wb.save(path)
    assert [s.name for s in load_roster(path)] == ["曾都区实验小学"]
    code, out, _ = dudao(capsys, "roster-template", tmp_path / "模板")
    assert code == 0 and (tmp_path / "模板.xlsx").is_file()


def test_a_word_file_as_roster_is_refused_in_chinese(tmp_path):
    doc = tmp_path / "名单.docx"
    doc.write_bytes(b"PK\x03\x04")
    with pytest.raises(Exception) as info:
        load_roster(doc)
    assert "不是表格文件" in str(info.value) and "Cannot" not in str(info.value)
