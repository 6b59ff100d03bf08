"""The implementations compared, and how each one calls each kernel.

The registry (:data:`IMPLEMENTATIONS`) is cheap to import: optional peers are imported only by
:func:`build_call`, which runs in the worker process that measures them.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

import rust_arrays
from rust_arrays import gradient, modis, reference, simple_modis
from rust_arrays.compare import complexity
from rust_arrays.compare.kernels import (
    CountInputs,
    GradientInputs,
    Inputs,
    MaskedInputs,
    ModisInputs,
    PairsInputs,
    ScanInputs,
    SimpleModisInputs,
    TalkInputs,
    scan_arrays,
)

Call = Callable[[], object]

TALK_KERNELS = ("do_something", "primes", "masked_hypot")
MODIS_KERNELS = ("modis", "simple_modis")
RUST_ARRAYS_KERNELS = (*TALK_KERNELS, *MODIS_KERNELS, "gradient")


@dataclass(frozen=True)
class Implementation:
    id: str  # as given to --impl
    label: str  # as shown in tables and plots
    kernels: tuple[str, ...]
    requires: str | None = None  # the optional package it needs (import name)
    one_thread: bool = True  # computes on the calling thread only
    # Part of the threads experiment: computes on the calling thread (numexpr is switched to
    # one thread of its own for it).
    in_threads_experiment: bool = True
    growth: Mapping[str, complexity.Growth] = field(default_factory=dict)
    notes: Mapping[str, str] = field(default_factory=dict)  # what it runs, per kernel

    def growth_for(self, kernel: str) -> complexity.Growth:
        return self.growth.get(kernel, complexity.linear)


_TRIAL_DIVISION = {"primes": complexity.trial_division}
_SIEVE = {"primes": complexity.sieve}

IMPLEMENTATIONS: dict[str, Implementation] = {
    impl.id: impl
    for impl in (
        Implementation(
            "python",
            "pure Python",
            TALK_KERNELS,
            growth=_TRIAL_DIVISION,
            notes={"primes": "the talk's trial division"},
        ),
        Implementation(
            "numpy",
            "NumPy",
            TALK_KERNELS,
            growth=_SIEVE,
            notes={
                "do_something": "the talk's meshgrid code",
                "primes": "a NumPy sieve (the talk has no NumPy primes)",
                "masked_hypot": "the talk's boolean-mask code",
            },
        ),
        Implementation(
            "numpy_blocks",
            "NumPy in blocks",
            ("do_something", "masked_hypot"),
            notes={
                "do_something": "the talk's code over blocks of 2**20 pairs",
                "masked_hypot": "the talk's code over blocks of 2**16 elements",
            },
        ),
        Implementation(
            "numexpr",
            "numexpr",
            ("do_something", "masked_hypot"),
            requires="numexpr",
            one_thread=False,
        ),
        Implementation(
            "numba",
            "Numba",
            TALK_KERNELS,
            requires="numba",
            growth=_TRIAL_DIVISION,
            notes={"primes": "the talk's trial division, @njit"},
        ),
        Implementation(
            "numba_parallel",
            "Numba parallel",
            ("do_something", "masked_hypot"),
            requires="numba",
            one_thread=False,
            in_threads_experiment=False,
        ),
        Implementation(
            "cython",
            "Cython",
            TALK_KERNELS,
            requires="Cython",
            growth=_TRIAL_DIVISION,
            notes={"primes": "the talk's trial division (keeps the GIL)"},
        ),
        Implementation(
            "geotiepoints",
            "geotiepoints",
            MODIS_KERNELS,
            requires="geotiepoints",
            notes={
                "modis": "python-geotiepoints' Cython modisinterpolator (the upstream)",
                "simple_modis": "python-geotiepoints' simple_modis_interpolator (Cython and "
                "scipy's map_coordinates; the upstream)",
            },
        ),
        Implementation(
            "pyresample",
            "pyresample",
            ("gradient",),
            requires="pyresample",
            notes={
                "gradient": "pyresample's Cython one_step_gradient_indices and NumPy "
                "block_bilinear_interpolator (the upstream)",
            },
        ),
        Implementation(
            "rust_arrays_1thread",
            "rust_arrays 1 thread",
            RUST_ARRAYS_KERNELS,
            growth=_SIEVE,
            notes={"primes": "primes_array, a segmented sieve"},
        ),
        Implementation(
            "rust_arrays",
            "rust_arrays",
            RUST_ARRAYS_KERNELS,
            one_thread=False,
            in_threads_experiment=False,
            growth=_SIEVE,
            notes={"primes": "primes_array, a segmented sieve"},
        ),
    )
}


@dataclass(frozen=True)
class BuildOptions:
    cores: int
    cython_module: str | None = None  # path of the built talk_fast_stuff extension
    one_thread: bool = False  # the threads experiment: peers with a thread pool use one thread


class UnknownCombination(ValueError):
    pass


def _load_cython(path: str | None) -> ModuleType:
    if path is None:
        raise RuntimeError("the Cython module was not built")
    spec = importlib.util.spec_from_file_location("talk_fast_stuff", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _python(inputs: TalkInputs, options: BuildOptions) -> Call:
    # Python floats in lists, converted here, before any timing: the talk's loops over lists.
    if isinstance(inputs, PairsInputs):
        a, b = inputs.a.tolist(), inputs.b.tolist()
        return lambda: reference.do_something_python(a, b)
    if isinstance(inputs, CountInputs):
        count = inputs.count
        return lambda: reference.primes_python(count)
    x, y = inputs.a.tolist(), inputs.b.tolist()
    return lambda: reference.masked_hypot_python(x, y)


def _numpy(inputs: TalkInputs, options: BuildOptions) -> Call:
    if isinstance(inputs, PairsInputs):
        a, b = inputs.a, inputs.b
        return lambda: reference.do_something_numpy(a, b)
    if isinstance(inputs, CountInputs):
        count = inputs.count
        return lambda: reference.primes_numpy(count)
    x, y, out = inputs.a, inputs.b, inputs.out
    return lambda: reference.masked_hypot_numpy(x, y, out)


def _numpy_blocks(inputs: TalkInputs, options: BuildOptions) -> Call:
    from rust_arrays.compare.peers import numpy_blocks

    if isinstance(inputs, PairsInputs):
        a, b = inputs.a, inputs.b
        return lambda: reference.do_something_numpy_blocks(a, b)
    if isinstance(inputs, MaskedInputs):
        x, y, out = inputs.a, inputs.b, inputs.out
        return lambda: numpy_blocks.masked_hypot(x, y, out)
    raise UnknownCombination("numpy_blocks has no primes")


def _numexpr(inputs: TalkInputs, options: BuildOptions) -> Call:
    from rust_arrays.compare.peers import numexpr_expressions

    numexpr_expressions.set_threads(1 if options.one_thread else options.cores)
    if isinstance(inputs, PairsInputs):
        a, b = inputs.a, inputs.b
        return lambda: numexpr_expressions.do_something(a, b)
    if isinstance(inputs, MaskedInputs):
        x, y, out = inputs.a, inputs.b, inputs.out
        return lambda: numexpr_expressions.masked_hypot(x, y, out)
    raise UnknownCombination("numexpr has no primes")


def _numba(parallel: bool) -> Callable[[TalkInputs, BuildOptions], Call]:
    def build(inputs: TalkInputs, options: BuildOptions) -> Call:
        from rust_arrays.compare.peers import numba_loops

        if isinstance(inputs, PairsInputs):
            do_something = (
                numba_loops.do_something_parallel if parallel else numba_loops.do_something_serial
            )
            a, b = inputs.a, inputs.b
            return lambda: do_something(a, b)
        if isinstance(inputs, MaskedInputs):
            masked_hypot = (
                numba_loops.masked_hypot_parallel if parallel else numba_loops.masked_hypot_serial
            )
            x, y, out = inputs.a, inputs.b, inputs.out
            return lambda: masked_hypot(x, y, out, 2.0)
        if parallel:
            raise UnknownCombination("numba_parallel has no primes")
        count = inputs.count
        return lambda: numba_loops.primes_serial(count)

    return build


def _cython(inputs: TalkInputs, options: BuildOptions) -> Call:
    module: Any = _load_cython(options.cython_module)
    if isinstance(inputs, PairsInputs):
        a, b = inputs.a, inputs.b
        return lambda: module.do_something(a, b)
    if isinstance(inputs, CountInputs):
        count = inputs.count
        return lambda: module.primes(count)
    x, y, out = inputs.a, inputs.b, inputs.out

    def masked_hypot() -> object:
        module.masked_hypot(x, y, out, 2.0)
        return out

    return masked_hypot


def _geotiepoints(inputs: ScanInputs, options: BuildOptions) -> Call:
    name = "modisinterpolator" if isinstance(inputs, ModisInputs) else "simple_modis_interpolator"
    # Untyped: imported as Any.
    upstream: Any = importlib.import_module(f"geotiepoints.{name}")
    arrays = scan_arrays(inputs)
    return lambda: upstream.modis_1km_to_250m(*arrays)


def _rust_arrays_modis(num_threads: int | None) -> Callable[[ScanInputs, BuildOptions], Call]:
    def build(inputs: ScanInputs, options: BuildOptions) -> Call:
        module = modis if isinstance(inputs, ModisInputs) else simple_modis
        arrays = scan_arrays(inputs)
        return lambda: module.modis_1km_to_250m(*arrays, num_threads=num_threads)

    return build


def _rust_arrays(num_threads: int | None) -> Callable[[TalkInputs, BuildOptions], Call]:
    def build(inputs: TalkInputs, options: BuildOptions) -> Call:
        if isinstance(inputs, PairsInputs):
            a, b = inputs.a, inputs.b
            return lambda: rust_arrays.do_something(a, b, num_threads=num_threads)
        if isinstance(inputs, CountInputs):
            count = inputs.count
            return lambda: rust_arrays.primes_array(count, num_threads=num_threads)
        x, y, out = inputs.a, inputs.b, inputs.out
        return lambda: rust_arrays.masked_hypot(x, y, out, num_threads=num_threads)

    return build


def _pyresample(inputs: GradientInputs, options: BuildOptions) -> Call:
    # Untyped: imported as Any.
    upstream: Any = importlib.import_module("pyresample.gradient")
    source, target, data = inputs.source, inputs.target, inputs.data

    def kernels() -> object:
        # pyresample's whole-array arithmetic meets NaN where no source pixel is found.
        with np.errstate(invalid="ignore"):
            indices = upstream.one_step_gradient_indices(*source, *target)
            return upstream.block_bilinear_interpolator(data, indices)

    return kernels


def _rust_arrays_gradient(
    num_threads: int | None,
) -> Callable[[GradientInputs, BuildOptions], Call]:
    def build(inputs: GradientInputs, options: BuildOptions) -> Call:
        source, target, data = inputs.source, inputs.target, inputs.data

        def kernels() -> object:
            src_x, src_y, xl, xp, yl, yp = source
            indices = gradient.one_step_gradient_indices(
                src_x, src_y, xl, xp, yl, yp, *target, num_threads=num_threads
            )
            return gradient.block_bilinear_interpolator(data, indices, num_threads=num_threads)

        return kernels

    return build


# Per kind of inputs: the talk's kernels, the MODIS ones, and gradient search.
_TALK_BUILDERS: dict[str, Callable[[TalkInputs, BuildOptions], Call]] = {
    "python": _python,
    "numpy": _numpy,
    "numpy_blocks": _numpy_blocks,
    "numexpr": _numexpr,
    "numba": _numba(parallel=False),
    "numba_parallel": _numba(parallel=True),
    "cython": _cython,
    "rust_arrays_1thread": _rust_arrays(1),
    "rust_arrays": _rust_arrays(None),
}
_MODIS_BUILDERS: dict[str, Callable[[ScanInputs, BuildOptions], Call]] = {
    "geotiepoints": _geotiepoints,
    "rust_arrays_1thread": _rust_arrays_modis(1),
    "rust_arrays": _rust_arrays_modis(None),
}


_GRADIENT_BUILDERS: dict[str, Callable[[GradientInputs, BuildOptions], Call]] = {
    "pyresample": _pyresample,
    "rust_arrays_1thread": _rust_arrays_gradient(1),
    "rust_arrays": _rust_arrays_gradient(None),
}


def build_call(implementation: str, inputs: Inputs, options: BuildOptions) -> Call:
    """A no-argument call of ``implementation`` on ``inputs`` (conversions done now, not in the
    call)."""
    if isinstance(inputs, GradientInputs):
        gradient_builder = _GRADIENT_BUILDERS.get(implementation)
        if gradient_builder is None:
            raise UnknownCombination(f"{implementation} has no gradient kernel")
        return gradient_builder(inputs, options)
    if isinstance(inputs, ModisInputs | SimpleModisInputs):
        modis_builder = _MODIS_BUILDERS.get(implementation)
        if modis_builder is None:
            raise UnknownCombination(f"{implementation} has no MODIS kernels")
        return modis_builder(inputs, options)
    talk_builder = _TALK_BUILDERS.get(implementation)
    if talk_builder is None:
        raise UnknownCombination(f"{implementation} has none of the talk's kernels")
    return talk_builder(inputs, options)


def setup_note(implementation: str) -> str:
    """What the set-up of ``implementation`` did in this process, e.g. compiled its JIT code."""
    if implementation.startswith("numba"):
        from rust_arrays.compare.peers import numba_loops

        return numba_loops.jit_note()
    return ""
