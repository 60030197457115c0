//! Uploading a file to a case: the header, then the content in chunks, read
//! off the disk as it is sent so a large video never sits whole in memory.
//! The server checks the media type against the first bytes and the size
//! against its limit; the name here only guesses the type to declare.

use crate::app::msg::RpcError;
use crate::app::rpc::Prepare;
use desk137_proto::v1 as pb;
use desk137_proto::v1::attachment_service_client::AttachmentServiceClient;
use std::io::Read;
use std::path::Path;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;

/// The contract's limit for one data message.
const CHUNK: usize = 64 * 1024;

/// The media type the file's name declares, from the server's allow-list;
/// anything else is declared as bytes, which the server refuses in words.
pub fn media_type(path: &str) -> &'static str {
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "mp4" => "video/mp4",
        "ogg" | "opus" => "audio/ogg",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn local(message: String) -> RpcError {
    RpcError {
        code: tonic::Code::InvalidArgument,
        message,
        fault: None,
    }
}

/// Sends the file at `path` to case `case_id`; the attachment as stored.
pub async fn upload(
    channel: Channel,
    how: &impl Prepare,
    case_id: u64,
    path: &str,
) -> Result<pb::Attachment, RpcError> {
    let file = std::fs::File::open(path).map_err(|e| local(format!("{path}: {e}")))?;
    let size = file
        .metadata()
        .map_err(|e| local(format!("{path}: {e}")))?
        .len();
    let name = Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file")
        .to_owned();
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let header = pb::UploadRequest {
        part: Some(pb::upload_request::Part::Header(pb::UploadHeader {
            case_id,
            name,
            media_type: media_type(path).to_owned(),
            size,
        })),
    };
    tx.send(header)
        .await
        .map_err(|_| local("the upload was cut short".into()))?;
    // The reading runs beside the call; a refused upload closes the stream
    // and the reader stops at its next chunk.
    tokio::task::spawn_blocking(move || {
        let mut file = file;
        let mut buf = vec![0u8; CHUNK];
        loop {
            match file.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    let part = pb::UploadRequest {
                        part: Some(pb::upload_request::Part::Data(buf[..n].to_vec())),
                    };
                    if tx.blocking_send(part).is_err() {
                        return;
                    }
                }
            }
        }
    });
    AttachmentServiceClient::new(channel)
        .upload(how.prepare(ReceiverStream::new(rx)))
        .await
        .map_err(|s| RpcError::from_status(&s))?
        .into_inner()
        .attachment
        .ok_or_else(|| local("the server answered without the attachment".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declared_type_follows_the_allow_list() {
        assert_eq!(media_type("/a/after.JPG"), "image/jpeg");
        assert_eq!(media_type("voice.opus"), "audio/ogg");
        assert_eq!(media_type("report.pdf"), "application/pdf");
        assert_eq!(media_type("notes.txt"), "application/octet-stream");
        assert_eq!(media_type("no-extension"), "application/octet-stream");
    }
}
