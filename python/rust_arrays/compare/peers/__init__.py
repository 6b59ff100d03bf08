"""The peers' code: the talk's kernels for Numba, numexpr, NumPy in blocks and Cython.

Each module imports its optional package at import time; only the worker process that
measures a peer imports it."""
