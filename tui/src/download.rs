//! Opening an attachment: downloaded to a file of its own in a directory
//! only this user may read, then handed to the system's viewer. The name the
//! uploader gave is only a hint: it never chooses where the file goes.

use crate::app::msg::RpcError;
use crate::app::rpc::Prepare;
use desk137_proto::v1 as pb;
use desk137_proto::v1::attachment_service_client::AttachmentServiceClient;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tonic::transport::Channel;

/// The viewer of this platform, given the file's path as its last argument.
pub fn default_opener() -> Vec<String> {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    vec![program.to_owned()]
}

/// A viewer that fails at once says so within this; one still running by
/// then has the file.
const VIEWER_GRACE: Duration = Duration::from_secs(2);

/// `name` as a file name that stays in its directory: no separators, no
/// control characters, no leading dot, of a bounded length.
pub fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '\0') {
                '_'
            } else {
                c
            }
        })
        .take(100)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    if trimmed.is_empty() {
        "file".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Where attachment `id` named `name` is written.
pub fn target(dir: &Path, id: &str, name: &str) -> PathBuf {
    let short: String = id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    dir.join(format!("{short}-{}", safe_name(name)))
}

fn private_dir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("desk137-files-{}", user_tag()));
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(&dir)?;
    Ok(dir)
}

/// Keeps two users of one machine out of each other's directory.
fn user_tag() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .map(|u| safe_name(&u))
        .unwrap_or_else(|_| "user".to_owned())
}

fn create(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Downloads attachment `attachment_id` of case `case_id` to its file; the
/// file's path. A stream that ends short of the declared size is an error.
pub async fn download(
    channel: Channel,
    how: &impl Prepare,
    case_id: u64,
    attachment: &pb::Attachment,
) -> Result<PathBuf, String> {
    let mut stream = AttachmentServiceClient::new(channel)
        .download(how.prepare(pb::DownloadRequest {
            case_id,
            attachment_id: attachment.id.clone(),
        }))
        .await
        .map_err(|s| RpcError::from_status(&s).to_string())?
        .into_inner();
    let dir = private_dir().map_err(|e| e.to_string())?;
    let path = target(&dir, &attachment.id, &attachment.name);
    let mut file = create(&path).map_err(|e| e.to_string())?;
    let mut declared = attachment.size;
    let mut got = 0u64;
    while let Some(msg) = stream
        .message()
        .await
        .map_err(|s| RpcError::from_status(&s).to_string())?
    {
        match msg.part {
            Some(pb::download_response::Part::Attachment(a)) => declared = a.size,
            Some(pb::download_response::Part::Data(d)) => {
                got += d.len() as u64;
                if got > declared {
                    break;
                }
                file.write_all(&d).map_err(|e| e.to_string())?;
            }
            None => {}
        }
    }
    if got != declared {
        drop(file);
        let _ = std::fs::remove_file(&path);
        return Err(format!("{got} of {declared} bytes arrived"));
    }
    file.flush().map_err(|e| e.to_string())?;
    Ok(path)
}

/// Starts `opener` on `path`; an error if it cannot start or fails soon.
pub async fn open_with(opener: &[String], path: &Path) -> Result<(), String> {
    let Some((program, args)) = opener.split_first() else {
        return Err("no viewer is set".to_owned());
    };
    let mut child = std::process::Command::new(program)
        .args(args)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    let until = tokio::time::Instant::now() + VIEWER_GRACE;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("{program}: {status}")),
            Ok(None) if tokio::time::Instant::now() >= until => {
                // Still showing it: reaped in the background when it ends.
                std::thread::spawn(move || child.wait());
                return Ok(());
            }
            Ok(None) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => return Err(format!("{program}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_name_stays_in_its_directory() {
        let dir = Path::new("files");
        assert_eq!(
            target(dir, "abcdef0123456789", "../../etc/passwd"),
            dir.join("abcdef012345-_.._etc_passwd")
        );
        assert_eq!(target(dir, "../x", ".."), dir.join("x-file"));
        assert_eq!(safe_name("عکس بعد.jpg"), "عکس بعد.jpg");
        assert_eq!(safe_name("a\nb\u{7}"), "a_b_");
        assert_eq!(safe_name(&"x".repeat(500)).chars().count(), 100);
    }

    #[tokio::test]
    async fn a_viewer_that_cannot_start_or_fails_is_an_error() {
        let path = Path::new("missing-file");
        assert!(open_with(&[], path).await.is_err());
        let none = ["desk137-no-such-viewer".to_owned()];
        assert!(open_with(&none, path).await.is_err());
        assert!(open_with(&["false".to_owned()], path).await.is_err());
        assert!(open_with(&["true".to_owned()], path).await.is_ok());
    }
}
