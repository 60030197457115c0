//! Starting `desk137-server` as a child process on loopback and waiting until
//! it serves: the load driver's `--spawn` and the crash test both use it.
//!
//! The server is started with `--listen 127.0.0.1:0`; the port it got is read
//! from its log line `serving desk137.v1 addr=...`, and then the health
//! service must answer SERVING for `desk137.v1.CaseService`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// The service whose health says the case API is up.
pub const CASE_SERVICE: &str = "desk137.v1.CaseService";
/// What the server logs once it listens, followed by `addr=IP:PORT`.
const SERVING_LINE: &str = "serving desk137.v1";

#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the server exited before it served ({status}); its log:\n{log}")]
    Exited {
        status: std::process::ExitStatus,
        log: String,
    },
    #[error("the server did not serve within {0:?}")]
    Timeout(Duration),
    #[error("the server listens on {0}, which is not loopback")]
    NotLoopback(SocketAddr),
}

/// A child process that is killed (SIGKILL) if it is dropped still running:
/// no server outlives a run that failed half-way.
#[derive(Debug)]
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// `desk137-server` next to this executable, or one directory up (where
/// cargo puts binaries when this is an integration test in `deps/`).
pub fn server_binary() -> std::io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let name = format!("desk137-server{}", std::env::consts::EXE_SUFFIX);
    let mut dir = exe.parent();
    for _ in 0..2 {
        if let Some(d) = dir {
            let candidate = d.join(&name);
            if candidate.is_file() {
                return Ok(candidate);
            }
            dir = d.parent();
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!(
            "{name} is not next to {}: build it first (cargo build -p desk137-server)",
            exe.display()
        ),
    ))
}

/// Starts `server --demo --data DATA --listen 127.0.0.1:0 EXTRA...`, its log
/// going to `log`.
pub fn start(server: &Path, data: &Path, extra: &[&str], log: &Path) -> std::io::Result<Child> {
    let log_file = std::fs::File::create(log)?;
    Command::new(server)
        .arg("--demo")
        .arg("--data")
        .arg(data)
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
}

/// The address in the server's "serving" log line, if it is there yet.
pub fn serving_addr(log: &str) -> Option<SocketAddr> {
    let line = log.lines().find(|l| l.contains(SERVING_LINE))?;
    let plain = strip_ansi(line);
    let rest = &plain[plain.find("addr=")? + "addr=".len()..];
    rest.split_whitespace().next()?.parse().ok()
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ ... final byte in @..~
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) && c != '[' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Waits until the child logs its address and its health says SERVING.
pub async fn wait_serving(
    child: &mut Child,
    log: &Path,
    timeout: Duration,
) -> Result<SocketAddr, SpawnError> {
    let began = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            return Err(SpawnError::Exited { status, log });
        }
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(addr) = serving_addr(&text) {
            if !addr.ip().is_loopback() {
                return Err(SpawnError::NotLoopback(addr));
            }
            if is_serving(addr).await {
                return Ok(addr);
            }
        }
        if began.elapsed() > timeout {
            return Err(SpawnError::Timeout(timeout));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Whether the health service at `addr` says the case API serves.
pub async fn is_serving(addr: SocketAddr) -> bool {
    let Ok(endpoint) = tonic::transport::Endpoint::from_shared(format!("http://{addr}")) else {
        return false;
    };
    let Ok(channel) = endpoint
        .connect_timeout(Duration::from_secs(1))
        .connect()
        .await
    else {
        return false;
    };
    let request = HealthCheckRequest {
        service: CASE_SERVICE.into(),
    };
    match HealthClient::new(channel).check(request).await {
        Ok(response) => response.into_inner().status == ServingStatus::Serving as i32,
        Err(_) => false,
    }
}

/// Asks the child to stop with SIGTERM (it finishes calls in flight and
/// flushes), and kills it if it has not stopped within `grace`.
pub fn stop(child: &mut Child, grace: Duration) -> std::io::Result<()> {
    if child.try_wait()?.is_some() {
        return Ok(());
    }
    let term = Command::new("kill")
        .args(["-s", "TERM", &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if term.is_ok_and(|s| s.success()) {
        let began = Instant::now();
        while began.elapsed() < grace {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    child.kill()?;
    child.wait().map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_comes_from_the_serving_line_with_or_without_colour() {
        let plain = "2026-11-28T01:00:00Z  INFO desk137_server::app: serving desk137.v1 addr=127.0.0.1:40123 demo=true\n";
        assert_eq!(
            serving_addr(plain),
            Some("127.0.0.1:40123".parse().unwrap())
        );
        let coloured = "\u{1b}[2m2026\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m serving desk137.v1 \u{1b}[3maddr\u{1b}[0m\u{1b}[2m=\u{1b}[0m127.0.0.1:7 \u{1b}[3mdemo\u{1b}[0m";
        assert_eq!(serving_addr(coloured), Some("127.0.0.1:7".parse().unwrap()));
        assert_eq!(serving_addr("INFO opening the store\n"), None);
        assert_eq!(serving_addr("serving desk137.v1 addr=nonsense"), None);
    }
}
