"""帮助: 使用说明 (the clerk's day in eight steps) and 关于 (which version, for a support call)."""

from __future__ import annotations

import aggregator

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from . import dialogs

APP_NAME = "学校报表收集汇总"
GUIDE = """
<h3>一次统计的完整流程</h3>
<ol>
<li><b>准备名单</b>：点击“文件 → 下载名单模板…”，在 Excel 或 WPS 中填好各校的名称、学段、所属单位、联系人、电话和邮箱。</li>
<li><b>新建收集</b>：点击“新建收集…”，选择一个空文件夹、要收集的表和填好的名单，填写本级名称和截止日期。</li>
<li><b>下发空白表</b>：点击“下发空白表”，再点“打开空白表文件夹”，把每所学校的表发给该校（微信、QQ 或邮件均可）。</li>
<li><b>收取</b>：把学校发回的文件（可以是压缩包）拖进窗口，或点“收取文件…”“收取文件夹…”。
在“设置 → 自动收取”中添加微信、QQ 的下载文件夹并打开“自动收取”，新收到的报表会自动收取。</li>
<li><b>查看</b>：表格中每所学校一行，颜色表示状态。单击学校，右侧列出它的报表存在的问题；双击打开详情和原件。
右键菜单中可以“仍然通过”“退回”“免报”“添加说明”，或“修改后收取”。</li>
<li><b>退回和催报</b>：选中学校后点“复制退回意见”，粘贴到微信或 QQ 群；点“复制催报名单”，把未报学校按单位列出。
需要发邮件时点“生成反馈”，或在“设置 → 邮件”中填好邮箱后“生成并直接发送邮件”。“反馈”一列显示是否已发送。</li>
<li><b>待处理的文件</b>：无法读取或认不出是哪所学校的文件列在右侧“待处理的文件”中，可以指定学校、记下是哪所学校发的，或忽略。</li>
<li><b>汇总</b>：点击“汇总”生成全区汇总表，再点“打开汇总表”。“总览”中可以随时看到各单位的进度和全区合计。</li>
</ol>
<p>收集文件夹中保存着收到的每一份原件和全部记录，可以整个复制给同事继续处理。</p>
"""


def app_version() -> str:
    """The same version ``dudao --version`` prints."""
    return aggregator.__version__


def show_help(parent: QWidget) -> None:
    dialog = QDialog(parent)
    dialog.setWindowTitle("使用说明")
    dialog.resize(640, 520)
    text = QTextBrowser()
    text.setHtml(GUIDE)
    buttons = dialogs.chinese_buttons(QDialogButtonBox(QDialogButtonBox.StandardButton.Ok), ok="关闭")
    buttons.accepted.connect(dialog.accept)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.exec()


def show_about(parent: QWidget) -> None:
    dialogs.tell(parent, "关于", f"{APP_NAME}\n版本 {app_version()}\n\n下发、收取、校验、退回与汇总学校报表。\n"
                               "出现问题时，请把收集文件夹中的 ledger.sqlite 和出错提示发给技术人员。")
