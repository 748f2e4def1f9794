Attribute VB_Name = "dudao"
' 督导报表的 Excel 按钮：校验本表、收取本表。
' 需要先安装 Python、本程序和 xlwings 的 Excel 加载项（见 macros\README.md）。
' 导入方法：Excel 中按 Alt+F11 打开 VBA 编辑器，文件 → 导入文件，选择本文件；
' 然后在“快速访问工具栏”或功能区中添加这两个宏的按钮。
Option Explicit

' 校验当前打开的表：问题列在新的工作表“校验结果”中，并弹出提示。
Public Sub 校验本表()
    RunPython "import macros.excel; macros.excel.button_check()"
End Sub

' 把当前打开的表收进收集文件夹（保存一份副本，原表不变），并弹出收取结果。
Public Sub 收取本表()
    Dim folder As String
    folder = GetSetting("dudao", "excel", "collection", "")
    folder = InputBox("请输入收集文件夹的路径（如 D:\曾都区双减）：", "收取本表", folder)
    If Len(folder) = 0 Then Exit Sub
    SaveSetting "dudao", "excel", "collection", folder
    RunPython "import macros.excel; macros.excel.button_collect(r'" & Replace(folder, "'", "") & "')"
End Sub
