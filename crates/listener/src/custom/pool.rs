//! The worker threads custom checks run on, driven from the event loop.
//!
//! Threads are created once. The loop submits jobs and collects verdicts
//! without ever blocking: workers send results through a channel and wake the
//! loop's poll through a [`Waker`]. Bookkeeping (which worker is idle, which
//! check is in use, what is queued) lives on the loop's side only:
//! - a check instance runs for one process at a time (jobs of a check that is
//!   in use wait in the queue, not on a lock in a worker);
//! - a job the loop gave up on ([`WorkerPool::expire`]) keeps its worker until
//!   the call returns; its verdict is then dropped;
//! - the queued jobs of a check go to a worker together, as one batch run in
//!   order (the check runs one process at a time anyway): a tick of N
//!   processes costs one hand-off to the worker, not N round trips through
//!   the loop. A job expired before its turn in the batch is skipped.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};

use mio::Waker;
use supercheck_core::check::verdict::{CheckError, Verdict};

use super::{CustomCheck, ProcessInfo};

/// A job's number, to expire it.
pub(crate) type JobId = u64;

/// Work for a worker thread.
struct Job {
    id: JobId,
    check: CustomCheck,
    process: ProcessInfo,
    /// Set by the loop when it gives up on the job before it ran.
    cancelled: Arc<AtomicBool>,
}

/// A worker's answer (`None`: the job was cancelled before it ran).
struct Finished {
    id: JobId,
    worker: usize,
    verdict: Option<Verdict>,
    /// The batch's last job: the worker is idle again.
    last: bool,
}

/// The loop's view of one worker thread.
struct Worker {
    jobs: Sender<Vec<Job>>,
    idle: bool,
    /// False once its thread is gone (its channel refused a job).
    alive: bool,
}

/// A job waiting for its check and an idle worker.
struct Queued<T> {
    job: Job,
    key: usize,
    tag: T,
}

/// A job on a worker; `tag` is taken when the loop gives up on it.
struct Running<T> {
    key: usize,
    tag: Option<T>,
    cancelled: Arc<AtomicBool>,
}

/// Worker threads for custom checks; `T` is what the caller needs to route a
/// verdict back (its target and round).
pub(crate) struct WorkerPool<T> {
    workers: Vec<Worker>,
    results: Receiver<Finished>,
    waker: Arc<Waker>,
    next_id: JobId,
    queue: VecDeque<Queued<T>>,
    running: HashMap<JobId, Running<T>>,
    keys_in_use: HashSet<usize>,
    /// Verdicts decided on the loop's side, handed out by the next collect.
    decided: Vec<(T, Verdict)>,
}

impl<T> WorkerPool<T> {
    /// Starts `threads` workers (at least one) that wake the loop through `waker`.
    ///
    /// # Errors
    /// When a thread cannot be spawned.
    pub(crate) fn new(threads: usize, waker: Waker) -> io::Result<Self> {
        let waker = Arc::new(waker);
        let (done_tx, results) = mpsc::channel::<Finished>();
        let mut workers = Vec::new();
        for index in 0..threads.max(1) {
            let (jobs, inbox) = mpsc::channel::<Vec<Job>>();
            let done = done_tx.clone();
            let wake = Arc::clone(&waker);
            std::thread::Builder::new()
                .name(format!("custom-check-{index}"))
                .spawn(move || {
                    while let Ok(batch) = inbox.recv() {
                        let count = batch.len();
                        for (n, job) in batch.into_iter().enumerate() {
                            let verdict = (!job.cancelled.load(Ordering::Acquire))
                                .then(|| job.check.run(&job.process));
                            let finished = Finished {
                                id: job.id,
                                worker: index,
                                verdict,
                                last: n + 1 == count,
                            };
                            if done.send(finished).is_err() {
                                return;
                            }
                            let _ = wake.wake();
                        }
                    }
                })?;
            workers.push(Worker {
                jobs,
                idle: true,
                alive: true,
            });
        }
        Ok(Self {
            workers,
            results,
            waker,
            next_id: 0,
            queue: VecDeque::new(),
            running: HashMap::new(),
            keys_in_use: HashSet::new(),
            decided: Vec::new(),
        })
    }

    /// Queues a call of `check` (identified by `key`: one call per key at a
    /// time) on `process`, and starts it if a worker is free.
    pub(crate) fn submit(
        &mut self,
        key: usize,
        check: CustomCheck,
        process: ProcessInfo,
        tag: T,
    ) -> JobId {
        self.next_id = self.next_id.wrapping_add(1);
        let id = self.next_id;
        self.queue.push_back(Queued {
            job: Job {
                id,
                check,
                process,
                cancelled: Arc::new(AtomicBool::new(false)),
            },
            key,
            tag,
        });
        self.dispatch();
        id
    }

    /// The verdicts that arrived since the last call (of jobs not expired),
    /// after which queued jobs go to the workers that became free.
    pub(crate) fn collect(&mut self) -> Vec<(T, Verdict)> {
        while let Ok(finished) = self.results.try_recv() {
            let Some(running) = self.running.remove(&finished.id) else {
                continue;
            };
            if finished.last {
                if let Some(worker) = self.workers.get_mut(finished.worker) {
                    worker.idle = true;
                }
                self.keys_in_use.remove(&running.key);
            }
            if let (Some(tag), Some(verdict)) = (running.tag, finished.verdict) {
                self.decided.push((tag, verdict));
            }
        }
        self.dispatch();
        std::mem::take(&mut self.decided)
    }

    /// Gives up on job `id`: its tag, if the job had not finished. A queued job
    /// is dropped; a running one keeps its worker until it returns.
    pub(crate) fn expire(&mut self, id: JobId) -> Option<T> {
        if let Some(at) = self.queue.iter().position(|q| q.job.id == id) {
            return self.queue.remove(at).map(|q| q.tag);
        }
        let running = self.running.get_mut(&id)?;
        running.cancelled.store(true, Ordering::Release);
        running.tag.take()
    }

    /// Starts every queued job whose check is free, while workers are idle:
    /// all queued jobs of that check go to the worker as one batch.
    fn dispatch(&mut self) {
        let mut waiting = VecDeque::new();
        while let Some(first) = self.queue.pop_front() {
            if self.keys_in_use.contains(&first.key) {
                waiting.push_back(first);
                continue;
            }
            let Some(worker) = self.workers.iter_mut().find(|w| w.alive && w.idle) else {
                waiting.push_back(first);
                break;
            };
            let key = first.key;
            let (mut batch, rest): (VecDeque<_>, VecDeque<_>) =
                self.queue.drain(..).partition(|q| q.key == key);
            self.queue = rest;
            batch.push_front(first);
            let (jobs, entries): (Vec<Job>, Vec<_>) = batch
                .into_iter()
                .map(|Queued { job, key, tag }| {
                    let cancelled = Arc::clone(&job.cancelled);
                    let id = job.id;
                    (job, (id, key, tag, cancelled))
                })
                .unzip();
            match worker.jobs.send(jobs) {
                Ok(()) => {
                    worker.idle = false;
                    self.keys_in_use.insert(key);
                    for (id, key, tag, cancelled) in entries {
                        self.running.insert(
                            id,
                            Running {
                                key,
                                tag: Some(tag),
                                cancelled,
                            },
                        );
                    }
                }
                Err(mpsc::SendError(jobs)) => {
                    // Its thread is gone: try the next worker.
                    worker.alive = false;
                    for (job, (_, key, tag, _)) in jobs.into_iter().zip(entries).rev() {
                        self.queue.push_front(Queued { job, key, tag });
                    }
                }
            }
        }
        waiting.extend(self.queue.drain(..));
        self.queue = waiting;
        if self.workers.iter().all(|w| !w.alive) {
            for queued in self.queue.drain(..) {
                self.decided.push((
                    queued.tag,
                    Verdict::Error(CheckError::Custom("no worker thread left to run the check")),
                ));
            }
        }
        if !self.decided.is_empty() {
            let _ = self.waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custom::Check;
    use mio::{Events, Poll, Token};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc::RecvTimeoutError;
    use std::time::{Duration, Instant};
    use supercheck_core::check::verdict::FailReason;
    use supercheck_core::process::ProcessState;

    const WAKE: Token = Token(7);
    /// For "nothing arrives".
    const SHORT: Duration = Duration::from_millis(300);
    /// For "it arrives".
    const LONG: Duration = Duration::from_secs(5);

    /// Passes at once, counting its calls.
    struct Counting(Arc<AtomicUsize>);

    impl Check for Counting {
        fn name(&self) -> &str {
            "counting"
        }
        fn check(&mut self, _: &ProcessInfo) -> Verdict {
            self.0.fetch_add(1, Ordering::SeqCst);
            Verdict::Pass
        }
    }

    /// Blocks until the test opens the gate (or 10 s pass), then fails.
    struct Gate {
        open: Receiver<()>,
        calls: Arc<AtomicUsize>,
    }

    impl Check for Gate {
        fn name(&self) -> &str {
            "gate"
        }
        fn check(&mut self, _: &ProcessInfo) -> Verdict {
            self.calls.fetch_add(1, Ordering::SeqCst);
            match self.open.recv_timeout(Duration::from_secs(10)) {
                Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                    Verdict::Fail(FailReason::Custom("gate"))
                }
                Err(RecvTimeoutError::Timeout) => Verdict::Error(CheckError::Custom("gate stuck")),
            }
        }
    }

    fn process(name: &str) -> ProcessInfo {
        ProcessInfo {
            group: "web".into(),
            name: name.into(),
            state: ProcessState::Running,
            pid: 1,
            start: 0,
            now: 0,
        }
    }

    /// Polls until `pool` has handed out `n` verdicts or `within` passes.
    fn wait_for_verdicts(
        poll: &mut Poll,
        pool: &mut WorkerPool<&'static str>,
        n: usize,
        within: Duration,
    ) -> Vec<(&'static str, Verdict)> {
        let mut got = Vec::new();
        let end = Instant::now() + within;
        let mut events = Events::with_capacity(8);
        while got.len() < n && Instant::now() < end {
            poll.poll(&mut events, Some(Duration::from_millis(100)))
                .unwrap();
            if events.iter().any(|e| e.token() == WAKE) {
                got.extend(pool.collect());
            }
        }
        got
    }

    fn pool(threads: usize) -> (Poll, WorkerPool<&'static str>) {
        let poll = Poll::new().unwrap();
        let waker = Waker::new(poll.registry(), WAKE).unwrap();
        (poll, WorkerPool::new(threads, waker).unwrap())
    }

    #[test]
    fn verdicts_come_back_through_the_waker() {
        let (mut poll, mut pool) = pool(1);
        let calls = Arc::new(AtomicUsize::new(0));
        let check = CustomCheck::new(Counting(Arc::clone(&calls)));
        pool.submit(0, check.clone(), process("a"), "a");
        pool.submit(0, check, process("b"), "b");
        let got = wait_for_verdicts(&mut poll, &mut pool, 2, LONG);
        assert_eq!(got, vec![("a", Verdict::Pass), ("b", Verdict::Pass)]);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn hung_call_keeps_its_worker_and_its_check_while_others_go_on() {
        let (mut poll, mut pool) = pool(2);
        let (open, gate_rx) = mpsc::channel();
        let gate_calls = Arc::new(AtomicUsize::new(0));
        let gate = CustomCheck::new(Gate {
            open: gate_rx,
            calls: Arc::clone(&gate_calls),
        });
        let counted = Arc::new(AtomicUsize::new(0));
        let counting = CustomCheck::new(Counting(Arc::clone(&counted)));

        let hung = pool.submit(0, gate.clone(), process("a"), "gate-a");
        let queued = pool.submit(0, gate, process("b"), "gate-b");
        assert!(wait_for_verdicts(&mut poll, &mut pool, 1, SHORT).is_empty());
        assert_eq!(pool.expire(hung), Some("gate-a"), "the loop gives up on it");
        assert_eq!(
            pool.expire(queued),
            Some("gate-b"),
            "dropped from the queue"
        );
        assert_eq!(pool.expire(hung), None, "given up once only");
        assert_eq!(gate_calls.load(Ordering::SeqCst), 1, "never re-entered");

        // The other worker still serves the other check, again and again.
        for _ in 0..3 {
            pool.submit(1, counting.clone(), process("a"), "count");
            let got = wait_for_verdicts(&mut poll, &mut pool, 1, LONG);
            assert_eq!(got, vec![("count", Verdict::Pass)]);
        }

        // The hung call returns: its verdict is dropped, its worker serves again.
        open.send(()).unwrap();
        let late = wait_for_verdicts(&mut poll, &mut pool, 1, SHORT);
        assert!(late.is_empty(), "an expired job's verdict is dropped");
        pool.submit(
            0,
            CustomCheck::new(Counting(Arc::clone(&counted))),
            process("c"),
            "again",
        );
        pool.submit(1, counting, process("d"), "other");
        let mut got = wait_for_verdicts(&mut poll, &mut pool, 2, LONG);
        got.sort_by_key(|(tag, _)| *tag);
        assert_eq!(
            got,
            vec![("again", Verdict::Pass), ("other", Verdict::Pass)]
        );
    }

    #[test]
    fn queued_jobs_of_a_check_run_as_one_batch_and_an_expired_one_is_skipped() {
        let (mut poll, mut pool) = pool(1);
        let gate = |calls: &Arc<AtomicUsize>| {
            let (open, rx) = mpsc::channel();
            let check = CustomCheck::new(Gate {
                open: rx,
                calls: Arc::clone(calls),
            });
            (open, check)
        };
        let gate_calls = Arc::new(AtomicUsize::new(0));
        let (open_busy, busy) = gate(&gate_calls);
        let (open_first, first) = gate(&gate_calls);
        let counted = Arc::new(AtomicUsize::new(0));
        let counting = CustomCheck::new(Counting(Arc::clone(&counted)));

        // The only worker is busy: check 0's jobs queue up.
        pool.submit(1, busy, process("x"), "busy");
        pool.submit(0, first, process("a"), "a");
        let b = pool.submit(0, counting.clone(), process("b"), "b");
        pool.submit(0, counting, process("c"), "c");
        // The worker frees up and takes a, b and c at once; a blocks.
        open_busy.send(()).unwrap();
        let got = wait_for_verdicts(&mut poll, &mut pool, 1, LONG);
        assert_eq!(
            got,
            vec![("busy", Verdict::Fail(FailReason::Custom("gate")))]
        );
        assert!(wait_for_verdicts(&mut poll, &mut pool, 1, SHORT).is_empty());
        assert_eq!(pool.expire(b), Some("b"), "given up while a runs");
        open_first.send(()).unwrap();
        let got = wait_for_verdicts(&mut poll, &mut pool, 2, LONG);
        assert_eq!(
            got,
            vec![
                ("a", Verdict::Fail(FailReason::Custom("gate"))),
                ("c", Verdict::Pass)
            ]
        );
        assert_eq!(
            counted.load(Ordering::SeqCst),
            1,
            "b was skipped, never run"
        );
        assert_eq!(gate_calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_panicking_check_is_an_error() {
        struct Panics;
        impl Check for Panics {
            fn name(&self) -> &str {
                "panics"
            }
            fn check(&mut self, _: &ProcessInfo) -> Verdict {
                panic!("bug in a custom check")
            }
        }
        let (mut poll, mut pool) = pool(1);
        let check = CustomCheck::new(Panics);
        pool.submit(0, check.clone(), process("a"), "first");
        pool.submit(0, check, process("a"), "second");
        let got = wait_for_verdicts(&mut poll, &mut pool, 2, LONG);
        let error = Verdict::Error(CheckError::Custom("the check panicked"));
        assert_eq!(got, vec![("first", error), ("second", error)]);
    }
}
