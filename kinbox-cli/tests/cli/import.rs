//! `kinbox deals import`, the real binary against the sandbox: a Brazilian
//! spreadsheet (`;`, decimal comma, Latin-1) through every fault the
//! sandbox has, an import killed and resumed, and `--check`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::Duration;

use kinbox_sandbox::{AppliedThenFailMode, Sandbox, SandboxBuilder};

/// The header of the test spreadsheets, as a shop's export names its
/// columns: `--map` ([`MAP`]) says which is which.
const HEADER: &str = "Nome do negócio;Telefone;Cliente;Valor (R$);Funil;Etapa;Vencimento";
const MAP: [&str; 14] = [
    "--map",
    "Nome do negócio=name",
    "--map",
    "Telefone=contact_phone",
    "--map",
    "Cliente=contact_name",
    "--map",
    "Valor (R$)=value",
    "--map",
    "Funil=pipeline",
    "--map",
    "Etapa=stage",
    "--map",
    "Vencimento=due_date",
];

/// `rows` rows, one per line after the header, with `phones` distinct
/// phones written as people write them; Windows-1252, CRLF, as Excel saves.
fn spreadsheet(dir: &Path, rows: u64, phones: u64) -> PathBuf {
    let mut text = format!("{HEADER}\r\n");
    for row in 1..=rows {
        let phone = row % phones;
        text.push_str(&format!(
            "\"Pedido nº {row}; ação\";+55 (85) 9{:04}-{:04};Cliente {phone};R$ {}.{:03},{:02};Vendas;{};30/06/2024\r\n",
            phone / 10_000,
            phone % 10_000,
            1 + row / 1000,
            row % 1000,
            row % 100,
            ["Proposta", "Negociação", "proposta", "negociacao"][(row % 4) as usize],
        ));
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    let path = dir.join("leads.csv");
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The phone of row `row`, as the API stores it.
fn stored_phone(row: u64, phones: u64) -> String {
    let phone = row % phones;
    format!("55859{:04}{:04}", phone / 10_000, phone % 10_000)
}

/// `kinbox deals import FILE` of a [`spreadsheet`], with `extra` flags.
fn import_args(file: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["deals", "import"].map(String::from).to_vec();
    args.push(file.to_str().unwrap().to_owned());
    args.extend(
        ["--encoding", "latin1", "--create-contacts"]
            .iter()
            .chain(MAP.iter())
            .chain(extra)
            .map(|arg| arg.to_string()),
    );
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn kinbox(sandbox: &Sandbox, config_dir: &Path, args: &[&str]) -> Process {
    let mut cmd = Process::new(assert_cmd::cargo::cargo_bin("kinbox"));
    for var in ["KINBOX_PROFILE", "COLUMNS", "RUST_LOG", "NO_COLOR"] {
        cmd.env_remove(var);
    }
    cmd.env("KINBOX_BASE_URL", sandbox.base_url())
        .env("KINBOX_TOKEN", sandbox.token())
        .env("KINBOX_CONFIG_DIR", config_dir)
        .args(args)
        .stdin(Stdio::null());
    cmd
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(mut cmd: Process) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every deal the sandbox holds, by name: how many of each.
async fn deals_by_name(sandbox: &Sandbox) -> HashMap<String, usize> {
    let mut by_name = HashMap::new();
    for deal in sandbox.held_deals().await {
        *by_name.entry(deal.name).or_default() += 1;
    }
    by_name
}

/// How many contacts have each phone.
async fn contacts_by_phone(sandbox: &Sandbox) -> HashMap<String, usize> {
    let mut by_phone = HashMap::new();
    for contact in sandbox.held_contacts().await {
        *by_phone
            .entry(contact.phone.unwrap_or_default())
            .or_default() += 1;
    }
    by_phone
}

/// Exactly one deal for each of rows `1..=rows`, with its name, and no
/// other; exactly one contact for each phone.
async fn assert_imported_once(sandbox: &Sandbox, rows: u64, phones: u64) {
    let deals = deals_by_name(sandbox).await;
    for row in 1..=rows {
        let name = format!("Pedido nº {row}; ação");
        assert_eq!(deals.get(&name), Some(&1), "deals named {name:?}");
    }
    assert_eq!(deals.len() as u64, rows, "no other deal: {deals:?}");
    let contacts = contacts_by_phone(sandbox).await;
    for row in 1..=phones {
        let phone = stored_phone(row, phones);
        assert_eq!(contacts.get(&phone), Some(&1), "contacts with {phone}");
    }
}

async fn start(builder: SandboxBuilder) -> Sandbox {
    builder.start().await.expect("the sandbox starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_latin1_spreadsheet_becomes_one_deal_per_row_through_every_fault() {
    const ROWS: u64 = 2_000;
    const PHONES: u64 = 400;
    let sandbox = start(
        Sandbox::builder()
            .seed(11)
            .rate_limit(300, Duration::from_secs(1))
            .server_error_ratio(0.04)
            .drop_ratio(0.03)
            .applied_then_fail_ratio(0.06)
            .applied_then_fail_mode(AppliedThenFailMode::Any)
            .applied_then_fail_hold(Duration::from_millis(2500)),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = spreadsheet(dir.path(), ROWS, PHONES);
    let report = dir.path().join("report.ndjson");
    let args = import_args(
        &file,
        &[
            "--concurrency",
            "16",
            "--timeout",
            "1",
            "--retries",
            "10",
            "--report",
            report.to_str().unwrap(),
        ],
    );

    let out = run(kinbox(&sandbox, dir.path(), &strs(&args)));

    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains(" 0 invalid, 0 failed"),
        "the summary: {}",
        out.stderr
    );
    assert_imported_once(&sandbox, ROWS, PHONES).await;
    let report = std::fs::read_to_string(&report).unwrap();
    let mut lines: Vec<u64> = Vec::new();
    let mut reconciled = 0;
    for record in report.lines() {
        let record: serde_json::Value = serde_json::from_str(record).unwrap();
        let outcome = record["outcome"].as_str().unwrap();
        assert!(outcome == "created" || outcome == "reconciled", "{record}");
        reconciled += usize::from(outcome == "reconciled");
        assert!(record["deal_id"].is_string(), "{record}");
        lines.push(record["line"].as_u64().unwrap());
    }
    lines.sort();
    assert_eq!(lines, (2..=ROWS + 1).collect::<Vec<_>>(), "a line per row");
    assert!(
        reconciled > 0,
        "some answers were lost after the deal was made"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_again_and_again_resumes_to_one_deal_per_row() {
    const ROWS: u64 = 500;
    const PHONES: u64 = 100;
    let sandbox = start(Sandbox::builder().latency(Duration::from_millis(40))).await;
    let dir = tempfile::tempdir().unwrap();
    let file = spreadsheet(dir.path(), ROWS, PHONES);
    let journal = dir.path().join("leads.csv.kinbox-journal");
    let import = |resume: bool| {
        let resume: &[&str] = if resume { &["--resume"] } else { &[] };
        let mut args = import_args(&file, &["--concurrency", "4"]);
        args.extend(resume.iter().map(|arg| arg.to_string()));
        kinbox(&sandbox, dir.path(), &strs(&args))
    };
    // Kill points drawn anew each run; printed so a failure can be replayed.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    let mut state = seed | 1;
    let mut kills = Vec::new();
    for _ in 0..4 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let after = Duration::from_millis(400 + state % 900);
        let mut child = import(journal.exists())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(after);
        // SIGKILL: no chance to write anything more.
        let _ = child.kill();
        let status = child.wait().unwrap();
        kills.push((after, status.code()));
    }
    let made_before_last = deals_by_name(&sandbox).await.values().sum::<usize>();
    assert!(
        made_before_last > 0 && (made_before_last as u64) < ROWS,
        "the kills (seed {seed}: {kills:?}) came part-way: {made_before_last} deals"
    );

    let out = run(import(true));

    assert_eq!(
        out.code,
        Some(0),
        "seed {seed}, kills {kills:?}: {}",
        out.stderr
    );
    assert_imported_once(&sandbox, ROWS, PHONES).await;
    assert!(
        out.stderr.contains("skipped (created before)"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_import_with_a_journal_in_use_is_refused_and_sends_nothing() {
    const ROWS: u64 = 150;
    let sandbox = start(Sandbox::builder().latency(Duration::from_millis(30))).await;
    let dir = tempfile::tempdir().unwrap();
    let file = spreadsheet(dir.path(), ROWS, 50);
    let first = kinbox(
        &sandbox,
        dir.path(),
        &strs(&import_args(&file, &["--concurrency", "2"])),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let journal = dir.path().join("leads.csv.kinbox-journal");
    while !journal.exists() {
        std::thread::sleep(Duration::from_millis(10));
    }
    let made_before = deals_by_name(&sandbox).await.values().sum::<usize>();

    let second = run(kinbox(
        &sandbox,
        dir.path(),
        &strs(&import_args(&file, &["--resume"])),
    ));

    assert_eq!(second.code, Some(2), "{}", second.stderr);
    assert!(
        second.stderr.contains("in use by another import"),
        "{}",
        second.stderr
    );
    let first = first.wait_with_output().unwrap();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!((made_before as u64) < ROWS, "the first was still running");
    assert_imported_once(&sandbox, ROWS, 50).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_lists_every_bad_row_with_its_line_and_sends_nothing() {
    let sandbox = start(Sandbox::builder()).await;
    let dir = tempfile::tempdir().unwrap();
    let before = deals_by_name(&sandbox).await;
    let text = [
        "name;value;pipeline;stage;contact_phone;due_date",
        "Pedido 1;1.890,50;Vendas;Proposta;(85) 99728-1648;30/06/2024",
        "Pedido 2;12,5O;Vendas;Proposta;(85) 99728-1648;30/06/2024",
        "Pedido 3;10;Vendas;Propsta;(85) 99728-1648;30/06/2024",
        "\"Pedido 4",
        "em duas linhas\";10;Vendas;Proposta;;30/06/2024",
        "Pedido 5;10;Vendas;Proposta;(85) 99728-1648;31/02/2024",
        "Pedido 6;R$ 7,00;Vendas;Proposta;(85) 99728-1648;",
    ]
    .join("\n");
    let file = dir.path().join("leads.csv");
    std::fs::write(&file, text).unwrap();

    let out = run(kinbox(
        &sandbox,
        dir.path(),
        &["deals", "import", file.to_str().unwrap(), "--check"],
    ));

    assert_eq!(out.code, Some(2), "{}", out.stderr);
    let bad: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(bad.len(), 4, "{}", out.stdout);
    assert!(bad[0].starts_with("line 3, value: \"12,5O\""), "{}", bad[0]);
    assert!(
        bad[1].starts_with("line 4, stage: ") && bad[1].contains("did you mean \"Proposta\""),
        "{}",
        bad[1]
    );
    assert!(
        bad[2].starts_with("line 5"),
        "a row over two lines: {}",
        bad[2]
    );
    assert!(bad[3].starts_with("line 7, due_date: "), "{}", bad[3]);
    assert!(
        out.stderr.contains("6 rows: 2 ready to import, 4 bad"),
        "{}",
        out.stderr
    );
    assert_eq!(deals_by_name(&sandbox).await, before, "nothing was created");
    assert!(
        !dir.path().join("leads.csv.kinbox-journal").exists(),
        "--check writes no journal"
    );

    // Without --check, the same file is refused whole…
    let out = run(kinbox(
        &sandbox,
        dir.path(),
        &["deals", "import", file.to_str().unwrap()],
    ));
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("4 of 6 rows are bad (listed above); nothing was sent"),
        "{}",
        out.stderr
    );
    assert_eq!(deals_by_name(&sandbox).await, before, "nothing was created");
    // …and with --skip-invalid, the good rows are imported and the exit
    // status says some were not.
    let out = run(kinbox(
        &sandbox,
        dir.path(),
        &["deals", "import", file.to_str().unwrap(), "--skip-invalid"],
    ));
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("2 created, 0 reconciled, 0 skipped (created before), 4 invalid"),
        "{}",
        out.stderr
    );
    assert_eq!(deals_by_name(&sandbox).await.len(), before.len() + 2);
}

/// Runs `cmd` for at most `limit`: a run that would go on for ever (the
/// first versions read a pipe or `/dev/zero` without end) fails the test
/// instead of hanging it.
fn run_within(mut cmd: Process, limit: Duration) -> Run {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A journal or report path given by mistake never destroys a file: the
/// input, a file behind a symbolic link, a file that is not a journal, the
/// journal itself as the report. Each is refused before anything is sent,
/// and the file is left as it was; an existing report is kept too.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_or_report_given_by_mistake_never_destroys_a_file() {
    let sandbox = start(Sandbox::builder()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let file = spreadsheet(dir.path(), 3, 3);
    let input = std::fs::read(&file).unwrap();
    let precious = dir.path().join("precious.txt");
    std::fs::write(&precious, "precious 1\nprecious 2\n").unwrap();
    let journal = dir.path().join("leads.csv.kinbox-journal");
    let (file_arg, precious_arg) = (file.to_str().unwrap(), precious.to_str().unwrap());
    let journal_arg = journal.to_str().unwrap();

    let refused = |extra: &[&str], why: &str| {
        let run = run(kinbox(&sandbox, &config, &strs(&import_args(&file, extra))));
        assert_eq!(run.code, Some(2), "{extra:?}: {}", run.stderr);
        assert!(run.stderr.contains(why), "{extra:?}: {}", run.stderr);
        assert_eq!(std::fs::read(&file).unwrap(), input, "{extra:?}: the input");
        assert_eq!(
            std::fs::read_to_string(&precious).unwrap(),
            "precious 1\nprecious 2\n",
            "{extra:?}"
        );
    };
    std::os::unix::fs::symlink(&precious, &journal).unwrap();
    refused(&["--resume"], "symbolic link");
    std::fs::remove_file(&journal).unwrap();
    refused(
        &["--journal", file_arg, "--resume"],
        "is the file being imported",
    );
    refused(&["--report", file_arg], "is the file being imported");
    refused(&["--report", journal_arg], "is the import's journal");
    refused(
        &["--journal", precious_arg, "--resume"],
        "not that of a kinbox import journal",
    );
    assert!(deals_by_name(&sandbox).await.is_empty(), "nothing was sent");

    let report = dir.path().join("report.ndjson");
    std::fs::write(&report, "kept\n").unwrap();
    let run = run(kinbox(
        &sandbox,
        &config,
        &strs(&import_args(&file, &["--report", report.to_str().unwrap()])),
    ));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "kept\n");
    let numbered = dir.path().join("report-1.ndjson");
    assert!(
        run.stderr.contains(numbered.to_str().unwrap()),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&numbered).unwrap().lines().count(),
        3
    );
    assert_imported_once(&sandbox, 3, 3).await;
}

/// The processes' files open in `dir` (`/proc/PID/fd`), as their links read.
#[cfg(target_os = "linux")]
fn open_in(pid: u32, dir: &Path) -> Vec<String> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|fds| {
            fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
                .filter(|target| target.starts_with(dir))
                .map(|target| target.display().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// What is not a regular file is refused as FILE (the first version hung on
/// a pipe and on /dev/zero), stdin is bounded, and its copy is never left
/// in the temporary folder, not even by Ctrl-C.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipe_or_a_device_is_refused_and_stdin_leaves_no_copy_behind() {
    let sandbox = start(Sandbox::builder()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let fifo = dir.path().join("leads.csv");
    assert!(
        Process::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for file in ["/dev/zero", fifo.to_str().unwrap()] {
        let mut cmd = kinbox(&sandbox, &config, &["deals", "import", file]);
        cmd.env("TMPDIR", &tmp);
        let run = run_within(cmd, Duration::from_secs(20));
        assert_eq!(run.code, Some(2), "{file}: {}", run.stderr);
        assert!(
            run.stderr.contains("not a regular file")
                && run.stderr.contains("kinbox deals import - <"),
            "{file}: {}",
            run.stderr
        );
    }
    assert!(!dir.path().join("leads.csv.kinbox-journal").exists());

    let mut cmd = kinbox(&sandbox, &config, &["deals", "import", "-", "--check"]);
    cmd.env("TMPDIR", &tmp)
        .stdin(std::fs::File::open("/dev/zero").unwrap());
    let run = run_within(cmd, Duration::from_secs(20));
    assert_ne!(run.code, Some(0));
    assert!(run.stderr.contains("longer than 1 MiB"), "{}", run.stderr);

    // Ctrl-C while stdin is being read: the copy goes with the process.
    let mut command = kinbox(
        &sandbox,
        &config,
        &[
            "deals",
            "import",
            "-",
            "--check",
            "--map",
            "Cliente=contact_name",
        ],
    );
    command
        .env("TMPDIR", &tmp)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped());
    // Ctrl-C as a terminal's foreground job meets it: a run started in the
    // background of a script (as CI may be) inherits SIGINT ignored, and
    // the child would wait for stdin for ever.
    // SAFETY: one async-signal-safe call, between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    use std::io::Write;
    writeln!(stdin, "name;value;pipeline;stage;contact_phone;Cliente").unwrap();
    writeln!(stdin, "Pedido 1;10;Vendas;Proposta;85997281648;Maria").unwrap();
    stdin.flush().unwrap();
    let started = std::time::Instant::now();
    while open_in(child.id(), &tmp).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "stdin is never copied"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let interrupted = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if interrupted.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("still running 20 s after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(stdin);
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "left in the temporary folder: {left:?}");
}

/// A CSV whose lines end in a CR alone (Excel's "CSV (Macintosh)") is read
/// the same way by the check and by the import: one deal a row. The first
/// version checked 3 rows and then created 1, all rows being "line 1".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lone_cr_line_ends_are_checked_and_imported_alike() {
    let sandbox = start(Sandbox::builder()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let file = spreadsheet(dir.path(), 3, 3);
    let crlf = std::fs::read(&file).unwrap();
    let lone_cr: Vec<u8> = crlf.iter().copied().filter(|b| *b != b'\n').collect();
    std::fs::write(&file, lone_cr).unwrap();
    let check = run(kinbox(
        &sandbox,
        &config,
        &strs(&import_args(&file, &["--check"])),
    ));
    assert_eq!(check.code, Some(0), "{}", check.stderr);
    assert!(check.stderr.contains("3 ready"), "{}", check.stderr);
    let import = run(kinbox(&sandbox, &config, &strs(&import_args(&file, &[]))));
    assert_eq!(import.code, Some(0), "{}", import.stderr);
    assert_imported_once(&sandbox, 3, 3).await;
}

/// A mock API with the reads every import makes first: the pipeline of
/// the fixtures, no custom fields and no tags.
fn api_with_a_pipeline() -> httpmock::MockServer {
    let server = httpmock::MockServer::start();
    let pipeline: serde_json::Value = serde_json::from_str(include_str!(
        "../../../kinbox-api/tests/fixtures/pipeline_full.json"
    ))
    .unwrap();
    server.mock(|when, then| {
        when.method("GET").path("/v1/pipelines");
        then.status(200).json_body(serde_json::json!([pipeline]));
    });
    server.mock(|when, then| {
        when.method("GET").path("/v1/custom-fields");
        then.status(200)
            .json_body(serde_json::json!({ "data": [] }));
    });
    server.mock(|when, then| {
        when.method("GET").path("/v1/tags");
        then.status(200).json_body(serde_json::json!([]));
    });
    server
}

#[test]
fn a_token_refused_mid_import_stops_it_and_says_so_once() {
    const ROWS: u64 = 300;
    let server = api_with_a_pipeline();
    // Revoked after the reads, as a token can be mid-import.
    let creates = server.mock(|when, then| {
        when.method("POST").path("/v1/deals");
        then.status(401)
            .json_body(serde_json::json!({ "message": "token revoked" }));
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leads.csv");
    let mut text = String::from("name;value;pipeline;stage;contact_id\n");
    for row in 1..=ROWS {
        text.push_str(&format!("Pedido {row};R$ 1.890,50;Vendas;Proposta;1042\n"));
    }
    std::fs::write(&file, text).unwrap();
    let report = dir.path().join("report.ndjson");

    let out = run({
        let mut cmd = Process::new(assert_cmd::cargo::cargo_bin("kinbox"));
        cmd.env_remove("KINBOX_PROFILE")
            .env("KINBOX_BASE_URL", server.base_url())
            .env("KINBOX_TOKEN", "revoked-token")
            .env("KINBOX_CONFIG_DIR", dir.path())
            .args(["deals", "import"])
            .arg(&file)
            .args(["--concurrency", "4", "--report"])
            .arg(&report)
            .stdin(Stdio::null());
        cmd
    });

    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        creates.calls() <= 4,
        "{} creates sent after a 401",
        creates.calls()
    );
    assert_eq!(
        out.stderr.matches("the rows left are not sent").count(),
        1,
        "said once: {}",
        out.stderr
    );
    assert!(out.stderr.contains("--resume"), "{}", out.stderr);
    assert!(
        out.stderr.lines().count() < 20,
        "not a line per row: {}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&report).unwrap().lines().count() as u64,
        ROWS,
        "the report has every row"
    );
}

#[test]
fn a_created_deal_whose_answer_hides_the_token_in_json_escapes_leaves_it_nowhere() {
    const TOKEN: &str = "kbx-import-s3cr3t-4b7c8e1f";
    let escaped: String = TOKEN
        .encode_utf16()
        .map(|unit| format!("\\u{unit:04x}"))
        .collect();
    let server = api_with_a_pipeline();
    // Both rows are answered with the same deal, whose id and name are the
    // token: each row's report and journal records name the id, and the
    // second row's warning does too.
    let mut deal: serde_json::Value = serde_json::from_str(include_str!(
        "../../../kinbox-api/tests/fixtures/deal_full.json"
    ))
    .unwrap();
    deal["id"] = "@TOKEN@".into();
    deal["name"] = "@TOKEN@".into();
    let answer = deal.to_string().replace("@TOKEN@", &escaped);
    let creates = server.mock(|when, then| {
        when.method("POST").path("/v1/deals");
        then.status(201)
            .header("content-type", "application/json")
            .body(answer);
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leads.csv");
    std::fs::write(
        &file,
        "name;value;pipeline;stage;contact_id\n\
         Pedido 1;R$ 1.890,50;Vendas;Proposta;1042\n\
         Pedido 2;R$ 10,00;Vendas;Proposta;1043\n",
    )
    .unwrap();
    let report = dir.path().join("report.ndjson");
    let journal = dir.path().join("leads.journal");

    let out = run({
        let mut cmd = Process::new(assert_cmd::cargo::cargo_bin("kinbox"));
        cmd.env_remove("KINBOX_PROFILE")
            .env_remove("RUST_LOG")
            .env("KINBOX_BASE_URL", server.base_url())
            .env("KINBOX_TOKEN", TOKEN)
            .env("KINBOX_CONFIG_DIR", dir.path())
            .args(["deals", "import"])
            .arg(&file)
            .args(["--concurrency", "1", "-vv", "--report"])
            .arg(&report)
            .arg("--journal")
            .arg(&journal)
            .stdin(Stdio::null());
        cmd
    });

    assert_eq!(creates.calls(), 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the deal created is already attributed to another row"),
        "{}",
        out.stderr
    );
    let report = std::fs::read_to_string(&report).unwrap();
    let journal = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(report.matches("<redacted>").count(), 2, "{report}");
    assert_eq!(journal.matches("<redacted>").count(), 2, "{journal}");
    for (what, text) in [
        ("stdout", &out.stdout),
        ("stderr", &out.stderr),
        ("report", &report),
        ("journal", &journal),
    ] {
        assert!(!text.contains(TOKEN), "{what}: {text}");
    }
}

/// A row of a [`spreadsheet`] as its text, for files edited between runs.
fn spreadsheet_row(row: u64, phones: u64) -> String {
    let phone = row % phones;
    format!(
        "\"Pedido nº {row}; ação\";+55 (85) 9{:04}-{:04};Cliente {phone};R$ {}.{:03},{:02};Vendas;{};30/06/2024",
        phone / 10_000,
        phone % 10_000,
        1 + row / 1000,
        row % 1000,
        row % 100,
        ["Proposta", "Negociação", "proposta", "negociacao"][(row % 4) as usize],
    )
}

/// `lines` under the spreadsheet's header, as Excel saves it.
fn write_spreadsheet(path: &Path, lines: &[String]) {
    let text = format!("{HEADER}\r\n{}\r\n", lines.join("\r\n"));
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    std::fs::write(path, bytes).unwrap();
}

/// The deal name of a spreadsheet's row.
fn deal_name(row: u64) -> String {
    format!("Pedido nº {row}; ação")
}

/// Rows known by their content: a file edited between runs (a row
/// inserted near the top, a bad row fixed, a row deleted, rows reordered)
/// resumes to each good row imported once; the first version sent rows by
/// line, and could never import the rows after an insertion.
mod resume_by_content {
    use super::*;

    /// Waits until the sandbox holds at least `n` deals, for at most 60 s.
    async fn wait_for_deals(sandbox: &Sandbox, n: usize) {
        let started = std::time::Instant::now();
        while deals_by_name(sandbox).await.values().sum::<usize>() < n {
            assert!(started.elapsed() < Duration::from_secs(60), "no {n} deals");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_edited_file_resumes_to_each_good_row_once_and_then_sends_nothing() {
        const ROWS: u64 = 60;
        const PHONES: u64 = 20;
        const BAD: u64 = 30;
        let sandbox = start(Sandbox::builder().latency(Duration::from_millis(60))).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("leads.csv");
        let bad_row = spreadsheet_row(BAD, PHONES).replace("R$ 1.030,30", "R$ 1.0X0,30");
        assert_ne!(bad_row, spreadsheet_row(BAD, PHONES));
        let first: Vec<String> = (1..=ROWS)
            .map(|row| match row {
                BAD => bad_row.clone(),
                row => spreadsheet_row(row, PHONES),
            })
            .collect();
        write_spreadsheet(&file, &first);
        let args = |extra: &[&str]| {
            let mut args = import_args(&file, &["--concurrency", "2"]);
            args.extend(extra.iter().map(|arg| arg.to_string()));
            args
        };

        // Part of it, then stopped hard.
        let mut child = kinbox(&sandbox, dir.path(), &strs(&args(&["--skip-invalid"])))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for_deals(&sandbox, 12).await;
        child.kill().unwrap();
        child.wait().unwrap();
        let made = deals_by_name(&sandbox).await;
        let made_count = made.values().sum::<usize>() as u64;
        assert!(made_count < ROWS - 1, "stopped part-way: {made_count}");
        assert!(made.values().all(|n| *n == 1), "{made:?}");
        // A row created before the stop is deleted from the file, and
        // another one moves to the end.
        let created = |row: u64| made.contains_key(&deal_name(row));
        let deleted = (1..=ROWS).find(|row| created(*row)).unwrap();
        let moved = (deleted + 1..=ROWS).find(|row| created(*row)).unwrap();

        // The edit: a new row near the top, the bad row fixed, a row
        // deleted, one moved to the end, and the rest of the second half
        // in reverse.
        let mut edited: Vec<String> = vec![spreadsheet_row(1, PHONES)];
        edited.push(spreadsheet_row(1000, PHONES));
        let mut rest: Vec<u64> = (2..=ROWS)
            .filter(|row| *row != deleted && *row != moved)
            .collect();
        rest[20..].reverse();
        edited.extend(rest.iter().map(|row| spreadsheet_row(*row, PHONES)));
        edited.push(spreadsheet_row(moved, PHONES));
        if deleted == 1 {
            edited.remove(0);
        }
        write_spreadsheet(&file, &edited);
        let mut wanted: Vec<u64> = (1..=ROWS).filter(|row| *row != deleted).collect();
        wanted.push(1000);

        let out = run(kinbox(&sandbox, dir.path(), &strs(&args(&["--resume"]))));

        assert_eq!(out.code, Some(0), "{}", out.stderr);
        // The inserted row and the fixed one (bad, so never in the journal)
        // are new; the deleted one is gone.
        assert!(
            out.stderr.contains(
                "the file changed since the last run: 2 rows added, 0 changed, 1 removed"
            ),
            "{}",
            out.stderr
        );
        // The rows made before the stop, but the deleted one, are skipped
        // (fewer when the kill came between a create and its record: those
        // are looked for, and found).
        let skipped: usize = out
            .stderr
            .split("resuming: ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{}", out.stderr));
        assert!(
            skipped > 0 && (skipped as u64) < made_count,
            "{skipped} skipped: {}",
            out.stderr
        );
        let deals = deals_by_name(&sandbox).await;
        for row in &wanted {
            assert_eq!(
                deals.get(&deal_name(*row)),
                Some(&1),
                "row {row}: {deals:?}"
            );
        }
        assert_eq!(
            deals.get(&deal_name(deleted)),
            Some(&1),
            "the deleted row's deal is kept"
        );
        assert_eq!(deals.len(), wanted.len() + 1, "no other deal: {deals:?}");
        assert_eq!(deals.values().sum::<usize>(), wanted.len() + 1);

        // Again: nothing is sent.
        let again = run(kinbox(&sandbox, dir.path(), &strs(&args(&["--resume"]))));
        assert_eq!(again.code, Some(0), "{}", again.stderr);
        assert!(
            again.stderr.contains(&format!(
                "resuming: {} created before (skipped), 0 to import",
                wanted.len()
            )),
            "{}",
            again.stderr
        );
        assert!(
            again.stderr.contains(": 0 created, 0 reconciled"),
            "{}",
            again.stderr
        );
        assert!(
            !again.stderr.contains("the file changed"),
            "{}",
            again.stderr
        );
        assert_eq!(deals_by_name(&sandbox).await, deals);

        // A row changed after its deal was made (same name and phone, other
        // value) is said, with its deal, and not sent again.
        let changed_row = rest[0];
        let mut changed = edited.clone();
        let at = changed
            .iter()
            .position(|line| *line == spreadsheet_row(changed_row, PHONES))
            .unwrap();
        changed[at] = changed[at].replacen(";R$ ", ";R$ 9", 1);
        write_spreadsheet(&file, &changed);
        let report = dir.path().join("report.ndjson");
        let third = run(kinbox(
            &sandbox,
            dir.path(),
            &strs(&args(&["--resume", "--report", report.to_str().unwrap()])),
        ));
        assert_eq!(third.code, Some(1), "{}", third.stderr);
        assert!(
            third.stderr.contains(
                "the file changed since the last run: 0 rows added, 1 changed, 0 removed"
            ),
            "{}",
            third.stderr
        );
        assert!(
            third
                .stderr
                .contains("changed after an earlier run made its deal"),
            "{}",
            third.stderr
        );
        assert_eq!(deals_by_name(&sandbox).await, deals, "nothing sent");
        let report = std::fs::read_to_string(&report).unwrap();
        let changed_records: Vec<serde_json::Value> = report
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .filter(|record: &serde_json::Value| record["outcome"] == "changed")
            .collect();
        assert_eq!(changed_records.len(), 1, "{report}");
        assert!(changed_records[0]["deal_id"].is_string(), "{report}");
    }

    /// A journal written by the version before rows were known by their
    /// content (version 2: no identities, no list of the file's rows), as
    /// `journal` is once downgraded.
    fn as_version_2(journal: &Path) {
        let text = std::fs::read_to_string(journal).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let records: Vec<String> = lines
            .filter_map(|line| {
                let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
                if record["event"] == "rows" {
                    return None;
                }
                record.as_object_mut().unwrap().remove("id");
                Some(record.to_string())
            })
            .collect();
        let at = header.find("\"records\":").unwrap() + "\"records\":".len();
        let header = format!(
            "{}{:<20}}}",
            header[..at].replace("\"version\":3", "\"version\":2"),
            records.len()
        );
        assert!(header.contains("\"version\":2"), "{header}");
        std::fs::write(journal, format!("{header}\n{}\n", records.join("\n"))).unwrap();
    }

    /// Old journals still resume safely, an edited file too: their rows
    /// are found by content as well, and only a row of the same line with
    /// other content counts as changed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_journal_of_the_version_before_resumes_an_edited_file_without_duplicates() {
        const PHONES: u64 = 10;
        let sandbox = start(Sandbox::builder()).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("leads.csv");
        let journal = dir.path().join("leads.csv.kinbox-journal");
        write_spreadsheet(
            &file,
            &(1..=20)
                .map(|row| spreadsheet_row(row, PHONES))
                .collect::<Vec<_>>(),
        );
        let args = |extra: &[&str]| {
            let mut args = import_args(&file, &[]);
            args.extend(extra.iter().map(|arg| arg.to_string()));
            args
        };
        let first = run(kinbox(&sandbox, dir.path(), &strs(&args(&[]))));
        assert_eq!(first.code, Some(0), "{}", first.stderr);
        as_version_2(&journal);

        // A row inserted at the top, ten more at the end.
        let mut edited = vec![spreadsheet_row(1000, PHONES)];
        edited.extend((1..=30).map(|row| spreadsheet_row(row, PHONES)));
        write_spreadsheet(&file, &edited);

        let out = run(kinbox(&sandbox, dir.path(), &strs(&args(&["--resume"]))));

        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert!(
            out.stderr
                .contains("resuming: 20 created before (skipped), 11 to import"),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("the file changed"), "{}", out.stderr);
        let deals = deals_by_name(&sandbox).await;
        for row in (1..=30).chain([1000]) {
            assert_eq!(deals.get(&deal_name(row)), Some(&1), "row {row}: {deals:?}");
        }
        assert_eq!(deals.values().sum::<usize>(), 31, "{deals:?}");
        let header = std::fs::read_to_string(&journal).unwrap();
        assert!(header.starts_with("{\"kinbox\":\"import-journal\",\"version\":3,"));
    }
}

/// A loopback proxy in front of a sandbox, which the test can take away
/// (the API goes away: connections refused, those open closed) and bring
/// back on the same port.
struct Proxy {
    addr: std::net::SocketAddr,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    open: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
    accepting: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    fn start(addr: std::net::SocketAddr, upstream: std::net::SocketAddr) -> Self {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind(addr).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let open = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (stopping, opened) = (stop.clone(), open.clone());
        let accepting = std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                let (client, _) = match listener.accept() {
                    Ok(accepted) => accepted,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(2));
                        continue;
                    }
                };
                client.set_nonblocking(false).unwrap();
                let Ok(server) = std::net::TcpStream::connect(upstream) else {
                    continue;
                };
                let mut opened = opened.lock().unwrap();
                opened.push(client.try_clone().unwrap());
                opened.push(server.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                }
            }
        });
        Proxy {
            addr,
            stop,
            open,
            accepting: Some(accepting),
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops listening and closes every connection open through it.
    fn kill(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(accepting) = self.accepting.take() {
            accepting.join().unwrap();
        }
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The API goes away mid-import: the import stops within seconds with one
/// message, the counts and the command that resumes it (the first version
/// retried for 1 min 44 s and printed a line per row); resumed once the API
/// is back, every row is made once.
mod outage {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_api_gone_mid_import_stops_it_with_one_message_and_resume_finishes() {
        const ROWS: u64 = 300;
        const PHONES: u64 = 60;
        let sandbox = start(Sandbox::builder().latency(Duration::from_millis(30))).await;
        let mut proxy = Proxy::start("127.0.0.1:0".parse().unwrap(), sandbox.addr());
        let dir = tempfile::tempdir().unwrap();
        let file = spreadsheet(dir.path(), ROWS, PHONES);
        let report = dir.path().join("report.ndjson");
        let args = import_args(
            &file,
            &["--concurrency", "4", "--report", report.to_str().unwrap()],
        );
        let through = |proxy: &Proxy, args: &[String]| {
            let mut cmd = kinbox(&sandbox, dir.path(), &strs(args));
            cmd.env("KINBOX_BASE_URL", proxy.url());
            cmd
        };
        let child = through(&proxy, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while deals_by_name(&sandbox).await.values().sum::<usize>() < 30 {
            assert!(started.elapsed() < Duration::from_secs(60), "no deals made");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        proxy.kill();
        let gone = std::time::Instant::now();
        let out = child.wait_with_output().unwrap();
        let took = gone.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);

        assert_eq!(out.status.code(), Some(5), "{stderr}");
        assert!(
            took < Duration::from_secs(10),
            "stopped after {took:?}: {stderr}"
        );
        assert_eq!(
            stderr.matches("the API could not be reached").count(),
            1,
            "one message: {stderr}"
        );
        assert!(stderr.contains("not tried"), "{stderr}");
        assert!(
            stderr.contains("--resume") && stderr.contains(file.to_str().unwrap()),
            "the command that resumes: {stderr}"
        );
        assert!(!stderr.contains("gave up on line"), "{stderr}");
        assert!(stderr.lines().count() < 15, "not a line per row: {stderr}");
        let made = deals_by_name(&sandbox).await.values().sum::<usize>() as u64;
        assert!(made < ROWS, "stopped part-way: {made}");
        assert_eq!(
            std::fs::read_to_string(&report).unwrap().lines().count() as u64,
            ROWS,
            "the report has every row"
        );

        // Back (on the same port, as an API comes back), resumed.
        let proxy = Proxy::start(proxy.addr, sandbox.addr());
        let mut again = args.clone();
        again.extend(["--resume".to_owned(), "--force".to_owned()]);
        let out = run(through(&proxy, &again));
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert_imported_once(&sandbox, ROWS, PHONES).await;
    }
}

/// Ctrl-C through a terminal: the first stops sending, waits for the
/// requests in flight, writes the journal and the report and prints the
/// counts and the resume command (exit 130, in --help); the first version
/// left the report at 0 bytes and said nothing.
#[cfg(target_os = "linux")]
mod ctrl_c {
    use super::*;
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::sync::{Arc, Mutex};

    /// A pseudo-terminal: the child's controlling terminal, and what it
    /// printed there, read as it comes.
    struct Terminal {
        master: std::fs::File,
        seen: Arc<Mutex<Vec<u8>>>,
    }

    /// Starts `cmd` as the foreground of a new session on a pseudo-
    /// terminal, as a shell starts it: ^C on the terminal is its SIGINT.
    fn on_a_terminal(mut cmd: Process) -> (std::process::Child, Terminal) {
        let (mut master, mut slave) = (0, 0);
        // SAFETY: two out-pointers; no name, default settings and size.
        let opened = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(opened, 0, "openpty");
        // SAFETY: descriptors just opened, owned here.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        cmd.stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave);
        // SAFETY: async-signal-safe calls only, between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap();
        drop(cmd);
        let master = std::fs::File::from(master);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (mut reader, sink) = (master.try_clone().unwrap(), seen.clone());
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            // EIO once the child and its terminal are gone.
            while let Ok(n @ 1..) = reader.read(&mut buffer) {
                sink.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        (child, Terminal { master, seen })
    }

    impl Terminal {
        fn press_ctrl_c(&mut self) {
            use std::io::Write;
            self.master.write_all(b"\x03").unwrap();
        }

        fn text(&self) -> String {
            String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
        }
    }

    fn wait_within(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
        let started = std::time::Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code();
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                panic!("still running {limit:?} after Ctrl-C");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ctrl_c_writes_the_journal_and_report_says_how_to_resume_and_resume_finishes() {
        const ROWS: u64 = 200;
        const PHONES: u64 = 40;
        let sandbox = start(Sandbox::builder().latency(Duration::from_millis(80))).await;
        let dir = tempfile::tempdir().unwrap();
        let file = spreadsheet(dir.path(), ROWS, PHONES);
        let report = dir.path().join("report.ndjson");
        let journal = dir.path().join("leads.csv.kinbox-journal");
        let args = import_args(
            &file,
            &["--concurrency", "2", "--report", report.to_str().unwrap()],
        );
        let (mut child, mut terminal) = on_a_terminal(kinbox(&sandbox, dir.path(), &strs(&args)));
        let started = std::time::Instant::now();
        while deals_by_name(&sandbox).await.values().sum::<usize>() < 10 {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no deals made: {}",
                terminal.text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        terminal.press_ctrl_c();
        let code = wait_within(&mut child, Duration::from_secs(15));
        // What the terminal showed, read to its end.
        std::thread::sleep(Duration::from_millis(200));
        let shown = terminal.text();

        assert_eq!(code, Some(130), "{shown}");
        assert!(shown.contains("interrupted: "), "{shown}");
        assert!(shown.contains("not tried"), "{shown}");
        assert!(
            shown.contains("to continue, run: ") && shown.contains("--resume"),
            "{shown}"
        );
        assert!(shown.contains(" created, "), "the summary: {shown}");
        assert!(journal.exists(), "the journal");
        let report_text = std::fs::read_to_string(&report).unwrap();
        let made = deals_by_name(&sandbox).await.values().sum::<usize>();
        assert!((made as u64) < ROWS, "stopped part-way: {made}");
        let created = report_text
            .lines()
            .filter(|line| line.contains("\"created\""))
            .count();
        assert!(created >= 10, "the report has the rows made: {report_text}");
        assert_eq!(created, made, "each deal made is in the report");

        let mut again = args.clone();
        again.extend(["--resume".to_owned(), "--force".to_owned()]);
        let out = run(kinbox(&sandbox, dir.path(), &strs(&again)));
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert_imported_once(&sandbox, ROWS, PHONES).await;
    }

    /// The second Ctrl-C ends the import at once; the journal still makes
    /// the resume safe.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_ctrl_c_stops_at_once_and_resume_is_still_safe() {
        const ROWS: u64 = 8;
        const PHONES: u64 = 1;
        // Slow enough that the first Ctrl-C's wait is still going on.
        let sandbox = start(Sandbox::builder().latency(Duration::from_millis(3000))).await;
        let dir = tempfile::tempdir().unwrap();
        let file = spreadsheet(dir.path(), ROWS, PHONES);
        let args = import_args(&file, &["--concurrency", "4"]);
        let (mut child, mut terminal) = on_a_terminal(kinbox(&sandbox, dir.path(), &strs(&args)));
        let journal = dir.path().join("leads.csv.kinbox-journal");
        let started = std::time::Instant::now();
        while !std::fs::read_to_string(&journal).is_ok_and(|text| text.contains("\"sending\"")) {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{}",
                terminal.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        terminal.press_ctrl_c();
        std::thread::sleep(Duration::from_millis(300));
        terminal.press_ctrl_c();
        let pressed = std::time::Instant::now();
        let code = wait_within(&mut child, Duration::from_secs(5));
        assert!(
            pressed.elapsed() < Duration::from_secs(2),
            "{}",
            terminal.text()
        );
        assert_eq!(code, Some(130), "{}", terminal.text());
        assert!(
            terminal.text().contains("stopped at once"),
            "{}",
            terminal.text()
        );

        let mut again = args.clone();
        again.push("--resume".to_owned());
        let out = run(kinbox(&sandbox, dir.path(), &strs(&again)));
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert_imported_once(&sandbox, ROWS, PHONES).await;
    }
}

/// Headers as a shop writes them, read with no `--map`; the mapping shown,
/// saved and reused.
mod headers {
    use super::*;

    /// A shop's export (the seeded workspace has the custom fields `cpf`
    /// and `segmento`), with a column the import has no use for.
    const SHOP: &str = "Pedido;Nome;Telefone;E-mail;Valor;Funil;Etapa;Data;Origem;CPF;Segmento;Obs\n\
        #1042;Maria Souza;(85) 99111-2222;maria@example.com;1.890,50;Vendas;Proposta;30/06/2025;Site;060.715.303-54;Varejo;ligar de manhã\n\
        #1043;João Lima;(85) 99333-4444;joao@example.com;R$ 250,00;Vendas;proposta;01/07/2025;Instagram;111.444.777-35;atacado;\n";

    fn deal_json(deal: &kinbox_api::types::Deal) -> serde_json::Value {
        serde_json::to_value(deal).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_shops_export_imports_with_no_map_and_says_how_each_column_is_read() {
        let sandbox = start(Sandbox::builder()).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pedidos.csv");
        std::fs::write(&file, SHOP).unwrap();
        let path = file.to_str().unwrap();

        let check = run(kinbox(
            &sandbox,
            dir.path(),
            &["deals", "import", path, "--check"],
        ));
        assert_eq!(check.code, Some(0), "{}", check.stderr);
        for line in [
            "  Pedido → name\n",
            "  Nome → contact_name (the customer: \"Pedido\" is the deal's name; --map \
             'Nome=name' if not)\n",
            "  Telefone → contact_phone\n",
            "  E-mail → contact_email\n",
            "  Valor → value\n",
            "  Funil → pipeline\n",
            "  Etapa → stage\n",
            "  Data → due_date\n",
            "  Origem → origin\n",
            "  CPF → cf.cpf (the custom field)\n",
            "  Segmento → cf.segmento (the custom field)\n",
            "  Obs → not imported: not a known column (--map 'Obs=COLUMN' reads it)\n",
        ] {
            assert!(check.stderr.contains(line), "{line:?} in {}", check.stderr);
        }
        assert!(
            check.stderr.contains("2 rows: 2 ready to import, 0 bad"),
            "{}",
            check.stderr
        );
        assert!(
            sandbox.held_deals().await.is_empty(),
            "--check sends nothing"
        );

        let out = run(kinbox(
            &sandbox,
            dir.path(),
            &["deals", "import", path, "--create-contacts"],
        ));
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert!(
            out.stderr.contains("  Pedido → name\n"),
            "shown before sending too"
        );
        let deals = sandbox.held_deals().await;
        assert_eq!(deals.len(), 2, "{deals:?}");
        let first = deals
            .iter()
            .find(|d| d.name == "#1042")
            .expect("the deal #1042");
        let first = deal_json(first);
        assert_eq!(first["value"], 1890.5);
        assert_eq!(first["origin"], "Site");
        assert_eq!(
            first["customFields"]["cpf"]["value"], "060.715.303-54",
            "{first}"
        );
        assert_eq!(
            first["customFields"]["segmento"]["value"], "varejo",
            "{first}"
        );
        assert_eq!(first["dueDate"], "2025-06-30T03:00:00Z", "{first}");
        let contacts = sandbox.held_contacts().await;
        let maria = contacts
            .iter()
            .find(|c| c.phone.as_deref() == Some("5585991112222"))
            .expect("the customer is the contact, by the phone");
        assert_eq!(
            maria.name.as_deref(),
            Some("Maria Souza"),
            "Nome is the customer"
        );
        assert!(
            deals.iter().all(|d| d.name != "Maria Souza"),
            "not the deal's name"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_saved_mapping_is_edited_and_reused() {
        let sandbox = start(Sandbox::builder()).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pedidos.csv");
        std::fs::write(&file, SHOP).unwrap();
        let path = file.to_str().unwrap();
        let mapping = dir.path().join("colunas.txt");
        let mapping_path = mapping.to_str().unwrap();

        let check = run(kinbox(
            &sandbox,
            dir.path(),
            &[
                "deals",
                "import",
                path,
                "--check",
                "--save-mapping",
                mapping_path,
            ],
        ));
        assert_eq!(check.code, Some(0), "{}", check.stderr);
        let saved = std::fs::read_to_string(&mapping).unwrap();
        assert!(
            saved.contains("\nPedido=name\nNome=contact_name\n"),
            "{saved}"
        );
        assert!(saved.contains("\nObs=-\n"), "{saved}");
        // Edited as a person would: Obs holds the campaign.
        std::fs::write(&mapping, saved.replace("Obs=-", "Obs=campaign")).unwrap();

        let out = run(kinbox(
            &sandbox,
            dir.path(),
            &[
                "deals",
                "import",
                path,
                "--create-contacts",
                "--mapping",
                mapping_path,
            ],
        ));
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert!(
            out.stderr.contains("  Obs → campaign (as mapped)\n"),
            "{}",
            out.stderr
        );
        let deals = sandbox.held_deals().await;
        let first = deals.iter().find(|d| d.name == "#1042").unwrap();
        assert_eq!(first.campaign.as_deref(), Some("ligar de manhã"));

        // A mapping file that says something wrong says which line.
        std::fs::write(&mapping, "Pedido=name\nValor=valor\n").unwrap();
        let bad = run(kinbox(
            &sandbox,
            dir.path(),
            &[
                "deals",
                "import",
                path,
                "--check",
                "--mapping",
                mapping_path,
            ],
        ));
        assert_eq!(bad.code, Some(2), "{}", bad.stderr);
        assert!(
            bad.stderr.contains("line 2: \"valor\" is not a column"),
            "{}",
            bad.stderr
        );
    }
}

/// The mapping a run used is kept in its journal: `--resume` reads the
/// file the same way without the `--map` flags again.
mod mapping_in_the_journal {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn resume_reads_the_columns_as_the_last_run_did_with_no_flags() {
        let sandbox = start(Sandbox::builder()).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pedidos.csv");
        let path = file.to_str().unwrap();
        let header = "Produto;Preço final;Funil;Zap\n";
        let row = |n: u32| format!("Pedido {n};{n}0,00;Vendas;(85) 99111-000{n}\n");
        std::fs::write(&file, format!("{header}{}{}", row(1), row(2))).unwrap();
        let maps = [
            "--map",
            "Produto=name",
            "--map",
            "Preço final=value",
            "--map",
            "Zap=contact_phone",
        ];
        let mut first = vec!["deals", "import", path, "--create-contacts"];
        first.extend(maps);
        let out = run(kinbox(&sandbox, dir.path(), &first));
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert_eq!(sandbox.held_deals().await.len(), 2);

        // Without the flags the headers are not all known: a new run is
        // refused, a resume reads them as the journal says.
        std::fs::write(&file, format!("{header}{}{}{}", row(1), row(2), row(3))).unwrap();
        let resumed = run(kinbox(
            &sandbox,
            dir.path(),
            &["deals", "import", path, "--create-contacts", "--resume"],
        ));
        assert_eq!(resumed.code, Some(0), "{}", resumed.stderr);
        assert!(
            resumed
                .stderr
                .contains("Reading the columns as the last run did"),
            "{}",
            resumed.stderr
        );
        assert!(
            resumed.stderr.contains("  Zap → contact_phone"),
            "{}",
            resumed.stderr
        );
        let mut names: Vec<String> = sandbox
            .held_deals()
            .await
            .into_iter()
            .map(|deal| deal.name)
            .collect();
        names.sort();
        assert_eq!(names, ["Pedido 1", "Pedido 2", "Pedido 3"]);
    }
}

/// `--report`: CSV for the person with the spreadsheet, NDJSON for scripts.
mod report {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_csv_report_opens_in_excel_with_words_and_formulas_escaped() {
        let sandbox = start(Sandbox::builder()).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("leads.csv");
        // Formula-looking names are sent as the text they are; -10 in the
        // value column is still a number.
        std::fs::write(
            &file,
            "name;value;pipeline;contact_id\n\
             \"=HYPERLINK(\"\"http://evil.example\"\";\"\"x\"\")\";100;Vendas;1001\n\
             -10 de desconto;-10;Vendas;1001\n\
             @SUM(A1);1,5;Vendas;1001\n\
             Sem valor;dez reais;Vendas;1001\n",
        )
        .unwrap();
        let path = file.to_str().unwrap();
        let report = dir.path().join("resultado.csv");
        let args = [
            "deals",
            "import",
            path,
            "--skip-invalid",
            "--report",
            report.to_str().unwrap(),
        ];

        let out = run(kinbox(&sandbox, dir.path(), &args));
        assert_eq!(out.code, Some(1), "one row is bad: {}", out.stderr);
        let deals = sandbox.held_deals().await;
        let value_of = |name: &str| {
            deals
                .iter()
                .find(|d| d.name == name)
                .map(|d| d.value)
                .unwrap_or_else(|| panic!("{name:?} in {deals:?}"))
        };
        assert_eq!(value_of("=HYPERLINK(\"http://evil.example\";\"x\")"), 100.0);
        assert_eq!(value_of("-10 de desconto"), -10.0);
        assert_eq!(value_of("@SUM(A1)"), 1.5);

        let bytes = std::fs::read(&report).unwrap();
        assert!(bytes.starts_with(b"\xef\xbb\xbf"), "UTF-8 with a BOM");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split_terminator("\r\n").collect();
        assert_eq!(lines[0], "line;outcome;deal_id;error");
        assert_eq!(lines.len(), 5, "{text}");
        assert!(
            lines[1..].iter().any(|l| l.starts_with("2;created;")),
            "{text}"
        );
        let bad = lines.iter().find(|l| l.starts_with("5;")).unwrap();
        assert!(
            bad.starts_with("5;not sent: the row is invalid;;\"line 5, value: \"\"dez reais\"\" is not an amount"),
            "{bad}"
        );
        // No cell starts as a formula: each is a number, a word, or
        // escaped with '.
        for line in &lines[1..] {
            for cell in line.split(';') {
                let cell = cell.trim_start_matches('"');
                assert!(
                    !cell.starts_with(['=', '+', '-', '@']),
                    "{cell:?} in {line:?}"
                );
            }
        }

        // Run again: every good row is "already created", in words.
        std::fs::remove_file(&report).unwrap();
        let mut again = args.to_vec();
        again.push("--resume");
        let out = run(kinbox(&sandbox, dir.path(), &again));
        assert_eq!(out.code, Some(1), "{}", out.stderr);
        let text = std::fs::read_to_string(&report).unwrap();
        assert_eq!(
            text.matches(";already created (by an earlier run, not sent again);")
                .count(),
            3,
            "{text}"
        );
        assert_eq!(sandbox.held_deals().await.len(), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_ndjson_report_says_already_created_for_scripts() {
        let sandbox = start(Sandbox::builder()).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("leads.csv");
        std::fs::write(
            &file,
            "name;value;pipeline;contact_id\nPedido 1;10;Vendas;1001\n",
        )
        .unwrap();
        let path = file.to_str().unwrap();
        let report = dir.path().join("report.json");
        let report_path = report.to_str().unwrap();
        let first = run(kinbox(&sandbox, dir.path(), &["deals", "import", path]));
        assert_eq!(first.code, Some(0), "{}", first.stderr);
        let out = run(kinbox(
            &sandbox,
            dir.path(),
            &["deals", "import", path, "--resume", "--report", report_path],
        ));
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        let record: serde_json::Value =
            serde_json::from_str(std::fs::read_to_string(&report).unwrap().trim()).unwrap();
        assert_eq!(record["outcome"], "already_created", "{record}");
        assert_eq!(record["line"], 2);
        // --report-format says it whatever the name.
        let forced = dir.path().join("report.txt");
        let out = run(kinbox(
            &sandbox,
            dir.path(),
            &[
                "deals",
                "import",
                path,
                "--resume",
                "--report-format",
                "ndjson",
                "--report",
                forced.to_str().unwrap(),
            ],
        ));
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert!(std::fs::read_to_string(&forced).unwrap().starts_with('{'));
    }
}
