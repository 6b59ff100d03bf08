# The set-up commands of the README. All build everything into ./.venv first.
#   make compare  build, then compare every implementation of the talk (table, compare.json, compare.png)
#   make test     build, then every check: Rust format/lints/tests, Python lints/types/stubs/tests
#   make demo     build, then run each kernel against its reference (result, time, peak memory)

VENV ?= .venv
PYTHON := $(VENV)/bin/python

.PHONY: all compare demo test install rust-checks python-checks

all: test

$(PYTHON):
	python3 -m venv $(VENV)

install: $(PYTHON)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test,compare]'

compare: install
	$(VENV)/bin/rust-arrays compare --json compare.json --plot compare.png

demo: install
	$(VENV)/bin/rust-arrays demo

rust-checks:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo test -p rust-arrays-core --release --locked
	# The vector arithmetic with glibc's scalar calls only, as on systems without libmvec.
	RUST_ARRAYS_LIBMVEC=0 cargo test -p rust-arrays-core --release --locked modis::

python-checks: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PYTHON) -m mypy python/rust_arrays
	$(PYTHON) -m mypy.stubtest rust_arrays._core
	$(PYTHON) -m pytest

test: rust-checks python-checks
