"""``dudao``: the clerk's whole job from a command line, each step a command.

The command names, the ``status --json`` keys and the state names are a stable contract: users'
scripts depend on them. Every error the clerk can cause is a Chinese sentence and exit status 2,
never a traceback; an interrupted job keeps what it finished and says how to continue.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TypeVar

from .collection.folder import CollectionError, init_collection, open_collection
from .collection.intake import display_name
from .form.declaration import DEFAULT_FORM, FormError, bundled
from .messages import render
from .progress import Job, Progress
from .collection.roster import RosterError

T = TypeVar("T")

CLERK_ERRORS = (CollectionError, RosterError, FormError)


class Bar:
    """A one-line progress bar on stderr, redrawn at most 20 times a second."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.last = 0.0
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def show(self, p: Progress) -> None:
        now = time.monotonic()
        if not self.tty or (now - self.last < 0.05 and p.done < p.total):
            return
        self.last = now
        width = 30
        filled = int(width * p.done / max(p.total, 1))
        name = p.current[-40:]
        self.stream.write(f"\r{p.stage} [{'#' * filled}{'-' * (width - filled)}] {p.done}/{p.total} {name:<40}")
        self.stream.flush()

    def end(self) -> None:
        if self.tty:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


def drive(job: Job[T]) -> T:
    bar = Bar()
    try:
        while True:
            try:
                bar.show(next(job))
            except StopIteration as stop:
                return stop.value
    finally:
        bar.end()


def out(text: str = "") -> None:
    print(text, flush=True)


# --- commands -------------------------------------------------------------------------------

def cmd_init(a: argparse.Namespace) -> int:
    col = init_collection(a.dir, a.roster, name=a.name, deadline=a.deadline or "", form=a.form)
    with col:
        n = len(col.schools())
        title = col.form.title(col.settings.name)
    out(f"已建立收集文件夹：{Path(a.dir).resolve()}")
    out(f"收集《{title}》，名单共 {n} 所学校。下一步：dudao distribute {a.dir}")
    return 0


def cmd_forms(a: argparse.Namespace) -> int:
    for path, form in bundled():
        out(f"{path.stem:<26} {form.annex} {form.title(a.name)}（{len(form.fields)} 项，版本 {form.version}）")
    out("建立收集时用 --form 指定，如：dudao init 文件夹 --roster 名单.xlsx --form annex3_checklist_2023；"
        "也可以写自己的表单声明 .toml 文件的路径（见 README“编写自己的表单”）")
    return 0


def cmd_check_form(a: argparse.Namespace) -> int:
    from .form.parse import load

    try:
        form = load(Path(a.file).resolve())
    except FormError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"共 {len(exc.problems)} 处问题，请改正后再用 dudao check-form 检查", file=sys.stderr)
        return 2
    out(f"{Path(a.file).name}：没有发现问题。《{form.title(a.name)}》共 {len(form.fields)} 个填报项、"
        f"{len(form.rules)} 条校验规则（展开后）")
    return 0


def cmd_distribute(a: argparse.Namespace) -> int:
    from .outputs.distribute import distribute

    with open_collection(a.dir) as col:
        res = drive(distribute(col, force=a.force))
    out(f"已生成 {res.written} 份空白表，{res.kept} 份已存在未覆盖，位置：{res.folder}")
    return 0


def cmd_collect(a: argparse.Namespace) -> int:
    from .collection.collect import collect
    from .collection.status import STATE_LABELS

    with open_collection(a.dir) as col:
        res = drive(collect(col, a.paths or None))
    for name, school, status in res.new_returns:
        out(f"  {STATE_LABELS[status]:<8} {school or '（未识别）'}  ← {display_name(name)}")
    for name, reason in res.unreadable:
        out(f"  无法读取  {display_name(name)}：{reason}")
    for name, why in res.review:
        out(f"  待确认    {display_name(name)}：{render(why)}")
    out(
        f"本次共 {res.seen} 个文件：新收到报表 {len(res.new_returns)} 份，重复 {res.duplicates} 份，"
        f"无法读取 {len(res.unreadable)} 个，待人工确认 {len(res.review)} 个。查看全部：dudao status {a.dir}"
    )
    return 0


def cmd_status(a: argparse.Namespace) -> int:
    from .collection.status import STATE_LABELS, overview

    with open_collection(a.dir) as col:
        ov = overview(col)
        expected = len(ov.schools)
    if a.json:
        json.dump(ov.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    for s in ov.schools:
        cur = s.current
        late = "（逾期）" if s.late else ""
        when = f"{cur.received_at.replace('T', ' ')} 第{s.versions}版 {display_name(cur.original_name)}" if cur else ""
        out(f"{STATE_LABELS[s.status]:<8} {s.school.name}{late}  {when}")
        for f in s.findings:
            if f.level in ("error", "warning"):
                out(f"    [{'错误' if f.level == 'error' else '提示'}] {f.message}")
        if cur and cur.review:
            out(f"    [待确认] {render(cur.review)}")
        if cur and a.verbose:
            for note in s.notes:
                out(f"    [说明] {note}")
    for f in ov.unreadable:
        out(f"无法读取 {display_name(f.original_name)}：{f.reason}")
    for r in ov.unidentified:
        out(f"未识别   {display_name(r.original_name)}：{render(r.review)}")
    accepted = ov.count("accepted", "accepted_with_warnings")
    out(
        f"应报 {expected}，已通过 {accepted}，退回 {ov.count('returned')}，待确认 {ov.count('needs_review')}，"
        f"未报 {ov.count('missing')}，逾期 {ov.late}；无法读取 {len(ov.unreadable)}，未识别 {len(ov.unidentified)}"
    )
    return 0


def cmd_assign(a: argparse.Namespace) -> int:
    from .collection.review import assign

    with open_collection(a.dir) as col:
        ret, name = assign(col, a.file, a.school)
    out(f"已将 {display_name(ret.original_name)} 指定为“{name}”的报表，并已重新校验。")
    return 0


def cmd_consolidate(a: argparse.Namespace) -> int:
    from .outputs.consolidate import consolidate

    with open_collection(a.dir) as col:
        res = drive(consolidate(col, out=Path(a.out) if a.out else None, include=a.include))
    for line in res.notes:
        out(render(line))
    out(f"已汇总 {res.included} / 应报 {res.expected} 所学校。")
    out(str(res.path))
    return 0


def cmd_feedback(a: argparse.Namespace) -> int:
    from .outputs.feedback import feedback

    with open_collection(a.dir) as col:
        res = drive(feedback(col, send=a.send))
    for line in res.notes:
        out(render(line))
    out(f"退回修改 {res.returned} 所，催报 {res.reminders} 所；反馈文件在：{res.folder}")
    return 0


def cmd_demo(a: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(Path(a.dir), drive, out, form=a.form)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dudao", description="学校报表的下发、收取、校验、退回与汇总")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")

    s = sub.add_parser("init", help="建立收集文件夹并导入学校名单")
    s.add_argument("dir")
    s.add_argument("--roster", required=True, help="学校名单 .xlsx 或 .csv")
    s.add_argument("--name", default="曾都区", help="本级名称，如 曾都区")
    s.add_argument("--deadline", help="截止日期，如 2023-11-20")
    s.add_argument("--form", default=DEFAULT_FORM,
                   help="要收集的表：自带表单的名称（见 dudao forms，默认 annex5_2023）或表单声明 .toml 文件")
    s.set_defaults(run=cmd_init)

    s = sub.add_parser("forms", help="列出自带的表单")
    s.add_argument("--name", default="曾都区", help="本级名称，用于显示标题")
    s.set_defaults(run=cmd_forms)

    s = sub.add_parser("check-form", help="检查自己编写的表单声明（.toml），一次列出全部问题")
    s.add_argument("file")
    s.add_argument("--name", default="曾都区", help="本级名称，用于显示标题")
    s.set_defaults(run=cmd_check_form)

    s = sub.add_parser("distribute", help="为每所学校生成要下发的空白表")
    s.add_argument("dir")
    s.add_argument("--force", action="store_true", help="重新生成已存在的表")
    s.set_defaults(run=cmd_distribute)

    s = sub.add_parser("collect", help="收取学校报回的文件（文件、文件夹或压缩包）")
    s.add_argument("dir")
    s.add_argument("paths", nargs="*", help="默认为收集文件夹中的 inbox")
    s.set_defaults(run=cmd_collect)

    s = sub.add_parser("status", help="查看每所学校的报送情况")
    s.add_argument("dir")
    s.add_argument("--json", action="store_true")
    s.add_argument("--verbose", "-v", action="store_true", help="也列出读取时的说明")
    s.set_defaults(run=cmd_status)

    s = sub.add_parser("assign", help="人工指定一份报表属于哪所学校")
    s.add_argument("dir")
    s.add_argument("file", help="dudao status 中列出的文件名")
    s.add_argument("school", help="名单上的学校名称")
    s.set_defaults(run=cmd_assign)

    s = sub.add_parser("consolidate", help="生成汇总表")
    s.add_argument("dir")
    s.add_argument("--out", help="汇总表保存位置（默认在 summary 文件夹中）")
    s.add_argument("--include", choices=["accepted", "all"], default="accepted",
                   help="accepted：只汇总通过的（默认）；all：也汇总退回的（在表中标明）")
    s.set_defaults(run=cmd_consolidate)

    s = sub.add_parser("feedback", help="为退回的学校生成标注好的表和邮件草稿，为未报的学校生成催报邮件")
    s.add_argument("dir")
    s.add_argument("--send", action="store_true", help="按收集设置中的邮箱直接发送")
    s.set_defaults(run=cmd_feedback)

    s = sub.add_parser("demo", help="用自带的示例学区完整演示一遍")
    s.add_argument("dir", nargs="?", default="demo-collection")
    s.add_argument("--form", default=DEFAULT_FORM, help="演示哪张表（见 dudao forms）")
    s.set_defaults(run=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a Chinese Windows console may not be UTF-8
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CLERK_ERRORS as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n已中断。已处理完的文件都已保存，重新运行同一命令即可继续。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
