"""The domain, declared once: tables, geometry, the report model, money, catalogues. Pure Python."""
