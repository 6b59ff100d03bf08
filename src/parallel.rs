//! Where kernels run: rayon pools per thread count (rebuilt after `fork`), the `num_threads`
//! argument and `RUST_ARRAYS_NUM_THREADS`, and a runner that keeps Ctrl-C working while a pool
//! computes with the GIL released.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBool;
use rayon::{ThreadPool, ThreadPoolBuilder};

use rust_arrays_core::Stopped;

/// The environment variable that sets the default thread count.
pub const THREADS_VARIABLE: &str = "RUST_ARRAYS_NUM_THREADS";
/// More threads than this is surely a mistake (and each costs a stack).
const MAX_THREADS: usize = 1024;
/// Below this much work (pairs, elements, sieved numbers) a kernel runs inline on the calling
/// thread: handing it to other threads would cost more than it saves, and it ends too soon to
/// need interrupting.
const INLINE_WORK: u128 = 1 << 18;
/// How often the waiting thread lets Python run its signal handlers.
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// The cores this process may use, looked up once: the lookup reads cgroup files and costs
/// tens of microseconds, more than a small kernel call.
fn available_cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

fn default_threads() -> PyResult<usize> {
    match std::env::var(THREADS_VARIABLE) {
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(threads @ 1..=MAX_THREADS) => Ok(threads),
            _ => Err(PyValueError::new_err(format!(
                "{THREADS_VARIABLE}={text:?} must be an integer between 1 and {MAX_THREADS}"
            ))),
        },
        Err(_) => Ok(available_cores()),
    }
}

/// The thread count asked for by `num_threads=` (None: `RUST_ARRAYS_NUM_THREADS`, else every
/// core).
pub fn thread_count(function: &str, num_threads: Option<&Bound<'_, PyAny>>) -> PyResult<usize> {
    let Some(value) = num_threads.filter(|value| !value.is_none()) else {
        return default_threads();
    };
    let invalid = || {
        PyValueError::new_err(format!(
            "{function}(): num_threads must be between 1 and {MAX_THREADS}, got {value}"
        ))
    };
    if value.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{function}(): num_threads must be an int or None, not bool"
        )));
    }
    match value.extract::<i64>() {
        Ok(threads @ 1..) if threads as u128 <= MAX_THREADS as u128 => Ok(threads as usize),
        Ok(_) => Err(invalid()),
        Err(err) if err.is_instance_of::<pyo3::exceptions::PyOverflowError>(value.py()) => {
            Err(invalid())
        }
        Err(_) => Err(PyTypeError::new_err(format!(
            "{function}(): num_threads must be an int or None, not {}",
            value.get_type().name()?
        ))),
    }
}

/// The pools of this process, by thread count. A forked child inherits the map but not the
/// pools' threads, so pools are only reused by the process that built them.
struct Pools {
    process: u32,
    by_threads: HashMap<usize, Arc<ThreadPool>>,
}

static POOLS: Mutex<Option<Pools>> = Mutex::new(None);

fn pool(threads: usize) -> PyResult<Arc<ThreadPool>> {
    let mut pools = POOLS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let process = std::process::id();
    if pools.as_ref().is_some_and(|pools| pools.process != process) {
        // Inherited through fork: its worker threads do not exist here. Dropping would try to
        // tell them to stop through state they may have locked mid-operation; leak it instead.
        std::mem::forget(pools.take());
    }
    let pools = pools.get_or_insert_with(|| Pools {
        process,
        by_threads: HashMap::new(),
    });
    if let Some(pool) = pools.by_threads.get(&threads) {
        return Ok(Arc::clone(pool));
    }
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|index| format!("rust-arrays-{index}"))
        .build()
        .map_err(|err| PyRuntimeError::new_err(format!("cannot start {threads} threads: {err}")))?;
    let pool = Arc::new(pool);
    pools.by_threads.insert(threads, Arc::clone(&pool));
    Ok(pool)
}

/// Runs a kernel with the GIL released.
///
/// Where it runs: small work inline on the calling thread; one thread's worth on the calling
/// thread too (so that concurrent callers, such as dask's worker threads, each compute on their
/// own thread instead of queueing for a shared one); more threads on the shared pool of that
/// size.
///
/// Ctrl-C: Python runs signal handlers only on its main thread. There the kernel runs on
/// another thread (a pool's, or a scoped one for a single thread) while the main thread waits
/// and, every [`POLL_INTERVAL`], runs the handlers; an exception there (KeyboardInterrupt)
/// sets the kernel's stop flag and is raised once the kernel has stopped.
pub fn run<T: Send>(
    py: Python<'_>,
    threads: usize,
    work: u128,
    kernel: impl FnOnce(&AtomicBool) -> Result<T, Stopped> + Send,
) -> PyResult<T> {
    let stop = AtomicBool::new(false);
    let small = work < INLINE_WORK;
    let poll_signals = !small && is_main_thread(py)?;
    if small || (threads == 1 && !poll_signals) {
        // Not inside a pool: the kernel runs serially on this thread.
        return py
            .detach(|| kernel(&stop))
            .map_err(|Stopped| PyKeyboardInterrupt::new_err(()));
    }
    let mut interrupt: Option<PyErr> = None;
    let result = if threads == 1 {
        py.detach(|| {
            let (done_sender, done) = mpsc::channel::<()>();
            let stop = &stop;
            std::thread::scope(|scope| {
                let worker = scope.spawn(move || {
                    let result = kernel(stop);
                    let _ = done_sender.send(());
                    result
                });
                wait_polling_signals(&done, true, stop, &mut interrupt);
                worker.join().ok()
            })
        })
    } else {
        let pool = pool(threads)?;
        py.detach(|| {
            let (done_sender, done) = mpsc::channel::<()>();
            let mut result = None;
            pool.in_place_scope(|scope| {
                scope.spawn(|_| {
                    result = Some(kernel(&stop));
                    let _ = done_sender.send(());
                });
                wait_polling_signals(&done, poll_signals, &stop, &mut interrupt);
            });
            result
        })
    };
    match (result, interrupt) {
        (_, Some(err)) => Err(err),
        (Some(Ok(value)), None) => Ok(value),
        (Some(Err(Stopped)), None) | (None, None) => {
            Err(PyRuntimeError::new_err("the kernel stopped unexpectedly"))
        }
    }
}

/// Waits for the kernel's `done` message; meanwhile, if `poll_signals`, runs Python's signal
/// handlers every [`POLL_INTERVAL`] and stops the kernel on the first exception, kept in
/// `interrupt`.
fn wait_polling_signals(
    done: &mpsc::Receiver<()>,
    poll_signals: bool,
    stop: &AtomicBool,
    interrupt: &mut Option<PyErr>,
) {
    loop {
        match done.recv_timeout(POLL_INTERVAL) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) if poll_signals && interrupt.is_none() => {
                if let Err(err) = Python::attach(|py| py.check_signals()) {
                    *interrupt = Some(err);
                    stop.store(true, Ordering::Relaxed);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

fn is_main_thread(py: Python<'_>) -> PyResult<bool> {
    let threading = py.import("threading")?;
    let main = threading.call_method0("main_thread")?;
    let current = threading.call_method0("current_thread")?;
    Ok(main.is(&current))
}
