"""Progress while the comparison runs: a rich progress bar on a terminal, else (rich missing,
or output redirected) one plain line per finished measurement."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TextIO

from rust_arrays.compare import optional


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def begin(self, description: str) -> None: ...
    def finish(self, line: str) -> None: ...
    def close(self) -> None: ...


class PlainProgress:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._total = 0
        self._done = 0

    def start(self, total: int) -> None:
        self._total = total

    def begin(self, description: str) -> None:
        pass

    def finish(self, line: str) -> None:
        self._done += 1
        width = len(str(self._total))
        print(f"[{self._done:>{width}}/{self._total}] {line}", file=self._stream, flush=True)

    def close(self) -> None:
        pass


class RichProgress:
    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as Bar

        self._bar = Bar(
            TextColumn("[bold]compare[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=Console(file=stream),
            transient=True,
        )
        self._task: Any = None

    def start(self, total: int) -> None:
        self._bar.start()
        self._task = self._bar.add_task("", total=total)

    def begin(self, description: str) -> None:
        self._bar.update(self._task, description=description)

    def finish(self, line: str) -> None:
        self._bar.advance(self._task)

    def close(self) -> None:
        self._bar.stop()


@contextmanager
def progress_for(stream: TextIO | None = None) -> Iterator[Progress]:
    """The progress display for ``stream`` (default stderr), closed on exit."""
    stream = stream or sys.stderr
    progress: Progress = (
        RichProgress(stream)
        if optional.is_installed("rich") and stream.isatty()
        else PlainProgress(stream)
    )
    try:
        yield progress
    finally:
        progress.close()
