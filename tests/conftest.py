"""Shared fixtures: the real samples, fresh copies of them, and the seeds."""
import os
import shutil
from pathlib import Path

import pytest

# as juesuan/__init__.py: openpyxl on its standard-library XML path even when lxml is installed; test
# modules import openpyxl before juesuan, and openpyxl reads this once, when first imported
os.environ.setdefault("OPENPYXL_LXML", "False")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SAMPLE_NAMES = ("liaocheng_bjb_2024", "zibo_zhangdian_2024", "jinan_lixia_2023")


def sample_path(name: str) -> Path:
    return SAMPLES / f"{name}.xlsx"


@pytest.fixture(params=SAMPLE_NAMES)
def sample_name(request):
    return request.param


@pytest.fixture
def sample_copy(tmp_path, sample_name):
    """A fresh copy of one real sample, safe to modify."""
    target = tmp_path / f"{sample_name}.xlsx"
    shutil.copy(sample_path(sample_name), target)
    return target


def has_soffice() -> bool:
    return shutil.which("soffice") is not None or shutil.which("libreoffice") is not None


needs_soffice = pytest.mark.skipif(not has_soffice(), reason="LibreOffice (soffice) not installed")
