"""The domain, declared once: tables, geometry, the report model, how cells are named, money, catalogues. Pure Python."""
