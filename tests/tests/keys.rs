//! The server's key file: private or refused, and rotated by
//! `desk137-server keys rotate` resumably, through a SIGKILL in the middle.

use desk137_server::secrets::Secrets;
use desk137_server::store::{Store, StoreOptions};
use desk137_tests::server_binary;
use std::io::BufRead as _;

const CITIZENS: u64 = 6_000;

fn phone(i: u64) -> String {
    format!("0912{:07}", i)
}

/// A call from `phone`, as the intake opens it.
pub fn call_from(
    catalog: &desk137_domain::catalog::Catalog,
    n: u64,
    phone: String,
) -> desk137_domain::lifecycle::Opened {
    use desk137_domain::model::{Channel, NewCase, Urgency};
    let topic = &catalog.topics[(n % 40) as usize];
    let new = NewCase {
        request_id: format!("seed-{n}"),
        channel: Channel::Phone,
        kind: topic.kind,
        urgency: Urgency::Normal,
        topic_id: topic.id.clone(),
        description: "وانت میوه‌فروش پیاده‌رو را بسته".into(),
        phone,
        region: (n % 15) as u32 + 1,
        address: "خیابان چهارباغ عباسی".into(),
        landmark: String::new(),
    };
    desk137_domain::lifecycle::open_case(
        new,
        catalog,
        &desk137_domain::sla::SlaPolicy::default(),
        desk137_tests::SIM_START_MS,
        "agent1",
    )
    .expect("a catalog topic opens a case")
}

fn seed(data: &std::path::Path) -> anyhow::Result<()> {
    let catalog = desk137_domain::catalog::Catalog::default_catalog()?;
    // Not durable one by one: the close flushes the lot.
    let store = Store::open(
        data,
        StoreOptions {
            flush: false,
            ..StoreOptions::default()
        },
    )?;
    for i in 0..CITIZENS {
        store.create_case_blocking(call_from(&catalog, i, phone(i)))?;
    }
    store.close()?;
    Ok(())
}

fn versions(key_file: &std::path::Path) -> anyhow::Result<Vec<u32>> {
    Ok(Secrets::load(key_file)?
        .wrapping
        .iter()
        .map(|(v, _)| *v)
        .collect())
}

#[test]
fn a_rotation_killed_half_way_finishes_when_run_again() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let key_file = Secrets::default_path(&data);
    seed(&data)?;
    assert_eq!(versions(&key_file)?, [1]);

    let mut child = std::process::Command::new(server_binary()?)
        .args(["keys", "rotate", "--data"])
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
        if line?.contains("re-wrapped citizens' keys") {
            break;
        }
    }
    child.kill()?;
    child.wait()?;
    // Killed between its first and last job: both keys still in the file.
    assert_eq!(versions(&key_file)?, [1, 2]);
    {
        let store = Store::open(&data, StoreOptions::default())?;
        let left = store.citizens_to_rewrap()?.len() as u64;
        assert!(left > 0 && left < CITIZENS, "{left} left to re-wrap");
        store.close()?;
    }

    let done = std::process::Command::new(server_binary()?)
        .args(["keys", "rotate", "--data"])
        .arg(&data)
        .output()?;
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(versions(&key_file)?, [2]);
    let store = Store::open(&data, StoreOptions::default())?;
    assert_eq!(store.citizen_count() as u64, CITIZENS);
    for i in (0..CITIZENS).step_by(97) {
        let citizen = store
            .citizen_by_phone(&phone(i))?
            .ok_or_else(|| anyhow::anyhow!("citizen {i}"))?;
        assert_eq!(store.open_number(&citizen)?, Some(phone(i)));
    }
    let rotations = store
        .audit_entries(1, 10)?
        .iter()
        .filter(|(_, e)| e.action == desk137_domain::audit::AuditAction::KeyRotated)
        .count();
    assert_eq!(rotations, 1);
    store.close()?;
    Ok(())
}

#[test]
fn a_rotation_uses_the_key_file_the_config_file_names() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    seed(&data)?;
    // The keys kept apart from the store, as the README advises.
    let key_file = dir.path().join("keys").join("desk137.key");
    std::fs::create_dir_all(key_file.parent().unwrap_or(dir.path()))?;
    std::fs::rename(Secrets::default_path(&data), &key_file)?;
    let config = dir.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "data = {:?}\nkey_file = {:?}\n",
            data.display().to_string(),
            key_file.display().to_string()
        ),
    )?;
    let done = std::process::Command::new(server_binary()?)
        .args(["keys", "rotate", "--config"])
        .arg(&config)
        .output()?;
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(versions(&key_file)?, [2]);
    assert!(
        !Secrets::default_path(&data).exists(),
        "no second key file made"
    );
    Ok(())
}

#[cfg(unix)]
#[test]
fn the_server_refuses_a_key_file_others_may_read() -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let key_file = Secrets::default_path(&data);
    Secrets::load_or_create(&key_file)?;
    assert_eq!(
        std::fs::metadata(&key_file)?.permissions().mode() & 0o777,
        0o600
    );
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o640))?;
    let out = std::process::Command::new(server_binary()?)
        .args(["--demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .output()?;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("chmod 600"), "{said}");
    Ok(())
}
