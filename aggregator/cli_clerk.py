"""The clerk's own decisions from the command line: whose a file is, overrules, the roster,
settings, and the roster template. Parsed in ``cli``; each returns the exit status.

Every sentence said here comes from the session (``said``, the catalogue), worded for the command line.
"""

from __future__ import annotations

import argparse

from .console import out
from .session import School, open_session, render, rule_name, said, save_roster_template


def cmd_assign(a: argparse.Namespace) -> int:
    with open_session(a.dir) as session:
        note = session.assign(a.file, a.school, a.material)
    out(f"{render(note)}。")
    return 0


def cmd_decide(a: argparse.Namespace) -> int:
    """accept, send-back, exempt, remark, confirm, ignore, tie: the clerk's overrules."""
    verb = a.command.replace("-", "_")
    with open_session(a.dir) as session:
        if verb in ("ignore", "tie"):
            decision = (session.tie(a.file, a.school, a.note or "", undo=a.undo) if verb == "tie"
                        else session.ignore(a.file, a.note or "", undo=a.undo))
            note = said.decided(decision, getattr(a, "school", ""), file=session.file_name(decision.sha256, a.file),
                                undo=a.undo)
        else:
            decision = session.decide(verb, a.school, a.note or "", rule=getattr(a, "rule", ""), undo=a.undo)
            note = said.decided(decision, a.school, rule=rule_name(decision.rule, session.form), undo=a.undo)
    out(f"{render(note)}。")
    return 0


def cmd_told(a: argparse.Namespace) -> int:
    with open_session(a.dir) as session:
        t = session.tell_school(a.school, "chat" if a.chat else "other", a.note or "")
    out(f"{render(said.told([a.school], t.label + ('：' + t.detail if t.detail else '')))}。")
    return 0


def cmd_school(a: argparse.Namespace) -> int:
    details = {k: getattr(a, k) for k in ("stage", "parent", "contact", "phone", "email", "kind")}
    with open_session(a.dir) as session:
        if a.action == "add":
            s = session.add_school(School("", a.name, **{k: v or "" for k, v in details.items()}), note=a.note or "")
        elif a.action == "edit":
            s = session.edit_school(a.name, note=a.note or "", name=a.new_name, **details)
        else:
            s = session.remove_school(a.name, note=a.note or "")
        count = len(session.schools())
    out(f"{render(said.school_changed(a.action, s, count))}。")
    return 0


def cmd_settings(a: argparse.Namespace) -> int:
    changes = {k: getattr(a, k) for k in ("name", "parents", "deadline", "resubmit_by", "resubmit_days", "unit",
                                          "reporter", "phone", "watch", "mail_host", "mail_port", "mail_tls",
                                          "mail_user", "mail_sender")}
    with open_session(a.dir) as session:
        if any(v is not None for v in changes.values()):
            session.change_settings(**changes)
            out("已保存设置。")
        if a.previous is not None or a.previous_names is not None:
            out(f"{render(said.previous(session.set_previous(a.previous, a.previous_names)))}。")
        if a.mail_password is not None or a.forget_mail_password:
            import getpass

            password = "" if a.forget_mail_password else (
                a.mail_password or getpass.getpass("邮箱密码（授权码，输入时不显示）："))
            session.store_mail_password(password)
            out("已保存邮箱密码（在系统的凭据管理器中，不在设置文件里）。" if password else "已删除保存的邮箱密码。")
        if a.test_mail is not None:
            out(f"测试邮件已发到 {session.send_test_mail(a.test_mail)}，请查收。")
        s = session.settings
        has_password = session.has_mail_password()
    out(f"本级名称：{s.name}" + (f"（上级：{'、'.join(s.parents)}）" if s.parents else ""))
    out(f"截止日期：{s.deadline or '未设置'}")
    out(f"重新报送日期：{s.resubmit_by or f'未设置（退回时定为写反馈之后的 {s.resubmit_days} 个工作日）'}")
    out(f"本级填报单位：{s.reporting_unit}  填报人：{s.reporter or '未填'}  联系电话：{s.phone or '未填'}")
    out(f"关注的文件夹：{'；'.join(s.watch) or '无'}")
    out(f"上期：{s.previous or '未设置'}" + (f"（名称对照表：{s.previous_names}）" if s.previous_names else ""))
    mail = s.mail
    out(f"邮件：{mail.get('smtp_host') or '未设置'}:{mail.get('smtp_port', '')} {mail.get('tls', '')} "
        f"用户 {mail.get('smtp_user') or '未填'} 发件人 {mail.get('sender') or '未填'} "
        f"密码 {'已保存' if has_password else '未保存'}")
    return 0


def cmd_roster_template(a: argparse.Namespace) -> int:
    path = save_roster_template(a.file)
    out(f"已保存名单模板：{path}。填好后用 dudao init 文件夹 --roster {path.name} 建立收集")
    return 0

