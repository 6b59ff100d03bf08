# The two set-up commands of the README. Both build everything into ./.venv first.
#   make demo   build, then run each kernel against its reference (result, time, peak memory)
#   make test   build, then every check: Rust format/lints/tests, Python lints/types/stubs/tests

VENV ?= .venv
PYTHON := $(VENV)/bin/python

.PHONY: all demo test install rust-checks python-checks

all: test

$(PYTHON):
	python3 -m venv $(VENV)

install: $(PYTHON)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test]'

demo: install
	$(VENV)/bin/rust-arrays demo

rust-checks:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo test -p rust-arrays-core --release --locked

python-checks: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PYTHON) -m mypy python/rust_arrays
	$(PYTHON) -m mypy.stubtest rust_arrays._core
	$(PYTHON) -m pytest

test: rust-checks python-checks
