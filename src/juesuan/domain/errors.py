"""Errors that end the processing of one workbook with one clear Chinese message."""


class UnusableWorkbook(Exception):
    """The file cannot be used at all: not a workbook, corrupt, encrypted, not our layout.

    The message is Chinese and complete; the CLI prints it and exits with code 2.
    """

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}：{self.message}" if self.path else self.message


class WriteRefused(Exception):
    """Writing was refused to protect the clerk's data (message is Chinese)."""
