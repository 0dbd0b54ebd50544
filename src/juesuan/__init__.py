"""juesuan (决算): read, audit, fill and publish the nine final-accounts disclosure tables."""
import os

# openpyxl switches its XML reader and writer to lxml whenever lxml is importable (python-docx, which
# `narrate` uses, brings it). The lxml path writes other XML (<v></v>, character references) and
# row insertion, the CSV guard and the entity defence are built and tested on the standard-library path:
# keep that one, whatever else is installed. Set before openpyxl is first imported.
os.environ.setdefault("OPENPYXL_LXML", "False")

__version__ = "0.1.0"
