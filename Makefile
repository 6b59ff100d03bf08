# The set-up commands of the README. The extension is compiled once, in release, into an abi3
# wheel (dist/); .venv gets that wheel, as a user would, and everything runs against it.
#   make compare  build, install, then compare every implementation of the talk
#                 (table on stdout, compare.json and compare.png here)
#   make test     build, install, then every check: Rust format/lints/tests, Python
#                 lints/types/stubs, and pytest against the installed wheel from outside the
#                 source tree, with cargo off PATH
#   make demo     build, install, then run each kernel against its reference
#   make wheel    only the wheel, in dist/ (checked for manylinux compliance by maturin)
#   make develop  an editable install into .venv instead (Python edits take effect at once;
#                 make install/test/compare/demo put the wheel back)

VENV ?= .venv
PYTHON := $(VENV)/bin/python
MATURIN := $(VENV)/bin/maturin
WHEEL_GLOB := dist/rust_arrays-*.whl
# PATH without the directories that hold cargo (rustup's ~/.cargo/bin), as on a machine without
# Rust: what the installed wheel is tested with. /usr/bin and /bin stay (python, gcc live there).
NO_CARGO_PATH := $(shell printf '%s:' "$$PATH" | tr ':' '\n' | while read -r dir; do \
	case "$$dir" in (""|/usr/bin|/bin) ;; (*) [ -x "$$dir/cargo" ] && continue ;; esac; \
	[ -n "$$dir" ] && printf '%s:' "$$dir"; done | sed 's/:$$//')

.PHONY: all compare demo test install develop wheel tools rust-checks lint pytest-installed python-checks

all: test

$(PYTHON):
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip

# The build tool only; pyproject.toml pins the same range for pip's own builds.
tools: $(PYTHON)
	$(PYTHON) -m pip install --quiet 'maturin>=1.16,<2'

# Release profile, baseline x86-64 (never target-cpu=native: SIMD is picked at run time).
# maturin checks the shared library's symbol versions and links and tags the wheel with the
# oldest manylinux it satisfies (--auditwheel check fails the build where none fits).
wheel: tools
	@case "$$RUSTFLAGS $$CARGO_ENCODED_RUSTFLAGS" in (*target-cpu=native*) \
		echo "make wheel: RUSTFLAGS asks for target-cpu=native; a wheel must run on any x86-64"; \
		exit 1;; esac
	rm -f $(WHEEL_GLOB)
	$(MATURIN) build --release --locked --auditwheel check --out dist

install: wheel
	$(PYTHON) -m pip uninstall --quiet --yes rust_arrays
	PATH="$(NO_CARGO_PATH)" $(PYTHON) -m pip install "$$(ls $(WHEEL_GLOB))[test,compare]"

develop: tools
	VIRTUAL_ENV="$(abspath $(VENV))" $(MATURIN) develop --release --locked --extras test,compare

compare: install
	$(VENV)/bin/rust-arrays compare --json compare.json --plot compare.png

demo: install
	$(VENV)/bin/rust-arrays demo

# clippy in the release profile: the build scripts and proc macros it compiles (syn,
# pyo3-macros, ...) are then the ones cargo test and the wheel use, compiled once.
rust-checks:
	cargo fmt --all --check
	cargo clippy --release --workspace --all-targets --locked -- -D warnings
	cargo test -p rust-arrays-core --release --locked
	# The vector arithmetic with glibc's scalar calls only, as on systems without libmvec.
	RUST_ARRAYS_LIBMVEC=0 cargo test -p rust-arrays-core --release --locked modis::

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PYTHON) -m mypy python/rust_arrays
	PATH="$(NO_CARGO_PATH)" $(PYTHON) -m mypy.stubtest rust_arrays._core

# The tests and the files they read, copied to a scratch directory: nothing of the source tree
# is importable there, so they test the installed wheel.
pytest-installed: install
	@outside=$$(mktemp -d); cp -r tests README.md pyproject.toml "$$outside"; cd "$$outside"; \
	export PATH="$(NO_CARGO_PATH)"; \
	if command -v cargo >/dev/null; then echo "note: cargo stays on PATH ($$(command -v cargo))"; \
	else echo "cargo is not on PATH"; fi; \
	"$(abspath $(PYTHON))" -c 'import rust_arrays, sys; print("testing", rust_arrays.__file__); \
		sys.exit("site-packages" not in rust_arrays.__file__)' && \
	"$(abspath $(VENV))/bin/pytest" -o cache_dir="$(CURDIR)/.pytest_cache"; \
	status=$$?; rm -rf "$$outside"; exit $$status

python-checks: lint pytest-installed

test: rust-checks python-checks
