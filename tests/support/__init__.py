"""Test-only code: emulators and helpers that are no part of the package."""
