//! 1,000 callers' numbers go in through the real binary; afterwards not one
//! of them is anywhere under the data directory, nor in the server's log, in
//! ASCII, Persian or Arabic-Indic digits.

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
