"""The clerk's own decisions from the command line: whose a file is, overrules, the roster,
settings, and the roster template. Parsed in ``cli``; each returns the exit status."""

from __future__ import annotations

import argparse
from pathlib import Path

from .collection.folder import CollectionError, open_collection
from .collection.intake import display_name
from .console import out
from .messages import rule_name


def cmd_assign(a: argparse.Namespace) -> int:
    from .collection.review import assign, assign_document, find_document

    with open_collection(a.dir) as col:
        doc = find_document(col, a.file)
        if doc is not None:
            name, material = assign_document(col, doc, a.school, a.material)
            out(f"已将 {display_name(doc.original_name)} 指定为“{name}”的“{material.label}”。")
            return 0
        ret, name = assign(col, a.file, a.school)
    out(f"已将 {display_name(ret.original_name)} 指定为“{name}”的报表，并已重新校验。")
    return 0


def cmd_decide(a: argparse.Namespace) -> int:
    """accept, send-back, exempt, confirm, ignore, tie: the clerk's overrules."""
    from .collection import overrule

    with open_collection(a.dir) as col:
        if a.command in ("ignore", "tie"):
            args = (a.file, a.school) if a.command == "tie" else (a.file,)
        else:
            args = (a.school, a.rule) if a.command == "confirm" else (a.school,)
        decision = getattr(overrule, a.command.replace("-", "_"))(col, *args, note=a.note or "", undo=a.undo)
        if a.command == "confirm":
            args = (a.school, rule_name(decision.rule, col.form))
        if a.command == "tie":
            file = next((display_name(f.original_name) for f in col.ledger.files("unreadable")
                         if f.sha256 == decision.sha256), a.file)
    if a.command == "tie":
        out(f"已撤销：“{file}”不再算作{a.school}发来的文件。" if a.undo else
            f"已记录：“{file}”是{a.school}发来的文件。给{a.school}的反馈会说明这份文件无法打开、请重新保存后发送。"
            + (f"（{decision.note}）" if decision.note else ""))
        return 0
    what = " ".join(str(x) for x in args)
    out(f"已撤销：{decision.label} {what}" if a.undo else f"已记录：{decision.label} {what}"
        + (f"（{decision.note}）" if decision.note else ""))
    return 0


def cmd_told(a: argparse.Namespace) -> int:
    from .collection.overrule import tell_school

    with open_collection(a.dir) as col:
        t = tell_school(col, a.school, "chat" if a.chat else "other", a.note or "")
    out(f"已记录：{a.school} 已告知（{t.label}{'：' + t.detail if t.detail else ''}）")
    return 0


def cmd_school(a: argparse.Namespace) -> int:
    from .collection import overrule
    from .collection.roster import School

    details = {k: getattr(a, k) for k in ("stage", "parent", "contact", "phone", "email", "kind")}
    with open_collection(a.dir) as col:
        if a.action == "add":
            s = overrule.add_school(col, School("", a.name, **{k: v or "" for k, v in details.items()}),
                                    note=a.note or "")
            out(f"已增加：{s.name}（名单现有 {len(col.schools())} 所）")
        elif a.action == "edit":
            s = overrule.edit_school(col, a.name, note=a.note or "", name=a.new_name, **details)
            out(f"已修改：{s.name}")
        else:
            s = overrule.remove_school(col, a.name, note=a.note or "")
            out(f"已从名单移除：{s.name}（收到的文件仍保留）")
    return 0


def cmd_settings(a: argparse.Namespace) -> int:
    from .collection.credentials import CredentialError, has_password, store_password
    from .outputs.mailcheck import send_test_mail

    changes = {k: getattr(a, k) for k in ("name", "deadline", "resubmit_by", "resubmit_days", "unit", "reporter", "phone", "watch", "mail_host",
                                          "mail_port", "mail_tls", "mail_user", "mail_sender")}
    with open_collection(a.dir) as col:
        if any(v is not None for v in changes.values()):
            col.change_settings(**changes)
            out("已保存设置。")
        if a.mail_password is not None or a.forget_mail_password:
            import getpass

            password = "" if a.forget_mail_password else (
                a.mail_password or getpass.getpass("邮箱密码（授权码，输入时不显示）："))
            try:
                store_password(col.settings.mail, password)
            except CredentialError as exc:
                raise CollectionError(str(exc)) from None
            out("已保存邮箱密码（在系统的凭据管理器中，不在设置文件里）。" if password else "已删除保存的邮箱密码。")
        if a.test_mail is not None:
            out(f"测试邮件已发到 {send_test_mail(col, a.test_mail)}，请查收。")
        s = col.settings
        out(f"本级名称：{s.name}")
        out(f"截止日期：{s.deadline or '未设置'}")
        out(f"重新报送日期：{s.resubmit_by or f'未设置（退回时定为写反馈之后的 {s.resubmit_days} 个工作日）'}")
        out(f"本级填报单位：{s.reporting_unit}  填报人：{s.reporter or '未填'}  联系电话：{s.phone or '未填'}")
        out(f"关注的文件夹：{'；'.join(s.watch) or '无'}")
        mail = s.mail
        out(f"邮件：{mail.get('smtp_host') or '未设置'}:{mail.get('smtp_port', '')} {mail.get('tls', '')} "
            f"用户 {mail.get('smtp_user') or '未填'} 发件人 {mail.get('sender') or '未填'} "
            f"密码 {'已保存' if has_password(mail) else '未保存'}")
    return 0


def cmd_roster_template(a: argparse.Namespace) -> int:
    from .atomic import write_atomic
    from .collection.roster import template_bytes

    path = Path(a.file)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    write_atomic(path, template_bytes())
    out(f"已保存名单模板：{path}。填好后用 dudao init 文件夹 --roster {path.name} 建立收集")
    return 0
