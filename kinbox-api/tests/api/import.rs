//! The bulk-import engine against `kinbox-sandbox` on 127.0.0.1, with its
//! faults: rate limits, server errors, dropped connections, and creates
//! applied whose answer is then lost.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kinbox_api::import::{
    ContactLookup, FailureKind, ImportOptions, ImportRow, Importer, RowOutcome, import_deals,
};
use kinbox_api::types::{CustomFieldsInput, DealCreate, DealStatus};
use kinbox_api::{Client, ClientConfig, Token};
use kinbox_sandbox::{AppliedThenFailMode, Sandbox, SandboxBuilder, seeded};

/// A client for the import: no retries of its own (the engine retries its
/// reads), and a timeout shorter than the sandbox's hold.
fn import_client(sandbox: &Sandbox, timeout: Duration) -> Client {
    ClientConfig::new(Token::new(sandbox.token()).unwrap())
        .base_url(sandbox.base_url())
        .timeout(timeout)
        .build()
        .unwrap()
}

async fn start(builder: SandboxBuilder) -> Sandbox {
    builder.start().await.expect("the sandbox starts")
}

fn deal(name: &str, value: f64, stage: usize, contact_id: i64) -> DealCreate {
    DealCreate::builder()
        .name(name)
        .value(value)
        .status(DealStatus::Open)
        .pipeline_id(seeded::PIPELINE_VENDAS)
        .stage_id(seeded::STAGES_VENDAS[stage % 4])
        .contact_id(contact_id)
        .custom_fields(CustomFieldsInput::default())
        .try_into()
        .unwrap()
}

/// Every deal the sandbox holds: (id, contact id, contact phone, name).
async fn deals_held(sandbox: &Sandbox) -> Vec<(String, i64, Option<String>, String)> {
    sandbox
        .held_deals()
        .await
        .into_iter()
        .map(|deal| {
            let contact = deal.contact.unwrap();
            (deal.id, i64::from(contact.id), contact.phone, deal.name)
        })
        .collect()
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

fn temp_journal(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "kinbox-import-test-{}-{name}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("journal.ndjson")
}

fn phone(n: u64) -> String {
    format!("55859{n:08}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_row_makes_exactly_one_deal_through_every_fault() {
    const ROWS: u64 = 2000;
    const PHONES: u64 = 400;
    let started = Instant::now();
    let sandbox = start(
        Sandbox::builder()
            .seed(11)
            .rate_limit(250, Duration::from_secs(1))
            .server_error_ratio(0.04)
            .drop_ratio(0.03)
            .applied_then_fail_ratio(0.06)
            .applied_then_fail_mode(AppliedThenFailMode::Any)
            .applied_then_fail_hold(Duration::from_millis(1500)),
    )
    .await;
    // Five rows in a row share a phone (so they are in flight together),
    // and two rows in a row are the same deal: each must get its own.
    let rows = || {
        futures::stream::iter(0..ROWS).map(|i| {
            let phone_index = i / 5;
            ImportRow {
                line: i + 1,
                deal: deal(
                    &format!("Pedido {}", i / 2),
                    100.0 + (i / 2) as f64,
                    (i / 2) as usize,
                    0,
                ),
                contact: Some(
                    ContactLookup::phone(phone(phone_index)).name(format!("Cliente {phone_index}")),
                ),
            }
        })
    };
    let journal = temp_journal("faults");
    let options = ImportOptions::default()
        .concurrency(16)
        .create_contacts(true)
        .max_attempts(10)
        .reconcile_delay(Duration::from_millis(100))
        .journal(&journal);
    let client = import_client(&sandbox, Duration::from_millis(700));
    let importer = Importer::new(client.clone(), options.clone()).unwrap();
    let stats = importer.stats();
    let outcomes: Vec<RowOutcome> = importer.run(rows()).collect().await;
    let imported = started.elapsed();

    assert_eq!(outcomes.len(), ROWS as usize);
    let mut by_line = BTreeMap::new();
    for outcome in &outcomes {
        match outcome {
            RowOutcome::Created { line, deal_id } | RowOutcome::Reconciled { line, deal_id } => {
                assert!(
                    by_line.insert(*line, deal_id.clone()).is_none(),
                    "line {line} twice"
                );
            }
            other => panic!("{other:?}"),
        }
    }
    let reconciled = outcomes
        .iter()
        .filter(|o| matches!(o, RowOutcome::Reconciled { .. }))
        .count();

    let held = deals_held(&sandbox).await;
    assert_eq!(held.len(), ROWS as usize, "one deal per row, no more");
    let held_ids: HashSet<&str> = held.iter().map(|(id, ..)| id.as_str()).collect();
    let given: HashSet<&str> = by_line.values().map(String::as_str).collect();
    assert_eq!(given.len(), ROWS as usize, "every row has its own deal");
    assert_eq!(held_ids, given, "the outcomes name the deals held");
    let by_id: HashMap<&str, _> = held.iter().map(|d| (d.0.as_str(), d)).collect();
    for (line, deal_id) in &by_line {
        let (_, _, held_phone, name) = by_id[deal_id.as_str()];
        let i = line - 1;
        assert_eq!(name, &format!("Pedido {}", i / 2), "line {line}");
        assert_eq!(
            held_phone.as_deref(),
            Some(phone(i / 5).as_str()),
            "line {line}"
        );
    }
    let contacts = contacts_by_phone(&sandbox).await;
    for n in 0..PHONES {
        assert_eq!(contacts.get(&phone(n)), Some(&1), "phone {}", phone(n));
    }
    println!(
        "{ROWS} rows in {imported:.1?}: {reconciled} reconciled, {} unknown outcomes, {} 429s \
         (smallest window {}), {} requests, {} creates, {} contacts created ({} reconciled)",
        stats.unknown_outcomes(),
        stats.rate_limited(),
        stats.smallest_window(),
        stats.requests(),
        stats.creates(),
        stats.contacts_created(),
        stats.contacts_reconciled(),
    );
    assert!(stats.unknown_outcomes() > 0 && stats.rate_limited() > 0);
    assert!(reconciled > 0, "some lost answers were applied");

    // The journal knows every row: running again sends nothing at all.
    let again = Importer::new(client, options).unwrap();
    let stats = again.stats();
    let outcomes: Vec<RowOutcome> = again.run(rows()).collect().await;
    for outcome in &outcomes {
        match outcome {
            RowOutcome::Skipped { line, deal_id } => assert_eq!(&by_line[line], deal_id),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(outcomes.len(), ROWS as usize);
    assert_eq!(stats.requests(), 0);
    let _ = std::fs::remove_dir_all(journal.parent().unwrap());
}

/// The first run is stopped after some outcomes, and its journal then loses
/// some outcome records (as if killed between the create and its record)
/// and its last line is cut short; the second run creates the rest, skips
/// what was recorded, and finds the deals sent without a recorded outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_resumes_an_interrupted_import_without_duplicates() {
    const ROWS: u64 = 100;
    let sandbox = start(Sandbox::builder().latency(Duration::from_millis(15))).await;
    let journal = temp_journal("resume");
    // Lines 2k+1 and 2k+2 are the same deal for the same contact.
    let row = |line: u64| ImportRow {
        line,
        deal: deal(
            &format!("Assinatura {}", (line - 1) / 2),
            49.9,
            0,
            seeded::CONTACTS[((line - 1) / 2 % 3) as usize],
        ),
        contact: None,
    };
    let rows = || futures::stream::iter(1..=ROWS).map(row);
    let options = ImportOptions::default()
        .concurrency(4)
        .journal(&journal)
        .reconcile_delay(Duration::from_millis(50));

    let client = import_client(&sandbox, Duration::from_secs(5));
    let first: Vec<RowOutcome> = import_deals(client.clone(), rows(), options.clone())
        .unwrap()
        .take(70)
        .collect()
        .await;
    assert!(
        first
            .iter()
            .all(|o| matches!(o, RowOutcome::Created { .. }))
    );
    let created_first: HashMap<u64, String> = first
        .iter()
        .map(|o| (o.line(), o.deal_id().unwrap().to_owned()))
        .collect();

    // Every deal the server holds was recorded as being sent first,
    // including those of rows stopped in flight.
    let text = std::fs::read_to_string(&journal).unwrap();
    let (header, records) = text.split_once('\n').unwrap();
    assert!(header.contains("\"import-journal\""), "{header}");
    let mut sent: HashMap<(String, i64), HashSet<u64>> = HashMap::new();
    for record in records.lines() {
        let record: serde_json::Value = serde_json::from_str(record).unwrap();
        if record["event"] == "sending" {
            let line = record["line"].as_u64().unwrap();
            let row = row(line);
            sent.entry((row.deal.name, row.deal.contact_id))
                .or_default()
                .insert(line);
        }
    }
    let mut held: HashMap<(String, i64), usize> = HashMap::new();
    for (_, contact, _, name) in deals_held(&sandbox).await {
        *held.entry((name, contact)).or_default() += 1;
    }
    assert!(held.values().sum::<usize>() >= created_first.len());
    for (deal, count) in &held {
        let recorded = sent.get(deal).map_or(0, HashSet::len);
        assert!(
            *count <= recorded,
            "{deal:?}: {count} held, {recorded} recorded as sent"
        );
    }

    // Forget the outcomes of three created rows, among them one of a pair
    // of identical rows whose twin keeps its record.
    let twin = |line: u64| if line % 2 == 1 { line + 1 } else { line - 1 };
    let mut lines: Vec<u64> = created_first.keys().copied().collect();
    lines.sort();
    let paired = *lines
        .iter()
        .find(|line| created_first.contains_key(&twin(**line)))
        .unwrap_or_else(|| panic!("no pair of identical rows both created: {created_first:?}"));
    let mut forgotten: Vec<u64> = vec![paired];
    forgotten.extend(
        lines
            .iter()
            .filter(|line| **line != paired && **line != twin(paired))
            .take(2),
    );
    assert_eq!(forgotten.len(), 3, "{created_first:?}");
    let mut kept: Vec<&str> = records
        .lines()
        .filter(|record| {
            let record: serde_json::Value = serde_json::from_str(record).unwrap();
            let line = record["line"].as_u64().unwrap();
            !(record["event"] == "created" && forgotten.contains(&line))
        })
        .collect();
    // As a crash leaves it: the header counts the records left (a count
    // above them would be a journal cut short, see the next test).
    let header = with_count(header, kept.len());
    kept.insert(0, &header);
    // A torn last record: the process died while writing it.
    let torn = r#"{"line":999,"event":"sending","fp":"00"#;
    kept.push(torn);
    std::fs::write(&journal, kept.join("\n")).unwrap();

    let second: Vec<RowOutcome> = import_deals(client.clone(), rows(), options.clone())
        .unwrap()
        .collect()
        .await;
    assert_eq!(second.len(), ROWS as usize);
    let mut deal_of = HashMap::new();
    for outcome in &second {
        let line = outcome.line();
        match outcome {
            // Rows in progress when the first run stopped may have been
            // recorded as created without their outcome being read.
            RowOutcome::Skipped { deal_id, .. } => {
                if let Some(first) = created_first.get(&line) {
                    assert_eq!(first, deal_id, "line {line}");
                }
                assert!(!forgotten.contains(&line));
            }
            RowOutcome::Reconciled { deal_id, .. } => {
                if let Some(first) = created_first.get(&line) {
                    assert_eq!(first, deal_id, "line {line} finds its own deal");
                }
            }
            RowOutcome::Created { .. } => {
                assert!(!created_first.contains_key(&line), "line {line} made twice");
            }
            RowOutcome::Failed { .. } | RowOutcome::Changed { .. } => panic!("{outcome:?}"),
        }
        deal_of.insert(line, outcome.deal_id().unwrap().to_owned());
    }
    for line in &forgotten {
        assert!(
            matches!(
                second.iter().find(|o| o.line() == *line),
                Some(RowOutcome::Reconciled { .. })
            ),
            "line {line}"
        );
    }
    let skipped = second
        .iter()
        .filter(|o| matches!(o, RowOutcome::Skipped { .. }))
        .count();
    assert!(skipped >= created_first.len() - forgotten.len());
    let held = deals_held(&sandbox).await;
    assert_eq!(held.len(), ROWS as usize, "no duplicates");
    let distinct: HashSet<&String> = deal_of.values().collect();
    assert_eq!(distinct.len(), ROWS as usize);

    // A third run skips everything, and does not send again a row that
    // changed after its deal was made (same name and contact): it says so.
    let changed = futures::stream::iter(1..=ROWS).map(move |line| {
        let mut row = row(line);
        if line == 7 {
            row.deal.value = 59.9;
        }
        row
    });
    let third: Vec<RowOutcome> = import_deals(client, changed, options)
        .unwrap()
        .collect()
        .await;
    for outcome in third {
        match outcome {
            RowOutcome::Changed {
                line: 7,
                deal_id,
                error,
            } => {
                assert_eq!(deal_of[&7], deal_id);
                assert!(
                    error.contains("line 7 changed after an earlier run made its deal"),
                    "{error}"
                );
            }
            RowOutcome::Skipped { line, deal_id } => assert_eq!(deal_of[&line], deal_id),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(deals_held(&sandbox).await.len(), ROWS as usize);
    let _ = std::fs::remove_dir_all(journal.parent().unwrap());
}

/// A journal's header with its record count set to `count`, in place.
fn with_count(header: &str, count: usize) -> String {
    let at = header.find("\"records\":").unwrap() + "\"records\":".len();
    let width = header.len() - at - 1;
    format!("{}{count:<width$}}}", &header[..at])
}

/// A journal cut in half at a line boundary (a partial copy, a backup
/// restored) has lost records of rows that were created: the header's count
/// says so, and the next run looks for every row without an outcome before
/// sending it. The first version created those rows again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_cut_at_a_line_boundary_is_found_and_no_row_is_made_twice() {
    const ROWS: u64 = 10;
    let sandbox = start(Sandbox::builder()).await;
    let journal = temp_journal("cut");
    let rows = || {
        futures::stream::iter(1..=ROWS).map(|line| ImportRow {
            line,
            deal: deal(
                &format!("Corte {line}"),
                10.0 * line as f64,
                1,
                seeded::CONTACTS[0],
            ),
            contact: None,
        })
    };
    let options = ImportOptions::default()
        .concurrency(2)
        .journal(&journal)
        .reconcile_delay(Duration::from_millis(10));
    let client = import_client(&sandbox, Duration::from_secs(5));
    let first: Vec<RowOutcome> = import_deals(client.clone(), rows(), options.clone())
        .unwrap()
        .collect()
        .await;
    assert!(
        first
            .iter()
            .all(|o| matches!(o, RowOutcome::Created { .. }))
    );

    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let half = lines[..lines.len() / 2].join("\n") + "\n";
    std::fs::write(&journal, &half).unwrap();

    let importer = Importer::new(client.clone(), options.clone()).unwrap();
    let notices = importer.notices().join("\n");
    assert!(notices.contains("cut short"), "{notices}");
    let second: Vec<RowOutcome> = importer.run(rows()).collect().await;
    assert_eq!(second.len(), ROWS as usize);
    for outcome in &second {
        assert!(
            matches!(
                outcome,
                RowOutcome::Skipped { .. } | RowOutcome::Reconciled { .. }
            ),
            "{outcome:?}"
        );
    }
    assert_eq!(
        deals_held(&sandbox).await.len(),
        ROWS as usize,
        "no duplicates"
    );

    // The cut is remembered: a third run stopped early would not forget it.
    let reopened = Importer::new(client, options).unwrap();
    assert!(reopened.notices().is_empty(), "{:?}", reopened.notices());
    let _ = std::fs::remove_dir_all(journal.parent().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_pauses_every_sender_and_shrinks_the_window() {
    const ROWS: u64 = 40;
    let sandbox = start(Sandbox::builder().rate_limit(10, Duration::from_secs(1))).await;
    let rows = futures::stream::iter(1..=ROWS).map(|line| ImportRow {
        line,
        deal: deal(&format!("Lote {line}"), 10.0, 1, seeded::CONTACTS[0]),
        contact: None,
    });
    let importer = Importer::new(
        import_client(&sandbox, Duration::from_secs(5)),
        ImportOptions::default().concurrency(8),
    )
    .unwrap();
    let stats = importer.stats();
    let started = Instant::now();
    let outcomes: Vec<RowOutcome> = importer.run(rows).collect().await;
    let elapsed = started.elapsed();
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, RowOutcome::Created { .. })),
        "{outcomes:?}"
    );
    println!(
        "{ROWS} rows at 10 a second in {elapsed:.1?}: {} 429s, smallest window {}, window now {}",
        stats.rate_limited(),
        stats.smallest_window(),
        stats.window()
    );
    assert!(stats.rate_limited() > 0);
    assert!(stats.smallest_window() < 8, "the window shrank");
    // 40 creates at 10 per window take at least three more windows.
    assert!(elapsed >= Duration::from_secs(3), "{elapsed:?}");
    // Waiting as told, only the requests already in flight meet a 429:
    // at most a window's worth per window, where sending again at once
    // would meet hundreds.
    assert!(
        stats.rate_limited() <= 8 * 5,
        "{} 429s",
        stats.rate_limited()
    );
    assert_eq!(stats.creates(), ROWS + stats.rate_limited());
    assert_eq!(deals_held(&sandbox).await.len(), ROWS as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_row_fails_with_the_servers_message_and_the_others_go_on() {
    let sandbox = start(Sandbox::builder()).await;
    let rows = futures::stream::iter(1..=10u64).map(|line| {
        let mut row = ImportRow {
            line,
            deal: deal(&format!("Item {line}"), 5.0, 2, seeded::CONTACTS[1]),
            contact: None,
        };
        if line == 4 {
            // Not a number: JSON has no NaN, so it is sent as null.
            row.deal.value = f64::NAN;
        }
        if line == 8 {
            row.contact = Some(ContactLookup::phone("5511900000000"));
        }
        row
    });
    let outcomes: Vec<RowOutcome> = import_deals(
        import_client(&sandbox, Duration::from_secs(5)),
        rows,
        ImportOptions::default(),
    )
    .unwrap()
    .collect()
    .await;
    assert_eq!(outcomes.len(), 10);
    for outcome in &outcomes {
        match outcome {
            RowOutcome::Failed {
                line: 4,
                error,
                kind,
            } => {
                assert_eq!(*kind, FailureKind::Rejected);
                assert!(
                    error.contains("422") && error.contains("$.value"),
                    "the server's words: {error}"
                );
            }
            RowOutcome::Failed {
                line: 8,
                error,
                kind,
            } => {
                assert_eq!(*kind, FailureKind::ContactNotFound);
                assert!(
                    error.contains("no contact with phone 5511900000000")
                        && error.contains("--create-contacts"),
                    "{error}"
                );
            }
            RowOutcome::Created { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(deals_held(&sandbox).await.len(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_stops_the_import_and_every_row_still_has_its_outcome() {
    const ROWS: u64 = 60;
    let sandbox = start(Sandbox::builder().token("the-workspace-token")).await;
    // A token the sandbox does not take: revoked, say.
    let client = ClientConfig::new(Token::new("revoked-token").unwrap())
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let rows = futures::stream::iter(1..=ROWS).map(|line| ImportRow {
        line,
        deal: deal(&format!("Pedido {line}"), 10.0, 1, seeded::CONTACTS[0]),
        // Some rows look their contact up: their lookups stop too.
        contact: (line % 3 == 0).then(|| ContactLookup::phone("5585997281648")),
    });
    let importer = Importer::new(client, ImportOptions::default().concurrency(4)).unwrap();
    let stats = importer.stats();
    let outcomes: Vec<RowOutcome> = importer.run(rows).collect().await;

    let mut lines: Vec<u64> = outcomes.iter().map(RowOutcome::line).collect();
    lines.sort();
    assert_eq!(lines, (1..=ROWS).collect::<Vec<_>>(), "an outcome per row");
    let kinds: Vec<FailureKind> = outcomes
        .iter()
        .map(|outcome| match outcome {
            RowOutcome::Failed { kind, .. } => *kind,
            other => panic!("nothing can be created: {other:?}"),
        })
        .collect();
    let halted = kinds.iter().filter(|k| **k == FailureKind::Halted).count();
    // Only what was in flight when the first 401 came back was sent.
    assert!(
        stats.requests() <= 4,
        "{} requests sent after a 401",
        stats.requests()
    );
    assert!(halted as u64 >= ROWS - 4, "{kinds:?}");
    let not_sent = outcomes
        .iter()
        .find_map(|outcome| match outcome {
            RowOutcome::Failed {
                kind: FailureKind::Halted,
                error,
                ..
            } => Some(error.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        not_sent.contains("was not sent") && not_sent.contains("refused the token"),
        "{not_sent}"
    );
    assert!(deals_held(&sandbox).await.is_empty());
}
