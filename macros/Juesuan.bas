Attribute VB_Name = "Juesuan"
' juesuan: the buttons inside Excel (ribbon tab and sheet buttons).
'
' Each button makes one RunPython call into the fixed Python module juesuan.excel,
' never into a module named after the workbook (its file name may be Chinese).
' RunPython is the xlwings VBA module built beside this one, from xlwings 0.37.8;
' the Python side must have the same version: pip install "juesuan[excel]".
' This file is ASCII only: Chinese text is spelled with ChrW (see Zh).
' Source of xlsx_templates/juesuan.xlam and standard.xlsm: python -m juesuan.excel.build
Option Explicit

Public Sub JuesuanValidate()
    On Error GoTo Failed
    RunPython "import juesuan.excel as xl; xl.validate()"
    Exit Sub
Failed:
    ShowSetupHelp Err.Description
End Sub

Public Sub JuesuanFill()
    On Error GoTo Failed
    RunPython "import juesuan.excel as xl; xl.fill()"
    Exit Sub
Failed:
    ShowSetupHelp Err.Description
End Sub

Public Sub JuesuanPublish()
    On Error GoTo Failed
    RunPython "import juesuan.excel as xl; xl.publish()"
    Exit Sub
Failed:
    ShowSetupHelp Err.Description
End Sub

Public Sub JuesuanClearMarks()
    On Error GoTo Failed
    RunPython "import juesuan.excel as xl; xl.clear_marks()"
    Exit Sub
Failed:
    ShowSetupHelp Err.Description
End Sub

' Add-in ribbon only: merge the saved workbooks of the active workbook's folder.
Public Sub JuesuanMerge()
    On Error GoTo Failed
    RunPython "import juesuan.excel as xl; xl.merge()"
    Exit Sub
Failed:
    ShowSetupHelp Err.Description
End Sub

' RunPython itself raises only when Python cannot be started at all (no interpreter,
' no xlwings DLL); errors inside Python come back as juesuan's own message boxes.
Private Sub ShowSetupHelp(ByVal detail As String)
    Dim text As String
    ' "Cannot start Python (detail)."
    text = Zh("65E0 6CD5 542F 52A8") & " Python" & Zh("FF08") & detail & Zh("FF09 3002") & vbLf & vbLf
    ' "Please check:"
    text = text & Zh("8BF7 786E 8BA4 FF1A") & vbLf
    ' "1. Python 3.10 or newer is installed, with Add python.exe to PATH ticked;"
    text = text & "1. " & Zh("5DF2 5B89 88C5") & " Python 3.10 " & _
        Zh("6216 66F4 65B0 7248 672C FF0C 5B89 88C5 65F6 52FE 9009") & " ""Add python.exe to PATH""" & _
        Zh("FF1B") & vbLf
    ' "2. pip install "juesuan[excel]" has been run in a command prompt;"
    text = text & "2. " & Zh("5DF2 5728 547D 4EE4 884C 8FD0 884C") & " pip install ""juesuan[excel]""" & _
        Zh("FF1B") & vbLf
    ' "3. xlwings config create has been run in a command prompt."
    text = text & "3. " & Zh("5DF2 5728 547D 4EE4 884C 8FD0 884C") & " xlwings config create" & Zh("3002")
    ' title: "Juesuan zhushou"
    MsgBox text, vbCritical, Zh("51B3 7B97 52A9 624B")
End Sub

' Zh("51B3 7B97") = the characters U+51B3 U+7B97, so that this file stays ASCII.
Private Function Zh(ByVal codes As String) As String
    Dim part As Variant
    For Each part In Split(codes, " ")
        Zh = Zh & ChrW(CLng("&H" & part))
    Next part
End Function
