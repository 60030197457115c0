//! A store of the layout before citizens (numbers in the case records, the
//! `by_phone` index) opened by the real binary, SIGKILLed while its numbers
//! move out, and opened again: every case ends with its citizen, no number
//! is left in a case or an index key, and each caller's history is whole.

use desk137_server::store::{Store, StoreOptions, keys, records};
use desk137_tests::{SIM_START_MS, Spawned, pb, server_binary};
use std::io::BufRead as _;

const CASES: u64 = 8_000;

fn phone(i: u64) -> String {
    format!("0935{:07}", i % 5_000)
}

fn call_from(
    catalog: &desk137_domain::catalog::Catalog,
    n: u64,
) -> desk137_domain::lifecycle::Opened {
    use desk137_domain::model::{Channel, NewCase, Urgency};
    let topic = &catalog.topics[(n % 40) as usize];
    let new = NewCase {
        request_id: format!("old-{n}"),
        channel: Channel::Phone,
        kind: topic.kind,
        urgency: Urgency::Normal,
        topic_id: topic.id.clone(),
        description: "وانت میوه‌فروش پیاده‌رو را بسته".into(),
        phone: String::new(),
        region: (n % 15) as u32 + 1,
        address: "خیابان چهارباغ عباسی".into(),
        landmark: String::new(),
    };
    desk137_domain::lifecycle::open_case(
        new,
        catalog,
        &desk137_domain::sla::SlaPolicy::default(),
        SIM_START_MS,
        "agent1",
    )
    .expect("a catalog topic opens a case")
}

/// Cases made by today's store, then put back in the layout before
/// citizens: the number in each head, the `by_phone` index, no citizens.
fn old_store(data: &std::path::Path) -> anyhow::Result<()> {
    let catalog = desk137_domain::catalog::Catalog::default_catalog()?;
    let store = Store::open(
        data,
        StoreOptions {
            flush: false,
            ..StoreOptions::default()
        },
    )?;
    store.save_catalog(&catalog)?;
    for n in 0..CASES {
        store.create_case_blocking(call_from(&catalog, n))?;
    }
    store.close()?;
    drop(store);
    let db = sled::open(data)?;
    let cases = db.open_tree("cases")?;
    let by_phone = db.open_tree("by_phone")?;
    for entry in cases.iter() {
        let (key, value) = entry?;
        let mut case = records::decode_case(&value)?;
        case.phone = phone(case.id - 1);
        cases.insert(key, records::encode_case(&case))?;
        by_phone.insert(keys::text_id(&case.phone, case.id), &[])?;
    }
    db.open_tree("counters")?.remove(b"citizens:phones_moved")?;
    db.flush()?;
    Ok(())
}

/// (cases still holding a number, cases naming a citizen, `by_phone` entries).
fn census(data: &std::path::Path) -> anyhow::Result<(u64, u64, usize)> {
    let db = sled::open(data)?;
    let (mut with_phone, mut with_citizen) = (0, 0);
    for entry in db.open_tree("cases")?.iter() {
        let (_, value) = entry?;
        let case = records::decode_case(&value)?;
        with_phone += u64::from(!case.phone.is_empty());
        with_citizen += u64::from(!case.citizen_id.is_empty());
    }
    Ok((with_phone, with_citizen, db.open_tree("by_phone")?.len()))
}

#[test]
fn the_numbers_move_out_through_a_sigkill() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    old_store(&data)?;
    assert_eq!(census(&data)?, (CASES, 0, CASES as usize));

    let mut child = std::process::Command::new(server_binary()?)
        .args(["--demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| anyhow::anyhow!("stderr"))?;
    for line in std::io::BufReader::new(stderr).lines() {
        if line?.contains("moved numbers out of cases") {
            break;
        }
    }
    child.kill()?;
    child.wait()?;
    let (with_phone, with_citizen, _) = census(&data)?;
    assert_eq!(with_phone + with_citizen, CASES);
    assert!(
        with_citizen > 0 && with_phone > 0,
        "killed at {with_citizen} of {CASES}"
    );

    let server = Spawned::start(&data, SIM_START_MS)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut agent = server.as_user("agent1").await?;
        for i in [0, 1, 4_999] {
            let history = agent
                .cases
                .caller_history(pb::CallerHistoryRequest {
                    phone: phone(i),
                    limit: 0,
                })
                .await?
                .into_inner();
            // Numbers repeat every 5,000 cases: the later calls share a citizen.
            let want = if i < CASES - 5_000 { 2 } else { 1 };
            assert_eq!(history.total, want, "{}", phone(i));
            assert!(history.cases.iter().all(|c| c.phone == phone(i)));
        }
        anyhow::Ok(())
    })?;
    server.kill()?;
    assert_eq!(census(&data)?, (0, CASES, 0));
    Ok(())
}
