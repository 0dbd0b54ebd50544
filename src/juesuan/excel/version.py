"""The xlwings release the VBA built into the .xlam/.xlsm comes from; pyproject pins the same."""
XLWINGS_VERSION = "0.37.8"
