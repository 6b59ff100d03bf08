"""The README's examples run, and print what the README says they print.

Every ```pycon block of README.md is run as a doctest (its outputs are checked); every ```python
block is run and must not raise. A block right after a line ``<!-- not run: REASON -->`` is
skipped (for example one that needs a dask scheduler on another machine).
"""

from __future__ import annotations

import doctest
import pathlib
import re
import warnings
from dataclasses import dataclass

import pytest

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^( *)```(\w*)\s*$")
NOT_RUN = re.compile(r"^\s*<!-- not run: .+ -->\s*$")


@dataclass(frozen=True)
class Block:
    language: str
    line: int  # of the first line of code, 1-based
    code: str
    run: bool


def blocks(text: str) -> list[Block]:
    found: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, language = len(opening.group(1)), opening.group(2)
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        code = "\n".join(line[indent:] for line in lines[index + 1 : end]) + "\n"
        previous = next((line for line in reversed(lines[:index]) if line.strip()), "")
        found.append(Block(language, index + 2, code, NOT_RUN.match(previous) is None))
        index = end + 1
    return found


EXAMPLES = [b for b in blocks(README.read_text()) if b.language in ("python", "pycon")]


def test_the_readme_has_checked_examples() -> None:
    assert sum(b.language == "pycon" and b.run for b in EXAMPLES) >= 2


@pytest.mark.parametrize("block", EXAMPLES, ids=[f"line{b.line}" for b in EXAMPLES])
def test_example(block: Block) -> None:
    if not block.run:
        pytest.skip("marked <!-- not run --> in the README")
    if block.language == "python":
        exec(compile(block.code, f"README.md:{block.line}", "exec"), {})
        return
    test = doctest.DocTestParser().get_doctest(
        block.code, {}, f"README.md:{block.line}", str(README), block.line - 1
    )
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    report: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
