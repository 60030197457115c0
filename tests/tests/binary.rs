//! The `desk137-server` binary: its tools, and serving until SIGTERM.

use desk137_domain::catalog::Catalog;
use desk137_domain::clock::SimClock;
use desk137_server::app::{self, ServerConfig};
use desk137_server::auth::hash_token;
use desk137_server::store::{Store, StoreOptions};
use desk137_tests::{SIM_START_MS, pb, server_binary};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

const HEADER: &str = "id,category_fa,category_en,title_fa,title_en,synonyms_fa,synonyms_en,keywords,service_domain,kind,default_urgency";

fn run(args: &[&str], stdin: &str) -> anyhow::Result<Output> {
    let mut child = Command::new(server_binary()?)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes())?;
    }
    Ok(child.wait_with_output()?)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn stored_topic_ids(data: &Path) -> anyhow::Result<Vec<String>> {
    let store = Store::open(data, StoreOptions::default())?;
    let catalog = store
        .load_catalog()?
        .ok_or_else(|| anyhow::anyhow!("no catalog"))?;
    store.close()?;
    Ok(catalog.topics.into_iter().map(|t| t.id).collect())
}

#[test]
fn hash_token_prints_the_sha256_of_stdin() -> anyhow::Result<()> {
    let out = run(&["hash-token"], "maryam-7f3a9c\n")?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), hash_token("maryam-7f3a9c"));
    let empty = run(&["hash-token"], "\n")?;
    assert!(!empty.status.success());
    Ok(())
}

#[test]
fn serving_needs_a_store_or_demo() -> anyhow::Result<()> {
    let out = run(&[], "")?;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--data"),
        "{}",
        text(&out.stderr)
    );
    Ok(())
}

#[test]
fn a_bad_topic_row_is_named_and_changes_nothing_and_a_good_file_replaces_all() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let defaults = Catalog::default_catalog()?;
    {
        let store = Store::open(&data, StoreOptions::default())?;
        store.save_catalog(&defaults)?;
        store.close()?;
    }
    let data_arg = data
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("path is not UTF-8"))?;

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{HEADER}\nN1,خدمات,Services,سد معبر,Obstruction,,,,urban_services,executive,normal\n\
             N2,خدمات,Services,زباله,Garbage,,,,urban_services,sometimes,normal\n"
        ),
    )?;
    let out = run(
        &[
            "catalog",
            "import",
            bad.to_str().unwrap_or_default(),
            "--data",
            data_arg,
        ],
        "",
    )?;
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.csv line 3: kind must be executive or informational"),
        "{stderr}"
    );
    let unchanged: Vec<String> = defaults.topics.iter().map(|t| t.id.clone()).collect();
    assert_eq!(stored_topic_ids(&data)?, unchanged);

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!(
            "{HEADER}\nN1,خدمات,Services,سد معبر,Obstruction,,,سد|معبر,urban_services,executive,normal\n\
             N2,عمران,Civil works,فرونشست زمین,Subsidence,,,نشست,civil_works,executive,urgent\n\
             N3,عوارض,Charges,استعلام عوارض,Charge inquiry,,,عوارض,information,informational,normal\n"
        ),
    )?;
    let out = run(
        &[
            "catalog",
            "import",
            good.to_str().unwrap_or_default(),
            "--data",
            data_arg,
        ],
        "",
    )?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("replaced by 3"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(stored_topic_ids(&data)?, ["N1", "N2", "N3"]);
    Ok(())
}

#[tokio::test]
async fn a_server_started_on_an_imported_catalog_offers_those_topics() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let csv = dir.path().join("topics.csv");
    std::fs::write(
        &csv,
        format!(
            "{HEADER}\nZ1,خدمات,Services,سد معبر,Obstruction,,,,urban_services,executive,normal\n"
        ),
    )?;
    let out = run(
        &[
            "catalog",
            "import",
            csv.to_str().unwrap_or_default(),
            "--data",
            data.to_str().unwrap_or_default(),
        ],
        "",
    )?;
    assert!(out.status.success(), "{}", text(&out.stderr));

    let server = app::start(
        ServerConfig {
            data_dir: Some(data),
            listen: "127.0.0.1:0".parse()?,
            demo: true,
            ..ServerConfig::default()
        },
        Arc::new(SimClock::at(SIM_START_MS)),
    )
    .await?;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", server.addr))?
        .connect()
        .await?;
    let bearer = desk137_tests::Bearer::new(Some("agent1"))?;
    let mut catalog =
        pb::catalog_service_client::CatalogServiceClient::with_interceptor(channel, bearer);
    let topics = catalog
        .list_topics(pb::ListTopicsRequest {})
        .await?
        .into_inner()
        .topics;
    assert_eq!(
        topics.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        ["Z1"]
    );
    server.shutdown().await
}

/// Starts the binary on port 0, opens a case through it, stops it with
/// SIGTERM and finds the case on disk.
#[cfg(unix)]
#[tokio::test]
async fn the_binary_serves_and_stops_cleanly_on_sigterm() -> anyhow::Result<()> {
    use std::io::BufRead as _;
    use std::time::Duration;

    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let users = dir.path().join("users.toml");
    std::fs::write(
        &users,
        format!(
            "[[users]]\nname = \"maryam\"\nrole = \"agent\"\ntoken_sha256 = \"{}\"\n",
            hash_token("maryam-7f3a9c")
        ),
    )?;
    let mut child = Command::new(server_binary()?)
        .arg("--data")
        .arg(&data)
        .arg("--users")
        .arg(&users)
        .args(["--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stderr"))?;
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    // Keep reading so the child never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines_tx.send(line);
        }
    });
    let mut log = Vec::new();
    let addr = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(60))
            .map_err(|_| anyhow::anyhow!("the server did not start: {log:?}"))?;
        if let Some(addr) = line
            .split("addr=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
        {
            break addr.to_owned();
        }
        log.push(line);
    };

    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    let mut cases = pb::case_service_client::CaseServiceClient::with_interceptor(
        channel,
        desk137_tests::Bearer::new(Some("maryam-7f3a9c"))?,
    );
    let case = cases
        .create_case(desk137_tests::obstruction("bin-1"))
        .await?
        .into_inner()
        .r#case
        .unwrap_or_default();
    assert!(case.id > 0);
    let demo_token = pb::case_service_client::CaseServiceClient::with_interceptor(
        tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?
            .connect()
            .await?,
        desk137_tests::Bearer::new(Some("agent1"))?,
    )
    .list_cases(pb::ListCasesRequest::default())
    .await
    .unwrap_err();
    assert_eq!(demo_token.code(), tonic::Code::Unauthenticated);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill()?;
            anyhow::bail!("the server did not stop within a minute of SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status}");
    // The child has exited, so its stderr is closed and the reader ends.
    let rest: Vec<String> = lines_rx.iter().collect();
    assert!(rest.iter().any(|l| l.contains("SIGTERM")), "{rest:?}");
    assert!(
        rest.iter().chain(&log).all(|l| !l.contains("09131234567")),
        "a phone number reached the log"
    );

    let store = Store::open(&data, StoreOptions::default())?;
    let stored = store
        .get_case(case.id)?
        .ok_or_else(|| anyhow::anyhow!("the case is gone"))?;
    assert_eq!(stored.number, case.number);
    store.close()?;
    Ok(())
}
