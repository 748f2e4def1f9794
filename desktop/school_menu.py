"""What the clerk can do about one school: the table's context menu and the details pane's
“处理” button show the same menu, built here from the school's state.

Each entry asks what it must (why, in a note dialog) and hands the answer to the controller;
nothing is decided here. Entries that make no sense for the state are left out, and a decision
in force is offered for undoing (撤销), since the engine keeps and can revoke every one.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget

from aggregator.session import EXPLAIN, WARNING, SchoolState, rule_name

from . import dialogs
from .controller import Controller
from .school_dialog import ask_school

COPY_LABELS = {"returned": "复制退回意见", "accepted_with_warnings": "复制核对意见", "missing": "复制催报消息"}
# verb -> (menu label, dialog title, prompt, note required)
DECISIONS = {
    "accept": ("仍然通过…", "仍然通过", "这份报表虽有问题，仍计为通过。请写明原因（如：已电话核实，联系电话为学校座机）：", True),
    "send_back": ("退回…", "退回修改", "这份报表虽已通过校验，仍退回学校修改。请写明要学校改什么：", True),
    "exempt": ("免报…", "免报", "这所学校不需要报送，不计为未报，也不催报。请写明原因（如：已撤并）：", True),
    "remark": ("添加说明…", "添加说明", "写给这所学校的话，会加在下一封反馈或催报和复制的消息中：", True),
}
UNDO_LABELS = {"accept": "撤销“仍然通过”", "send_back": "撤销“退回”", "exempt": "撤销“免报”", "remark": "撤销说明"}


class SchoolActions:
    """The clerk's actions about a school, for a given parent widget (dialogs) and controller."""

    def __init__(self, parent: QWidget, controller: Controller, open_copy, show_details, say) -> None:
        self.parent = parent
        self.controller = controller
        self.open_copy = open_copy  # (path) -> None: a read-only copy, opened in Excel/WPS
        self.show_details = show_details  # (school name) -> None
        self.say = say  # (sentence) -> None: the banner

    def fill(self, menu: QMenu, s: SchoolState, with_details: bool = True) -> QMenu:
        name = s.school.name
        idle = not self.controller.busy
        add = menu.addAction
        if with_details:
            add("查看详情", lambda: self.show_details(name))
        if s.status in COPY_LABELS:
            add(COPY_LABELS[s.status], lambda: self.copy_chat(name))
        if s.feedback.need:
            add("记下已告知…", lambda: self.note_told(name))
        if s.status == "returned":
            add("打开标注表", lambda: self.controller.open_marked(name)).setEnabled(idle)
        if s.current is not None:
            add("打开报表原件（只读）", lambda: self.open_original(s))
            if self.controller.correction_waiting(name):
                add("收取修改后的表", lambda: self.controller.collect_correction(name)).setEnabled(idle)
            else:
                add("修改后收取…", lambda: self.controller.start_correction(name)).setEnabled(idle)
        menu.addSeparator()
        kinds = {d.kind for d in s.decisions}
        offered = []
        if s.status == "returned" and "accept" not in kinds:
            offered.append("accept")
        if s.accepted and "send_back" not in kinds:
            offered.append("send_back")
        if s.status == "missing":
            offered.append("exempt")
        offered.append("remark")
        for verb in offered:
            add(DECISIONS[verb][0], lambda v=verb: self.decide(v, name)).setEnabled(idle)
        for rule in dict.fromkeys(f.rule for f in s.findings if f.level in (WARNING, EXPLAIN)) if s.current else ():
            add(f"已核实提示“{rule_name(rule, s.form)}”…", lambda r=rule: self.confirm(s, r)).setEnabled(idle)
        for verb in ("accept", "send_back", "exempt", "remark"):
            if verb in kinds:
                add(UNDO_LABELS[verb], lambda v=verb: self.controller.decide(v, name, undo=True)).setEnabled(idle)
        for d in s.decisions:
            if d.kind == "confirm" and d.rule:
                add(f"撤销核实“{rule_name(d.rule, s.form)}”",
                    lambda r=d.rule: self.controller.confirm(name, r, undo=True)).setEnabled(idle)
        for m in s.materials:  # 推荐上报: a case or a supervisor the district recommends upward
            if not m.material.is_form and m.file and m.status in ("accepted", "accepted_with_warnings"):
                if m.picked:
                    add(f"撤销推荐：{m.material.label}",
                        lambda mid=m.material.id: self.controller.pick(name, mid, undo=True)).setEnabled(idle)
                else:
                    add(f"推荐上报：{m.material.label}…",
                        lambda mat=m.material: self.pick(name, mat)).setEnabled(idle)
        menu.addSeparator()
        add("修改学校信息…", lambda: self.edit_school(s)).setEnabled(idle)
        add("从名单移除…", lambda: self.remove_school(name)).setEnabled(idle)
        return menu

    # --- the entries ---------------------------------------------------------------------------

    def copy_chat(self, school: str) -> None:
        text = self.controller.chat_text(school)
        if text:
            QGuiApplication.clipboard().setText(text)
            self.controller.note_told([school], "chat")  # the 反馈 column says it went to the group
            self.say(f"已复制给 {school} 的消息，可以粘贴到微信或 QQ 群中。")

    def note_told(self, school: str) -> None:
        note = dialogs.ask_note(self.parent, f"记下已告知：{school}",
                                "已用其他方式告知了这所学校（反馈一栏会显示“已发送”或“已提醒”）。请写明怎么告知的"
                                "（如：电话通知王老师；纸质通知已送达）：", True, ok="记下")
        if note is not None:
            self.controller.note_told([school], "other", note)

    def open_original(self, s: SchoolState) -> None:
        if s.current is not None and self.controller.folder is not None:
            self.open_copy(str(self.controller.folder / s.current.archived))

    def pick(self, school: str, material) -> None:
        note = dialogs.ask_note(self.parent, f"推荐上报：{school}",
                                f"把{school}的“{material.label}”推荐上报：汇总时放入 summary 文件夹的“上报材料”，"
                                "并列入推荐名单。可以写上推荐理由（会写进推荐名单）：", False, ok="推荐")
        if note is not None:
            self.controller.pick(school, material.id, note)

    def decide(self, verb: str, school: str) -> None:
        _, title, prompt, required = DECISIONS[verb]
        note = dialogs.ask_note(self.parent, f"{title}：{school}", prompt, required)
        if note is not None:
            self.controller.decide(verb, school, note)

    def confirm(self, s: SchoolState, rule: str) -> None:
        """请核对, settled: the clerk checked the warning with the school and says what she found."""
        said = next((f.message for f in s.findings if f.rule == rule and f.level in (WARNING, EXPLAIN)), "")
        note = dialogs.ask_note(self.parent, f"已核实提示：{s.school.name}",
                                f"提示“{rule_name(rule, s.form)}”：{said}\n\n已与学校核实后，这条提示不再计入，也不再请学校核对"
                                "（可以撤销）。请写明核实的情况（如：电话核实，确为 30 人次）：", True, ok="记下已核实")
        if note is not None:
            self.controller.confirm(s.school.name, rule, note)

    def add_school(self) -> None:
        answer = ask_school(self.parent, None, self._units())
        if answer is not None:
            self.controller.add_school(answer.name, answer.details, answer.note)

    def edit_school(self, s: SchoolState) -> None:
        answer = ask_school(self.parent, s.school, self._units())
        if answer is not None and answer.details:
            self.controller.edit_school(answer.name, answer.details, answer.note)

    def remove_school(self, school: str) -> None:
        note = dialogs.ask_note(self.parent, f"从名单移除：{school}",
                                "移除后它不再计入应报、也不再催报；它发来的文件仍然保留。请写明原因（如：已撤并）：",
                                ok="移除")
        if note is not None:
            self.controller.remove_school(school, note)

    def _units(self) -> list[str]:
        ov = self.controller.overview
        return sorted({s.school.parent for s in ov.schools}) if ov else []
