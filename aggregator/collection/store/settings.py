"""A collection's settings: ``收集设置.toml`` in its folder, readable and editable in Notepad.

Who runs the collection (本级名称, and the 填报单位/填报人/联系电话 its own upward summary carries),
the deadline, by when a school sent back must send its return again, the watched download
folders and the mail server. The mail password is never
kept here: it goes to the system's credential store (``secrets``), which on a clerk's PC is the
Windows Credential Manager.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from ...form.declaration import DEFAULT_FORM, ROLES
from ...messages import toml_words

SETTINGS = "收集设置.toml"
# Our own 填报单位/填报人/联系电话 for the upward summary: settings named after the header roles
# they fill there, whatever a form calls those fields.
OWN_ROLES = tuple(r for r in ROLES if r != "date")  # the date is the day the summary is written
MAIL_KEYS = ("smtp_host", "smtp_port", "tls", "smtp_user", "sender")
TLS_MODES = ("ssl", "starttls", "none")
RESUBMIT_DAYS = 3  # working days a school sent back has to send its return again, unless a date is set
MAX_RESUBMIT_DAYS = 30


class SettingsError(ValueError):
    """A setting the clerk gave that cannot be used; the message says how to write it."""


@dataclass(frozen=True)
class Settings:
    id: str
    name: str  # 本级名称: the district (or city) running the collection, as given at init
    form: str = DEFAULT_FORM  # the form as given at init: a bundled form's name, or a path
    deadline: str = ""  # YYYY-MM-DD, end of that day
    resubmit_by: str = ""  # YYYY-MM-DD: by when a school sent back sends again ("" : ``resubmit_days``)
    resubmit_days: int = RESUBMIT_DAYS  # working days after the letter, when no date is set
    created_at: str = ""
    form_file: str = ""  # the declaration's copy in the collection folder ("" in older collections)
    plan: str = ""  # the plan as given at init ("" : the form alone is the one material)
    plan_file: str = ""  # the plan's copy in the collection folder
    unit: str = ""  # our own 填报单位 on the upward summary (default: 本级名称 + 教育局)
    reporter: str = ""  # our own 填报人
    phone: str = ""  # our own 联系电话
    watch: tuple[str, ...] = ()  # download folders the desktop watches for returns
    parents: tuple[str, ...] = ()  # the levels above ours (省, 市), outermost first: prefixes schools may add
    order_prefix: str = ""  # the 编号 prefix of the 督办单 we issue: 某某督〔2023〕 ("" : the declared default)
    previous: str = ""  # last period's collection folder of the same form (its figures kept: ``previous``)
    previous_names: str = ""  # the 上期名称/本期名称 mapping file's copy in the collection folder
    mail: dict = field(default_factory=dict)  # smtp_host, smtp_port, tls, smtp_user, sender (a password
    #   here is still read, for collections made before the credential store was used)

    @property
    def levels(self) -> tuple[str, ...]:
        """Our own name and the names of the levels above it: what a school may write before its
        own name ("某某省某某市某某区实验小学") and still be the roster's "实验小学"."""
        return tuple(n for n in (self.name, *self.parents) if n)

    @property
    def reporting_unit(self) -> str:
        return self.unit or (f"{self.name}教育局" if self.name else "")

    def to_toml(self) -> str:
        lines = [
            "# 本次收集的设置。可以用记事本修改；id 和 form 请勿修改。",
            f"id = {_q(self.id)}",
            f"name = {_q(self.name)}",
            f"form = {_q(self.form)}",
            f"form_file = {_q(self.form_file)}",
            f"plan = {_q(self.plan)}",
            f"plan_file = {_q(self.plan_file)}",
            f"deadline = {_q(self.deadline)}",
            "# 退回的学校重新报送的日期；不填则为写反馈当天之后的 resubmit_days 个工作日。",
            f"resubmit_by = {_q(self.resubmit_by)}",
            f"resubmit_days = {self.resubmit_days}",
            f"created_at = {_q(self.created_at)}",
            f"watch = [{', '.join(_q(w) for w in self.watch)}]",
            "# 上级单位的名称（如 省、市），学校在校名前加上这些名称时仍能认出是哪所学校。",
            f"parents = [{', '.join(_q(p) for p in self.parents)}]",
            "# 上期：同一张表上一次的收集文件夹，与上期比较用（用 dudao settings 本文件夹 --previous 上期文件夹 修改，",
            "# 修改后会重新读取上期的数字）；previous_names：学校改名时的上期名称/本期名称对照表。",
            f"previous = {_q(self.previous)}",
            f"previous_names = {_q(self.previous_names)}",
            "",
            "# 本级报送上级时的填报信息（汇总表（上报）中的填报单位、填报人、联系电话）。",
            "[report]",
            f"unit = {_q(self.unit)}",
            f"reporter = {_q(self.reporter)}",
            f"phone = {_q(self.phone)}",
            "",
            "# 整改督办单的编号前缀（如 某某督〔2023〕，编号为 前缀 + 序号 + 号）；不填则用督办单声明中的默认前缀。",
            "[supervision]",
            f"prefix = {_q(self.order_prefix)}",
            "",
            "# 发送邮件（可选）：填好后 dudao feedback --send 会直接发出反馈和催报邮件。",
            "# 密码不保存在这里：用 dudao settings 文件夹 --mail-password 或桌面程序的“设置”填写。",
            "[mail]",
        ]
        mail = {"smtp_host": "", "smtp_port": 465, "tls": "ssl", "smtp_user": "", "sender": ""}
        mail.update(self.mail)
        for k, v in mail.items():
            lines.append(f"{k} = {v if isinstance(v, int) and not isinstance(v, bool) else _q(str(v))}")
        return "\n".join(lines) + "\n"


def read_settings(path: Path) -> Settings:
    """The settings file; ``SettingsError`` naming what is wrong in it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        report = dict(data.get("report", {}))
        return Settings(
            id=data["id"],
            name=str(data.get("name", "")),
            form=str(data.get("form", DEFAULT_FORM)),
            deadline=check_deadline(str(data.get("deadline", ""))),
            resubmit_by=check_deadline(str(data.get("resubmit_by", "")), what="重新报送日期"),
            resubmit_days=check_days(data.get("resubmit_days", RESUBMIT_DAYS)),
            created_at=str(data.get("created_at", "")),
            form_file=str(data.get("form_file", "")),
            plan=str(data.get("plan", "")),
            plan_file=str(data.get("plan_file", "")),
            **{role: str(report.get(role, "")) for role in OWN_ROLES},
            watch=tuple(str(w) for w in data.get("watch", ())),
            parents=tuple(str(p) for p in data.get("parents", ())),
            order_prefix=str(data.get("supervision", {}).get("prefix", "")),
            previous=str(data.get("previous", "")),
            previous_names=str(data.get("previous_names", "")),
            mail=dict(data.get("mail", {})),
        )
    except (tomllib.TOMLDecodeError, KeyError, UnicodeDecodeError, TypeError) as exc:
        raise SettingsError(f"{path} 格式有误（{toml_words(exc)}），请检查是否被改坏") from None


def changed(settings: Settings, **changes: Any) -> Settings:
    """``settings`` with ``changes`` checked and applied; ``mail_*`` keys change the mail table."""
    # previous and previous_names change with the figures they name (``clerk.previous``), never alone.
    known = {f.name for f in fields(Settings)} - {"id", "form", "form_file", "plan", "plan_file", "created_at", "mail",
                                                   "previous", "previous_names"}
    mail = dict(settings.mail)
    plain = {}
    for key, value in changes.items():
        if value is None:
            continue
        if key.startswith("mail_") and key[5:] in MAIL_KEYS + ("port", "host", "user"):
            name = {"host": "smtp_host", "port": "smtp_port", "user": "smtp_user"}.get(key[5:], key[5:])
            mail[name] = _mail_value(name, value)
        elif key in known:
            plain[key] = value
        else:
            raise KeyError(key)
    if "deadline" in plain:
        plain["deadline"] = check_deadline(str(plain["deadline"]))
    if "resubmit_by" in plain:
        plain["resubmit_by"] = check_deadline(str(plain["resubmit_by"]), what="重新报送日期")
    if "resubmit_days" in plain:
        plain["resubmit_days"] = check_days(plain["resubmit_days"])
    if "watch" in plain:
        plain["watch"] = tuple(str(Path(w)) for w in plain["watch"])
    if "parents" in plain:
        plain["parents"] = split_names(plain["parents"])
    if "name" in plain:
        plain["name"] = str(plain["name"]).strip()
        if not plain["name"]:
            raise SettingsError("本级名称不能为空，请写明本级的名称，如“某某区”或“某某市”")
    return replace(settings, mail=mail, **plain)


def split_names(value: Any) -> tuple[str, ...]:
    """"某某省,某某市" (or 、，; or a list) as ("某某省", "某某市"): how a clerk types several names."""
    items = value if isinstance(value, (list, tuple)) else re.split(r"[,，、;；\s]+", str(value))
    return tuple(dict.fromkeys(n for n in (str(i).strip() for i in items) if n))


def _mail_value(name: str, value: Any) -> Any:
    if name == "smtp_port":
        try:
            port = int(value)
        except (TypeError, ValueError):
            port = 0
        if not 0 < port < 65536:
            raise SettingsError(f"邮件服务器端口“{value}”不对，应为 1 到 65535 的数字（常用 465 或 587）")
        return port
    if name == "tls" and value not in TLS_MODES:
        raise SettingsError(f"加密方式“{value}”不对，可选：ssl（端口 465）、starttls（端口 587）、none")
    return str(value).strip()


def check_deadline(deadline: str, what: str = "截止日期") -> str:
    """A deadline as the clerk writes it (2023-11-20, 2023.11.20, 2023年11月20日) as YYYY-MM-DD."""
    if not deadline:
        return ""
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", deadline.strip())
    try:
        if not m:
            raise ValueError
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        raise SettingsError(f"{what}“{deadline}”无法识别，请写成 2023-11-20 的形式") from None


def check_days(days: Any) -> int:
    """Working days to resubmit: a whole number from 1 to ``MAX_RESUBMIT_DAYS``."""
    try:
        n = int(str(days).strip())
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_RESUBMIT_DAYS:
        raise SettingsError(f"重新报送的工作日数“{days}”不对，应为 1 到 {MAX_RESUBMIT_DAYS} 的整数（默认 {RESUBMIT_DAYS}）")
    return n


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
