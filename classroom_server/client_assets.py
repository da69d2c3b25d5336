"""Where the built web client is: in the installed package, else in the checkout.

A wheel carries the client as ``classroom_server/web_dist`` (setup.py builds it into the wheel);
a checkout, installed editable, serves ``web_client/dist``, which ``make web`` builds.
"""

from __future__ import annotations

from pathlib import Path

PACKAGED_DIR = Path(__file__).resolve().parent / "web_dist"
CHECKOUT_DIR = Path(__file__).resolve().parent.parent / "web_client" / "dist"
DIST_DIR = PACKAGED_DIR if PACKAGED_DIR.is_dir() else CHECKOUT_DIR
