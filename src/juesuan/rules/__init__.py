"""Rules over the report: the rule registry and findings, grid parsing with entry checks, relations, audit, fill. Pure Python."""
