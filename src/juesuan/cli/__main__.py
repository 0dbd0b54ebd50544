"""python -m juesuan.cli"""
from . import main

main()
