"""Measurements in fresh worker processes: the job and outcome that cross the process boundary
(:mod:`.jobs`), the worker that measures (:mod:`.worker`) and the parent's side that starts it
under a deadline (:mod:`.runner`)."""
