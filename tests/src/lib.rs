//! Starts real desk137 servers on 127.0.0.1:0 with a temporary store, on a
//! simulated clock, and connects gRPC clients to them with a token.

/// Synthetic cases for measuring the store at scale (`desk137-gen`).
pub mod r#gen;
pub mod leaks;
/// The parts of the load driver, shared with the crash test.
pub mod load;

use anyhow::Context as _;
use desk137_domain::catalog::Catalog;
use desk137_domain::clock::SimClock;
use desk137_domain::validate::Reason;
use desk137_server::app::{self, RunningServer, ServerConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

pub use desk137_proto::v1 as pb;
use pb::attachment_service_client::AttachmentServiceClient;
use pb::audit_service_client::AuditServiceClient;
use pb::case_service_client::CaseServiceClient;
use pb::catalog_service_client::CatalogServiceClient;
use pb::citizen_record_service_client::CitizenRecordServiceClient;
use pb::clock_service_client::ClockServiceClient;
use pb::session_service_client::SessionServiceClient;

/// 2026-11-28 10:00 UTC: 7 Azar 1405, 13:30 in Isfahan.
pub const SIM_START_MS: i64 = 1_795_860_000_000;
pub const SIM_JALALI_YEAR: i32 = 1405;
pub const HOUR_MS: i64 = 3_600_000;

/// A server under test and the directory its store lives in.
pub struct TestServer {
    server: Option<RunningServer>,
    pub addr: SocketAddr,
    pub clock: SimClock,
    config: ServerConfig,
    /// Outlives restarts; removed when the test ends.
    pub dir: tempfile::TempDir,
}

impl TestServer {
    /// A demo server: the demo users with their names as tokens.
    pub async fn demo() -> anyhow::Result<Self> {
        Self::start(ServerConfig {
            demo: true,
            ..ServerConfig::default()
        })
        .await
    }

    /// A server with `config`, but on 127.0.0.1:0 and a fresh temporary store.
    pub async fn start(config: ServerConfig) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let config = ServerConfig {
            data_dir: Some(dir.path().join("data")),
            listen: "127.0.0.1:0".parse()?,
            ..config
        };
        let clock = SimClock::at(SIM_START_MS);
        let server = app::start(config.clone(), Arc::new(clock.clone())).await?;
        Ok(Self {
            addr: server.addr,
            server: Some(server),
            clock,
            config,
            dir,
        })
    }

    /// Stops the server gracefully and starts a new one on the same store.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        if let Some(server) = self.server.take() {
            server.shutdown().await?;
        }
        let server = app::start(self.config.clone(), Arc::new(self.clock.clone())).await?;
        self.addr = server.addr;
        self.server = Some(server);
        Ok(())
    }

    /// Stops the server gracefully and keeps its store, for a test to open.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        match self.server.take() {
            Some(server) => server.shutdown().await,
            None => Ok(()),
        }
    }

    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        match self.server.take() {
            Some(server) => server.shutdown().await,
            None => Ok(()),
        }
    }

    pub async fn channel(&self) -> anyhow::Result<Channel> {
        Ok(Endpoint::from_shared(format!("http://{}", self.addr))?
            .connect()
            .await?)
    }

    /// Clients that send `authorization: Bearer <token>`, or nothing for `None`.
    pub async fn clients(&self, token: Option<&str>) -> anyhow::Result<Clients> {
        Clients::connect(self.addr, token).await
    }

    /// Clients with `token`.
    pub async fn as_user(&self, token: &str) -> anyhow::Result<Clients> {
        self.clients(Some(token)).await
    }
}

impl Clients {
    /// Clients of the server at `addr` (a spawned binary, say) with `token`.
    pub async fn connect(addr: SocketAddr, token: Option<&str>) -> anyhow::Result<Self> {
        let channel = Endpoint::from_shared(format!("http://{addr}"))?
            .connect()
            .await?;
        let bearer = Bearer::new(token)?;
        Ok(Clients {
            cases: CaseServiceClient::with_interceptor(channel.clone(), bearer.clone()),
            catalog: CatalogServiceClient::with_interceptor(channel.clone(), bearer.clone()),
            attachments: AttachmentServiceClient::with_interceptor(channel.clone(), bearer.clone()),
            session: SessionServiceClient::with_interceptor(channel.clone(), bearer.clone()),
            audit: AuditServiceClient::with_interceptor(channel.clone(), bearer.clone()),
            citizens: CitizenRecordServiceClient::with_interceptor(channel.clone(), bearer.clone()),
            clock: ClockServiceClient::with_interceptor(channel.clone(), bearer.clone()),
            feed: pb::feed_service_client::FeedServiceClient::with_interceptor(
                channel.clone(),
                bearer.clone(),
            ),
            presence: pb::presence_service_client::PresenceServiceClient::with_interceptor(
                channel.clone(),
                bearer.clone(),
            ),
            dashboard: pb::dashboard_service_client::DashboardServiceClient::with_interceptor(
                channel.clone(),
                bearer.clone(),
            ),
            feedback: pb::feedback_service_client::FeedbackServiceClient::with_interceptor(
                channel.clone(),
                bearer.clone(),
            ),
            scorecards: pb::scorecard_service_client::ScorecardServiceClient::with_interceptor(
                channel.clone(),
                bearer.clone(),
            ),
            portal: pb::citizen_service_client::CitizenServiceClient::with_interceptor(
                channel.clone(),
                bearer.clone(),
            ),
            keys: pb::key_service_client::KeyServiceClient::with_interceptor(
                channel.clone(),
                bearer.clone(),
            ),
        })
    }
}

/// Adds the bearer token to every call.
#[derive(Debug, Clone)]
pub struct Bearer(Option<MetadataValue<Ascii>>);

impl Bearer {
    pub fn new(token: Option<&str>) -> anyhow::Result<Self> {
        let value = token
            .map(|t| format!("Bearer {t}").parse())
            .transpose()
            .context("a token must be printable ASCII")?;
        Ok(Self(value))
    }
}

impl Interceptor for Bearer {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(value) = &self.0 {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        Ok(request)
    }
}

type Authed = InterceptedService<Channel, Bearer>;

pub struct Clients {
    pub cases: CaseServiceClient<Authed>,
    pub catalog: CatalogServiceClient<Authed>,
    pub session: SessionServiceClient<Authed>,
    pub attachments: AttachmentServiceClient<Authed>,
    pub clock: ClockServiceClient<Authed>,
    pub audit: AuditServiceClient<Authed>,
    pub citizens: CitizenRecordServiceClient<Authed>,
    pub feed: pb::feed_service_client::FeedServiceClient<Authed>,
    pub presence: pb::presence_service_client::PresenceServiceClient<Authed>,
    pub dashboard: pb::dashboard_service_client::DashboardServiceClient<Authed>,
    pub feedback: pb::feedback_service_client::FeedbackServiceClient<Authed>,
    pub scorecards: pb::scorecard_service_client::ScorecardServiceClient<Authed>,
    /// CitizenService, the portal's.
    pub portal: pb::citizen_service_client::CitizenServiceClient<Authed>,
    pub keys: pb::key_service_client::KeyServiceClient<Authed>,
}

impl Clients {
    /// Uploads `content` to case `case_id` in 64 KiB messages, declaring its
    /// real size.
    pub async fn upload(
        &mut self,
        case_id: u64,
        name: &str,
        media_type: &str,
        content: &[u8],
    ) -> Result<pb::Attachment, tonic::Status> {
        let header = pb::UploadHeader {
            case_id,
            name: name.into(),
            media_type: media_type.into(),
            size: content.len() as u64,
        };
        self.upload_parts(header, content.chunks(64 * 1024).map(<[u8]>::to_vec))
            .await
    }

    /// Uploads with the header as given, then `chunks` as data messages.
    pub async fn upload_parts(
        &mut self,
        header: pb::UploadHeader,
        chunks: impl IntoIterator<Item = Vec<u8>>,
    ) -> Result<pb::Attachment, tonic::Status> {
        use pb::upload_request::Part;
        let messages: Vec<pb::UploadRequest> = std::iter::once(Part::Header(header))
            .chain(chunks.into_iter().map(Part::Data))
            .map(|part| pb::UploadRequest { part: Some(part) })
            .collect();
        let response = self
            .attachments
            .upload(tokio_stream::iter(messages))
            .await?;
        response
            .into_inner()
            .attachment
            .ok_or_else(|| tonic::Status::internal("the upload answered no attachment"))
    }

    /// Downloads an attachment: its record and its content.
    pub async fn download(
        &mut self,
        case_id: u64,
        attachment_id: &str,
    ) -> Result<(pb::Attachment, Vec<u8>), tonic::Status> {
        let stream = self
            .attachments
            .download(pb::DownloadRequest {
                case_id,
                attachment_id: attachment_id.into(),
            })
            .await?
            .into_inner();
        read_download(stream).await
    }
}

/// The `desk137-server` binary run as a demo on a simulated clock, over a
/// store that outlives it, so a test can kill it and start it again where
/// its time was.
pub struct Spawned {
    child: std::process::Child,
    pub addr: SocketAddr,
    /// Every line the server logged so far.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Spawned {
    /// Starts the binary on the store in `data`, its clock at `at_ms`.
    pub fn start(data: &std::path::Path, at_ms: i64) -> anyhow::Result<Self> {
        Self::start_with(data, at_ms, &[])
    }

    /// [`Spawned::start`] with more arguments: `--config FILE`, ...
    pub fn start_with(
        data: &std::path::Path,
        at_ms: i64,
        more: &[&std::ffi::OsStr],
    ) -> anyhow::Result<Self> {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new(server_binary()?)
            .args(more)
            .arg("--demo")
            .arg("--data")
            .arg(data)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--sim-clock",
                "--sim-clock-start",
            ])
            .arg(at_ms.to_string())
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()?;
        let stderr = child.stderr.take().context("no stderr")?;
        let (addr_tx, addr_rx) = std::sync::mpsc::channel::<String>();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let lines = log.clone();
        // Keep reading so the child never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(addr) = line
                    .split("addr=")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                {
                    let _ = addr_tx.send(addr.to_owned());
                }
                if let Ok(mut log) = lines.lock() {
                    log.push(line);
                }
            }
        });
        let addr = match addr_rx.recv_timeout(std::time::Duration::from_secs(120)) {
            Ok(addr) => addr.parse()?,
            Err(_) => {
                let _ = child.kill();
                anyhow::bail!(
                    "the server did not start: {:?}",
                    log.lock().map(|l| l.clone())
                );
            }
        };
        Ok(Self { child, addr, log })
    }

    pub async fn as_user(&self, token: &str) -> anyhow::Result<Clients> {
        Clients::connect(self.addr, Some(token)).await
    }

    /// The server's process id, to sample its memory.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown, no flush, nothing the server could finish.
    pub fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The id of the default catalog's topic with this Persian title.
pub fn topic_id(title_fa: &str) -> String {
    let catalog = Catalog::default_catalog().expect("the default catalog loads");
    catalog
        .topics
        .iter()
        .find(|t| t.title_fa == title_fa)
        .map(|t| t.id.clone())
        .unwrap_or_else(|| panic!("no topic titled {title_fa}"))
}

/// A sidewalk obstruction in region 3: a normal executive case that goes to
/// the region's urban services, the unit of the demo user `unit1`.
pub fn obstruction(request_id: &str) -> pb::CreateCaseRequest {
    pb::CreateCaseRequest {
        request_id: request_id.into(),
        channel: pb::Channel::Phone.into(),
        kind: pb::Kind::Unspecified.into(),
        urgency: pb::Urgency::Unspecified.into(),
        topic_id: topic_id("سد معبر"),
        description: "وانت میوه‌فروشی پیاده‌رو را بسته".into(),
        phone: "۰۹۱۳ ۱۲۳ ۴۵۶۷".into(),
        region: 3,
        address: "خیابان چهارباغ عباسی، نبش کوچه ۱۲".into(),
        landmark: "روبروی مدرسه".into(),
    }
}

/// Downloads a document through the portal: its record and its content.
pub async fn download_my_document(
    portal: &mut pb::citizen_service_client::CitizenServiceClient<Authed>,
    request: pb::DownloadMyDocumentRequest,
) -> Result<(pb::Attachment, Vec<u8>), tonic::Status> {
    let stream = portal.download_my_document(request).await?.into_inner();
    read_download(stream).await
}

/// A download's answers: the record first, then its content in messages of
/// at most 64 KiB.
async fn read_download(
    mut stream: tonic::Streaming<pb::DownloadResponse>,
) -> Result<(pb::Attachment, Vec<u8>), tonic::Status> {
    use pb::download_response::Part;
    let Some(pb::DownloadResponse {
        part: Some(Part::Attachment(attachment)),
    }) = stream.message().await?
    else {
        return Err(tonic::Status::internal(
            "the first message is not the record",
        ));
    };
    let mut content = Vec::new();
    while let Some(message) = stream.message().await? {
        match message.part {
            Some(Part::Data(data)) => {
                if data.len() > 64 * 1024 {
                    return Err(tonic::Status::internal("a data message over 64 KiB"));
                }
                content.extend_from_slice(&data);
            }
            _ => return Err(tonic::Status::internal("a second record")),
        }
    }
    Ok((attachment, content))
}

/// A refused field as a client reads it from the status details, never from
/// the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedField {
    pub field: String,
    pub reason: Reason,
    /// The limit the value broke, where one applies.
    pub limit: Option<u32>,
    pub description: String,
}

/// Reads a refused field from `status`, checking that it is INVALID_ARGUMENT
/// with one `google.rpc.BadRequest` violation and an `ErrorInfo` of domain
/// desk137.v1 that agree on the field and carry a known [`Reason`].
pub fn refused_field(status: &tonic::Status) -> anyhow::Result<RefusedField> {
    use tonic_types::StatusExt;
    anyhow::ensure!(
        status.code() == tonic::Code::InvalidArgument,
        "{:?} is not INVALID_ARGUMENT: {}",
        status.code(),
        status.message()
    );
    let bad = status
        .get_details_bad_request()
        .context("no google.rpc.BadRequest details")?;
    let [violation] = bad.field_violations.as_slice() else {
        anyhow::bail!("expected one field violation, got {bad:?}");
    };
    let info = status
        .get_details_error_info()
        .context("no google.rpc.ErrorInfo details")?;
    anyhow::ensure!(info.domain == "desk137.v1", "domain {:?}", info.domain);
    let reason: Reason = info
        .reason
        .parse()
        .with_context(|| format!("unknown reason {:?}", info.reason))?;
    anyhow::ensure!(
        violation.reason == info.reason,
        "the violation says {:?}, the info {:?}",
        violation.reason,
        info.reason
    );
    anyhow::ensure!(
        info.metadata.get("field") == Some(&violation.field),
        "the info names {:?}, the violation {:?}",
        info.metadata.get("field"),
        violation.field
    );
    anyhow::ensure!(!violation.description.is_empty(), "no description");
    anyhow::ensure!(
        status.message() == format!("{}: {}", violation.field, violation.description),
        "the message {:?} is not `field: description`",
        status.message()
    );
    let limit = info
        .metadata
        .get("limit")
        .map(|l| l.parse::<u32>())
        .transpose()
        .context("limit is not a number")?;
    Ok(RefusedField {
        field: violation.field.clone(),
        reason,
        limit,
        description: violation.description.clone(),
    })
}

/// The binary `desk137-server`, built on first use into the target directory
/// these tests run from (cargo builds only libraries of dependencies).
pub fn server_binary() -> anyhow::Result<PathBuf> {
    static BUILT: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| build_server_binary().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
}

fn build_server_binary() -> anyhow::Result<PathBuf> {
    // A test runs from <target>/<profile>/deps/<name>.
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .context("the test executable is not in <target>/<profile>/deps")?;
    let target_dir = profile_dir.parent().context("no target directory")?;
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let mut build = std::process::Command::new(env!("CARGO"));
    build
        .args([
            "build",
            "--quiet",
            "-p",
            "desk137-server",
            "--bin",
            "desk137-server",
            "--manifest-path",
        ])
        .arg(manifest)
        .env("CARGO_TARGET_DIR", target_dir);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().context("running cargo build")?;
    anyhow::ensure!(status.success(), "cargo build of desk137-server failed");
    let binary = profile_dir.join(format!("desk137-server{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(binary.exists(), "{} was not built", binary.display());
    Ok(binary)
}

/// A move on `case` as read, with a fresh request id; the test fills in the
/// fields the move needs.
pub fn move_of(case: &pb::Case, mv: pb::Move, request_id: &str) -> pb::MoveCaseRequest {
    pb::MoveCaseRequest {
        request_id: request_id.into(),
        case_id: case.id,
        revision: case.revision,
        r#move: mv.into(),
        ..Default::default()
    }
}

/// The kinds of a case's timeline, oldest first.
pub fn kinds(case: &pb::Case) -> Vec<pb::EventKind> {
    case.events.iter().map(|e| e.kind()).collect()
}

/// The case a create or a move answered with.
pub fn the_case(case: Option<pb::Case>) -> anyhow::Result<pb::Case> {
    case.context("the answer has no case")
}
