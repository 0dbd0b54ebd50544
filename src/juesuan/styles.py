"""Colours and formats shared by every workbook we write (template, review, publication)."""

AMOUNT_FORMAT = "#,##0.00"
DERIVED_FILL = "E7E6E6"        # grey: computed by juesuan fill, do not type
HEADER_FILL = "D9E1F2"
SEVERITY_FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
BODY_FONT = "宋体"
TITLE_FONT = "黑体"
