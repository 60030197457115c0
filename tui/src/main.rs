//! `desk137`: the terminal of the 137 contact center.

use anyhow::Context;
use clap::{Parser, Subcommand};
use desk137_domain::clock::{SharedClock, SystemClock};
use desk137_tui::app::{App, DEMO_USERS, Settings, Status, Tone};
use desk137_tui::client::Client;
use desk137_tui::config::Config;
use desk137_tui::keymap::Keymap;
use desk137_tui::{classify, logging, run, terminal};
use std::path::PathBuf;
use std::sync::Arc;

const DEFAULT_SERVER: &str = "http://127.0.0.1:7137";

#[derive(Parser)]
#[command(
    name = "desk137",
    version,
    about = "The terminal of the 137 contact center"
)]
struct Cli {
    /// The server, e.g. http://10.0.0.5:7137 [default: from the config, else 127.0.0.1:7137]
    #[arg(long, global = true)]
    server: Option<String>,
    /// The certificate (PEM) an https:// server's chain must lead to
    /// [default: from the config, else the system's roots]
    #[arg(long, global = true, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// The config file [default: desk137/config.toml in the user's config directory]
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// A keymap file merged on top of the shipped keys
    #[arg(long, global = true)]
    keymap: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    #[cfg(feature = "demo")]
    /// Start a demo server in this process and open its screens
    Demo {
        /// Whose screen to open: agent1, dispatcher1, unit1, supervisor1 or admin1
        #[arg(long = "as", default_value = "agent1")]
        user: String,
    },
    /// Print the topics the form would suggest for TEXT, best first:
    /// ID, Persian title, English title, score (tab-separated)
    Classify {
        text: String,
        /// How many topics at most
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
}

fn main() -> std::process::ExitCode {
    match real_main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("desk137: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn real_main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Cmd::Classify { text, limit }) = &cli.command {
        for line in classify::lines(text, *limit)? {
            println!("{line}");
        }
        return Ok(());
    }
    let config = Config::load(cli.config.as_deref())?;
    let keymap = match cli.keymap.as_ref().or(config.keymap.as_ref()) {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Keymap::with_user(&path.display().to_string(), &text)?
        }
        None => Keymap::shipped()?,
    };
    let settings = Settings {
        lang: config.lang,
        calendar: config.calendar,
        bidi: config.bidi,
        keymap,
        id_prefix: format!("{:016x}", rand::random::<u64>()),
    };
    let demo_user: Option<String> = match &cli.command {
        #[cfg(feature = "demo")]
        Some(Cmd::Demo { user }) => {
            if !DEMO_USERS.contains(&user.as_str()) {
                anyhow::bail!("the demo users are {}", DEMO_USERS.join(", "));
            }
            Some(user.clone())
        }
        _ => None,
    };
    let token = match &demo_user {
        Some(user) => user.clone(),
        None => std::env::var("DESK137_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty())
            .or(config.token.clone())
            .context("no token: set DESK137_TOKEN, or token in the config file")?,
    };
    let server = cli
        .server
        .clone()
        .or(config.server.clone())
        .unwrap_or(DEFAULT_SERVER.into());
    let ca = match cli.ca.as_ref().or(config.ca.as_ref()) {
        Some(path) => {
            Some(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?)
        }
        None => None,
    };
    let _log = logging::init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(session(
        settings,
        demo_user,
        server,
        token,
        ca,
        config.opener,
    ))
}

async fn session(
    settings: Settings,
    demo_user: Option<String>,
    server: String,
    token: String,
    ca: Option<Vec<u8>>,
    opener: Option<Vec<String>>,
) -> anyhow::Result<()> {
    let clock: SharedClock = Arc::new(SystemClock);
    let demo_server = if demo_user.is_some() {
        Some(demo::start(clock.clone()).await?)
    } else {
        None
    };
    let server = demo_server
        .as_ref()
        .map_or(server, |s| format!("http://{}", s.addr()));
    tracing::info!(%server, "desk137 starting");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // The demo serves plaintext on loopback: a CA has nothing to check there.
    let ca = if demo_server.is_some() { None } else { ca };
    let mut client = Client::with_ca(&server, &token, ca.as_deref(), tx)?;
    if let Some(opener) = opener {
        client = client.with_opener(opener);
    }
    let mut app = App::new(settings, clock.now_ms());
    app.demo_user = demo_user;
    if let Some(s) = &demo_server {
        // Another terminal can join the same demo as another role.
        app.status = Some(Status {
            text: app
                .lang
                .demo_hint(&s.addr().to_string(), &DEMO_USERS.join(" ")),
            tone: Tone::Info,
            about_connection: false,
        });
    }
    let mut tui = terminal::enter().context("opening the terminal")?;
    let input = crossterm::event::EventStream::new();
    let result = run::run(
        &mut tui,
        &mut app,
        input,
        &client,
        &mut rx,
        clock.as_ref(),
        |_, _| {},
    )
    .await;
    terminal::leave().context("restoring the terminal")?;
    if let Some(s) = demo_server {
        s.shutdown().await?;
    }
    result.context("the screen failed")
}

/// `desk137 demo`: a demo server in this process.
#[cfg(feature = "demo")]
mod demo {
    use anyhow::Context;
    use desk137_domain::clock::SharedClock;
    use desk137_server::app::{RunningServer, ServerConfig, start as start_server};
    use std::net::{Ipv4Addr, SocketAddr};

    pub struct Server(RunningServer);

    impl Server {
        pub fn addr(&self) -> SocketAddr {
            self.0.addr
        }

        pub async fn shutdown(self) -> anyhow::Result<()> {
            self.0.shutdown().await
        }
    }

    pub async fn start(clock: SharedClock) -> anyhow::Result<Server> {
        let config = ServerConfig {
            data_dir: None,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            demo: true,
            // The demo runs on a simulated clock, so the clock key can show
            // a whole escalation ladder in minutes.
            sim_clock: Some(clock.now_ms()),
            ..ServerConfig::default()
        };
        start_server(config, clock)
            .await
            .map(Server)
            .context("starting the demo server")
    }
}

/// Built without the `demo` feature: no server to start, so no demo.
#[cfg(not(feature = "demo"))]
mod demo {
    use desk137_domain::clock::SharedClock;

    /// Never made: there is no demo to run.
    pub enum Server {}

    impl Server {
        pub fn addr(&self) -> std::net::SocketAddr {
            match *self {}
        }

        pub async fn shutdown(self) -> anyhow::Result<()> {
            match self {}
        }
    }

    pub async fn start(_clock: SharedClock) -> anyhow::Result<Server> {
        anyhow::bail!("this desk137 was built without the demo")
    }
}
