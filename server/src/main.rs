//! `desk137-server`: serves desk137.v1 over gRPC, and the tools that go with
//! it (hashing a token for the users file, importing topics).

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use desk137_server::app::{self, ServerConfig};
use desk137_server::auth::hash_token;
use desk137_server::config::{FileConfig, load_users};
use desk137_server::domain::catalog::parse_topics;
use desk137_server::domain::clock::{Clock, SystemClock};
use desk137_server::listener::Limits;
use desk137_server::store::{Store, StoreOptions};
use std::io::{IsTerminal as _, Read as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "desk137-server",
    version,
    about = "The server of the 137 contact center"
)]
struct Cli {
    /// Directory of the store (created if missing).
    #[arg(long, value_name = "DIR", global = true)]
    data: Option<PathBuf>,
    /// The server's key file [default: beside the store, DIR.key].
    #[arg(long, value_name = "FILE", global = true)]
    key_file: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:7137].
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Configuration file (TOML); flags given here win over it.
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// Users file (TOML): name, role, token_sha256, unit_id.
    #[arg(long, value_name = "FILE")]
    users: Option<PathBuf>,
    /// Serve the demo users (token = name); a temporary store unless --data is given.
    #[arg(long)]
    demo: bool,
    /// Acknowledge writes before they reach the disk (benchmark comparisons only).
    #[arg(long)]
    no_flush: bool,
    /// Serve TLS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve plaintext on an address other than loopback (tokens in clear).
    #[arg(long)]
    insecure_plaintext: bool,
    /// Most connections served at once [default: 512].
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
    /// Run on a simulated clock that `ClockService.Advance` moves (demo and tests).
    #[arg(long)]
    sim_clock: bool,
    /// Where the simulated clock starts, in epoch milliseconds [default: now].
    #[arg(long, value_name = "MS", requires = "sim_clock")]
    sim_clock_start: Option<i64>,
    /// The feed's history kept: at most this many events [default: 1000000].
    #[arg(long, value_name = "N")]
    feed_keep_events: Option<u64>,
    /// The feed's history kept: none older than this [default: 24].
    #[arg(long, value_name = "HOURS")]
    feed_keep_hours: Option<u32>,
    /// A watcher hears a heartbeat after this long without events [default: 5000].
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(10..=600_000))]
    feed_heartbeat_ms: Option<u64>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read one token from stdin and print its SHA-256 in hex, for the users file.
    HashToken,
    /// Manage the catalog of a store.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// The audit log of a stopped server's store.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Manage the server's keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// A citizen's record in a stopped server's store.
    Citizen {
        #[command(subcommand)]
        command: CitizenCommand,
    },
    /// Reports from a store (the server must not have it open).
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check every link of the chain and the checkpoint; exit non-zero and
    /// name the first edited, removed, reordered or truncated entry.
    Verify,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Wrap every citizen's key under a new wrapping key and drop the old one
    /// from the key file. Stop the server first; if interrupted, run it again.
    /// A running server rotates with KeyService.RotateKeys (an admin's call)
    /// instead, without stopping.
    Rotate,
}

#[derive(Debug, Subcommand)]
enum CitizenCommand {
    /// Destroy the number of the citizen who called about a case, everywhere
    /// (their key goes, so backups cannot open it either); their cases and
    /// figures stay. Stop the server first; a running one erases with
    /// CitizenRecordService.EraseCitizen.
    Erase {
        /// A case of the citizen, by number: 1405-000123.
        #[arg(long = "case", value_name = "NUMBER")]
        case_number: String,
        /// Why, for the audit log.
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// The units' scorecards of one Jalali quarter, as CSV (UTF-8 with BOM).
    Scores {
        /// Year and quarter, spring = 1: 1405-3.
        #[arg(long, value_name = "YYYY-Q")]
        quarter: String,
        /// Write an .xlsx spreadsheet instead of CSV.
        #[arg(long)]
        xlsx: bool,
        /// The file to write [default: scores-YYYY-Q.csv or .xlsx].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum CatalogCommand {
    /// Replace every topic with those of a CSV file, all at once or not at all.
    Import {
        /// Topics CSV with the columns of catalog/topics.csv.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colour codes would end up in log files and journals.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let result = match cli.command {
        Some(Command::HashToken) => hash_token_from_stdin(),
        Some(Command::Catalog {
            command: CatalogCommand::Import { ref file },
        }) => import_topics(&cli, file),
        Some(Command::Audit {
            command: AuditCommand::Verify,
        }) => verify_audit(&cli),
        Some(Command::Keys {
            command: KeysCommand::Rotate,
        }) => rotate_keys(&cli),
        Some(Command::Citizen {
            command:
                CitizenCommand::Erase {
                    ref case_number,
                    ref reason,
                },
        }) => erase_citizen(&cli, case_number, reason),
        Some(Command::Report {
            command:
                ReportCommand::Scores {
                    ref quarter,
                    xlsx,
                    ref out,
                },
        }) => report_scores(&cli, quarter, xlsx, out.clone()),
        None => serve(&cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn rotate_keys(cli: &Cli) -> anyhow::Result<()> {
    let file = file_config(cli)?;
    let (data_dir, key_file) = stopped_store(cli, &file)?;
    let rotated = desk137_server::store::citizens::rotate(
        &data_dir,
        &key_file,
        StoreOptions::default(),
        SystemClock.now_ms(),
    )
    .with_context(|| {
        format!(
            "rotating the keys of the store in {} (is a server running on it? stop it first)",
            data_dir.display()
        )
    })?;
    println!(
        "wrapping key version {} is current; {} citizens re-wrapped; dropped versions {:?}",
        rotated.current, rotated.rewrapped, rotated.dropped
    );
    Ok(())
}

/// Who the audit log names for a change made with the command line.
const CLI_ACTOR: &str = "admin (cli)";

fn erase_citizen(cli: &Cli, case_number: &str, reason: &str) -> anyhow::Result<()> {
    use desk137_server::domain::access::Caller;
    use desk137_server::domain::model::Role;
    let file = file_config(cli)?;
    let (data_dir, key_file) = stopped_store(cli, &file)?;
    // Read, never created: fresh keys would open none of the store's records.
    let secrets = desk137_server::secrets::Secrets::load(&key_file)?;
    let store = Store::open_keyed(&data_dir, StoreOptions::default(), None, Arc::new(secrets))
        .with_context(|| {
            format!(
                "opening the store in {} (is a server running on it? stop it first)",
                data_dir.display()
            )
        })?;
    let number = case_number.trim();
    let Some(case) = store.get_case_by_number(number)? else {
        store.close()?;
        bail!("no case has the number {number:?}");
    };
    let by = Caller {
        name: CLI_ACTOR.into(),
        role: Role::Admin,
        unit_id: String::new(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let erased = runtime.block_on(desk137_server::service::citizens::erase(
        &store,
        case.id,
        None,
        SystemClock.now_ms(),
        by,
        reason,
    ));
    store.close()?;
    let (done, cases) =
        erased.map_err(|e| anyhow::anyhow!("{}", tonic::Status::from(e).message()))?;
    println!(
        "citizen {} erased; {cases} case(s) kept without the number",
        done.citizen.id
    );
    Ok(())
}

/// The store and the key file a command on a stopped server works on: the
/// command line's, else the config file's; the key file beside the store
/// unless one is named.
fn stopped_store(cli: &Cli, file: &FileConfig) -> anyhow::Result<(PathBuf, PathBuf)> {
    let data_dir = cli
        .data
        .clone()
        .or_else(|| file.data.clone())
        .context("no store: give --data DIR (or `data` in the config file)")?;
    let key_file = cli
        .key_file
        .clone()
        .or_else(|| file.key_file.clone())
        .unwrap_or_else(|| desk137_server::secrets::Secrets::default_path(&data_dir));
    Ok((data_dir, key_file))
}

fn file_config(cli: &Cli) -> anyhow::Result<FileConfig> {
    Ok(match &cli.config {
        Some(path) => FileConfig::load(path)?,
        None => FileConfig::default(),
    })
}

fn serve(cli: &Cli) -> anyhow::Result<()> {
    let file = file_config(cli)?;
    let data_dir = cli.data.clone().or(file.data);
    if data_dir.is_none() && !cli.demo {
        bail!(
            "no store: give --data DIR (or `data` in the config file), or --demo for a temporary one"
        );
    }
    let users = match cli.users.clone().or(file.users) {
        Some(path) => load_users(&path)?,
        None if cli.demo => Vec::new(),
        None => bail!("no users: give --users FILE (or `users` in the config file), or --demo"),
    };
    let defaults = ServerConfig::default();
    let key_file = cli.key_file.clone().or(file.key_file);
    let config = ServerConfig {
        key_file,
        data_dir,
        listen: cli.listen.or(file.listen).unwrap_or(defaults.listen),
        demo: cli.demo,
        users,
        cache_capacity_bytes: file
            .cache_capacity_mb
            .map_or(defaults.cache_capacity_bytes, |mb| {
                mb.saturating_mul(1024 * 1024)
            }),
        flush: !cli.no_flush && file.flush.unwrap_or(true),
        sla: file.sla.unwrap_or(defaults.sla),
        attachment_max_bytes: file
            .attachment_max_mb
            .map_or(defaults.attachment_max_bytes, |mb| {
                mb.saturating_mul(1024 * 1024)
            }),
        limits: Limits {
            max_connections: cli
                .max_connections
                .or(file.max_connections)
                .unwrap_or(defaults.limits.max_connections)
                .max(1),
            ..defaults.limits
        },
        tls: match (&cli.tls_cert, &cli.tls_key) {
            (Some(cert), Some(key)) => Some(desk137_server::app::TlsIdentity {
                cert_pem: std::fs::read(cert)
                    .with_context(|| format!("reading {}", cert.display()))?,
                key_pem: std::fs::read(key)
                    .with_context(|| format!("reading {}", key.display()))?,
            }),
            _ => None,
        },
        insecure_plaintext: cli.insecure_plaintext,
        score: file.score.unwrap_or(defaults.score),
        callback: file.callback.clone().unwrap_or(defaults.callback.clone()),
        rewrap_batch: file.rewrap_batch.unwrap_or(defaults.rewrap_batch).max(1),
        sim_clock: cli
            .sim_clock
            .then(|| cli.sim_clock_start.unwrap_or_else(|| SystemClock.now_ms())),
        feed: desk137_server::feed::FeedConfig {
            keep_events: cli.feed_keep_events.unwrap_or(defaults.feed.keep_events),
            keep_ms: cli
                .feed_keep_hours
                .map_or(defaults.feed.keep_ms, |h| i64::from(h) * 3_600_000),
            heartbeat: cli
                .feed_heartbeat_ms
                .map_or(defaults.feed.heartbeat, std::time::Duration::from_millis),
            ..defaults.feed
        },
    };
    desk137_server::listener::raise_open_files_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let server = app::start(config, Arc::new(SystemClock)).await?;
        let signal = stop_signal().await?;
        tracing::info!(signal, "stopping: finishing calls in flight");
        server.shutdown().await
    })
}

#[cfg(unix)]
async fn stop_signal() -> anyhow::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.map(|()| "SIGINT").context("listening for SIGINT"),
        _ = term.recv() => Ok("SIGTERM"),
    }
}

#[cfg(not(unix))]
async fn stop_signal() -> anyhow::Result<&'static str> {
    tokio::signal::ctrl_c()
        .await
        .context("listening for Ctrl-C")?;
    Ok("Ctrl-C")
}

fn hash_token_from_stdin() -> anyhow::Result<()> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the token from stdin")?;
    let token = input.trim();
    if token.is_empty() {
        bail!("no token on stdin");
    }
    if token.contains(char::is_whitespace) {
        bail!("a token is one word: no spaces or line breaks inside");
    }
    println!("{}", hash_token(token));
    Ok(())
}

fn import_topics(cli: &Cli, file: &std::path::Path) -> anyhow::Result<()> {
    let data_dir = match cli.data.clone() {
        Some(dir) => dir,
        None => file_config(cli)?
            .data
            .context("no store: give --data DIR (or `data` in the config file)")?,
    };
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    // Parse before opening the store: a bad row changes nothing.
    let topics = parse_topics(&file.display().to_string(), &text)?;
    let store = Store::open(&data_dir, StoreOptions::default()).with_context(|| {
        format!(
            "opening the store in {} (is a server running on it?)",
            data_dir.display()
        )
    })?;
    let outcome = store.import_topics(topics)?;
    store.close()?;
    println!(
        "{} topics replaced by {}{}",
        outcome.topics_before,
        outcome.topics_after,
        if outcome.installed_defaults {
            " (with the default regions and units)"
        } else {
            ""
        }
    );
    Ok(())
}

fn verify_audit(cli: &Cli) -> anyhow::Result<()> {
    use desk137_server::audit_chain::{ChainKey, checkpoint, verify};
    let file = file_config(cli)?;
    let (data_dir, key_file) = stopped_store(cli, &file)?;
    // Read, never created: a verifier with fresh keys would find every link broken.
    let secrets = desk137_server::secrets::Secrets::load(&key_file)?;
    let checkpoint_path = checkpoint::default_path(&data_dir);
    let cp = checkpoint::load(&checkpoint_path)?;
    let (_db, audit, counters) = verify::open_stopped(&data_dir)?;
    let report = verify::verify(&audit, &counters, &ChainKey::new(&secrets.audit), cp)?;
    if report.intact() {
        println!(
            "the audit log is intact: {} entries, head {} at entry {}",
            report.entries,
            report.head.hex(),
            report.head.seq
        );
        if let Some(cp) = report.checkpoint {
            println!(
                "the checkpoint {} names entry {}, which matches",
                checkpoint_path.display(),
                cp.seq
            );
        }
        return Ok(());
    }
    for problem in &report.problems {
        println!("{problem}");
    }
    bail!(
        "the audit log was tampered with: {} problem(s), the first at {}",
        report.problems.len(),
        report
            .problems
            .first()
            .map(ToString::to_string)
            .unwrap_or_default()
    )
}

fn report_scores(cli: &Cli, quarter: &str, xlsx: bool, out: Option<PathBuf>) -> anyhow::Result<()> {
    use desk137_server::domain::quarter::Quarter;
    let Some(q) = Quarter::parse(quarter) else {
        bail!("--quarter {quarter:?}: give a Jalali year and quarter 1 to 4, such as 1405-3");
    };
    let file = file_config(cli)?;
    let data_dir = cli
        .data
        .clone()
        .or(file.data)
        .context("no store: give --data DIR (or `data` in the config file)")?;
    let options = StoreOptions {
        score: file.score.unwrap_or_default(),
        ..StoreOptions::default()
    };
    let store = Store::open(&data_dir, options).with_context(|| {
        format!(
            "opening the store in {} (is a server running on it?)",
            data_dir.display()
        )
    })?;
    let catalog = match store.load_catalog()? {
        Some(c) => c,
        None => desk137_server::domain::catalog::Catalog::default_catalog()?,
    };
    let cards = desk137_server::service::scorecards::build(&store, &catalog, q)?;
    store.close()?;
    let out = out.unwrap_or_else(|| {
        PathBuf::from(format!("scores-{q}.{}", if xlsx { "xlsx" } else { "csv" }))
    });
    desk137_server::report::write(&out, q, &cards, &catalog, xlsx)?;
    println!("{} units of {q} written to {}", cards.len(), out.display());
    Ok(())
}
