//! `--jq EXPR`: a jq filter run by jaq, not by a `jq` subprocess.
//!
//! A filter is a program: `[range(1e9)]` fills the memory, `def f: f; f`
//! never ends, `def f: [f]; f` overflows the stack and aborts, `"x" * 1e12`
//! asks for a terabyte at once. jaq has no step, depth or memory limit, and
//! an abort or an allocation failure cannot be caught in the process it
//! happens in. So on Unix the filter runs in a process of its own, forked
//! before anything else starts ([`Filter::isolated`]): there, a memory limit
//! (`RLIMIT_AS`) bounds what it allocates, a deadline is kept by killing it,
//! and however it ends, kinbox reports it as an error. Its results are
//! bounded in count and bytes on both sides of the pipe.
//!
//! Filters see no environment: `env` and `$ENV` are `{}`, so the token in
//! `KINBOX_TOKEN` (or anything else set there) cannot be printed by one.

use std::time::Duration;

use jaq_core::load::{Arena, File, Loader};
use jaq_core::native::{Fun, bome, v};
use jaq_core::{Compiler, Ctx, Native, ValT as _, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde_json::Value;

type Data = data::JustLut<Val>;

/// What one run of a filter (on one item) may take and give.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Results.
    pub outputs: usize,
    /// Bytes of results, as JSON text.
    pub bytes: usize,
    /// Wall-clock time.
    pub time: Duration,
    /// Memory the filter's process may allocate beyond what it started with.
    pub memory: usize,
}

/// The limits of `--jq` (stated in its `--help`): an item is a few KiB, and
/// a filter meant for one ends in microseconds with a few results.
pub const LIMITS: Limits = Limits {
    outputs: 10_000,
    bytes: 16 << 20,
    time: Duration::from_secs(3),
    memory: 512 << 20,
};

/// A compiled filter; compiling it checks it before any request is sent.
pub struct Filter {
    filter: jaq_core::compile::Filter<Native<Data>>,
    limits: Limits,
    #[cfg(unix)]
    worker: Option<std::sync::Mutex<worker::Worker>>,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("jq::Filter")
    }
}

/// `env`, and the value of `$ENV`: nothing. The environment holds the token.
fn no_env() -> Val {
    Val::from_map([]).unwrap_or(Val::Null)
}

impl Filter {
    pub fn new(code: &str) -> Result<Self, String> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let env: Fun<Data> = ("env", v(0), Native::new(|_| bome(Ok(no_env()))));
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs())
            .filter(|(name, args, _)| (*name, args.len()) != ("env", 0))
            .chain([env]);
        let arena = Arena::default();
        let modules = Loader::new(defs)
            .load(&arena, File { code, path: () })
            .map_err(|errors| format!("--jq `{code}` does not parse: {errors:?}"))?;
        let filter = Compiler::default()
            .with_funs(funs)
            .with_global_vars(["$ENV"])
            .compile(modules)
            .map_err(|errors| format!("--jq `{code}` does not compile: {errors:?}"))?;
        Ok(Self {
            filter,
            limits: LIMITS,
            #[cfg(unix)]
            worker: None,
        })
    }

    /// The same filter, held to other limits.
    #[cfg(test)]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The filter, to be run in a process of its own (see the module's doc).
    /// Forks: call it while the process has a single thread (the CLI does,
    /// before its runtime starts), since a child of a threaded process may
    /// find a lock held by a thread it does not have.
    #[cfg(unix)]
    pub fn isolated(mut self) -> Result<Self, String> {
        let worker = worker::Worker::start(&self)?;
        self.worker = Some(std::sync::Mutex::new(worker));
        Ok(self)
    }

    /// Every output of the filter on `input`, as JSON; an error when the
    /// filter fails or passes one of its limits.
    pub fn run(&self, input: &Value) -> Result<Vec<Value>, String> {
        #[cfg(unix)]
        if let Some(worker) = &self.worker {
            let mut worker = worker.lock().unwrap_or_else(|e| e.into_inner());
            return worker.run(input, &self.limits);
        }
        // Not isolated: bounded in results only.
        let mut outputs = Vec::new();
        self.each_output(&input.to_string(), |text| {
            outputs.push(from_jaq(text)?);
            Ok(())
        })?;
        Ok(outputs)
    }

    /// Runs the filter on the JSON text `input`, giving each output's JSON
    /// text to `emit`, up to the limits on results.
    fn each_output(
        &self,
        input: &str,
        mut emit: impl FnMut(&str) -> Result<(), String>,
    ) -> Result<(), String> {
        let input = jaq_json::read::parse_single(input.as_bytes())
            .map_err(|e| format!("--jq cannot read the answer: {e}"))?;
        let ctx = Ctx::<Data>::new(&self.filter.lut, Vars::new([no_env()]));
        let (mut count, mut bytes) = (0, 0);
        for output in self.filter.id.run((ctx, input)).map(unwrap_valr) {
            let text = output.map_err(|e| format!("--jq failed: {e}"))?.to_string();
            count += 1;
            bytes += text.len() + 1;
            if count > self.limits.outputs {
                return Err(format!(
                    "--jq gave more than {} results for one item, the most it may; a filter \
                     that never stops (such as `repeat(.)`)? Give one that ends, e.g. with \
                     limit(N; ...)",
                    self.limits.outputs
                ));
            }
            if bytes > self.limits.bytes {
                return Err(format!(
                    "--jq gave more than {} MiB of results for one item, the most it may; \
                     select less",
                    self.limits.bytes >> 20
                ));
            }
            emit(&text)?;
        }
        Ok(())
    }
}

/// A result of jaq, as JSON.
fn from_jaq(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("--jq gave what is not JSON: {e}"))
}

/// The filter's process: a fork of kinbox that reads items (one JSON text a
/// line) and answers each with `o<result>` lines, then `d` (done) or
/// `e<message>`.
#[cfg(unix)]
mod worker {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    use std::os::fd::AsRawFd as _;
    use std::time::Instant;

    use super::{Filter, Limits};

    pub struct Worker {
        pid: libc::pid_t,
        items: std::io::PipeWriter,
        results: std::io::PipeReader,
        stderr: std::io::PipeReader,
        /// What the worker has read but not yet taken as lines.
        pending: Vec<u8>,
        /// Why the worker is gone, once it is.
        gone: Option<String>,
        memory: usize,
    }

    impl Worker {
        pub fn start(filter: &Filter) -> Result<Self, String> {
            let cannot = |e: std::io::Error| format!("--jq cannot start its process: {e}");
            let (items_out, items) = std::io::pipe().map_err(cannot)?;
            let (results, results_in) = std::io::pipe().map_err(cannot)?;
            let (stderr, stderr_in) = std::io::pipe().map_err(cannot)?;
            let parent = std::process::id();
            // SAFETY: the child only runs the filter, on pipes of its own,
            // and leaves with `_exit`; see `Filter::isolated` for when the
            // fork is made.
            match unsafe { libc::fork() } {
                -1 => Err(cannot(std::io::Error::last_os_error())),
                0 => {
                    drop((items, results, stderr));
                    let code = serve(filter, parent, items_out, results_in, stderr_in);
                    // SAFETY: ends the child without running the parent's
                    // exit handlers or flushing its buffers a second time.
                    unsafe { libc::_exit(code) }
                }
                pid => Ok(Self {
                    pid,
                    items,
                    results,
                    stderr,
                    pending: Vec::new(),
                    gone: None,
                    memory: filter.limits.memory,
                }),
            }
        }

        pub fn run(
            &mut self,
            input: &serde_json::Value,
            limits: &Limits,
        ) -> Result<Vec<serde_json::Value>, String> {
            if let Some(why) = &self.gone {
                return Err(why.clone());
            }
            let deadline = Instant::now() + limits.time;
            let mut line = input.to_string();
            line.push('\n');
            if self.items.write_all(line.as_bytes()).is_err() {
                return Err(self.ended());
            }
            let mut outputs = Vec::new();
            let mut bytes = 0;
            loop {
                while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
                    let line: Vec<u8> = self.pending.drain(..=end).collect();
                    let text = String::from_utf8_lossy(&line[1..line.len() - 1]);
                    match line[0] {
                        b'o' => {
                            bytes += text.len() + 1;
                            match super::from_jaq(&text) {
                                Ok(output) => outputs.push(output),
                                // The rest of this item's results are
                                // still coming: the worker cannot go on.
                                Err(message) => return Err(self.stop(&message)),
                            }
                        }
                        b'd' => return Ok(outputs),
                        b'e' => return Err(text.into_owned()),
                        _ => return Err(self.stop("--jq's process answered out of turn")),
                    }
                    if outputs.len() > limits.outputs || bytes > limits.bytes {
                        return Err(self.stop("--jq gave more results than its limits allow"));
                    }
                }
                if self.pending.len() > limits.bytes + 16 {
                    return Err(self.stop("--jq gave more results than its limits allow"));
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() || !readable(&self.results, left) {
                    return Err(self.stop(&format!(
                        "--jq ran for more than {} s on one item and was stopped: does the \
                         filter loop (such as `def f: f; f`, or `range` over a huge \
                         number)? Give one that ends",
                        limits.time.as_secs_f64()
                    )));
                }
                let mut chunk = [0; 64 << 10];
                match self.results.read(&mut chunk) {
                    Ok(0) | Err(_) => return Err(self.ended()),
                    Ok(n) => self.pending.extend_from_slice(&chunk[..n]),
                }
            }
        }

        /// Kills the worker, which is then gone for `why`.
        fn stop(&mut self, why: &str) -> String {
            // SAFETY: signals and reaps our own child.
            unsafe {
                libc::kill(self.pid, libc::SIGKILL);
                libc::waitpid(self.pid, std::ptr::null_mut(), 0);
            }
            self.gone = Some(why.to_owned());
            why.to_owned()
        }

        /// The worker ended by itself: what its last words say it ran out of.
        fn ended(&mut self) -> String {
            let mut status = 0;
            // SAFETY: reaps our own child, which has closed its end.
            unsafe { libc::waitpid(self.pid, &mut status, 0) };
            let mut said = Vec::new();
            let _ = (&self.stderr).take(64 << 10).read_to_end(&mut said);
            let said = String::from_utf8_lossy(&said);
            let why = if said.contains("overflowed its stack") {
                "--jq's filter recursed too deeply and was stopped (a definition that calls \
                 itself without end, such as `def f: [f]; f`?); give one that ends"
                    .to_owned()
            } else if said.contains("memory allocation") {
                format!(
                    "--jq's filter needed more than {} MiB of memory and was stopped (such as \
                     `[range(1e9)]`); select less",
                    self.memory >> 20
                )
            } else {
                format!("--jq's filter stopped unexpectedly (wait status {status})")
            };
            self.gone = Some(why.clone());
            why
        }
    }

    impl Drop for Worker {
        fn drop(&mut self) {
            if self.gone.is_none() {
                self.stop("");
            }
        }
    }

    /// Whether `pipe` has something to read (or was closed) within `wait`.
    fn readable(pipe: &std::io::PipeReader, wait: std::time::Duration) -> bool {
        let mut fd = libc::pollfd {
            fd: pipe.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = wait.as_millis().clamp(1, i32::MAX as u128) as i32;
        loop {
            // SAFETY: one valid pollfd, for the duration of the call.
            match unsafe { libc::poll(&mut fd, 1, ms) } {
                -1 if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {
                }
                n => return n > 0,
            }
        }
    }

    /// The worker's loop; returns its exit status.
    fn serve(
        filter: &Filter,
        parent: u32,
        items: std::io::PipeReader,
        results: std::io::PipeWriter,
        stderr: std::io::PipeWriter,
    ) -> i32 {
        // Fatal messages (stack overflow, failed allocation) go to the pipe
        // the parent reads them from; nothing else may reach the terminal.
        // SAFETY: replaces this process's own standard descriptors.
        unsafe {
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
            libc::dup2(null, 0);
            libc::dup2(null, 1);
            libc::dup2(stderr.as_raw_fd(), 2);
            #[cfg(target_os = "linux")]
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        }
        drop(stderr);
        // Gone before the death signal was asked for.
        if std::os::unix::process::parent_id() != parent {
            return 0;
        }
        limit_memory(filter.limits.memory);
        // A panic (jaq's) is answered as an error; the hook would print it.
        std::panic::set_hook(Box::new(|_| {}));
        let mut items = BufReader::new(items);
        let mut results = std::io::BufWriter::new(results);
        let mut item = String::new();
        loop {
            item.clear();
            if !matches!(items.read_line(&mut item), Ok(n) if n > 0) {
                return 0;
            }
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                filter.each_output(&item, |text| {
                    writeln!(results, "o{text}").map_err(|e| e.to_string())
                })
            }));
            let end = match run {
                Ok(Ok(())) => "d".to_owned(),
                Ok(Err(message)) => format!("e{}", message.replace('\n', "\\n")),
                Err(_) => "e--jq stopped on an internal error of jaq".to_owned(),
            };
            if writeln!(results, "{end}")
                .and_then(|()| results.flush())
                .is_err()
            {
                return 0;
            }
        }
    }

    /// Lets this process map at most `limit` bytes more than it has now.
    fn limit_memory(limit: usize) {
        #[cfg(target_os = "linux")]
        {
            let mapped = std::fs::read_to_string("/proc/self/statm")
                .ok()
                .and_then(|statm| statm.split(' ').next()?.parse::<u64>().ok());
            // SAFETY: reads a constant of the system.
            let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as u64;
            let Some(mapped) = mapped else { return };
            let mut rlimit = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            // SAFETY: reads and sets this process's own limit.
            unsafe {
                if libc::getrlimit(libc::RLIMIT_AS, &mut rlimit) != 0 {
                    return;
                }
                let wanted = (mapped * page).saturating_add(limit as u64);
                rlimit.rlim_cur = rlimit.rlim_cur.min(wanted);
                libc::setrlimit(libc::RLIMIT_AS, &rlimit);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = limit;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn filters_run_on_json() {
        let filter = Filter::new(r#".[] | select(.value > 100) | {name}"#).unwrap();
        let out = filter
            .run(&json!([{"name": "a", "value": 50}, {"name": "b", "value": 150}]))
            .unwrap();
        assert_eq!(out, [json!({"name": "b"})]);
        assert!(Filter::new(".[").is_err());
        assert!(Filter::new("error(\"x\")").unwrap().run(&json!(1)).is_err());
    }

    #[test]
    fn filters_see_no_environment() {
        for (code, out) in [
            ("env", json!({})),
            ("$ENV", json!({})),
            ("env.HOME", json!(null)),
            ("$ENV | length", json!(0)),
        ] {
            let filter = Filter::new(code).unwrap();
            assert_eq!(filter.run(&json!(null)).unwrap(), [out], "{code}");
        }
    }

    /// Small limits, so that a run that needs them ends soon.
    const SMALL: Limits = Limits {
        outputs: 100,
        bytes: 64 << 10,
        time: Duration::from_millis(300),
        memory: 256 << 20,
    };

    #[cfg(unix)]
    fn isolated(code: &str) -> Filter {
        Filter::new(code)
            .unwrap()
            .with_limits(SMALL)
            .isolated()
            .unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn hostile_filters_are_stopped_with_a_clear_error() {
        for (code, says) in [
            ("[range(1e9)]", "more than 0.3 s"),
            ("repeat(.)", "more than 100 results"),
            ("def f: f; f", "more than 0.3 s"),
            ("def f: [f]; f", "recursed too deeply"),
            ("\"x\" * 100000", "more than 0 MiB of results"),
            ("\"x\" * 1000000000000", "more than 256 MiB of memory"),
        ] {
            let error = isolated(code).run(&json!({"a": 1})).unwrap_err();
            // On a loaded machine the short deadline of these tests may come
            // first: a clear error all the same, never a signal.
            let timed_out = error.contains("more than 0.3 s");
            assert!(error.contains(says) || timed_out, "{code}: {error}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_isolated_filter_keeps_serving_items_after_an_error() {
        let filter = isolated(".a | if . == 2 then error(\"two\\nlines\") else . * 10 end");
        assert_eq!(filter.run(&json!({"a": 1})).unwrap(), [json!(10)]);
        assert_eq!(
            filter.run(&json!({"a": 2})).unwrap_err(),
            r#"--jq failed: "two\nlines""#
        );
        assert_eq!(filter.run(&json!({"a": 3})).unwrap(), [json!(30)]);
    }

    /// jq code made of pieces that loop, recurse, allocate, read what is
    /// not there or do not parse, nested at random.
    fn program() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just(".".to_owned()),
            Just(".[]".to_owned()),
            Just("..".to_owned()),
            Just("env".to_owned()),
            Just("$ENV".to_owned()),
            Just("input".to_owned()),
            Just("range(1e9)".to_owned()),
            Just("repeat(.)".to_owned()),
            Just("(def f: f; f)".to_owned()),
            Just("(def f: [f]; f)".to_owned()),
            Just("(def f: f + f; f)".to_owned()),
            Just("(reduce range(1e6) as $i (null; [.]))".to_owned()),
            Just("(\"x\" * 1000000000000)".to_owned()),
            Just("(\"ab\" * 100000)".to_owned()),
            Just("tostring".to_owned()),
            Just("tojson | fromjson".to_owned()),
            Just("@base64d".to_owned()),
            Just("halt_error".to_owned()),
            Just("error".to_owned()),
            Just("(. as $x | $x + $x)".to_owned()),
            Just("splits(\"a\")".to_owned()),
            Just("getpath([\"a\", 0])".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()),
            "[a-z\\\\\"]{0,6}".prop_map(|s| format!("{s:?}")),
            "[ -~]{0,10}",
        ];
        piece.prop_recursive(3, 24, 3, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} | {b}")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}, {b}")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) * ({b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) + ({b})")),
                inner.clone().prop_map(|a| format!("[{a}]")),
                inner.clone().prop_map(|a| format!("{{a: ({a})}}")),
                inner.clone().prop_map(|a| format!("limit(3; {a})")),
                inner.clone().prop_map(|a| format!("try ({a}) catch .")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("reduce ({a}) as $x (.; {b})")),
            ]
        })
    }

    fn input() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        // A case can take the whole deadline: an eighth of the cases of the
        // crate's other properties.
        #![proptest_config(proptest::test_runner::Config {
            cases: crate::tests::proptest_config().cases.div_ceil(8),
            ..crate::tests::proptest_config()
        })]

        /// Whatever the program and the item, the filter neither panics nor
        /// kills kinbox: it ends within its deadline, with results within
        /// their limits or an error that says it is --jq's.
        #[cfg(unix)]
        #[test]
        fn any_filter_ends_within_its_limits(code in program(), input in input()) {
            let started = std::time::Instant::now();
            let filter = match Filter::new(&code) {
                Ok(filter) => filter.with_limits(SMALL).isolated().unwrap(),
                Err(error) => {
                    prop_assert!(error.starts_with("--jq `"), "{}", error);
                    return Ok(());
                }
            };
            match filter.run(&input) {
                Ok(outputs) => {
                    prop_assert!(outputs.len() <= SMALL.outputs);
                    let bytes: usize = outputs.iter().map(|o| o.to_string().len() + 1).sum();
                    prop_assert!(bytes <= SMALL.bytes, "{} bytes", bytes);
                }
                Err(error) => prop_assert!(error.starts_with("--jq"), "{}", error),
            }
            prop_assert!(
                started.elapsed() < SMALL.time + Duration::from_secs(5),
                "{:?}",
                started.elapsed()
            );
        }
    }
}
