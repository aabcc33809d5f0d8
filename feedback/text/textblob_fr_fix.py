"""Make textblob-fr 0.2.0 work on Python >= 3.7 by replacing its line reader (PEP 479)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import textblob_fr._text as _fr_text

# textblob-fr 0.2.0 ends the generator `_text._read` with `raise StopIteration`; since PEP 479
# (Python 3.7) that becomes RuntimeError the first time a lexicon, morphology or context file is
# read (e.g. by the French tagger). `Lexicon.load` and friends look `_read` up in the module
# globals at call time, so replacing the module attribute before anything loads fixes them all.


def _read(path: object, encoding: str = "utf-8", comment: str = ";;;") -> Iterator[str]:
    """Yield the lines of a file path, a string or a buffer, skipping comment lines."""
    if not path:
        return
    if isinstance(path, str) and os.path.exists(path):
        with open(path, encoding=encoding) as f:
            lines: list[str] = f.read().splitlines()
    elif isinstance(path, str):
        lines = path.splitlines()
    elif hasattr(path, "read"):
        lines = path.read().splitlines()
    else:
        lines = list(path)  # type: ignore[call-overload]
    for line in lines:
        line = _fr_text.decode_utf8(line.strip())
        if comment and line.startswith(comment):
            continue
        yield line


def apply() -> None:
    """Install the fixed reader into textblob-fr (idempotent)."""
    _fr_text._read = _read


apply()
