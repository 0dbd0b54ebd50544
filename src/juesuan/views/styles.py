"""Colours and formats shared by every workbook we write (template, review, publication)."""

AMOUNT_FORMAT = "#,##0.00"
DERIVED_FILL = "E7E6E6"        # grey: computed by juesuan fill, do not type
HEADER_FILL = "D9E1F2"
# Deliberately one step off Excel's built-in "Bad"/"Neutral" styles (FFC7CE, FFEB9C): a cell
# wearing exactly these colours was marked by us, so a run can always find and undo its own marks.
SEVERITY_FILLS = {"error": "FFC6CD", "warning": "FFEA9B", "info": "DCEAF6"}
BODY_FONT = "宋体"
# Excel's limits: a wider column or a taller row than these makes it "repair" the file
MAX_COLUMN_WIDTH = 255
MAX_ROW_HEIGHT = 409
TITLE_FONT = "黑体"
