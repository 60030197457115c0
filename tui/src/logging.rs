//! Logs go to a file: the terminal belongs to the screen.

use etcetera::BaseStrategy;
use std::path::PathBuf;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// `desk137` in the user's state directory (`$XDG_STATE_HOME`, else
/// `~/.local/state`), else in the temporary directory.
pub fn log_dir() -> PathBuf {
    crate::config::dirs()
        .map(|d| {
            d.state_dir()
                .unwrap_or_else(|| d.data_dir())
                .join("desk137")
        })
        .filter(|d| std::fs::create_dir_all(d).is_ok())
        .unwrap_or_else(std::env::temp_dir)
}

/// Starts logging to `desk137.log`; the level comes from `DESK137_LOG`
/// (default `info`). Keep the guard until exit so the last lines are written.
pub fn init() -> Option<(WorkerGuard, PathBuf)> {
    let dir = log_dir();
    let appender = tracing_appender::rolling::never(&dir, "desk137.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("DESK137_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some((guard, dir.join("desk137.log")))
}
