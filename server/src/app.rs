//! Starting and stopping a whole server: store, catalog, users, and the gRPC
//! services with health and reflection. The binary, `desk137 demo` and the
//! end-to-end tests all start the server through [`start`].

use crate::auth::{self, Users};
use crate::domain::catalog::Catalog;
use crate::domain::clock::{SharedClock, SimClock};
use crate::domain::sla::SlaPolicy;
use crate::feed::{FeedConfig, Hub};
use crate::in_flight::InFlight;
use crate::listener::{self, Limits};
use crate::refusals::Refusals;
use crate::secrets::Secrets;
use crate::service::{
    AttachmentApi, AuditApi, CaseApi, CatalogApi, CitizenApi, ClockApi, Context, DashboardApi,
    FeedApi, FeedbackApi, PortalApi, PresenceApi, ScorecardApi, SessionApi,
};
use crate::sla_worker;
use crate::store::{CommitHook, DEFAULT_CACHE_CAPACITY_BYTES, Store, StoreOptions};
use anyhow::Context as _;
use desk137_proto::v1::attachment_service_server::AttachmentServiceServer;
use desk137_proto::v1::audit_service_server::AuditServiceServer;
use desk137_proto::v1::case_service_server::CaseServiceServer;
use desk137_proto::v1::catalog_service_server::CatalogServiceServer;
use desk137_proto::v1::citizen_record_service_server::CitizenRecordServiceServer;
use desk137_proto::v1::citizen_service_server::CitizenServiceServer;
use desk137_proto::v1::clock_service_server::ClockServiceServer;
use desk137_proto::v1::dashboard_service_server::DashboardServiceServer;
use desk137_proto::v1::feed_service_server::FeedServiceServer;
use desk137_proto::v1::feedback_service_server::FeedbackServiceServer;
use desk137_proto::v1::presence_service_server::PresenceServiceServer;
use desk137_proto::v1::scorecard_service_server::ScorecardServiceServer;
use desk137_proto::v1::session_service_server::SessionServiceServer;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 7137);

/// How long a shutdown waits for calls in flight before it stops waiting.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// Once no call is in flight, how long the last responses get to leave.
const DRAIN_GRACE: Duration = Duration::from_millis(500);

/// HTTP/2 limits, so clients that open streams and never read their answers
/// cannot pin the server's memory: a bounded number of streams per
/// connection, bounded flow-control windows (what a peer may make the server
/// buffer), bounded headers and request messages, keep-alive pings that drop
/// dead peers, and a deadline on every call.
pub(crate) mod h2 {
    use std::time::Duration;

    /// Streams one connection may open. Kept above what `answers` lets a
    /// connection have at once (answers alive plus calls waiting), so a
    /// client's burst waits there instead of being refused by HTTP/2 once
    /// the client learns this limit; what a stream can pin is bounded by
    /// `answers`, and unread request bytes by the connection window.
    pub const MAX_CONCURRENT_STREAMS: u32 = 1024;
    pub const STREAM_WINDOW: u32 = 256 * 1024;
    pub const CONNECTION_WINDOW: u32 = 1024 * 1024;
    pub const MAX_HEADER_LIST: u32 = 16 * 1024;
    pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(20);
    pub const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);
    pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);
    /// The largest request message: a case is a few KB of text.
    pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `None`: a temporary store, removed on shutdown.
    pub data_dir: Option<PathBuf>,
    /// The server's keys; `None`: beside the store (`DIR.key`), or keys of
    /// the process's own for a temporary store.
    pub key_file: Option<PathBuf>,
    pub listen: SocketAddr,
    /// Serve the demo users `agent1`, `dispatcher1`, `unit1`, `supervisor1`,
    /// `admin1`, each with its name as token.
    pub demo: bool,
    /// From the users file. Outside demo mode, users with a demo name or a
    /// demo token are left out.
    pub users: Vec<auth::User>,
    pub cache_capacity_bytes: u64,
    /// Flush before acknowledging a write; off only for benchmark comparisons.
    pub flush: bool,
    pub sla: SlaPolicy,
    /// The largest attachment accepted, in bytes.
    pub attachment_max_bytes: u64,
    /// How many connections, and how long a new one may stay silent.
    pub limits: Limits,
    /// The certificate chain and private key, PEM: serve TLS.
    pub tls: Option<TlsIdentity>,
    /// Serve plaintext on an address other than loopback. Bearer tokens then
    /// cross the network in clear: only for a network that is itself secure.
    pub insecure_plaintext: bool,
    /// Run on a simulated clock starting at this time (epoch ms) instead of
    /// the clock `start` is given, and serve `ClockService.Advance`.
    pub sim_clock: Option<i64>,
    /// The live feed: heartbeat, buffers, history kept.
    pub feed: FeedConfig,
    /// The 137 score's settings (the scorecards are kept under them).
    pub score: crate::domain::score::ScoreConfig,
    /// The call-back queue's retry delay, tries and lease.
    pub callback: crate::domain::feedback::CallBackPolicy,
    /// Citizens re-wrapped per writer job by a rotation while serving.
    pub rewrap_batch: usize,
}

/// A server certificate chain and its private key, both PEM.
#[derive(Clone)]
pub struct TlsIdentity {
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of any log or panic message.
        f.write_str("TlsIdentity { .. }")
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            data_dir: None,
            key_file: None,
            listen: DEFAULT_LISTEN,
            demo: false,
            users: Vec::new(),
            cache_capacity_bytes: DEFAULT_CACHE_CAPACITY_BYTES,
            flush: true,
            sla: SlaPolicy::default(),
            attachment_max_bytes: crate::domain::media::DEFAULT_MAX_BYTES,
            limits: Limits::default(),
            tls: None,
            insecure_plaintext: false,
            sim_clock: None,
            feed: FeedConfig::default(),
            score: crate::domain::score::ScoreConfig::default(),
            callback: crate::domain::feedback::CallBackPolicy::default(),
            rewrap_batch: crate::store::citizens::ONLINE_REWRAP_BATCH,
        }
    }
}

/// A server serving in the background.
#[derive(Debug)]
pub struct RunningServer {
    /// Where it listens: with port 0 in the config, the port it got.
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    health: tonic_health::server::HealthReporter,
    serving: JoinHandle<Result<(), tonic::transport::Error>>,
    in_flight: InFlight,
    store: Store,
    /// Keeps the audit log's checkpoint; none for a temporary store.
    audit_keeper: Option<crate::audit_chain::watch::Keeper>,
    /// Removed when the server is dropped.
    temporary: Option<tempfile::TempDir>,
    sla_worker: JoinHandle<()>,
    hub: Arc<Hub>,
    feed_trim: JoinHandle<()>,
}

impl RunningServer {
    /// Stops accepting, lets calls in flight finish, then flushes and closes
    /// the store (and removes it if it was temporary).
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let Self {
            stop,
            health,
            mut serving,
            in_flight,
            store,
            audit_keeper,
            temporary,
            sla_worker,
            hub,
            feed_trim,
            ..
        } = self;
        sla_worker.abort();
        feed_trim.abort();
        // Watchers end now, told where to resume, instead of holding the drain.
        hub.close();
        // Health checkers see the server going before its port closes.
        health
            .set_not_serving::<CatalogServiceServer<CatalogApi>>()
            .await;
        health
            .set_not_serving::<SessionServiceServer<SessionApi>>()
            .await;
        health.set_not_serving::<CaseServiceServer<CaseApi>>().await;
        health
            .set_not_serving::<AttachmentServiceServer<AttachmentApi>>()
            .await;
        health
            .set_not_serving::<CitizenServiceServer<PortalApi>>()
            .await;
        health
            .set_service_status("", tonic_health::ServingStatus::NotServing)
            .await;
        // The server may already have stopped on its own; then there is no one to tell.
        let _ = stop.send(());
        // Wait for the calls, not for connections that merely stay open: an
        // idle client must not hold the shutdown for the whole drain timeout.
        if !in_flight.wait_idle(DRAIN_TIMEOUT).await {
            tracing::warn!(
                calls = in_flight.calls(),
                "calls still in flight after {DRAIN_TIMEOUT:?}; stopping anyway"
            );
        }
        match tokio::time::timeout(DRAIN_GRACE, &mut serving).await {
            Ok(joined) => joined
                .context("the server task failed")?
                .context("the server failed")?,
            Err(_) => serving.abort(),
        }
        tokio::task::spawn_blocking(move || store.close())
            .await
            .context("closing the store")?
            .context("closing the store")?;
        if let Some(keeper) = audit_keeper {
            keeper.finish().await?;
        }
        if let Some(dir) = temporary {
            dir.close().context("removing the temporary store")?;
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Opens the store (storing the default catalog on first start), binds, and
/// serves in a spawned task until [`RunningServer::shutdown`].
pub async fn start(config: ServerConfig, clock: SharedClock) -> anyhow::Result<RunningServer> {
    let loopback = config.listen.ip().is_loopback();
    if config.tls.is_none() && !loopback {
        anyhow::ensure!(
            config.insecure_plaintext,
            "refusing to serve plaintext on {}: tokens would cross the network in clear; \
             give --tls-cert and --tls-key, or --insecure-plaintext on a network that is itself secure",
            config.listen
        );
        tracing::warn!(listen = %config.listen, "serving plaintext off loopback: tokens cross the network in clear");
    }
    let (temporary, path) = match &config.data_dir {
        Some(dir) => (None, dir.clone()),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("desk137-")
                .tempdir()
                .context("creating a temporary store")?;
            let path = dir.path().to_owned();
            (Some(dir), path)
        }
    };
    if let (Some(file), Some(dir)) = (&config.key_file, &config.data_dir) {
        // A copy of the store must not carry the keys that open it.
        let inside = |f: &Path| {
            std::path::absolute(f)
                .is_ok_and(|f| std::path::absolute(dir).is_ok_and(|d| f.starts_with(d)))
        };
        anyhow::ensure!(
            !inside(file),
            "the key file {} is inside the data directory {}: keep it apart, so a copy of the store alone reveals nothing",
            file.display(),
            dir.display()
        );
    }
    let secrets = match (&config.key_file, &config.data_dir) {
        (Some(file), _) => Secrets::load_or_create(file)?,
        (None, Some(dir)) => Secrets::load_or_create(&Secrets::default_path(dir))?,
        (None, None) => Secrets::ephemeral()?,
    };
    let options = StoreOptions {
        cache_capacity_bytes: config.cache_capacity_bytes,
        flush: config.flush,
        score: config.score,
    };
    if !config.flush {
        tracing::warn!("flush is off: acknowledged cases can be lost in a crash");
    }
    let (clock, sim) = match config.sim_clock {
        Some(at) => {
            let sim = SimClock::at(at);
            tracing::info!(at_ms = at, "running on a simulated clock");
            (Arc::new(sim.clone()) as SharedClock, Some(sim))
        }
        None => (clock, None),
    };
    let (waker, wake) = sla_worker::channel();
    let hook_waker = waker.clone();
    let hub = Hub::new(config.feed.buffer);
    let hook_hub = hub.clone();
    let hook: CommitHook = Arc::new(move |batch| {
        hook_waker.on_commit(batch);
        hook_hub.publish();
    });
    let key_file = match (&config.key_file, &config.data_dir) {
        (Some(file), _) => Some(file.clone()),
        (None, Some(dir)) => Some(Secrets::default_path(dir)),
        (None, None) => None,
    };
    let store_secrets = Arc::new(secrets);
    let (store, catalog) =
        tokio::task::spawn_blocking(move || open_store(path, options, hook, store_secrets))
            .await
            .context("opening the store")??;
    hub.attach(
        store.feed_reader(),
        catalog.coordination_unit().map(|u| u.id.clone()),
    )
    .context("reading the feed's sequence")?;
    // A temporary store goes with its process: nothing to keep a head for.
    let checkpoint = config
        .data_dir
        .as_deref()
        .map(crate::audit_chain::checkpoint::default_path);
    let written = match &checkpoint {
        Some(path) => {
            let (s, p) = (store.clone(), path.clone());
            Some(
                tokio::task::spawn_blocking(move || {
                    crate::audit_chain::watch::check_at_start(&s, &p)
                })
                .await
                .context("checking the audit log")??,
            )
        }
        None => None,
    };
    sla_worker::recompute_if_changed(&store, &config.sla, clock.now_ms())
        .await
        .context("recomputing the clocks of open cases")?;
    let users = Users::new(config.users, config.demo, &catalog)?;
    if users.is_empty() {
        tracing::warn!("no users: every call will be refused");
    }
    let changes = store
        .record_staff(users.staff(), clock.now_ms())
        .await
        .context("recording staff role changes in the audit log")?;
    if !changes.is_empty() {
        tracing::info!(entries = changes.len(), "recorded staff role changes");
    }
    let audit_keeper = checkpoint.zip(written).map(|(path, written)| {
        crate::audit_chain::watch::Keeper::spawn(&store, path, clock.clone(), written)
    });
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;

    let ctx = Context {
        store: store.clone(),
        catalog: Arc::new(catalog),
        users: Arc::new(users),
        clock,
        sla: config.sla,
        demo: config.demo,
        keys: Arc::new(crate::store::citizens::KeyRotation::new(
            store.clone(),
            key_file,
            config.rewrap_batch,
        )),
        readers: Arc::new(tokio::sync::Semaphore::new(crate::service::READS_AT_ONCE)),
        callback: config.callback.clone(),
        score: config.score.sane(),
        callbacks: Arc::new(crate::store::callbacks::CallBacks::new(store.clone())),
    };
    // What fell due while the server was down is applied before it serves.
    sla_worker::catch_up(&ctx.store, &ctx.sla, ctx.clock.now_ms())
        .await
        .context("applying the deadlines that passed while stopped")?;
    let sla_worker = tokio::spawn(sla_worker::run(
        store.clone(),
        ctx.sla.clone(),
        ctx.clock.clone(),
        sim.is_some(),
        wake,
    ));
    let feed_trim = tokio::spawn(crate::feed::trim_forever(
        hub.clone(),
        ctx.clock.clone(),
        config.feed.clone(),
    ));
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<CatalogServiceServer<CatalogApi>>()
        .await;
    health
        .set_serving::<SessionServiceServer<SessionApi>>()
        .await;
    health.set_serving::<CaseServiceServer<CaseApi>>().await;
    health
        .set_serving::<AttachmentServiceServer<AttachmentApi>>()
        .await;
    health.set_serving::<AuditServiceServer<AuditApi>>().await;
    health
        .set_serving::<CitizenServiceServer<PortalApi>>()
        .await;
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(desk137_proto::v1::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1().context("building reflection v1")?;
    let reflection_v1alpha = reflection()
        .build_v1alpha()
        .context("building reflection v1alpha")?;

    let in_flight = InFlight::default();
    let refusals = Refusals::new(ctx.clock.clone());
    let mut builder = tonic::transport::Server::builder();
    if let Some(tls) = &config.tls {
        let identity = tonic::transport::Identity::from_pem(&tls.cert_pem, &tls.key_pem);
        builder = builder
            .tls_config(tonic::transport::ServerTlsConfig::new().identity(identity))
            .context("the TLS certificate and key")?;
    }
    let router = builder
        .max_concurrent_streams(h2::MAX_CONCURRENT_STREAMS)
        .initial_stream_window_size(h2::STREAM_WINDOW)
        .initial_connection_window_size(h2::CONNECTION_WINDOW)
        .http2_max_header_list_size(h2::MAX_HEADER_LIST)
        .http2_keepalive_interval(Some(h2::KEEPALIVE_INTERVAL))
        .http2_keepalive_timeout(Some(h2::KEEPALIVE_TIMEOUT))
        .timeout(h2::CALL_TIMEOUT)
        .layer(in_flight.clone())
        .layer(refusals)
        .layer(crate::answers::AnswersLayer)
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(
            CatalogServiceServer::new(CatalogApi(ctx.clone()))
                .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            SessionServiceServer::new(SessionApi(ctx.clone()))
                .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            AttachmentServiceServer::new(AttachmentApi::new(
                ctx.clone(),
                config.attachment_max_bytes,
            ))
            .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            ClockServiceServer::new(ClockApi {
                ctx: ctx.clone(),
                sim,
                waker,
            })
            .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            AuditServiceServer::new(AuditApi(ctx.clone()))
                .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            CitizenRecordServiceServer::new(CitizenApi(ctx.clone()))
                .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            FeedServiceServer::new(FeedApi {
                ctx: ctx.clone(),
                hub: hub.clone(),
                config: config.feed.clone(),
            })
            .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            PresenceServiceServer::new(PresenceApi(ctx.clone()))
                .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            DashboardServiceServer::new(DashboardApi(ctx.clone()))
                .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            FeedbackServiceServer::new(FeedbackApi(ctx.clone()))
                .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            ScorecardServiceServer::new(ScorecardApi(ctx.clone()))
                .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            CitizenServiceServer::new(PortalApi(ctx.clone()))
                .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            desk137_proto::v1::key_service_server::KeyServiceServer::new(crate::service::KeyApi(
                ctx.clone(),
            ))
            .max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        )
        .add_service(
            CaseServiceServer::new(CaseApi(ctx)).max_decoding_message_size(h2::MAX_REQUEST_BYTES),
        );
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(router.serve_with_incoming_shutdown(
        listener::incoming(listener, config.limits),
        async {
            // A dropped sender also stops the server.
            let _ = stopped.await;
        },
    ));
    tracing::info!(%addr, demo = config.demo, tls = config.tls.is_some(), "serving desk137.v1");
    Ok(RunningServer {
        addr,
        stop,
        health,
        serving,
        in_flight,
        store,
        audit_keeper,
        temporary,
        sla_worker,
        hub,
        feed_trim,
    })
}

fn open_store(
    path: PathBuf,
    options: StoreOptions,
    hook: CommitHook,
    secrets: Arc<Secrets>,
) -> anyhow::Result<(Store, Catalog)> {
    let store = Store::open_keyed(&path, options, Some(hook), secrets)
        .with_context(|| format!("opening the store in {}", path.display()))?;
    let catalog = match store.load_catalog()? {
        Some(catalog) => catalog,
        None => {
            let catalog = Catalog::default_catalog().context("the default catalog")?;
            store.save_catalog(&catalog)?;
            tracing::info!(topics = catalog.topics.len(), "stored the default catalog");
            catalog
        }
    };
    Ok((store, catalog))
}
