//! 1,000 callers' numbers go in through the real binary; afterwards not one
//! of them is anywhere under the data directory, nor in the server's log, in
//! ASCII, Persian or Arabic-Indic digits.

use desk137_tests::leaks::{files, found_in};
use desk137_tests::{SIM_START_MS, Spawned, obstruction, pb};
use std::collections::HashSet;

const CALLERS: u64 = 1_000;

fn number(i: u64) -> String {
    format!("0913{:07}", 1_000_003 + i * 7_919)
}

fn in_script(ascii: &str, zero: char) -> String {
    ascii
        .chars()
        .map(|c| {
            let d = c.to_digit(10).unwrap_or(0);
            char::from_u32(zero as u32 + d).unwrap_or(c)
        })
        .collect()
}

#[test]
fn the_search_sees_every_script() {
    let wanted: HashSet<String> = [number(0)[1..].to_owned()].into();
    for form in [
        number(0),
        in_script(&number(0), '۰'),
        in_script(&number(0), '٠'),
    ] {
        assert_eq!(found_in(form.as_bytes(), &wanted).len(), 1, "{form}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_numbers_leave_no_trace_in_the_files_or_the_log() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let server = Spawned::start(&data, SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    for i in 0..CALLERS {
        let ascii = number(i);
        let mut request = obstruction(&format!("leak-{i}"));
        request.phone = match i % 3 {
            0 => ascii.clone(),
            1 => in_script(&ascii, '۰'),
            _ => in_script(&ascii, '٠'),
        };
        agent.cases.create_case(request).await?;
        if i % 10 == 0 {
            let history = agent
                .cases
                .caller_history(pb::CallerHistoryRequest {
                    phone: ascii,
                    limit: 0,
                })
                .await?
                .into_inner();
            assert_eq!(history.total, 1);
        }
    }
    let log = server.log.clone();
    server.kill()?;

    let wanted: HashSet<String> = (0..CALLERS).map(|i| number(i)[1..].to_owned()).collect();
    let mut paths = Vec::new();
    files(&data, &mut paths)?;
    assert!(paths.iter().any(|p| p.ends_with("db")), "{paths:?}");
    let mut scanned = 0u64;
    for path in &paths {
        let bytes = std::fs::read(path)?;
        scanned += bytes.len() as u64;
        let found = found_in(&bytes, &wanted);
        assert!(
            found.is_empty(),
            "{}: {:?}",
            path.display(),
            &found[..found.len().min(3)]
        );
    }
    assert!(
        scanned > 10_000,
        "only {scanned} bytes under the data directory"
    );
    let lines = log.lock().map_err(|_| anyhow::anyhow!("log"))?.clone();
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(found_in(line.as_bytes(), &wanted).is_empty(), "{line}");
    }
    Ok(())
}
