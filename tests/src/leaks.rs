//! Searching bytes for phone numbers as a person could have written them:
//! ASCII, Persian and Arabic-Indic digits, with anything between the digit
//! runs. The tests that prove no number is left in a store's files or a log
//! use it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The digits in `bytes`, in runs: ASCII digits, and the two-byte UTF-8
/// Persian (U+06F0..) and Arabic-Indic (U+0660..) digits, folded to ASCII.
/// Anything else ends a run.
pub fn digit_runs(bytes: &[u8]) -> Vec<String> {
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
pub fn found_in(bytes: &[u8], wanted: &HashSet<String>) -> Vec<String> {
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

/// Every file under `dir`, into `out`.
pub fn files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
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
