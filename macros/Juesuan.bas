Attribute VB_Name = "Juesuan"
' juesuan: the buttons inside Excel (ribbon tab and sheet buttons).
'
' Each button makes one RunPython call into the fixed Python module juesuan.excel,
' never into a module named after the workbook (its file name may be Chinese).
' RunPython is the xlwings VBA module built beside this one, from xlwings 0.37.8;
' the Python side must have the same version: the offline bundle (scripts/offline_bundle.py) installs it.
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

Public Sub JuesuanNarrate()
    On Error GoTo Failed
    RunPython "import juesuan.excel as xl; xl.narrate()"
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
    ' "1. the install script of the offline bundle was run and ended with 'installed';"
    text = text & "1. " & Zh("5DF2 8FD0 884C 201C 51B3 7B97 52A9 624B 79BB 7EBF 5B89 88C5 5305 201D 4E2D 7684") & _
        " " & Zh("5B89 88C5") & ".bat" & _
        Zh("FF0C 7A97 53E3 6700 540E 663E 793A 201C 5B89 88C5 5B8C 6210 201D FF1B") & vbLf
    ' "2. the Python installed is the version the bundle's install notes ask for (64-bit);"
    text = text & "2. " & Zh("6240 88C5 7684") & " Python " & _
        Zh("662F 5B89 88C5 8BF4 660E 4E2D 8981 6C42 7684 7248 672C FF08") & "64 " & Zh("4F4D FF09 FF1B") & vbLf
    ' "3. Excel was opened again after installing."
    text = text & "3. " & Zh("5B89 88C5 540E 91CD 65B0 6253 5F00 4E86") & " Excel" & Zh("3002") & vbLf & vbLf
    ' "No bundle? Ask whoever handed out this tool (the bundle's install notes have every step)."
    text = text & Zh("6CA1 6709 5B89 88C5 5305 65F6 FF0C 8BF7 5411 4E0B 53D1 672C 5DE5 5177 7684 5355 4F4D 7D22 53D6 FF08 5B89 88C5 5305 4E2D 7684 201C 5B89 88C5 8BF4 660E") & _
        ".txt" & Zh("201D 6709 8BE6 7EC6 6B65 9AA4 FF09 3002")
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
