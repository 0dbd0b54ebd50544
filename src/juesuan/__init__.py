"""juesuan (决算): read, audit, fill and publish the nine final-accounts disclosure tables."""

__version__ = "0.1.0"
