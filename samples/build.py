"""Rebuild samples/*.xlsx from the curated transcriptions in samples/data/*.json.

    python samples/build.py
"""
import json
import sys
from pathlib import Path

from juesuan.domain.catalog import load_catalog
from juesuan.domain.samples import report_from_sample
from juesuan.io.template_xlsx import build_workbook

HERE = Path(__file__).resolve().parent


def build(out_dir: Path = HERE) -> list[Path]:
    written = []
    for source in sorted((HERE / "data").glob("*.json")):
        data = json.loads(source.read_text(encoding="utf-8"))
        target = out_dir / f"{source.stem}.xlsx"
        build_workbook(load_catalog(), report_from_sample(data)).save(target)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
