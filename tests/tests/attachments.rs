//! Attachments against the real `desk137-server` binary: uploads checked
//! whole before they are kept, content kept once by its SHA-256 and
//! verified on every download, and the units' view of cases held to.

use desk137_domain::validate::Reason;
use desk137_tests::load::spawn::{self, KillOnDrop};
use desk137_tests::{Clients, obstruction, pb, refused_field, server_binary};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tonic::Code;

/// A real 1×1 PNG, as libpng writes it.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\xdac\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\xd6\xa4\xd4\x00\x00\x00\x00IEND\xaeB`\x82";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
/// The limit the test server is configured with.
const LIMIT: u64 = 1024 * 1024;

/// A camera JPEG's header followed by `len` bytes of picture, so the file
/// spans many messages.
fn jpeg(len: usize, seed: u32) -> Vec<u8> {
    let mut bytes = b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00MM\x00*\x00\x00\x00\x08".to_vec();
    let mut x = seed.wrapping_mul(2_654_435_761).max(1);
    bytes.extend((0..len).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as u8
    }));
    bytes.extend_from_slice(b"\xff\xd9");
    bytes
}

/// The binary on a data directory of its own, with a 1 MiB attachment limit.
struct Server {
    child: KillOnDrop,
    addr: SocketAddr,
    dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("desk137.toml"), "attachment_max_mb = 1\n")?;
        let (child, addr) = Self::spawn(dir.path()).await?;
        Ok(Self { child, addr, dir })
    }

    async fn spawn(dir: &Path) -> anyhow::Result<(KillOnDrop, SocketAddr)> {
        let log = dir.join("server.log");
        let config = dir.join("desk137.toml");
        let config = config
            .to_str()
            .ok_or_else(|| anyhow::anyhow!("path is not UTF-8"))?;
        let mut child = spawn::start(
            &server_binary()?,
            &dir.join("data"),
            &["--config", config],
            &log,
        )?;
        let addr = spawn::wait_serving(&mut child, &log, Duration::from_secs(30)).await?;
        Ok((KillOnDrop(child), addr))
    }

    /// Kills the server (SIGKILL) and starts it again on the same directory.
    async fn kill_and_restart(&mut self) -> anyhow::Result<()> {
        self.child.0.kill()?;
        self.child.0.wait()?;
        let (child, addr) = Self::spawn(self.dir.path()).await?;
        self.child = child;
        self.addr = addr;
        Ok(())
    }

    async fn as_user(&self, name: &str) -> anyhow::Result<Clients> {
        Clients::connect(self.addr, Some(name)).await
    }

    fn attachments_dir(&self) -> PathBuf {
        self.dir.path().join("data").join("attachments")
    }

    fn file_of(&self, id: &str) -> PathBuf {
        self.attachments_dir().join(&id[..2]).join(id)
    }

    /// Every content file kept, outside the uploads in progress.
    fn stored_files(&self) -> anyhow::Result<Vec<PathBuf>> {
        let mut found = Vec::new();
        for shard in std::fs::read_dir(self.attachments_dir())? {
            let shard = shard?;
            if shard.file_name() == "tmp" {
                continue;
            }
            for file in std::fs::read_dir(shard.path())? {
                found.push(file?.path());
            }
        }
        Ok(found)
    }

    fn unfinished(&self) -> anyhow::Result<usize> {
        Ok(std::fs::read_dir(self.attachments_dir().join("tmp"))?.count())
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn stop(mut self) -> anyhow::Result<()> {
        spawn::stop(&mut self.child.0, Duration::from_secs(10))?;
        Ok(())
    }
}

/// A case of the demo unit `unit1` (region 3), and one of region 5's.
async fn cases(agent: &mut Clients) -> anyhow::Result<(pb::Case, pb::Case)> {
    let own = agent
        .cases
        .create_case(obstruction("own"))
        .await?
        .into_inner();
    let mut elsewhere = obstruction("elsewhere");
    elsewhere.region = 5;
    let other = agent.cases.create_case(elsewhere).await?.into_inner();
    let (Some(own), Some(other)) = (own.r#case, other.r#case) else {
        anyhow::bail!("a create answered no case");
    };
    assert_ne!(own.unit_id, other.unit_id);
    Ok((own, other))
}

async fn eventually(
    what: &str,
    mut done: impl FnMut() -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let began = Instant::now();
    while !done()? {
        anyhow::ensure!(
            began.elapsed() < Duration::from_secs(10),
            "{what} did not happen"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

#[tokio::test]
async fn files_round_trip_byte_for_byte_are_kept_once_and_survive_a_crash() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let mut agent = server.as_user("agent1").await?;
    let (own, other) = cases(&mut agent).await?;
    let mut unit = server.as_user("unit1").await?;

    let photo = jpeg(300_000, 1);
    let up = unit
        .upload(own.id, "عکس محل.jpg", "image/jpeg", &photo)
        .await?;
    assert_eq!(up.id.len(), 64);
    assert_eq!(
        (
            up.name.as_str(),
            up.media_type.as_str(),
            up.size,
            up.added_by.as_str()
        ),
        ("عکس محل.jpg", "image/jpeg", photo.len() as u64, "unit1")
    );
    assert!(up.added_at_ms > 0);
    let (record, content) = unit.download(own.id, &up.id).await?;
    assert_eq!(record, up);
    assert!(content == photo, "the photo came back changed");
    for (name, media_type, bytes) in [
        ("plan.pdf", "application/pdf", PDF),
        ("dot.png", "IMAGE/PNG", PNG),
    ] {
        let up = agent.upload(own.id, name, media_type, bytes).await?;
        assert_eq!(up.media_type, media_type.to_ascii_lowercase());
        assert_eq!(agent.download(own.id, &up.id).await?.1, bytes);
    }

    // The same photo again, on the same case under another name and on
    // another case: one file, the first record kept on its case.
    let again = agent
        .upload(own.id, "دوباره.jpg", "image/jpeg", &photo)
        .await?;
    assert_eq!(again, up);
    let on_other = agent
        .upload(other.id, "همان.jpg", "image/jpeg", &photo)
        .await?;
    assert_eq!(
        (on_other.id.as_str(), on_other.name.as_str()),
        (up.id.as_str(), "همان.jpg")
    );
    assert_eq!(server.stored_files()?.len(), 3);
    assert_eq!(server.unfinished()?, 0);

    // Acknowledged means on disk: a SIGKILL loses nothing.
    server.kill_and_restart().await?;
    let mut unit = server.as_user("unit1").await?;
    let (record, content) = unit.download(own.id, &up.id).await?;
    assert_eq!(record, up);
    assert!(content == photo);
    let log = server.log();
    assert!(
        !log.contains("09131234567") && !log.contains("۰۹۱۳"),
        "a phone in the log"
    );
    server.stop()
}

#[tokio::test]
async fn an_upload_is_refused_whole_when_its_header_or_bytes_are_wrong() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let mut agent = server.as_user("agent1").await?;
    let (own, _) = cases(&mut agent).await?;
    let header = |name: &str, media_type: &str, size: u64| pb::UploadHeader {
        case_id: own.id,
        name: name.into(),
        media_type: media_type.into(),
        size,
    };

    // Over the limit, declared: refused before any byte is read, naming the limit.
    let status = agent
        .upload_parts(header("big.mp4", "video/mp4", LIMIT + 1), [])
        .await
        .unwrap_err();
    let refused = refused_field(&status)?;
    assert_eq!(
        (refused.field.as_str(), refused.reason, refused.limit),
        ("size", Reason::TooLarge, Some(LIMIT as u32))
    );
    assert!(status.message().contains("1 MiB"), "{}", status.message());
    // A client that declares less than it sends is cut off at what it declared.
    let status = agent
        .upload_parts(
            header("a.jpg", "image/jpeg", 1000),
            jpeg(2000, 2).chunks(500).map(<[u8]>::to_vec),
        )
        .await
        .unwrap_err();
    let refused = refused_field(&status)?;
    assert_eq!(
        (refused.field.as_str(), refused.reason),
        ("data", Reason::SizeMismatch)
    );
    // ... and one that sends less than it declared is refused too.
    let short = jpeg(100, 3);
    let status = agent
        .upload_parts(header("a.jpg", "image/jpeg", 5000), [short])
        .await
        .unwrap_err();
    assert_eq!(refused_field(&status)?.reason, Reason::SizeMismatch);

    // Bytes that are not their declared kind, and kinds not on the list.
    let status = agent
        .upload(own.id, "photo.jpg", "image/jpeg", PDF)
        .await
        .unwrap_err();
    let refused = refused_field(&status)?;
    assert_eq!(
        (refused.field.as_str(), refused.reason),
        ("media_type", Reason::MediaMismatch)
    );
    assert!(
        refused.description.contains("application/pdf"),
        "{}",
        refused.description
    );
    let page = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
    let status = agent
        .upload(own.id, "photo.png", "image/png", page)
        .await
        .unwrap_err();
    assert_eq!(refused_field(&status)?.reason, Reason::MediaMismatch);
    for kind in ["image/gif", "text/html", "application/octet-stream"] {
        let status = agent.upload(own.id, "x", kind, PNG).await.unwrap_err();
        let refused = refused_field(&status)?;
        assert_eq!(
            (refused.field.as_str(), refused.reason),
            ("media_type", Reason::UnknownMediaType),
            "{kind}"
        );
    }
    // Names are shown, never walked.
    for name in ["../../etc/passwd", "a\\b.png", "", "x\u{1b}[2J.png"] {
        let status = agent
            .upload(own.id, name, "image/png", PNG)
            .await
            .unwrap_err();
        assert_eq!(refused_field(&status)?.field, "name", "{name:?}");
    }
    // A stream that does not start with its header.
    let status = agent
        .attachments
        .upload(tokio_stream::iter([pb::UploadRequest {
            part: Some(pb::upload_request::Part::Data(PNG.to_vec())),
        }]))
        .await
        .unwrap_err();
    assert_eq!(refused_field(&status)?.field, "header");
    let status = agent.download(own.id, "not-an-id").await.unwrap_err();
    assert_eq!(refused_field(&status)?.field, "attachment_id");

    // Nothing of any refused upload was kept.
    assert_eq!(server.stored_files()?, Vec::<PathBuf>::new());
    eventually("the refused uploads' temporary files going", || {
        Ok(server.unfinished()? == 0)
    })
    .await?;
    server.stop()
}

#[tokio::test]
async fn a_damaged_file_is_reported_and_never_served() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let mut agent = server.as_user("agent1").await?;
    let (own, _) = cases(&mut agent).await?;
    let photo = jpeg(200_000, 4);
    let up = agent.upload(own.id, "p.jpg", "image/jpeg", &photo).await?;
    let path = server.file_of(&up.id);
    let mut bytes = std::fs::read(&path)?;
    bytes[150_000] ^= 0x01;
    std::fs::write(&path, &bytes)?;
    let status = agent.download(own.id, &up.id).await.unwrap_err();
    assert_eq!(status.code(), Code::DataLoss, "{}", status.message());
    assert!(status.message().contains("damaged"), "{}", status.message());
    assert!(server.log().contains("damaged"), "the damage is logged");
    // A missing file is damage too; uploading the content again repairs it.
    std::fs::remove_file(&path)?;
    assert_eq!(
        agent.download(own.id, &up.id).await.unwrap_err().code(),
        Code::DataLoss
    );
    agent.upload(own.id, "p.jpg", "image/jpeg", &photo).await?;
    assert!(agent.download(own.id, &up.id).await?.1 == photo);
    server.stop()
}

#[tokio::test]
async fn a_unit_attaches_to_and_reads_only_its_own_cases() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let mut agent = server.as_user("agent1").await?;
    let (own, other) = cases(&mut agent).await?;
    let on_other = agent.upload(other.id, "p.png", "image/png", PNG).await?;
    let mut unit = server.as_user("unit1").await?;
    let missing = unit
        .upload(999_999, "p.png", "image/png", PNG)
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    let hidden = unit
        .upload(other.id, "p.png", "image/png", PNG)
        .await
        .unwrap_err();
    let hidden_download = unit.download(other.id, &on_other.id).await.unwrap_err();
    let missing_download = unit.download(999_999, &on_other.id).await.unwrap_err();
    for status in [&hidden, &hidden_download, &missing_download] {
        assert_eq!(
            (status.code(), status.message()),
            (missing.code(), missing.message()),
            "another unit's case answers as a missing one"
        );
    }
    // On its own case: an id that is not there is the attachment's answer.
    let status = unit.download(own.id, &on_other.id).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert!(
        status.message().contains("attachment"),
        "{}",
        status.message()
    );
    // Admins read files but do not add them.
    let mut admin = server.as_user("admin1").await?;
    assert_eq!(
        admin
            .upload(own.id, "p.png", "image/png", PNG)
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied
    );
    assert_eq!(admin.download(other.id, &on_other.id).await?.1, PNG);
    let mut dispatcher = server.as_user("dispatcher1").await?;
    dispatcher
        .upload(own.id, "d.pdf", "application/pdf", PDF)
        .await?;
    server.stop()
}

#[tokio::test]
async fn a_client_gone_midway_or_a_crash_midway_leaves_nothing() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let mut agent = server.as_user("agent1").await?;
    let (own, _) = cases(&mut agent).await?;
    let photo = jpeg(500_000, 5);

    // Sends the header and half the photo, then holds the stream open.
    let half_way = |mut client: Clients| {
        let (sender, receiver) = tokio::sync::mpsc::channel(16);
        let header = pb::UploadHeader {
            case_id: own.id,
            name: "half.jpg".into(),
            media_type: "image/jpeg".into(),
            size: photo.len() as u64,
        };
        let mut parts = vec![pb::upload_request::Part::Header(header)];
        parts.extend(
            photo[..250_000]
                .chunks(64 * 1024)
                .map(|c| pb::upload_request::Part::Data(c.to_vec())),
        );
        for part in parts {
            sender.try_send(pb::UploadRequest { part: Some(part) }).ok();
        }
        tokio::spawn(async move {
            let _held = sender;
            client
                .attachments
                .upload(tokio_stream::wrappers::ReceiverStream::new(receiver))
                .await
        })
    };

    let call = half_way(agent);
    eventually("the upload reaching the server", || {
        Ok(server.unfinished()? == 1)
    })
    .await?;
    call.abort();
    eventually("the abandoned upload's file going", || {
        Ok(server.unfinished()? == 0)
    })
    .await?;
    assert_eq!(server.stored_files()?, Vec::<PathBuf>::new());

    // Killed in the middle of an upload: the next start removes its file.
    let call = half_way(server.as_user("agent1").await?);
    eventually("the upload reaching the server", || {
        Ok(server.unfinished()? == 1)
    })
    .await?;
    server.kill_and_restart().await?;
    call.abort();
    assert_eq!(server.unfinished()?, 0);
    assert_eq!(server.stored_files()?, Vec::<PathBuf>::new());
    server.stop()
}

#[tokio::test]
async fn the_default_limit_is_20_mib_and_named_when_broken() -> anyhow::Result<()> {
    let server = desk137_tests::TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let (own, _) = cases(&mut agent).await?;
    let limit = 20 * 1024 * 1024;
    let header = |size| pb::UploadHeader {
        case_id: own.id,
        name: "video.mp4".into(),
        media_type: "video/mp4".into(),
        size,
    };
    let status = agent.upload_parts(header(limit + 1), []).await.unwrap_err();
    let refused = refused_field(&status)?;
    assert_eq!(
        (refused.field.as_str(), refused.reason, refused.limit),
        ("size", Reason::TooLarge, Some(limit as u32))
    );
    assert!(status.message().contains("20 MiB"), "{}", status.message());
    // The limit itself is allowed: this one is refused only for sending nothing.
    let status = agent.upload_parts(header(limit), []).await.unwrap_err();
    assert_eq!(
        refused_field(&status)?.reason,
        Reason::SizeMismatch,
        "{}",
        status.message()
    );
    server.shutdown().await
}

#[tokio::test]
async fn a_resolve_carries_files_of_its_case_and_the_case_lists_them() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let mut agent = server.as_user("agent1").await?;
    let (own, other) = cases(&mut agent).await?;
    let mut unit = server.as_user("unit1").await?;
    let photo = unit.upload(own.id, "کار.png", "image/png", PNG).await?;
    let elsewhere = agent
        .upload(other.id, "p.pdf", "application/pdf", PDF)
        .await?;
    let case = unit
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(own.id)),
        })
        .await?
        .into_inner();
    assert_eq!(case.attachments.len(), 1);
    assert_eq!(case.attachments[0].id, photo.id);
    assert_eq!(case.attachments[0].name, "کار.png");
    // The timeline names the file once, however often it is sent.
    unit.upload(own.id, "کار.png", "image/png", PNG).await?;
    let case = unit
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(own.id)),
        })
        .await?
        .into_inner();
    let added: Vec<&pb::CaseEvent> = case
        .events
        .iter()
        .filter(|e| e.kind() == pb::EventKind::Attachment)
        .collect();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].attachment_ids, std::slice::from_ref(&photo.id));
    assert_eq!(
        (added[0].actor.as_str(), added[0].note.as_str()),
        ("unit1", "کار.png")
    );
    assert_eq!(case.revision, own.revision + 1);

    // A number typed into a file's name is the caller's to see, not the unit's.
    // Content of its own: the other case's PDF must stay the other case's.
    let content = [PDF, b"% named\n"].concat();
    let named = agent
        .upload(own.id, "تماس ۰۹۱۳۱۲۳۴۵۶۷.pdf", "application/pdf", &content)
        .await?;
    // Stored as typed: the agent handling the case reads it whole there.
    let handled = agent
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(own.id)),
        })
        .await?
        .into_inner();
    assert!(
        handled
            .attachments
            .iter()
            .any(|a| a.id == named.id && a.name == "تماس ۰۹۱۳۱۲۳۴۵۶۷.pdf"),
        "{:?}",
        handled.attachments
    );
    let seen = unit
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(own.id)),
        })
        .await?
        .into_inner();
    let shown = seen
        .attachments
        .iter()
        .find(|a| a.id == named.id)
        .expect("listed");
    assert!(
        !shown.name.contains("۴۵۶۷") && shown.name.contains('*'),
        "{}",
        shown.name
    );
    let event = seen
        .events
        .iter()
        .find(|e| e.attachment_ids.contains(&named.id))
        .expect("named on the timeline");
    assert!(!event.note.contains("۴۵۶۷"), "{}", event.note);
    let (record, _) = unit.download(own.id, &named.id).await?;
    assert!(!record.name.contains("۴۵۶۷"), "{}", record.name);
    let case = seen;

    // A file of another case is not this case's to report.
    let mut resolve = desk137_tests::move_of(&case, pb::Move::Resolve, "resolve-1");
    resolve.note = "سد معبر برداشته شد".into();
    resolve.attachment_ids = vec![elsewhere.id.clone()];
    let refused = unit.cases.move_case(resolve.clone()).await.unwrap_err();
    let field = refused_field(&refused)?;
    assert_eq!(field.field, "attachment_ids");
    assert_eq!(field.reason, Reason::UnknownAttachment);

    resolve.request_id = "resolve-2".into();
    resolve.attachment_ids = vec![photo.id.clone()];
    let moved = unit.cases.move_case(resolve).await?.into_inner();
    let moved = moved.r#case.expect("the move answers with the case");
    assert_eq!(moved.status(), pb::CaseStatus::Resolved);
    let last = moved.events.last().expect("a timeline");
    assert_eq!(last.kind(), pb::EventKind::Resolved);
    assert_eq!(last.attachment_ids, std::slice::from_ref(&photo.id));
    assert_eq!(moved.attachments.len(), 2);
    // And the file is still the file.
    assert_eq!(unit.download(own.id, &photo.id).await?.1, PNG);
    server.stop()
}
