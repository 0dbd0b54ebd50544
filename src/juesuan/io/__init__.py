"""Files and spreadsheet libraries: safety checks, readers, the atomic writer, xlsx renderers, PDF."""
