//! `desk137-server citizen erase` on a stopped server: the number is gone
//! from the caller's history and from every file of the store, in every
//! script; the cases stay; the erasure is on an audit log that still
//! verifies.

use desk137_tests::leaks::{files, found_in};
use desk137_tests::{SIM_START_MS, Spawned, obstruction, pb, server_binary, the_case};
use std::collections::HashSet;

const PHONE: &str = "09131234567";
const OTHER: &str = "09137654321";

async fn history(server: &Spawned, phone: &str) -> anyhow::Result<pb::CallerHistoryResponse> {
    let mut agent = server.as_user("agent1").await?;
    Ok(agent
        .cases
        .caller_history(pb::CallerHistoryRequest {
            phone: phone.into(),
            limit: 0,
        })
        .await?
        .into_inner())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_number_is_in_no_file_and_the_cases_stay() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let server = Spawned::start(&data, SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    let mut made = Vec::new();
    for (phone, request_id) in [(PHONE, "e-1"), (PHONE, "e-2"), (OTHER, "e-3")] {
        let request = pb::CreateCaseRequest {
            phone: phone.into(),
            ..obstruction(request_id)
        };
        made.push(the_case(
            agent.cases.create_case(request).await?.into_inner().r#case,
        )?);
    }
    assert_eq!(history(&server, PHONE).await?.total, 2);
    server.kill()?;

    let out = std::process::Command::new(server_binary()?)
        .args(["citizen", "erase", "--data"])
        .arg(&data)
        .args(["--case", &made[1].number, "--reason", "به درخواست شهروند"])
        .output()?;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains(&made[0].citizen_id), "{said}");
    assert!(said.contains("2 case(s) kept"), "{said}");
    // Again: refused, the number is already gone.
    let again = std::process::Command::new(server_binary()?)
        .args(["citizen", "erase", "--data"])
        .arg(&data)
        .args(["--case", &made[0].number, "--reason", "دوباره"])
        .output()?;
    assert!(!again.status.success());
    let unknown = std::process::Command::new(server_binary()?)
        .args(["citizen", "erase", "--data"])
        .arg(&data)
        .args(["--case", "1405-999999", "--reason", "x"])
        .output()?;
    assert!(!unknown.status.success());

    let server = Spawned::start(&data, SIM_START_MS)?;
    let gone = history(&server, PHONE).await?;
    assert_eq!((gone.total, gone.citizen_id.as_str()), (0, ""));
    assert_eq!(history(&server, OTHER).await?.total, 1);
    let mut supervisor = server.as_user("supervisor1").await?;
    for case in &made[..2] {
        let kept = supervisor
            .cases
            .get_case(pb::GetCaseRequest {
                key: Some(pb::get_case_request::Key::Id(case.id)),
            })
            .await?
            .into_inner();
        assert_eq!(kept.number, case.number);
        assert_eq!(kept.phone, "");
    }
    let mut admin = server.as_user("admin1").await?;
    let erasures: Vec<pb::AuditEntry> = admin
        .audit
        .list_audit(pb::ListAuditRequest {
            case_id: made[1].id,
            ..Default::default()
        })
        .await?
        .into_inner()
        .entries
        .into_iter()
        .filter(|e| e.action() == pb::AuditAction::CitizenErased)
        .collect();
    assert_eq!(erasures.len(), 1, "{erasures:?}");
    assert_eq!(erasures[0].actor, "admin (cli)");
    server.kill()?;

    let wanted: HashSet<String> = [PHONE[1..].to_owned()].into();
    let mut paths = Vec::new();
    files(&data, &mut paths)?;
    assert!(!paths.is_empty());
    for path in &paths {
        let found = found_in(&std::fs::read(path)?, &wanted);
        assert!(found.is_empty(), "{} holds {found:?}", path.display());
    }
    let verify = std::process::Command::new(server_binary()?)
        .args(["audit", "verify", "--data"])
        .arg(&data)
        .output()?;
    assert!(
        verify.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    Ok(())
}
