//! `desk137-server citizen erase` on a stopped server: the number is gone
//! from the caller's history and from every file of the store, in every
//! script; the cases stay; the erasure is on an audit log that still
//! verifies.

use desk137_tests::{SIM_START_MS, Spawned, obstruction, pb, server_binary, the_case};
use std::collections::HashSet;

const PHONE: &str = "09131234567";
const OTHER: &str = "09137654321";

/// The digits in `bytes`, in runs: ASCII digits, and the two-byte UTF-8
/// Persian (U+06F0..) and Arabic-Indic (U+0660..) digits, folded to ASCII.
/// Anything else ends a run.
fn digit_runs(bytes: &[u8]) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let digit = if b.is_ascii_digit() {
            i += 1;
            Some(char::from(b))
        } else if i + 1 < bytes.len() && b == 0xDB && (0xB0..=0xB9).contains(&bytes[i + 1]) {
            i += 2;
            Some(char::from(b'0' + (bytes[i - 1] - 0xB0)))
        } else if i + 1 < bytes.len() && b == 0xD9 && (0xA0..=0xA9).contains(&bytes[i + 1]) {
            i += 2;
            Some(char::from(b'0' + (bytes[i - 1] - 0xA0)))
        } else {
            i += 1;
            None
        };
        match digit {
            Some(d) => run.push(d),
            None if run.len() >= 10 => runs.push(std::mem::take(&mut run)),
            None => run.clear(),
        }
    }
    if run.len() >= 10 {
        runs.push(run);
    }
    runs
}

/// The numbers of `wanted` (their ten digits after the 0) found in `bytes`.
fn found_in(bytes: &[u8], wanted: &HashSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    for run in digit_runs(bytes) {
        for start in 0..=run.len() - 10 {
            let window = &run[start..start + 10];
            if wanted.contains(window) {
                found.push(window.to_owned());
            }
        }
    }
    found
}

fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            files(&entry.path(), out)?;
        } else {
            out.push(entry.path());
        }
    }
    Ok(())
}

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
