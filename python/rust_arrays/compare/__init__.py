"""``rust-arrays compare``: the talk's comparison as a tool.

Every claim of the talk, measured on this machine: pure Python is slow; NumPy is fast but its
temporaries cost memory; Cython and Rust loops fix speed and memory; releasing the GIL lets
threads scale; for tiny inputs the call overhead decides.

Modules: :mod:`.kernels` (sizes, inputs, references), :mod:`.implementations` (who computes
what; the peers' code in :mod:`.peers`), :mod:`.measure` (one measurement in a fresh worker
process), :mod:`.planning` and :mod:`.complexity` (predictions against the budget),
:mod:`.experiments` (sizes, threads, overhead), :mod:`.report` (tables, JSON, plot),
:mod:`.cli` (the command line).
"""
