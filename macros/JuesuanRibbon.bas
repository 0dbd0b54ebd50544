Attribute VB_Name = "JuesuanRibbon"
' Callbacks of the add-in's ribbon tab (macros/customUI.xml, onAction="JuesuanRibbon.<Sub>").
' Each runs the button macro of the same action in module Juesuan.
' Add-in only: IRibbonControl needs the Office library, which the add-in's project references.
Option Explicit

Public Sub RibbonValidate(control As IRibbonControl)
    JuesuanValidate
End Sub

Public Sub RibbonFill(control As IRibbonControl)
    JuesuanFill
End Sub

Public Sub RibbonPublish(control As IRibbonControl)
    JuesuanPublish
End Sub

Public Sub RibbonNarrate(control As IRibbonControl)
    JuesuanNarrate
End Sub

Public Sub RibbonClearMarks(control As IRibbonControl)
    JuesuanClearMarks
End Sub

Public Sub RibbonMerge(control As IRibbonControl)
    JuesuanMerge
End Sub
