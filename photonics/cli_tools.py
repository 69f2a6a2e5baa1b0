"""Helpers shared by the subcommands: JSON output, tables, progress, atomic writes."""

import contextlib
import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from photonics.errors import input_error


def to_jsonable(value):
    """Convert numpy/JAX scalars and arrays inside ``value`` to plain Python objects.

    Non-finite floats become ``None`` so that the output is strict JSON.
    """
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return to_jsonable(np.asarray(value).tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_json(obj, file=None):
    """Print ``obj`` as one JSON object on stdout."""
    json.dump(to_jsonable(obj), file or sys.stdout, indent=2)
    (file or sys.stdout).write("\n")


def format_table(rows, headers):
    """Format ``rows`` (sequences of cells) under ``headers`` as an aligned table."""
    cells = [[_cell(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def _cell(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def progress(iterable, desc, total=None, enable=True):
    """Wrap ``iterable`` in a progress bar on stderr (tqdm), or return it unchanged."""
    if not enable:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, file=sys.stderr, leave=False)


def write_atomic(path, data):
    """Write ``data`` (str or bytes) to ``path`` atomically (temporary file, rename)."""
    path = Path(path)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, mode) as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


OUTPUT_MARKER = ".photonics-output"
"""File that marks a directory as written by this package (safe to replace)."""


def check_output_directory(path, name="out"):
    """Raise unless ``path`` may be (re)written as an output directory.

    Allowed: a path that does not exist, an empty directory, or a directory that
    this package wrote before (it holds :data:`OUTPUT_MARKER`). Anything else (a
    file, a directory with other content) could hold the user's data and is refused.

    Raises:
        InputError: naming ``name``.
    """
    path = Path(path)
    if not path.exists():
        return
    if not path.is_dir():
        raise input_error(name, "a directory to write into", f"the file {path}")
    if any(path.iterdir()) and not (path / OUTPUT_MARKER).is_file():
        raise input_error(
            name,
            "a new or empty directory, or one written by photonics before",
            f"{path}, which holds other files (choose another --out)",
        )


@contextlib.contextmanager
def atomic_directory(path):
    """Yield a temporary directory that replaces ``path`` only if the block succeeds.

    On failure the temporary directory is removed and ``path`` is left as it was, so an
    output directory is never half-written. ``path`` must pass
    :func:`check_output_directory`; the new directory carries :data:`OUTPUT_MARKER`.
    """
    check_output_directory(path)
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.tmp-"))
    try:
        yield tmp
        (tmp / OUTPUT_MARKER).write_text("written by photonics-jax\n")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap_in(tmp, path)


def _swap_in(tmp, path):
    """Move ``tmp`` to ``path``, restoring the old ``path`` if the move fails."""
    old = None
    if path.exists():
        old = path.parent / f".{path.name}.old-{os.getpid()}"
        os.replace(path, old)
    try:
        os.replace(tmp, path)
    except BaseException:
        if old is not None:
            os.replace(old, path)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def print_text(text, file=None):
    """Write a readable table or report ``text`` (one trailing newline) to stdout."""
    stream = file or sys.stdout
    stream.write(f"{text}\n")
