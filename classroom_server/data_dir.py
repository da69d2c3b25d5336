"""The data directory holds the SQLite database, recordings, uploads and the signing key: only
the server's own user may read it.

The directory is made (or tightened to) 0700 and the process's umask set to 077, so every file
the server or its ffmpeg and slide-render children create later is 0600 and every directory
0700, whatever umask the shell had (often 022, world-readable). Files an older version left
0644 at the top (database, its WAL, the key) are tightened too; below the top, the 0700
directory already keeps others out.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def prepare_data_dir(path: Path) -> Path:
    os.umask(PRIVATE_UMASK)
    path.mkdir(parents=True, exist_ok=True, mode=DIRECTORY_MODE)
    _tighten(path, DIRECTORY_MODE)
    for child in path.iterdir():
        if child.is_file() and not child.is_symlink():
            _tighten(child, FILE_MODE)
    return path


def _tighten(path: Path, mode: int) -> None:
    """Drops group and other bits; a path someone else owns is left alone (chmod would fail)."""
    info = path.stat()
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(stat.S_IMODE(info.st_mode) & 0o700 | mode)
