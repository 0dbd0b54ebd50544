"""python -m juesuan.cli"""
from ..console import run

run()
