"""`python cli.py …` does exactly what the `juesuan` command does."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from juesuan.console import run  # noqa: E402

if __name__ == "__main__":
    run()
