//! KeyService.RotateKeys on a running server: every citizen's key is
//! re-wrapped under a new wrapping key while cases are registered and
//! callers looked up, the old key leaves the key file, and a rotation cut
//! short by SIGKILL is finished by asking again.

use desk137_tests::{Clients, SIM_START_MS, Spawned, obstruction, pb, the_case};
use std::ffi::OsStr;

const CITIZENS: u64 = 300;

fn phone(i: u64) -> String {
    format!("0912{i:07}")
}

fn from(i: u64) -> pb::CreateCaseRequest {
    pb::CreateCaseRequest {
        phone: phone(i),
        ..obstruction(&format!("rot-{i}"))
    }
}

async fn status(admin: &mut Clients) -> anyhow::Result<pb::KeyRotation> {
    Ok(admin
        .keys
        .key_status(pb::KeyStatusRequest {})
        .await?
        .into_inner())
}

/// Every case's whole number, as the agent's GetCase opens it.
async fn check_numbers(agent: &mut Clients, cases: &[(u64, u64)]) -> anyhow::Result<()> {
    for &(id, i) in cases {
        let case = agent
            .cases
            .get_case(pb::GetCaseRequest {
                key: Some(pb::get_case_request::Key::Id(id)),
            })
            .await?
            .into_inner();
        assert_eq!(case.phone, phone(i), "case {id}");
    }
    Ok(())
}

/// Registers one more case and looks one caller up while a rotation runs,
/// until it ends; both must succeed throughout.
async fn work_until_done(
    agent: &mut Clients,
    admin: &mut Clients,
    cases: &mut Vec<(u64, u64)>,
    next: &mut u64,
) -> anyhow::Result<pb::KeyRotation> {
    for _ in 0..10_000 {
        let made = the_case(
            agent
                .cases
                .create_case(from(*next))
                .await?
                .into_inner()
                .r#case,
        )?;
        cases.push((made.id, *next));
        *next += 1;
        let i = *next % CITIZENS;
        let history = agent
            .cases
            .caller_history(pb::CallerHistoryRequest {
                phone: phone(i),
                limit: 0,
            })
            .await?
            .into_inner();
        assert!(history.total >= 1, "caller {i}");
        assert!(history.cases.iter().all(|c| c.phone == phone(i)));
        let now = status(admin).await?;
        if !now.running {
            return Ok(now);
        }
    }
    anyhow::bail!("the rotation never ended")
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> anyhow::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o777)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_while_serving_and_after_a_kill() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let key_file = desk137_server::secrets::Secrets::default_path(&data);
    let config = dir.path().join("server.toml");
    // One citizen per job: the rotation takes long enough to be cut short.
    std::fs::write(&config, "rewrap_batch = 1\n")?;
    let args = [OsStr::new("--config"), config.as_os_str()];
    let server = Spawned::start_with(&data, SIM_START_MS, &args)?;
    let mut agent = server.as_user("agent1").await?;
    let mut admin = server.as_user("admin1").await?;
    let mut cases = Vec::new();
    for i in 0..CITIZENS {
        let made = the_case(agent.cases.create_case(from(i)).await?.into_inner().r#case)?;
        cases.push((made.id, i));
    }
    let before = status(&mut admin).await?;
    assert_eq!((before.current, before.versions.as_slice()), (1, &[1][..]));
    assert_eq!((before.remaining, before.running), (0, false));
    let denied = agent
        .keys
        .rotate_keys(pb::RotateKeysRequest {})
        .await
        .unwrap_err();
    assert_eq!(denied.code(), tonic::Code::PermissionDenied);

    let started = admin
        .keys
        .rotate_keys(pb::RotateKeysRequest {})
        .await?
        .into_inner()
        .rotation
        .unwrap_or_default();
    assert_eq!(started.current, 2);
    assert_eq!(started.versions, [1, 2]);
    let mut next = CITIZENS;
    let done = work_until_done(&mut agent, &mut admin, &mut cases, &mut next).await?;
    assert_eq!(
        (done.running, done.remaining, done.current),
        (false, 0, 2),
        "{done:?}"
    );
    assert_eq!(done.versions, [2]);
    assert!(done.rewrapped >= CITIZENS, "{done:?}");
    #[cfg(unix)]
    assert_eq!(mode(&key_file)?, 0o600);
    check_numbers(&mut agent, &cases).await?;

    // A second rotation, killed as soon as it began.
    let started = admin
        .keys
        .rotate_keys(pb::RotateKeysRequest {})
        .await?
        .into_inner()
        .rotation
        .unwrap_or_default();
    assert_eq!(
        (started.current, started.versions.as_slice()),
        (3, &[2, 3][..])
    );
    server.kill()?;

    let server = Spawned::start_with(&data, SIM_START_MS, &args)?;
    let mut agent = server.as_user("agent1").await?;
    let mut admin = server.as_user("admin1").await?;
    let cut = status(&mut admin).await?;
    assert_eq!((cut.current, cut.versions.as_slice()), (3, &[2, 3][..]));
    assert!(!cut.running && cut.remaining > 0, "{cut:?}");
    // Both keys are in the file: every number still opens.
    check_numbers(&mut agent, &cases[..20]).await?;
    let resumed = admin
        .keys
        .rotate_keys(pb::RotateKeysRequest {})
        .await?
        .into_inner()
        .rotation
        .unwrap_or_default();
    assert_eq!(resumed.current, 3, "no new key: the cut one is finished");
    let done = work_until_done(&mut agent, &mut admin, &mut cases, &mut next).await?;
    assert_eq!((done.remaining, done.current), (0, 3), "{done:?}");
    assert_eq!(done.versions, [3]);
    #[cfg(unix)]
    assert_eq!(mode(&key_file)?, 0o600);
    check_numbers(&mut agent, &cases).await?;
    let mut rotations = 0;
    let mut page_token = String::new();
    loop {
        let page = admin
            .audit
            .list_audit(pb::ListAuditRequest {
                actor: "admin1".into(),
                page_size: 500,
                page_token: page_token.clone(),
                ..Default::default()
            })
            .await?
            .into_inner();
        rotations += page
            .entries
            .iter()
            .filter(|e| e.action() == pb::AuditAction::KeyRotated)
            .count();
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    assert_eq!(rotations, 2);
    server.kill()?;
    Ok(())
}
