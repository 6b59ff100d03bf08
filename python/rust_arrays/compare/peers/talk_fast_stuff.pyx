# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The talk's Cython code (its ``_fast_stuff.pyx``), compiled on the fly by
``rust-arrays compare`` when Cython and a C compiler are installed.

``primes`` is the Cython tutorial's trial division that the talk shows, without its silent cap
at 1000 primes; like the tutorial it keeps the GIL. ``do_something`` and ``masked_hypot`` are
the talk's loops with the GIL released (``with nogil``). ``rint`` rounds half to even, as
NumPy's ``round`` (C's ``round`` would round half away from zero and differ on ties).
"""

from libc.math cimport rint, sqrt
from libc.stdlib cimport free, malloc


def primes(int nb_primes):
    cdef long long n
    cdef int i, len_p
    cdef long long *p
    if nb_primes <= 0:
        return []
    p = <long long *> malloc(nb_primes * sizeof(long long))
    if p == NULL:
        raise MemoryError()
    try:
        len_p = 0
        n = 2
        while len_p < nb_primes:
            # Is n prime?
            for i in range(len_p):
                if n % p[i] == 0:
                    break
            else:
                # If no break occurred in the loop, we have a prime.
                p[len_p] = n
                len_p += 1
            n += 1
        return [prime for prime in p[:len_p]]
    finally:
        free(p)


def do_something(const double[::1] a, const double[::1] b):
    cdef Py_ssize_t i, j
    cdef long long total = 0
    cdef long long tmp
    with nogil:
        for j in range(b.shape[0]):
            for i in range(a.shape[0]):
                tmp = <long long> rint(sqrt(a[i] * a[i] + b[j] * b[j]))
                if tmp > 10:
                    total += tmp
    return total


def masked_hypot(const double[::1] a, const double[::1] b, double[::1] out, double threshold=2.0):
    cdef Py_ssize_t i
    with nogil:
        for i in range(a.shape[0]):
            if a[i] > threshold:
                out[i] = sqrt(a[i] * a[i] + b[i] * b[i])
    return out.base
