"""Compiles the talk's ``.pyx`` (``talk_fast_stuff.pyx``, next to this file) into an extension
module, once: the result is cached under a key of everything that changes it (source, flags,
compiler, Python and Cython versions).

Flags are what a portable wheel gets: ``-O2`` (no ``-march=native``, whose fused multiply-add
would also change float results) and ``-fwrapv`` (the int64 sum wraps, as NumPy's does).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rust_arrays.compare import optional

MODULE_NAME = "talk_fast_stuff"
FLAGS = ("-O2", "-fwrapv", "-DNDEBUG", "-shared", "-fPIC")


@dataclass(frozen=True)
class CythonBuild:
    """The built module's path, or why there is none."""

    path: Path | None
    seconds: float  # the build's time when it ran (cached builds keep it)
    cached: bool
    reason: str = ""


def c_compiler() -> str | None:
    """The compiler Python's own extensions are built with (``$CC`` first), if present."""
    candidates = [os.environ.get("CC"), sysconfig.get_config_var("CC"), "cc", "gcc", "clang"]
    for candidate in candidates:
        if candidate:
            found = shutil.which(shlex.split(str(candidate))[0])
            if found is not None:
                return found
    return None


def _compiler_version(compiler: str) -> str:
    done = subprocess.run([compiler, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.splitlines()[0] if done.stdout else "unknown"


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"{Path(command[0]).name} failed: {last[0]}")


def build(cache: Path) -> CythonBuild:
    if not optional.is_installed("Cython"):
        return CythonBuild(None, 0.0, False, "not installed (Cython)")
    compiler = c_compiler()
    if compiler is None:
        return CythonBuild(None, 0.0, False, "not available (no C compiler)")
    source = resources.files(__package__).joinpath(f"{MODULE_NAME}.pyx").read_text()
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    key = "\0".join(
        [source, *FLAGS, _compiler_version(compiler), sys.version, optional.version("Cython") or ""]
    )
    directory = cache / f"cython-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    module = directory / f"{MODULE_NAME}{suffix}"
    seconds_file = directory / "build-seconds.txt"
    if module.exists() and seconds_file.exists():
        return CythonBuild(module, float(seconds_file.read_text()), True)
    cache.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    # Built in a scratch directory and renamed into place, so a half-finished build (or two
    # runs at once) never leaves a broken module in the cache.
    with tempfile.TemporaryDirectory(dir=cache, ignore_cleanup_errors=True) as scratch:
        work = Path(scratch)
        pyx = work / f"{MODULE_NAME}.pyx"
        c_file = work / f"{MODULE_NAME}.c"
        pyx.write_text(source)
        try:
            _run([sys.executable, "-m", "cython", "-3", str(pyx), "-o", str(c_file)])
            include = sysconfig.get_paths()["include"]
            _run([compiler, *FLAGS, f"-I{include}", str(c_file), "-o", str(work / module.name)])
        except (RuntimeError, OSError) as error:
            return CythonBuild(None, 0.0, False, f"not available (build failed: {error})")
        seconds = time.perf_counter() - start
        (work / seconds_file.name).write_text(f"{seconds}\n")
        (work / f"{MODULE_NAME}.c").unlink()
        if directory.exists():
            shutil.rmtree(directory, ignore_errors=True)  # an unfinished earlier build
        with contextlib.suppress(OSError):  # another run finished the same build first
            work.rename(directory)
    if not module.exists():
        return CythonBuild(None, 0.0, False, "not available (build did not land in the cache)")
    return CythonBuild(module, seconds, False)
