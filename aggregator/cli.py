"""``dudao``: the clerk's whole job from a command line, each step a command.

The command names, the ``status --json`` keys and the state names are a stable contract: users'
scripts depend on them. Every error the clerk can cause is a Chinese sentence and exit status 2,
never a traceback; an interrupted job keeps what it finished and says how to continue.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .chinese_parser import ChineseParser, name_arguments
from .cli_clerk import cmd_assign, cmd_decide, cmd_roster_template, cmd_school, cmd_settings, cmd_told
from .console import columns, drive, out, pad, quiet_stdout, tolerant_console
from .session import (CLERK_ERRORS, DEFAULT_FORM, DOCUMENT_LABELS, PLANS_DIR, STATE_LABELS, FormError, Session,
                      bundled, check_form_file, create_session, display_name, file_error, items_of, load_plan,
                      open_session, render, rule_name, said)


# --- commands -------------------------------------------------------------------------------

def cmd_init(a: argparse.Namespace) -> int:
    report = {role: getattr(a, role) for role in ("unit", "reporter", "phone") if getattr(a, role)}
    with create_session(a.dir, a.roster, name=a.name, deadline=a.deadline or "", form=a.form, plan=a.plan or "",
                        parents=a.parents or (), previous=a.previous or "", previous_names=a.previous_names or "",
                        **report) as session:
        n = len(session.schools())
        title = session.title
        materials = session.materials
        period = session.previous_period()
    out(f"已建立收集文件夹：{Path(a.dir).resolve()}")
    if period is not None:
        out(render(said.previous(period)))
    out(f"收集《{title}》，名单共 {n} 所学校。下一步：dudao distribute {a.dir}")
    for m in materials:
        out(f"  材料：{m.label}（{'表格' if m.is_form else '文档'}，{m.deadline or '无截止日期'} 前，{m.who.describe()}）")
    return 0


def cmd_forms(a: argparse.Namespace) -> int:
    for path, form in bundled():
        out(f"{path.stem:<26} {form.annex} {form.title(a.name)}（{len(form.fields)} 项，版本 {form.version}）")
    for path in sorted(PLANS_DIR.glob("*.toml")):
        plan = load_plan(path)
        out(f"{path.stem:<26} 计划：{plan.title}（{'、'.join(m.label for m in plan.materials)}）")
    out("建立收集时用 --form 或 --plan 指定，如：dudao init 文件夹 --roster 名单.xlsx --form annex3_checklist_2023；"
        "也可以写自己的表单声明 .toml 文件的路径（见 README“编写自己的表单”）")
    return 0


def cmd_check_form(a: argparse.Namespace) -> int:
    try:
        form = check_form_file(Path(a.file).resolve())
    except FormError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"共 {len(exc.problems)} 处问题，请改正后再用 dudao check-form 检查", file=sys.stderr)
        return 2
    out(f"{Path(a.file).name}：没有发现问题。《{form.title(a.name)}》共 {len(form.fields)} 个填报项、"
        f"{len(form.rules)} 条校验规则（展开后）")
    return 0


def cmd_distribute(a: argparse.Namespace) -> int:
    with open_session(a.dir) as session:
        res = drive(session.distribute(force=a.force))
    out(render(said.distributed(res)))
    return 0


def cmd_collect(a: argparse.Namespace) -> int:
    with open_session(a.dir) as session:
        res = drive(session.collect(a.paths or None, retry_unreadable=a.retry_unreadable))
        # where the schools now stand, for new returns: the overview the collect worked out
        ov = (res.overview or session.overview()) if res.new_returns else None
    for name, school, status in res.new_returns:
        out(f"  {STATE_LABELS[status]:<8} {school or '（未识别）'}  ← {display_name(name)}")
    for name, school, material, status in res.documents:
        out(f"  {DOCUMENT_LABELS[status]:<8} {school or '（未识别）'}  {material or '（材料未识别）'}  ← {display_name(name)}")
    for name, reason in res.unreadable:
        out(f"  无法读取  {display_name(name)}：{reason}")
    for name, why in res.review:
        out(f"  待确认    {display_name(name)}：{render(why)}")
    out(render(said.collected(res, ov, a.dir)))
    return 0


def cmd_status(a: argparse.Namespace) -> int:
    with open_session(a.dir) as session:
        ov = session.overview()
        form = session.form
        materials = session.by_material(ov)
    if a.json:
        json.dump(ov.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    # Columns lined up by display width (a Chinese character is two columns), long names let through.
    widths = [min(cap, max((columns(text(s)) for s in ov.schools), default=0)) for cap, text in (
        (16, lambda s: STATE_LABELS[s.status]), (30, lambda s: s.school.name + ("（逾期）" if s.late else "")),
        (16, lambda s: s.school.parent))]
    for s in ov.schools:
        cur = s.current
        late = "（逾期）" if s.late else ""
        when = f"{cur.received_at.replace('T', ' ')} 第{s.versions}版 {display_name(cur.original_name)}" if cur else ""
        shown = (STATE_LABELS[s.status], s.school.name + late, s.school.parent)
        out(("  ".join(pad(x, w) for x, w in zip(shown, widths)) + "  " + when).rstrip())
        for item in items_of(s.findings):  # connected findings: each problem, then their one fix once
            for f in item.findings:  # a warning is named, so the clerk can confirm it: dudao confirm 文件夹 学校 名称
                if f.level == "explain":  # 须说明 until explained: by the school, or by the clerk's confirm --note
                    who = "区教育局" if f.explained_by == "clerk" else "学校"
                    said = f"（{who}说明：{f.explanation}）" if f.explained else ""
                    out(f"    [{'已说明' if f.explained else '须说明'}：{rule_name(f.rule, form)}] {f.message}{said}")
                    continue
                tag = "错误" if f.level == "error" else f"提示：{rule_name(f.rule, form)}"
                out(f"    [{tag}] {f.problem if item.grouped else f.message}")
            if item.grouped:
                out(f"        改法：{item.findings[0].fix}")
        since = s.resubmission
        if since.changes or since.fixed:
            shown = lambda v: "（空）" if v in (None, "") else v  # noqa: E731
            corrected = len(since.fixed) - len(since.explained)
            out(f"    [第{s.versions}版改动] " + "；".join(f"{c.cell} {c.label}：{shown(c.old)} → {shown(c.new)}"
                                                     for c in since.changes[:8])
                + (f" 等 {len(since.changes)} 处" if len(since.changes) > 8 else "")
                + (f"；已改正 {corrected} 处" if corrected else "")
                + (f"；已说明 {len(since.explained)} 处" if since.explained else "")
                + (f"，仍有 {len(since.still)} 处" if since.still else ""))
        if cur and cur.review:
            out(f"    [待确认] {render(cur.review)}")
        for d in s.decisions:
            said = f"{d.label}：{rule_name(d.rule, form)}" if d.rule else d.label  # the name confirm was given
            out(f"    [{said}] {d.note}（{d.at.replace('T', ' ')[:16]} {d.by}）")
        for f in s.files:
            out(f"    [发来的文件无法读取] {display_name(f.original_name)}：{f.reason}")
        documents = [m for m in s.materials if not m.material.is_form]
        if documents:
            out("    [材料] " + "；".join(f"{m.material.label} {'逾期未交' if m.overdue else DOCUMENT_LABELS[m.status]}"
                                       f"{'（逾期）' if m.late else ''}" for m in documents))
        for t in s.feedback.records:
            out(f"    [反馈：{t.label}] {t.at.replace('T', ' ')[:16]}{' ' + t.detail if t.detail else ''}")
        if cur and a.verbose:
            for note in s.notes:
                out(f"    [说明] {note}")
    for f in ov.unreadable:
        out(f"无法读取 {display_name(f.original_name)}：{f.reason}")
    for r in ov.unidentified:
        out(f"未识别   {display_name(r.original_name)}：{render(r.review)}")
    for d in ov.documents_waiting:
        out(f"待指定   {display_name(d.original_name)}（{d.title or '无标题'}）：{render(d.review) if d.review else ''}")
    accepted = ov.count("accepted", "accepted_with_warnings")
    out(
        f"应报 {ov.expected}，已通过 {accepted}，退回 {ov.count('returned')}，待确认 {ov.count('needs_review')}，"
        f"未报 {ov.count('missing')}，逾期 {ov.late}" + (f"，免报 {ov.count('exempt')}" if ov.count("exempt") else "")
        + f"；无法读取 {len(ov.unreadable)}，未识别 {len(ov.unidentified)}"
    )
    for m in materials:  # the last lines: each material across the schools that owe it
        out(f"{m.material.label}：应交 {m.owed}，已交 {m.received}" + (f"（逾期交 {m.late}）" if m.late else "")
            + (f"，退回 {m.returned}" if m.returned else "") + f"，未交 {m.missing}"
            + (f"（已过截止日期 {m.overdue}）" if m.overdue else ""))
    return 0


def ask_reporting(session: Session) -> None:
    """Before the first upward summary: ask for our own 填报人 and 联系电话 if they are missing and
    someone is at the keyboard (a script gets the working summary and a note saying what to set)."""
    if not sys.stdin or not sys.stdin.isatty():
        return
    asked = {}
    for role, label in session.ask_reporting_fields():  # by the form's own labels
        answer = input(f"上报版汇总表需要本级的{label}，请输入（直接回车跳过）：").strip()
        if answer:
            asked[role] = answer
    if asked:
        session.change_settings(**asked)
        out("已保存到收集设置，以后不用再输入（可用 dudao settings 修改）。")


def cmd_consolidate(a: argparse.Namespace) -> int:
    with open_session(a.dir) as session:
        if a.include == "accepted":
            ask_reporting(session)
        res = drive(session.consolidate(out=Path(a.out) if a.out else None, include=a.include,
                                        upward_detail=a.upward_detail, despite_warnings=a.despite_warnings))
    for line in res.notes:
        out(render(line))
    out(f"已汇总 {res.included} / 应报 {res.expected} 所学校。")
    out(f"表上写明：{res.coverage}")
    if res.upward is not None:
        out(f"上报版（直接报送上级）：{res.upward}")
    out(str(res.path))
    return 0


def cmd_feedback(a: argparse.Namespace) -> int:
    with open_session(a.dir) as session:
        res = drive(session.feedback(send=a.send, warnings=a.warnings, phone=not a.no_pdf))
    for line in res.notes:
        out(render(line))
    out(render(said.fed_back(res, a.warnings)))
    out("每所学校的 .txt 是可以直接粘贴到微信/QQ 群的短消息；手机查看.pdf 可直接发到群里。")
    return 0


def cmd_demo(a: argparse.Namespace) -> int:
    from .demo import run_demo  # the whole job through the session, as a clerk would: loaded for the demo only

    return run_demo(Path(a.dir), drive, out, form=a.form)


def build_parser() -> argparse.ArgumentParser:
    p = ChineseParser(prog="dudao", description="学校报表的下发、收取、校验、退回与汇总")
    p.add_argument("--version", action="version", version=f"dudao {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")

    s = sub.add_parser("init", help="建立收集文件夹并导入学校名单")
    s.add_argument("dir")
    s.add_argument("--roster", required=True, help="学校名单 .xlsx 或 .csv")
    s.add_argument("--name", required=True, help="本级名称（必填），如 某某区；会出现在下发的表、给学校的信和汇总表上")
    s.add_argument("--parents", help="上级单位名称，用逗号分开，如 某某省,某某市（学校在校名前加上这些名称时也能认出）")
    s.add_argument("--deadline", help="截止日期，如 2023-11-20")
    s.add_argument("--form", default=DEFAULT_FORM,
                   help=f"要收集的表：自带表单的名称（见 dudao forms，默认 {DEFAULT_FORM}）或表单声明 .toml 文件")
    s.add_argument("--plan", help="一次收集多项材料（案例、报告、表格……）：自带计划的名称（如 shuangjian-2023）或计划 .toml 文件")
    s.add_argument("--unit", help="本级填报单位（上报汇总表用），默认为“本级名称+教育局”")
    s.add_argument("--reporter", help="本级填报人（上报汇总表用）")
    s.add_argument("--phone", help="本级联系电话（上报汇总表用）")
    s.add_argument("--previous", help="上期同一张表的收集文件夹：与上期比较，变化过大的数字请学校说明")
    s.add_argument("--previous-names", help="学校改名时的对照表（.xlsx 或 .csv，两列：上期名称、本期名称）")
    s.set_defaults(run=cmd_init)

    s = sub.add_parser("forms", help="列出自带的表单")
    s.add_argument("--name", default="", help="本级名称，用于显示标题（如 某某区）")
    s.set_defaults(run=cmd_forms)

    s = sub.add_parser("check-form", help="检查自己编写的表单声明（.toml），一次列出全部问题")
    s.add_argument("file")
    s.add_argument("--name", default="", help="本级名称，用于显示标题（如 某某区）")
    s.set_defaults(run=cmd_check_form)

    s = sub.add_parser("distribute", help="为每所学校生成要下发的空白表")
    s.add_argument("dir")
    s.add_argument("--force", action="store_true", help="重新生成已存在的表")
    s.set_defaults(run=cmd_distribute)

    s = sub.add_parser("collect", help="收取学校报回的文件（文件、文件夹或压缩包）")
    s.add_argument("dir")
    s.add_argument("paths", nargs="*", help="默认为收集文件夹中的 inbox")
    s.add_argument("--retry-unreadable", action="store_true", help="重新读取之前无法读取的文件（默认跳过）")
    s.set_defaults(run=cmd_collect)

    s = sub.add_parser("status", help="查看每所学校的报送情况")
    s.add_argument("dir")
    s.add_argument("--json", action="store_true")
    s.add_argument("--verbose", "-v", action="store_true", help="也列出读取时的说明")
    s.set_defaults(run=cmd_status)

    s = sub.add_parser("assign", help="人工指定一份报表或材料属于哪所学校")
    s.add_argument("dir")
    s.add_argument("file", help="dudao status 中列出的文件名")
    s.add_argument("school", help="名单上的学校名称")
    s.add_argument("--material", default="", help="文件是材料（如案例、报告）时：是哪一项材料")
    s.set_defaults(run=cmd_assign)

    for name, text in (("accept", "仍然通过：这所学校当前的报表不论校验结果都计为通过"),
                       ("send-back", "退回：这所学校当前的报表虽已通过，也退回修改"),
                       ("exempt", "免报：这所学校不需要报送，不计为未报，也不催报"),
                       ("remark", "添加说明：区教育局的话，写进给这所学校的下一封反馈或催报")):
        s = sub.add_parser(name, help=text)
        s.add_argument("dir")
        s.add_argument("school", help="名单上的学校名称")
        s.add_argument("--note", help="原因（会记在报送记录和汇总表中）")
        s.add_argument("--undo", action="store_true", help="撤销这项决定")
        s.set_defaults(run=cmd_decide)

    s = sub.add_parser("confirm", help="已与学校核实的提示：不再计为提示")
    s.add_argument("dir")
    s.add_argument("school", help="名单上的学校名称")
    s.add_argument("rule", help="提示的名称（dudao status 中“提示：”后面的文字，如 数字明显偏大）或规则编号（如 outlier）")
    s.add_argument("--note", help="核实的情况")
    s.add_argument("--undo", action="store_true", help="撤销这项决定")
    s.set_defaults(run=cmd_decide)

    s = sub.add_parser("ignore", help="忽略一个无法读取或待指定的文件（仍保留在 archive 中）")
    s.add_argument("dir")
    s.add_argument("file", help="dudao status 中列出的文件名")
    s.add_argument("--note", help="原因")
    s.add_argument("--undo", action="store_true", help="撤销这项决定")
    s.set_defaults(run=cmd_decide)

    s = sub.add_parser("tie", help="指明一个无法读取的文件是哪所学校发的（催报时会告诉学校）")
    s.add_argument("dir")
    s.add_argument("file", help="dudao status 中列出的文件名")
    s.add_argument("school", help="名单上的学校名称")
    s.add_argument("--note", help="说明")
    s.add_argument("--undo", action="store_true", help="撤销这项决定")
    s.set_defaults(run=cmd_decide)

    s = sub.add_parser("told", help="记下已用其他方式（电话、纸质通知、群消息）告知了学校退回或催报的情况")
    s.add_argument("dir")
    s.add_argument("school", help="名单上的学校名称")
    s.add_argument("--note", help="怎么告知的（如：电话通知王老师）")
    s.add_argument("--chat", action="store_true", help="是在微信/QQ 群里发的消息")
    s.set_defaults(run=cmd_told)

    s = sub.add_parser("school", help="增加、修改或移除名单上的学校")
    s.add_argument("dir")
    s.add_argument("action", choices=["add", "edit", "remove"])
    s.add_argument("name", help="学校名称")
    s.add_argument("--new-name", help="修改后的名称（edit）")
    for option, text in (("stage", "学段"), ("parent", "所属单位"), ("contact", "联系人"), ("phone", "联系电话"),
                         ("email", "邮箱"), ("kind", "学校类型")):
        s.add_argument(f"--{option}", help=text)
    s.add_argument("--note", help="原因（移除时必填）")
    s.set_defaults(run=cmd_school)

    s = sub.add_parser("settings", help="查看或修改本次收集的设置")
    s.add_argument("dir")
    s.add_argument("--name", help="本级名称，如 某某区")
    s.add_argument("--parents", help="上级单位名称，用逗号分开，如 某某省,某某市")
    s.add_argument("--deadline", help="截止日期，如 2023-11-20")
    s.add_argument("--resubmit-by", metavar="日期", help="退回的学校重新报送的日期，如 2023-11-23（写 \"\" 则不设）")
    s.add_argument("--resubmit-days", metavar="天数", help="不设日期时，重新报送的期限为写反馈之后的几个工作日（默认 3）")
    s.add_argument("--unit", help="本级填报单位（上报汇总表用），如 某某区教育局")
    s.add_argument("--reporter", help="本级填报人")
    s.add_argument("--phone", help="本级联系电话")
    s.add_argument("--watch", nargs="*", help="桌面程序自动收取的文件夹（如微信、QQ 的下载文件夹）")
    s.add_argument("--previous", help="上期同一张表的收集文件夹（重新读取上期的数字；写 \"\" 取消与上期比较）")
    s.add_argument("--previous-names", help="学校改名时的对照表（.xlsx 或 .csv，两列：上期名称、本期名称）")
    s.add_argument("--mail-host", help="发信服务器，如 smtp.qq.com")
    s.add_argument("--mail-port", help="端口，如 465")
    s.add_argument("--mail-tls", choices=["ssl", "starttls", "none"], help="加密方式")
    s.add_argument("--mail-user", help="邮箱账号")
    s.add_argument("--mail-sender", help="发件人地址")
    s.add_argument("--mail-password", nargs="?", const="", metavar="密码",
                   help="邮箱密码（授权码），保存在系统的凭据管理器中（不在设置文件里）；不写密码则提示输入")
    s.add_argument("--forget-mail-password", action="store_true", help="删除保存的邮箱密码")
    s.add_argument("--test-mail", nargs="?", const="", metavar="收件邮箱",
                   help="发送一封测试邮件（默认发给发件人自己）")
    s.set_defaults(run=cmd_settings)

    s = sub.add_parser("roster-template", help="保存一份空白的学校名单模板（.xlsx）")
    s.add_argument("file", nargs="?", default="学校名单模板.xlsx")
    s.set_defaults(run=cmd_roster_template)

    s = sub.add_parser("consolidate", help="生成汇总表")
    s.add_argument("dir")
    s.add_argument("--out", help="汇总表保存位置（默认在 summary 文件夹中）")
    s.add_argument("--include", choices=["accepted", "all"], default="accepted",
                   help="accepted：只汇总通过的（默认）；all：也汇总退回的（在表中标明）")
    s.add_argument("--upward-detail", action="store_true",
                   help="上报版也附分校明细和分单位小计（不含学校的联系电话）")
    s.add_argument("--despite-warnings", action="store_true",
                   help="有尚未核实的提示也生成上报版（表上注明含多少所学校未经核实的提示数据）")
    s.set_defaults(run=cmd_consolidate)

    s = sub.add_parser("feedback", help="为退回的学校生成标注好的表和邮件草稿，为未报的学校生成催报邮件")
    s.add_argument("dir")
    s.add_argument("--send", action="store_true", help="按收集设置中的邮箱直接发送")
    s.add_argument("--warnings", action="store_true",
                   help="也给已通过、但有未核实提示的学校写“请核对”的反馈（已用 dudao confirm 核实的不再提）")
    s.add_argument("--no-pdf", action="store_true", help="不生成手机查看用的 PDF（不调用 LibreOffice）")
    s.set_defaults(run=cmd_feedback)

    s = sub.add_parser("demo", help="用自带的示例学区完整演示一遍")
    s.add_argument("dir", nargs="?", default="demo-collection")
    s.add_argument("--form", default=DEFAULT_FORM, help="演示哪张表（见 dudao forms）")
    s.set_defaults(run=cmd_demo)

    from .cli_supervise import add_commands  # supervise, pick

    add_commands(sub)
    return name_arguments(p)


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # collect's reading workers are spawned; a frozen build needs this
    tolerant_console()
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CLERK_ERRORS as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # ``dudao status | head``: the reader has all it wanted
        quiet_stdout()
        return 141  # as a shell reports a process ended by SIGPIPE
    except OSError as exc:  # a full disk, a read-only folder, a file held open: said as the window says it
        print(f"错误：{file_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n已中断。已处理完的文件都已保存，重新运行同一命令即可继续。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
