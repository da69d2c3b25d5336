"""Makes the built web client locatable as package data."""

from pathlib import Path

DIST_DIR: Path = Path(__file__).resolve().parent / "dist"
