//! The audit log end to end: `AuditService.ListAudit` over real gRPC against
//! the real binary (filters, paging, who may read, no number in any entry,
//! every read audited), the role changes a server records at start, and
//! `desk137-server audit verify` on a stopped store, intact and after each
//! kind of tampering done to its files through sled.

use anyhow::Context as _;
use desk137_domain::audit::{AuditAction, AuditEntry};
use desk137_domain::model::Role;
use desk137_server::app::{self, ServerConfig};
use desk137_server::audit_chain::checkpoint;
use desk137_server::auth::{User, hash_token};
use desk137_server::secrets::Secrets;
use desk137_server::store::audit::{AuditRecord, SEQ_COUNTER};
use desk137_server::store::{Store, StoreOptions, codec, keys};
use desk137_tests::{Bearer, SIM_START_MS, Spawned, pb, refused_field, server_binary};
use pb::audit_service_client::AuditServiceClient;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tonic::Code;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

type Client = AuditServiceClient<InterceptedService<Channel, Bearer>>;

async fn client(addr: std::net::SocketAddr, token: &str) -> anyhow::Result<Client> {
    let channel = Endpoint::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    Ok(AuditServiceClient::with_interceptor(
        channel,
        Bearer::new(Some(token))?,
    ))
}

const NUMBER: &str = "09131234567";

fn entry(n: u64, actor: &str, case_id: u64, citizen: &str) -> AuditEntry {
    AuditEntry {
        at_ms: SIM_START_MS + n as i64 * 1_000,
        actor: actor.into(),
        role: Some(Role::Agent),
        action: AuditAction::PhoneRevealed,
        citizen_id: citizen.into(),
        case_id,
        case_number: if case_id == 0 {
            String::new()
        } else {
            format!("1405-{case_id:06}")
        },
        // A careless reason that holds the number itself.
        reason: format!("caller history {n}: called back on {NUMBER}"),
    }
}

/// Writes `entries` into the store in `data` with the server's own key file,
/// as the writers of entries (the citizens' records) would.
async fn seed(data: &Path, entries: Vec<AuditEntry>) -> anyhow::Result<()> {
    let secrets = Secrets::load_or_create(&Secrets::default_path(data))?;
    let store = Store::open_keyed(
        data,
        StoreOptions::default(),
        None,
        std::sync::Arc::new(secrets),
    )?;
    store.audit(entries).await?;
    tokio::task::spawn_blocking(move || store.close()).await??;
    Ok(())
}

/// The seeded entries: six, over two cases, two citizens and two agents.
fn six() -> Vec<AuditEntry> {
    vec![
        entry(1, "agent1", 7, "cit-a"),
        entry(2, "agent1", 8, "cit-b"),
        entry(3, "agent2", 7, "cit-a"),
        entry(4, "agent2", 9, "cit-b"),
        entry(5, "agent1", 7, "cit-a"),
        entry(6, "agent2", 0, ""),
    ]
}

async fn list(
    client: &mut Client,
    r: pb::ListAuditRequest,
) -> anyhow::Result<pb::ListAuditResponse> {
    Ok(client.list_audit(r).await?.into_inner())
}

/// The seeded entries only: reads and role changes left out.
fn seeded(response: &pb::ListAuditResponse) -> Vec<u64> {
    response
        .entries
        .iter()
        .filter(|e| e.action == pb::AuditAction::PhoneRevealed as i32)
        .map(|e| e.case_id * 100 + e.at_ms.saturating_sub(SIM_START_MS) as u64 / 1_000)
        .collect()
}

fn digit_forms(number: &str) -> Vec<String> {
    let shift = |base: u32| {
        number
            .chars()
            .map(|c| char::from_u32(base + c.to_digit(10).unwrap_or(0)).unwrap_or(c))
            .collect::<String>()
    };
    vec![number.to_owned(), shift(0x06F0), shift(0x0660)]
}

#[tokio::test]
async fn supervisors_and_admins_list_the_log_filtered_and_paged_with_no_number_and_every_read_audited()
-> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let mut entries = six();
    // About the first case the server will make: id 1, number 1405-000001.
    entries.push(entry(7, "agent1", 1, "cit-c"));
    seed(&data, entries).await?;
    let server = Spawned::start(&data, SIM_START_MS)?;
    let made = server
        .as_user("agent1")
        .await?
        .cases
        .create_case(desk137_tests::obstruction("audit-1"))
        .await?
        .into_inner()
        .case
        .context("a case")?;
    assert_eq!((made.id, made.number.as_str()), (1, "1405-000001"));

    for (token, allowed) in [
        ("agent1", false),
        ("dispatcher1", false),
        ("unit1", false),
        ("supervisor1", true),
        ("admin1", true),
    ] {
        let mut c = client(server.addr, token).await?;
        let answer = c.list_audit(pb::ListAuditRequest::default()).await;
        match (allowed, answer) {
            (true, Ok(page)) => {
                let page = page.into_inner();
                assert!(!page.entries.is_empty(), "{token}");
                // Every entry, every field: no number in any digit form.
                let bytes = format!("{page:?}");
                for form in digit_forms(NUMBER) {
                    assert!(!bytes.contains(&form), "{token} saw {form}");
                }
                assert!(!bytes.contains("1234567"), "{token}: {bytes}");
                // Newest first, sequences strictly falling, hashes as hex.
                let seqs: Vec<u64> = page.entries.iter().map(|e| e.seq).collect();
                assert!(seqs.windows(2).all(|w| w[0] > w[1]), "{seqs:?}");
                assert!(
                    page.entries.iter().all(
                        |e| e.hash.len() == 64 && e.hash.bytes().all(|b| b.is_ascii_hexdigit())
                    )
                );
            }
            (false, Err(status)) => assert_eq!(status.code(), Code::PermissionDenied, "{token}"),
            (allowed, other) => anyhow::bail!("{token} (allowed {allowed}): {other:?}"),
        }
    }
    let mut nobody = client(server.addr, "nobody").await?;
    assert_eq!(
        nobody
            .list_audit(pb::ListAuditRequest::default())
            .await
            .map(drop)
            .unwrap_err()
            .code(),
        Code::Unauthenticated
    );

    let mut sup = client(server.addr, "supervisor1").await?;
    // case * 100 + the entry's number, newest first.
    let by_case = list(
        &mut sup,
        pb::ListAuditRequest {
            case_id: 7,
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(seeded(&by_case), [705, 703, 701]);
    assert!(by_case.entries.iter().all(|e| e.case_id == 7));
    let by_citizen = list(
        &mut sup,
        pb::ListAuditRequest {
            citizen_id: "cit-b".into(),
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(seeded(&by_citizen), [904, 802]);
    let by_actor = list(
        &mut sup,
        pb::ListAuditRequest {
            actor: "agent2".into(),
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(seeded(&by_actor), [6, 904, 703]);
    let by_time = list(
        &mut sup,
        pb::ListAuditRequest {
            from_ms: SIM_START_MS + 2_000,
            to_ms: SIM_START_MS + 5_000,
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(seeded(&by_time), [904, 703, 802]);
    let both = list(
        &mut sup,
        pb::ListAuditRequest {
            case_id: 7,
            actor: "agent1".into(),
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(seeded(&both), [705, 701]);

    // Pages of two walk the whole log once, newest first.
    let mut token = String::new();
    let mut walked = Vec::new();
    loop {
        let page = list(
            &mut sup,
            pb::ListAuditRequest {
                actor: "agent1".into(),
                page_size: 2,
                page_token: token.clone(),
                ..Default::default()
            },
        )
        .await?;
        assert!(page.entries.len() <= 2);
        walked.extend(seeded(&page));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(walked, [107, 705, 802, 701]);

    // Reading is itself audited, before the answer: the newest entry of a
    // read is that read, and the one before names what it asked.
    let reads = list(
        &mut sup,
        pb::ListAuditRequest {
            actor: "supervisor1".into(),
            ..Default::default()
        },
    )
    .await?;
    let [this, previous, ..] = reads.entries.as_slice() else {
        anyhow::bail!("fewer than two reads: {reads:?}");
    };
    assert_eq!(this.action, pb::AuditAction::AuditRead as i32);
    assert_eq!(this.reason, "read the audit log: staff supervisor1");
    assert_eq!(this.role, pb::Role::Supervisor as i32);
    assert!(previous.reason.contains("staff agent1") && previous.reason.contains("before entry"));

    // Hostile filters are refused by name.
    let bad_token = sup
        .list_audit(pb::ListAuditRequest {
            page_token: "not a token".into(),
            ..Default::default()
        })
        .await
        .map(drop)
        .unwrap_err();
    assert_eq!(refused_field(&bad_token)?.field, "page_token");
    let backwards = sup
        .list_audit(pb::ListAuditRequest {
            from_ms: 10,
            to_ms: 5,
            ..Default::default()
        })
        .await
        .map(drop)
        .unwrap_err();
    assert_eq!(refused_field(&backwards)?.field, "to_ms");
    let long = sup
        .list_audit(pb::ListAuditRequest {
            actor: "x".repeat(500),
            ..Default::default()
        })
        .await
        .map(drop)
        .unwrap_err();
    assert_eq!(refused_field(&long)?.field, "actor");

    // The number is in no log line either.
    let log = server.log.lock().map(|l| l.join("\n")).unwrap_or_default();
    for form in digit_forms(NUMBER) {
        assert!(!log.contains(&form));
    }
    assert!(log.contains("audit log head"), "{log}");
    server.kill()?;
    Ok(())
}

fn user(name: &str, role: Role, unit: Option<&str>) -> User {
    User {
        name: name.into(),
        role,
        token_sha256: hash_token(&format!("{name}-token")),
        unit_id: unit.map(Into::into),
    }
}

fn config(data: &Path, users: Vec<User>) -> ServerConfig {
    ServerConfig {
        data_dir: Some(data.to_owned()),
        listen: "127.0.0.1:0".parse().expect("an address"),
        users,
        ..ServerConfig::default()
    }
}

async fn role_changes(addr: std::net::SocketAddr) -> anyhow::Result<Vec<String>> {
    let mut boss = client(addr, "boss-token").await?;
    let page = list(&mut boss, pb::ListAuditRequest::default()).await?;
    Ok(page
        .entries
        .iter()
        .rev()
        .filter(|e| e.action == pb::AuditAction::RoleChanged as i32)
        .map(|e| {
            assert_eq!((e.actor.as_str(), e.role), ("system", 0));
            e.reason.clone()
        })
        .collect())
}

/// Starts a server on a store the last one just closed: sled's background
/// threads may hold the directory's lock a moment after it is gone.
async fn start_on(
    config: app::ServerConfig,
    clock: Arc<desk137_domain::clock::SimClock>,
) -> anyhow::Result<app::RunningServer> {
    for _ in 0..100 {
        match app::start(config.clone(), clock.clone()).await {
            Err(e) if format!("{e:#}").contains("could not acquire lock") => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            other => return other,
        }
    }
    anyhow::bail!("the store stays locked after its server stopped")
}

#[tokio::test]
async fn a_server_records_first_sightings_and_each_role_change_at_start() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let clock = Arc::new(desk137_domain::clock::SimClock::at(SIM_START_MS));
    let first = vec![
        user("ali", Role::Agent, None),
        user("boss", Role::Supervisor, None),
    ];
    let server = start_on(config(&data, first.clone()), clock.clone()).await?;
    assert_eq!(
        role_changes(server.addr).await?,
        [
            "user ali: first seen with role agent",
            "user boss: first seen with role supervisor"
        ]
    );
    server.shutdown().await?;

    // The same users again: nothing new.
    let server = start_on(config(&data, first), clock.clone()).await?;
    assert_eq!(role_changes(server.addr).await?.len(), 2);
    server.shutdown().await?;

    let catalog = desk137_domain::catalog::Catalog::default_catalog()?;
    let unit = catalog.units.first().context("a unit")?.id.clone();
    let changed = vec![
        user("ali", Role::Unit, Some(&unit)),
        user("boss", Role::Supervisor, None),
    ];
    let server = start_on(config(&data, changed), clock.clone()).await?;
    let changes = role_changes(server.addr).await?;
    assert_eq!(
        changes.last().map(String::as_str),
        Some(format!("user ali: role agent became role unit, unit {unit}").as_str())
    );
    assert_eq!(changes.len(), 3);
    server.shutdown().await?;

    let server = start_on(
        config(&data, vec![user("boss", Role::Supervisor, None)]),
        clock,
    )
    .await?;
    let changes = role_changes(server.addr).await?;
    assert!(
        changes
            .last()
            .is_some_and(|c| c.starts_with("user ali: no longer in the users file"))
    );
    server.shutdown().await?;
    Ok(())
}

/// `desk137-server audit verify --data DIR`: its exit status and output.
fn verify(data: &Path) -> anyhow::Result<(bool, String)> {
    let out = std::process::Command::new(server_binary()?)
        .args(["audit", "verify", "--data"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok((out.status.success(), text))
}

/// [`verify`] once this process's sled has let go of the store's lock: it
/// may hold it a moment after a server in this process stopped.
fn verify_stopped(data: &Path) -> anyhow::Result<(bool, String)> {
    for _ in 0..100 {
        let (ok, text) = verify(data)?;
        if !text.contains("running server") {
            return Ok((ok, text));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    anyhow::bail!("the store stays locked")
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for item in std::fs::read_dir(from)? {
        let item = item?;
        let target = to.join(item.file_name());
        if item.file_type()?.is_dir() {
            copy_dir(&item.path(), &target)?;
        } else {
            std::fs::copy(item.path(), &target)?;
        }
    }
    Ok(())
}

/// A copy of the stopped store `data` (with its key file and checkpoint)
/// under `root/name`, its data directory returned.
fn copy_store(data: &Path, root: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let copy = root.join(name);
    copy_dir(data, &copy)?;
    let key = Secrets::default_path(&copy);
    std::fs::copy(Secrets::default_path(data), &key)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::copy(
        checkpoint::default_path(data),
        checkpoint::default_path(&copy),
    )?;
    Ok(copy)
}

/// Changes a stopped store's files through sled directly, as someone with
/// the files but not the key could.
fn tamper(
    data: &Path,
    f: impl FnOnce(&sled::Tree, &sled::Tree) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let db = sled::open(data)?;
    let audit = db.open_tree("audit")?;
    let counters = db.open_tree("counters")?;
    f(&audit, &counters)?;
    db.flush()?;
    Ok(())
}

#[tokio::test]
async fn audit_verify_passes_an_intact_log_and_names_each_edit_removal_reordering_and_truncation()
-> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    seed(&data, six()).await?;
    let clock = Arc::new(desk137_domain::clock::SimClock::at(SIM_START_MS));
    let server = app::start(
        config(&data, vec![user("boss", Role::Supervisor, None)]),
        clock,
    )
    .await?;
    // While it runs, the verifier says the store is held.
    let (ok, text) = verify(&data)?;
    assert!(!ok && text.contains("running server"), "{text}");
    let mut boss = client(server.addr, "boss-token").await?;
    list(&mut boss, pb::ListAuditRequest::default()).await?;
    // Six seeded, one role change, one read; the shutdown checkpoints all.
    server.shutdown().await?;

    let (ok, text) = verify_stopped(&data)?;
    assert!(ok, "{text}");
    assert!(text.contains("intact: 8 entries"), "{text}");

    let root = dir.path().join("copies");
    let edited = copy_store(&data, &root, "edited")?;
    tamper(&edited, |audit, _| {
        let bytes = audit.get(keys::id(3))?.context("entry 3")?;
        let mut record = AuditRecord::from_bytes(&bytes)?;
        record.actor = "someone-else".into();
        audit.insert(keys::id(3), record.to_bytes())?;
        Ok(())
    })?;
    let (ok, text) = verify_stopped(&edited)?;
    assert!(!ok, "{text}");
    assert!(text.contains("entry 3: edited"), "{text}");

    let removed = copy_store(&data, &root, "removed")?;
    tamper(&removed, |audit, _| {
        audit.remove(keys::id(4))?;
        Ok(())
    })?;
    let (ok, text) = verify_stopped(&removed)?;
    assert!(!ok && text.contains("entry 4: removed"), "{text}");

    let reordered = copy_store(&data, &root, "reordered")?;
    tamper(&reordered, |audit, _| {
        let two = audit.get(keys::id(2))?.context("entry 2")?;
        let five = audit.get(keys::id(5))?.context("entry 5")?;
        audit.insert(keys::id(2), five)?;
        audit.insert(keys::id(5), two)?;
        Ok(())
    })?;
    let (ok, text) = verify_stopped(&reordered)?;
    assert!(!ok && text.contains("entry 2: reordered"), "{text}");

    // The last three entries cut, and the store's counter put back so the
    // store alone looks whole: the checkpoint still knows.
    let truncated = copy_store(&data, &root, "truncated")?;
    tamper(&truncated, |audit, counters| {
        for seq in 6..=8 {
            audit.remove(keys::id(seq))?;
        }
        counters.insert(SEQ_COUNTER, codec::encode(&5u64)?)?;
        Ok(())
    })?;
    let (ok, text) = verify_stopped(&truncated)?;
    assert!(!ok && text.contains("entry 6: truncated"), "{text}");
    assert!(text.contains("the checkpoint reached 8"), "{text}");

    // A server will not serve a cut log over its checkpoint either.
    let refused = app::start(
        config(&truncated, vec![user("boss", Role::Supervisor, None)]),
        Arc::new(desk137_domain::clock::SimClock::at(SIM_START_MS)),
    )
    .await
    .map(drop)
    .unwrap_err();
    assert!(
        format!("{refused:#}").contains("does not match its checkpoint"),
        "{refused:#}"
    );
    let (ok, text) = verify_stopped(&truncated)?;
    assert!(
        !ok && text.contains("entry 6: truncated"),
        "the refused start left the evidence: {text}"
    );
    Ok(())
}
