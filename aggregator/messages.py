"""The catalogue of the engine's own Chinese messages, keyed by a stable id.

Form rules carry their messages in the form's declaration; everything the engine itself says
about a file or a cell (it could not read it, it changed it), and every note it hands the clerk
(a return waits for her, a summary is a draft), lives here, so wording is reviewed in one place
and an English catalogue could sit beside it later.

A note is data (``Note``: an id and its values) until it is shown. Where it tells the clerk what
to do next, the command line and the window say it differently ("dudao assign" / "点击“指定学校…”"):
``{do:assign}`` in a message is filled from ``ACTIONS`` for the channel it is rendered for.
"""

from __future__ import annotations

import errno
import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

MESSAGES: dict[str, str] = {
    # --- cells the reader could not take as they are (rule ids of findings) ---
    "not-a-number": "{cell} {label}填的是“{raw}”，不是数字，请只填写阿拉伯数字（如 3）",
    "not-whole": "{cell} {label}填的是 {raw}，应为整数，请改为整数",
    "negative": "{cell} {label}填的是 {raw}，不能为负数，请改为 0 或正整数",
    "formula-error": "{cell} {label}的公式结果是错误值“{raw}”，请直接填写数字",
    "formula-unsupported": "{cell} {label}是公式“{raw}”，且文件中没有保存计算结果，请在 Excel/WPS 中打开后保存一次，或直接填写数字",
    "not-a-date": "{cell} {label}填的是“{raw}”，不是日期，请按 2024-03-05 的格式填写",
    "not-a-choice": "{cell} {label}填的是“{raw}”，请从下拉列表中选择：{choices}",
    "doc-empty": "这份{label}中没有文字内容，请确认发送的是写好的材料，重新发送",
    "doc-short": "这份{label}正文只有 {chars} 个字，不像完整的材料（一般应有 {min_chars} 字以上），请核对是否发错了文件",
    "doc-unchanged": "这份{label}是下发的原文件，没有填写或修改，请填写后重新发送",
    "not-found": "表中找不到“{label}”这一项，请使用下发的原表填写，不要删除或改动表格中的文字",
    "form-not-found": "文件中找不到《{title}》的表格，请使用下发的原表填写后报送",
    "wrong-form": "这是《{found}》，不是本次收集的《{title}》，请核对附件后用本次下发的表重新报送",
    # --- explain rules (核实性): the school may keep a figure it explains (``form.explanations``) ---
    "explain-needed": "如确实无误，请在“{sheet}”表“{name}”一行的说明栏写明原因（不少于 {min} 个字）；如填错了，请改正",
    "explain-short": "“{sheet}”表“{name}”一行的说明“{text}”太短，请写明原因（不少于 {min} 个字）；如填错了，请改正",
    "explain-intro": "统计表中的数字属于下列情况（退回的表中标为橙色）而确实无误的，请在该项的“说明”栏写明原因"
                     "（不少于 {min} 个字），不必修改数字；填错了的，请改正统计表中的数字。没有这些情况的，不用填写。",
    "outlier-about": "某项数字远高于同学段的其他学校",
    "previous-block": "本校上期的数字（供对照）：本期与上期相比变化超出上面所说范围的，请在“{name}”一行写明原因，或改正统计表中的数字",
    "vs-previous-about": "{labels}与本校上期相比，增加到 {factor} 倍以上或减少到 1/{factor} 以下",
    "vs-previous-up": "{cell} {label}本期填 {value}，上期为 {previous}，是上期的 {ratio} 倍（超过 {factor} 倍），请核对",
    "vs-previous-down": "{cell} {label}本期填 {value}，上期为 {previous}，不到上期的 1/{factor}，请核对",
    # --- one agreed correction for connected findings (``checks.fixes``) ---
    "fix-set": "请把 {changes}",
    "fix-set-item": "{cell}（{label}）改为 {value}",
    "fix-basis": "{label}填的是 {values}",
    "fix-trust": "{basis}，以此为准；",
    "fix-fill": "请补填：{items}",
    "fix-change": "请改正：{items}",
    "fix-eq": "{what}应为 {bounds}",
    "fix-le": "{what}不超过 {bounds}",
    "fix-ge": "{what}至少为 {bounds}",
    "fix-sum": "{what}之和",
    "fix-together": "这几处相互关联，请一并核对 {cells}，使 {rules} 同时成立",
    # --- notes on values the reader normalised (info level) ---
    "blank-as-zero": "{cell} {label}未填写，按 0 计",
    "text-number": "{cell} {label}是文本格式的数字“{raw}”，按 {value} 计",
    "full-width": "{cell} {label}含全角数字“{raw}”，按 {value} 计",
    "unit-suffix": "{cell} {label}填的是“{raw}”，按 {value} 计",
    "whole-float": "{cell} {label}填的是 {raw}，按 {value} 计",
    "trimmed": "{cell} {label}前后有空格，已去掉",
    "rounded": "{cell} {label}填的是 {raw}，按 {value} 计（保留规定的小数位数）",
    "date-serial": "{cell} {label}是数字 {raw}，按日期 {value} 计",
    "date-text": "{cell} {label}填的是“{raw}”，按日期 {value} 计",
    "choice-typed": "{cell} {label}填的是“{raw}”，按“{value}”计",
    "formula-computed": "{cell} {label}是公式“{raw}”，文件中没有计算结果，已按公式算得 {value}",
    "formula-text": "{cell} {label}是公式“{raw}”，文件中没有保存结果，按显示的文字“{value}”记录",
    # --- files that could not be read at all (collect's "unreadable" reasons): each says what to do ---
    "empty-file": "文件是空的（0 字节），可能没有下载完整，请重新下载或让学校重新发送",
    "corrupt": "文件已损坏，无法打开{detail}，请让学校用 Excel/WPS 打开后重新保存再发送",
    "corrupt-document": "文件已损坏，无法打开{detail}，请让学校用 Word/WPS 打开后重新保存（照片请重新拍照）再发送",
    "encrypted": "文件设置了打开密码，无法读取，请让学校取消密码后重新发送",
    "not-spreadsheet": "这不是 Excel 表格文件（看起来是{kind}），请让学校发送填好的 Excel 表",
    "word-form-old": "这是用 Word 填写的{label}（.doc/.wps 旧格式），程序读不了其中的表格，请让学校另存为 .docx 或填写下发的 Excel 表后重新报送",
    "old-excel": "旧版 Excel 格式（Excel 4.0 或更早），请另存为 .xlsx 后重新报送",
    "oversized": "文件过大（{size}），不像是本表，为安全起见未打开，请核对是否发错了文件",
    "zip-bomb": "文件解压后异常巨大（{size}），为安全起见未打开，请让学校重新保存后发送",
    "unsafe-xml": "文件内容含有不安全的结构，为安全起见未打开，请让学校用 Excel/WPS 重新保存后发送",
    "too-many-cells": "文件中的数据量异常{detail}，不像是本表，为安全起见未读取，请让学校只保留本表后重新发送",
    "read-error": "读取时出错，请让学校用 Excel/WPS 打开后另存为 .xlsx 再发送",
    "read-crash": "读取时程序意外退出，文件可能已损坏，请让学校用 Excel/WPS 打开后另存为 .xlsx 再发送",
    "read-timeout": "读取超时，文件可能已损坏或异常复杂，请让学校用 Excel/WPS 打开后另存为 .xlsx 再发送",
    "read-memory": "读取这份文件需要的内存异常多，为安全起见已停止，请让学校只保留本表后另存为 .xlsx 再发送",
    # --- what collect skips, found before any reading ---
    "link": "这是一个快捷方式/链接，不是文件本身，已跳过，请把文件本身放进来",
    "special-file": "这不是普通文件（是管道、设备等特殊文件），已跳过",
    "zip-link": "压缩包中的这一项是链接，不是文件，已跳过，请让学校直接发送表格文件",
    "zip-nested": "压缩包嵌套层数过多，为安全起见未继续解开，请让学校直接发送表格文件",
    "missing": "找不到文件或文件夹：{path}，请检查路径是否正确",
    "locked": "文件正被其他程序打开，请关闭后重新收取",
    "vanished": "收取时文件已不在原处（被移动、改名或删除），本次未收取；文件还在别处的，请再收取一次",
    # --- notes for the clerk (``Note``) ---
    "text": "{text}",
    "review-meta-vs-unit": "这份表是发给“{school}”的，但{unit_label}写的是“{unit}”，请确认是哪所学校的报表",
    "review-unit-vs-file": "{unit_label}写的是“{unit}”，但文件名像是“{school}”的，请确认是哪所学校的报表",
    "unidentified-unit": "{unit_label}“{unit}”不在学校名单中，文件名也看不出是哪所学校，请指定学校{do:assign}",
    "unidentified-blank": "没有填写{unit_label}，文件名也看不出是哪所学校，请指定学校{do:assign}",
    "document-two-schools": "文件名像是“{by_name}”的，但文中写的是“{by_text}”，请确认是哪所学校的材料{do:assign}",
    "document-no-school": "文件名和标题都看不出是哪所学校的材料，请指定学校{do:assign}",
    "document-no-material": "看得出是“{school}”的，但看不出是哪一项材料（如案例、报告），请指定材料{do:assign}",
    "name-required": "请写明本级名称（如“某某区”“某某市”），它会出现在每一份下发的表、给学校的信和汇总表上{do:name}",
    "not-a-collection": "{root} 不是收集文件夹（没有 {settings}）。{do:init}",
    "ledger-broken": "收集文件夹中的 {name} 已损坏，无法打开（{reason}）。请从备份恢复这个文件；没有备份的，请新建一个"
                     "收集文件夹，把本文件夹 archive 中的文件全部收取一次（收到的文件都原样保存在那里；人工确认、退回等"
                     "决定需要重新做）",
    "ledger-unusable": "无法打开收集文件夹中的 {name}（{reason}）：它可能正被另一个 dudao 窗口或命令使用，或者文件夹不允许"
                       "写入。请关闭其他 dudao 窗口，等正在运行的命令结束后再试一次",
    "file-not-found": "没有找到文件“{ref}”。请用{do:listed-file}",
    "file-ambiguous": "“{ref}”对应多个文件，请写出完整路径{do:see-status}",
    "feedback-waiting": "{schools} 的报表待人工确认{do:status-why}，本次未生成反馈",
    "documents-exported": "各校报送的 {count} 份材料已按“所属单位-学校-材料”命名，放在 summary 文件夹的“{folder}”中，另有压缩包 {zip}",
    "summary-draft": "注意：本次汇总含未通过校验的学校数据，仅供参考。",
    "summary-check": "汇总数字未通过校验：{message}",
    "summary-locked": "汇总表 {name} 正在被其他程序打开，本次保存为 {new}",
    "mail-already-sent": "{school}：同样的邮件已于 {at} 发送过，本次未重复发送；如需再发，可用邮件程序打开 {draft} 发送",
    "mail-not-sent": "{school}：邮件未发出，{why}；草稿 {draft} 可用邮件程序手动发送",
    "mail-refused": "{school}：部分收件人被拒绝：{why}",
    "mail-sent": "已发送 {count} 封邮件",
    "no-sender": "邮件草稿没有发件人：请{do:mail-sender}（用 Outlook、Foxmail 打开草稿时也可以手动选择）",
    "marked-rebuilt": "{school}：报送的文件“{file}”{why}，无法在原表上标注，已按读到的数据重新生成一份表并标注",
    "bad-email": "{school}：名单中的邮箱“{bad}”格式不对，邮件草稿中未填写，请核对名单",
    "no-email": "{school}：名单中没有邮箱，邮件草稿未填写收件人，请手动填写或用其他方式发给学校",
    "stale-moved": "已将 {count} 个不再需要的旧反馈文件移到 {folder}",
    "no-libreoffice": "没有找到 LibreOffice，未生成手机查看用的 PDF；可把标注好的 .xlsx 直接发给学校（安装 LibreOffice 后重新生成反馈即可）",
    "pdf-missing": "有 {count} 份手机查看用的 PDF 没有生成（LibreOffice {problem}）；可把标注好的 .xlsx 直接发给学校",
    "feedback-locked": "反馈文件 {name} 正在被其他程序打开，本次保存为 {new}",
    "summary-renamed": "汇总表只能保存为 .xlsx 文件，已保存为 {new}",
    # --- what the clerk asked for that cannot be done, and the fix (``CollectionError``) ---
    "not-reported-to-edit": "{school} 还没有报送，没有可以修改的表",
    "no-working-copy": "没有找到 {school} 的修改稿，请先{do:working-copy}打开一份来修改",
    "working-copy-unsaved": "修改后的表还没有保存过：请在 Excel 或 WPS 中改好并保存（Ctrl+S），再{do:collect-corrected}",
    "working-copy-unreadable": "修改后的表无法读取（见{do:waiting-files}），请检查后重新保存：{path}",
    "reason-required": "请写明原因{do:note}，它会记在报送记录和汇总表中",
    "nothing-to-undo": "没有可以撤销的这项决定",
    "cannot-accept-missing": "{school} 还没有报送，无法通过；如这所学校不需要报送，请设为免报",
    "cannot-return-missing": "{school} 还没有报送，无法退回；可以催报",
    "no-such-warning": "{school} 当前的报表没有“{rule}”这条提示（有的提示：{listed}）",
    "explanation-required": "{school} 没有说明“{rule}”：请写明核实的情况{do:note}（不少于 {min} 个字，如“电话核实：今年新增两所分校”），"
                            "它作为这一项的说明记下",
    "previous-itself": "{folder} 就是本次收集，不能与自己比较；请选择上一期同一张表的收集文件夹",
    "previous-not-a-collection": "{folder} 不是收集文件夹（没有收集设置.toml 或已损坏）；请选择上一期用本程序建立的、"
                                 "同一张表的收集文件夹",
    "previous-other-form": "{folder} 收集的是《{title}》，不是同一张表，无法与上期比较；请选择上一期收集本表的文件夹",
    "previous-names-unknown": "名称对照表 {source} 有问题，请改正后重新导入：{problems}",
    "previous-required": "还没有指定上期的收集文件夹，名称对照表要和它一起用{do:previous}",
    "not-a-waiting-file": "“{ref}”不在{where}中，请用{do:listed-file}",
    "school-exists": "名单中已经有“{school}”了",
    "nothing-to-tell": "{school} 现在不需要反馈{state}，没有记录",
    "unknown-school": "名单中没有“{school}”这所学校，请写名单上的学校名称",
    "unknown-material": "“{material}”不是本次收集的一项材料（或对应多项），请写其中一项：{choices}",
    "material-not-owed": "“{school}”不需要报送“{material}”；它要报送的材料有：{choices}",
    "material-required": "请指定这是哪一项材料{do:material}（“{school}”要报送的有：{choices}）",
    "already-a-collection": "{root} 已经是一个收集文件夹了；如需重新开始，请换一个新文件夹",
    "plan-without-form": "计划“{plan}”中没有表单（kind = \"form\"），一次收集需要一张要汇总的表",
    "demo-folder-busy": "{root} 不是空文件夹，演示不会覆盖它。请换一个文件夹名，如 演示",
    "no-mail-password": "还没有保存邮箱密码（授权码）：请{do:mail-password}",
    "bad-test-address": "收件邮箱“{to}”格式不对，请写成 jyj@example.com 的形式",
    "unknown-pick": "“{material}”不是本次收集的一项材料（或对应多项），请写其中一项：{labels}",
    "no-pick-materials": "本次收集只有表格，没有案例、推荐等材料，没有可以推荐上报的材料",
    "not-picked": "没有推荐过{school}的{material}，不需要撤销",
    "nothing-to-pick": "{school}还没有交{material}，无法推荐",
    "picked-already": "{school}的{material}已经推荐过了",
    "item-closed-already": "第 {item} 项已于 {at} 销号",
    "item-not-closed": "第 {item} 项还没有销号，不需要撤销",
    "list-no-header": "{source} 中找不到表头：第一行应为 {wanted}",
    "list-empty": "{source} 中没有任何问题（表头下面是空的）",
    "list-missing": "找不到问题清单：{path}",
    "list-not-a-table": "{name} 不是表格文件。问题清单请用 Excel 表格（.xlsx、.xls）或 .csv 文件",
    "file-busy": "无法保存 {name}：它和它的备用文件名都被占用，请关闭打开的 {program} 后{again}",
    "file-error": "无法读写文件{name}（{reason}）。{advice}",
    "file-error-path": "请检查路径是否正确，然后再试一次",
    "file-error-space": "请腾出磁盘空间，然后再试一次",
    "file-error-network": "请检查网络和网络上的文件夹是否可用，然后再试一次",
    "file-error-held": "请检查该文件是否正被 Excel 或 WPS 打开、文件夹是否允许写入、磁盘是否已满，然后再试一次",
    "unknown-include": "汇总范围“{include}”无法识别，可选：accepted（只汇总通过的）或 all（全部）",
    "no-such-item": "整改台账中没有第 {item} 项，请{do:items}查看各项的编号",
    "item-note-required": "请写明{what}{do:note}",
    # --- what a verb says once it is done (``said``), for every face alike ---
    "distributed": "已生成 {written} 份空白表，{kept} 份已存在未覆盖{do:distributed}",
    "collected": "本次共 {seen} 个文件：新收到报表 {returns} 份{schools}，{documents}重复 {duplicates} 份，"
                 "无法读取 {unreadable} 个，待人工确认 {review} 个。{do:see-all}",
    "decided-accept": "已记录：{school} 仍然通过{why}",
    "decided-send_back": "已记录：{school} 退回修改{why}",
    "decided-exempt": "已记录：{school} 免报，不再计为未报，也不催报{why}",
    "decided-remark": "已记录给 {school} 的说明，会写进下一封反馈或催报{why}",
    "decided-confirm": "已记录：{school} 的提示“{rule}”已核实{why}，不再提示",
    "undone-confirm": "已撤销：{school} 的提示“{rule}”重新计为提示",
    "decided-ignore": "已忽略 {file}（文件仍保存在收集文件夹的 archive 中）{why}",
    "decided-tie": "已记录：“{file}”是{school}发来的文件。给{school}的反馈会说明这份文件无法打开、请重新保存后发送{why}",
    "undone-tie": "已撤销：“{file}”不再算作{school}发来的文件",
    "undone": "已撤销：{subject} 的“{label}”",
    "assigned-return": "已将 {file} 指定为“{school}”的报表，并已重新校验",
    "assigned-document": "已将 {file} 指定为“{school}”的“{material}”",
    "school-added": "已把“{school}”加入名单（现有 {count} 所）",
    "school-edited": "已修改“{school}”的信息",
    "school-removed": "已把“{school}”移出名单；它发来的文件仍然保留",
    "told-schools": "已记录：{schools} 已告知{how}",
    "settings-saved": "已保存设置",
    "register-written": "整改台账：{name}",
    "report-drafted": "本级督导工作落实情况报告（草稿）：{name}",
    "picks-exported": "推荐材料 {count} 份和推荐名单在 summary 文件夹的“{folder}”中",
    "fed-back": "退回修改 {returned} 所，催报 {reminders} 所{more}{do:fed-back}",
    "picked": "已推荐：{school}的{material}（{file}），汇总时放入 summary 文件夹的“上报材料”，并列入推荐名单",
    "unpicked": "已撤销推荐：{school}的{material}（{file}）",
    "previous-taken": "与上期比较：已读取《{title}》（{folder}）中 {schools} 所学校的数字{renames}",
    "previous-forgotten": "已取消与上期比较",
    "no-marked-workbook": "{school} 现在不需要退回修改，没有标注表",
    "marked-workbook-failed": "没能生成 {school} 的标注表，请{do:feedback}后在反馈文件夹中查看",
    "resubmit-past": "设置的重新报送日期（{chosen}）已过，本次反馈写的是 {used}{do:resubmit}",
    # --- the rectification register against a school's own figures (``supervision.checks``) ---
    "register-mismatch": "{closed_cell} {closed_label}填的是 {closed}、{open_cell} {open_label}填的是 {open}，"
                         "而整改台账中贵校的 {items} 项问题已销号 {closed_items} 项、未销号 {open_items} 项，请核对",
    # --- what a summary covers, and why no upward version was written (``outputs.summary.coverage``) ---
    "coverage": "本表汇总 {included} {noun}（应报 {expected} {measure}{left_out}）{unchecked}",
    "coverage-left-out": "；{parts}",
    "coverage-missing": "未报 {n} {measure}",
    "coverage-returned": "退回修改中 {n} {measure}",
    "coverage-needs_review": "待确认 {n} {measure}",
    "coverage-exempt": "免报 {n} {measure}",
    "coverage-unchecked": "，含 {n} {noun}未经核实的提示数据",
    "upward-unconfirmed": "未生成上报版：已计入汇总的 {n} 所学校有尚未核实的提示（{schools}）。请与学校核实{do:confirm-warning}{do:despite-warnings}",
    "upward-draft": "本次汇总含未通过校验的学校数据，不能上报，未生成上报版",
    "upward-unsigned": "未生成上报版：请先设置本级{missing}{do:set-reporting}，再汇总一次",
    "upward-despite": "上报版含 {n} 所学校未经核实的提示数据（{schools}），表上已注明",
    "upward-stale": "上次生成的上报版已不是现在的数据，已改名为“{name}”，请勿报送",
    "problems-review-kept": "“{sheet}”中修改过的文字和顺序已沿用到本次汇总和上报版",
    "problems-review-stale": "各校所填的“{label}”有变化，已重新归纳，“{sheet}”中原来修改的文字未沿用，请重新核对",
    "cover-unconfirmed": "{n} 所已计入汇总的学校有尚未核实的提示：{schools}。请与学校核实{do:ask-schools}{do:confirm-warning}",
    "cover-other-files": "收到的文件中另有 {unidentified} 份未能确定是哪所学校、{unreadable} 个无法读取，均未计入汇总{do:see-files}",
    "cover-problems": "“{form_sheet}”中的“{label}”是程序按各校所填的文字自动归纳的（共归纳为 {n} 类，见“{sheet}”），报送前请核对：可在“{sheet}”中直接修改文字、学校数和顺序，保存后再汇总一次，上报版即用改后的文字",
    "cover-upward": "请报送“{name}”（与本文件在同一文件夹）：只有“{form_sheet}”一页，数字不含公式，不含学校名称、联系方式和校验问题",
    "cover-upward-detail": "请报送“{name}”（与本文件在同一文件夹）：“{form_sheet}”一页（数字不含公式），另附分校明细和分单位小计，不含学校的联系方式和校验问题",
}

# A file that could not be read, as the school that sent it reads it: the reasons above are the
# clerk's ("请让学校…"); a school is told what went wrong with its file and how to send it again.
# A kind not listed here (form-not-found, wrong-form) is worded for the school already.
FOR_SCHOOL: dict[str, str] = {
    "empty-file": "文件是空的（0 字节），可能没有发送完整，请重新发送",
    "corrupt": "文件已损坏，请用 Excel/WPS 打开后重新保存再发送",
    "corrupt-document": "文件已损坏，请用 Word/WPS 打开后重新保存（照片请重新拍照）再发送",
    "encrypted": "文件设置了打开密码，请取消密码后重新发送",
    "not-spreadsheet": "这不是 Excel 表格文件，请发送填好的 Excel 表",
    "word-form-old": "这是用 Word 旧格式（.doc/.wps）填写的表，程序读不了其中的表格，请另存为 .docx 或填写下发的 Excel 表后重新发送",
    "old-excel": "这是旧版 Excel 格式（Excel 4.0 或更早），请另存为 .xlsx 后重新发送",
    "oversized": "文件过大，不像是本表，请核对是否发错了文件",
    "zip-bomb": "文件解压后异常巨大，请用 Excel/WPS 重新保存后直接发送表格文件",
    "unsafe-xml": "文件内容含有不安全的结构，请用 Excel/WPS 重新保存后发送",
    "too-many-cells": "文件中的数据量异常，不像是本表，请只保留本表后重新发送",
    "read-error": "请用 Excel/WPS 打开后另存为 .xlsx 再发送",
    "read-crash": "文件可能已损坏，请用 Excel/WPS 打开后另存为 .xlsx 再发送",
    "read-timeout": "文件可能已损坏或异常复杂，请用 Excel/WPS 打开后另存为 .xlsx 再发送",
    "read-memory": "文件异常复杂，请只保留本表后另存为 .xlsx 再发送",
    "link": "发来的是一个快捷方式/链接，不是文件本身，请发送文件本身",
    "zip-link": "压缩包中有链接，不是文件，请直接发送表格文件",
    "zip-nested": "压缩包嵌套层数过多，请直接发送表格文件",
}


def for_school(kind: str, reason: str) -> str:
    """Why a school's file could not be read and how to send it again, in the school's words."""
    return FOR_SCHOOL.get(kind) or reason.replace("请让学校", "请")


# Rule ids of the engine's own findings, as a person reads them (a form names its own rules with
# ``name`` in its declaration). Ids appear only in JSON.
RULE_NAMES: dict[str, str] = {
    "not-a-number": "不是数字",
    "not-whole": "不是整数",
    "negative": "负数",
    "formula-error": "公式结果错误",
    "formula-unsupported": "公式没有结果",
    "not-a-date": "不是日期",
    "not-a-choice": "不是可选的选项",
    "not-found": "找不到该项",
    "form-not-found": "找不到表格",
    "wrong-form": "不是本次的表",
    "outlier": "数字明显偏大",
    "register-mismatch": "与整改台账不符",
    "vs-previous": "与上期相比变化过大",
}


# What the operating system said, in the clerk's words (Linux and macOS say it in English; Windows
# in the system's language, which ``strerror`` passes on), and what to check. By name: not every
# system has every code (MSVC's errno.h may lack EDQUOT).
_OS_WORDS = {  # errno name -> (reason, advice)
    "ENOENT": ("文件或文件夹不存在", "file-error-path"), "ENOTDIR": ("路径中有一段不是文件夹", "file-error-path"),
    "EISDIR": ("这是一个文件夹", "file-error-path"), "ENAMETOOLONG": ("文件名太长", "file-error-path"),
    "EEXIST": ("已有同名的文件", "file-error-path"),
    "ENOSPC": ("磁盘已满", "file-error-space"), "EDQUOT": ("磁盘配额已满", "file-error-space"),
    "EACCES": ("没有权限", "file-error-held"), "EPERM": ("没有权限", "file-error-held"),
    "EROFS": ("磁盘或文件夹只读", "file-error-held"), "EBUSY": ("正被其他程序占用", "file-error-held"),
    # a server that does not answer (the mail server, a network drive): said the same way
    "ECONNREFUSED": ("服务器拒绝连接", "file-error-network"), "ETIMEDOUT": ("连接超时", "file-error-network"),
    "ENETUNREACH": ("网络不通", "file-error-network"), "EHOSTUNREACH": ("无法到达服务器", "file-error-network"),
    "ECONNRESET": ("连接被服务器断开", "file-error-network"),
}
_OS_REASONS = {getattr(errno, name): words for name, words in _OS_WORDS.items() if hasattr(errno, name)}


def file_error(exc: OSError) -> str:
    """A file operation the system refused (a full disk, a read-only folder, a file held open, a
    path that is not there), said the same by every face: the file, the reason, what to check."""
    name = f"“{exc.filename}”" if exc.filename else ""
    advice = _OS_REASONS.get(exc.errno, ("", "file-error-held"))[1]
    return message("file-error", name=name, reason=os_reason(exc), advice=message(advice))


def os_reason(exc: OSError) -> str:
    """What the system said of a file, in Chinese where we know the words."""
    return _OS_REASONS.get(exc.errno, ("", ""))[0] or exc.strerror or type(exc).__name__


# What Python's TOML reader says of a settings, plan or form file a person edited, in Chinese.
_TOML_WORDS = (
    (r"Invalid value", "“=”后面的值写法不对：文字要用英文双引号括起来（如 \"某某区\"），不能用中文引号"),
    (r"Invalid statement", "这一行写法不对：每一行应写成 名称 = 值，或 [表名]"),
    (r"Unterminated string", "引号没有配对"),
    (r"Cannot declare \((?P<key>.*?),?\) twice", "[{key}] 写了两次"),
    (r"Cannot overwrite a value", "同一项写了两次"),
    (r"Unclosed array", "方括号“[”没有配对的“]”"),
    (r"Unclosed inline table", "花括号“{{”没有配对的“}}”"),
    (r"Expected '=' after a key in a key/value pair", "缺少“=”：每一行应写成 名称 = 值"),
    (r"Expected newline or end of document after a statement", "一行只能写一项"),
    (r"Expected '\]' at the end of a table declaration", "表名后缺少“]”"),
    (r"Illegal character (?P<char>.+)", "有不能出现的字符 {char}"),
)
_TOML_WHERE = re.compile(r"\s*\((?:at line (?P<line>\d+), column (?P<col>\d+)|at end of document)\)$")


def toml_words(exc: Exception) -> str:
    """A TOML file's error as its editor reads it: where (第 N 行第 M 列, or 文件末尾) and what."""
    text = str(exc)
    where = _TOML_WHERE.search(text)
    what = text[: where.start()] if where else text
    for pattern, chinese in _TOML_WORDS:
        m = re.fullmatch(pattern, what)
        if m:
            what = chinese.format(**{k: v.strip("'\"") for k, v in m.groupdict().items()})
            break
    if isinstance(exc, UnicodeDecodeError):
        what = "不是 UTF-8 编码的文本，请用记事本打开后另存为 UTF-8"
    if where is None:
        return what
    place = f"第 {where['line']} 行第 {where['col']} 列" if where["line"] else "文件末尾"
    return f"{place}：{what}"


def rule_name(rule_id: str, form: Any = None) -> str:
    """A rule as a person reads it: the form's own name for it, the engine's, else the id."""
    declared = form.rule_name(rule_id) if form is not None and hasattr(form, "rule_name") else ""
    return declared or RULE_NAMES.get(rule_id, rule_id)


# What to do next, as each channel says it.
ACTIONS: dict[str, dict[str, str]] = {
    "assign": {"cli": "（dudao assign）", "window": "（选中这个文件，点击“指定学校…”）"},
    "init": {"cli": "请先运行 dudao init 建立", "window": "请点击“新建收集…”建立，或选择已有的收集文件夹"},
    "listed-file": {"cli": " dudao status 中列出的文件名", "window": "列表中的文件"},
    "see-status": {"cli": "（见 dudao status）", "window": ""},
    "status-why": {"cli": "（dudao status 查看原因）", "window": "（见学校列表）"},
    "name": {"cli": "：dudao init 文件夹 --roster 名单 --name 某某区", "window": "：在“本级名称”中填写"},
    "distributed": {"cli": "，位置：{folder}",
                    "window": "。请点击“打开空白表文件夹”，把每所学校的表发给该校（微信、QQ 或邮件均可）"},
    "see-all": {"cli": "查看全部：dudao status {dir}", "window": ""},
    "feedback": {"cli": "运行 dudao feedback", "window": "点击“生成反馈”"},
    "working-copy": {"cli": "在桌面程序中点“修改后收取”", "window": "点“修改后收取”"},
    "waiting-files": {"cli": " dudao status 的“无法读取”", "window": "“待处理的文件”"},
    "note": {"cli": "（--note）", "window": ""},
    "items": {"cli": "用 dudao supervise 文件夹 list ", "window": "在“整改督办”中"},
    "fed-back": {"cli": "；反馈文件在：{folder}", "window": ""},
    "collect-corrected": {"cli": "在桌面程序中点“收取修改后的表”", "window": "点“收取修改后的表”"},
    "material": {"cli": "（--material，如 --material 案例）", "window": ""},
    "mail-sender": {"cli": "用 dudao settings 文件夹 --mail-sender 邮箱地址 设置发件邮箱",
                    "window": "在“设置 → 邮件”中填写发件人地址"},
    "mail-password": {"cli": "用 dudao settings 文件夹 --mail-password 保存", "window": "在“设置 → 邮件”中填写"},
    "resubmit": {"cli": "（可用 dudao settings 文件夹 --resubmit-by 日期 重新设置）", "window": "（可在“设置”中修改）"},
    "confirm-warning": {
        "cli": "，核实后逐条记录（dudao confirm {root} 学校名称 提示名称 --note 核实情况），再汇总一次",
        "window": "，核实后在学校详情中确认这条提示（写明核实情况），再点“汇总”",
        "book": "，核实后在桌面程序的学校详情中确认这条提示（命令行为 confirm 命令），再汇总一次"},
    "despite-warnings": {"cli": "；核实后数据无误、来不及逐条记录的，可加 --despite-warnings 照样生成（表上会注明）",
                         "window": "", "book": ""},
    "set-reporting": {"cli": "（dudao settings {root} --reporter 张三 --phone 0722-1234567）",
                      "window": "（在“设置”中填写）", "book": "（在桌面程序的“设置”中填写，命令行为 settings 命令）"},
    "ask-schools": {"cli": "（dudao feedback {root} --warnings 写“请核对”的反馈）",
                    "window": "（生成反馈时包括“请核对”）",
                    "book": "（在桌面程序中生成包括“请核对”的反馈，命令行为 feedback 命令）"},
    "see-files": {"cli": "（见 dudao status {root}）", "window": "（见“待处理的文件”）",
                  "book": "（见桌面程序的“待处理的文件”，命令行为 status 命令）"},
    "previous": {"cli": "：--previous 上期文件夹 --previous-names 对照表.xlsx", "window": "：请先选择上期收集文件夹"},
}
CLI, WINDOW, BOOK = "cli", "window", "book"  # the channels a note is worded for (BOOK: inside a workbook)
_ACTION = re.compile(r"\{do:([\w-]+)\}")


@dataclass(frozen=True)
class Note:
    """Something the engine tells the clerk, kept as data until it is shown."""

    id: str
    values: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, note_id: str, **values: Any) -> "Note":
        if note_id not in MESSAGES:
            raise KeyError(f"no message {note_id!r} in the catalogue")
        return cls(note_id, tuple(values.items()))

    def render(self, channel: str = "cli") -> str:
        # A workbook says what the window says where it has no words of its own.
        template = _ACTION.sub(lambda m: ACTIONS[m.group(1)].get(channel, ACTIONS[m.group(1)][WINDOW]),
                               MESSAGES[self.id])
        try:
            return template.format(**dict(self.values))
        except (KeyError, IndexError):
            return template

    def __str__(self) -> str:
        return self.render("cli")

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "values": dict(self.values)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> "Note | None":
        """A stored note; a plain sentence (a ledger written before notes were typed) as itself."""
        if not text:
            return None
        try:
            data = json.loads(text)
            if isinstance(data, Mapping) and data.get("id") in MESSAGES:
                return cls(data["id"], tuple(dict(data.get("values", {})).items()))
        except ValueError:
            pass
        return cls.of("text", text=text)


def render(item: "Note | str | None", channel: str = CLI) -> str:
    """A note for ``channel``; a plain string as it is."""
    if item is None:
        return ""
    return item.render(channel) if isinstance(item, Note) else str(item)


def message(key: str, **values: object) -> str:
    """Fill a catalogue message; unknown placeholders are left visible rather than raising."""
    template = MESSAGES[key]
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template
