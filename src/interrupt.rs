//! Ctrl-C during a long kernel: the kernel runs with the GIL released, so Python cannot run its
//! SIGINT handler; the kernel's `check` callback re-attaches now and then to let it run.

use std::time::{Duration, Instant};

use pyo3::prelude::*;

/// How often a running kernel lets Python look at pending signals.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// A `check` callback for core kernels: every [`POLL_INTERVAL`], briefly takes the GIL and runs
/// Python's signal handlers; a `KeyboardInterrupt` (or any handler's exception) stops the kernel.
///
/// Python runs signal handlers only on the main thread, so on any other thread the callback
/// stops taking the GIL once it has found that out (the GIL may be busy there).
pub fn signal_check() -> impl FnMut() -> PyResult<()> + Send {
    let mut last_poll = Instant::now();
    let mut on_main_thread: Option<bool> = None;
    move || {
        if on_main_thread == Some(false) || last_poll.elapsed() < POLL_INTERVAL {
            return Ok(());
        }
        let result = Python::attach(|py| {
            if on_main_thread.is_none() {
                on_main_thread = Some(is_main_thread(py)?);
            }
            py.check_signals()
        });
        last_poll = Instant::now();
        result
    }
}

fn is_main_thread(py: Python<'_>) -> PyResult<bool> {
    let threading = py.import("threading")?;
    let main = threading.call_method0("main_thread")?;
    let current = threading.call_method0("current_thread")?;
    Ok(main.is(&current))
}
