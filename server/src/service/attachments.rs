//! AttachmentService: photos, voice notes, video and documents on a case.
//!
//! Upload: the header first, checked whole (fields, the size against the
//! limit, the case in the caller's view) before a byte of content is read;
//! then the content, streamed to a temporary file one message at a time
//! while it is hashed, its first bytes checked against the declared media
//! type, and cut off the moment it passes the size it declared. A complete
//! file is synced and renamed to its content address, and only then is its
//! record committed through the writer; the reply comes after that.
//!
//! Download: the record first, then the content in 64 KiB messages.

use super::{Context, Error};
use crate::domain::access::{self, Rpc, View};
use crate::domain::lifecycle;
use crate::domain::media::{self, Attachment, MediaType, SNIFF_LEN};
use crate::domain::validate::{FieldError, Reason};
use crate::store::CaseChange;
use crate::store::attachments::files::{Checked, ChunkError, Chunks};
use desk137_proto::v1 as pb;
use desk137_proto::v1::attachment_service_server::AttachmentService;
use pb::{download_response, upload_request};
use std::pin::Pin;
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

/// The largest data message of an upload, as the contract says.
pub const UPLOAD_CHUNK_MAX: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct AttachmentApi {
    ctx: Context,
    /// The largest file accepted, in bytes.
    max_bytes: u64,
}

impl AttachmentApi {
    pub fn new(ctx: Context, max_bytes: u64) -> Self {
        Self { ctx, max_bytes }
    }

    async fn upload(
        &self,
        request: Request<Streaming<pb::UploadRequest>>,
    ) -> Result<pb::Attachment, Error> {
        let ctx = &self.ctx;
        let caller = ctx.admit(&request, Rpc::Upload)?;
        let mut stream = request.into_inner();
        let header = match stream.message().await.map_err(Error::Stream)? {
            Some(pb::UploadRequest {
                part: Some(upload_request::Part::Header(header)),
            }) => header,
            _ => {
                return Err(Error::field(
                    "header",
                    Reason::Required,
                    "the first message of an upload is its header",
                ));
            }
        };
        if header.case_id == 0 {
            return Err(FieldError::required("case_id").into());
        }
        let name = media::validate_name("name", &header.name)?;
        let media_type = media::parse_media_type("media_type", &header.media_type)?;
        media::check_declared_size("size", header.size, self.max_bytes)?;
        let case = ctx
            .read_point(|s| s.get_case(header.case_id))?
            .ok_or(Error::NoSuchCase)?;
        access::check_case(&caller, &case, ctx.coordination_unit())?;

        let files = ctx.store.files().clone();
        let mut pending = blocking(move || files.begin()).await?;
        let mut sniffed = false;
        while let Some(message) = stream.message().await.map_err(Error::Stream)? {
            let chunk = match message.part {
                Some(upload_request::Part::Data(chunk)) => chunk,
                Some(upload_request::Part::Header(_)) => {
                    return Err(Error::field(
                        "header",
                        Reason::BadCharacters,
                        "comes once, as the first message; the rest is data",
                    ));
                }
                None => continue,
            };
            if chunk.len() > UPLOAD_CHUNK_MAX {
                return Err(FieldError::new(
                    "data",
                    Reason::TooLarge,
                    format!(
                        "a message of {} bytes; send the content in messages of at most {UPLOAD_CHUNK_MAX}",
                        chunk.len()
                    ),
                )
                .with_limit(UPLOAD_CHUNK_MAX)
                .into());
            }
            let total = pending.written().saturating_add(chunk.len() as u64);
            if total > header.size {
                // Dropping `pending` removes what was written so far.
                return Err(FieldError::new(
                    "data",
                    Reason::SizeMismatch,
                    format!("runs past the {} bytes the header declared", header.size),
                )
                .with_limit(usize::try_from(header.size).unwrap_or(usize::MAX))
                .into());
            }
            pending = blocking(move || pending.write(&chunk).map(|()| pending)).await?;
            if !sniffed && pending.head().len() >= SNIFF_LEN {
                check_media(media_type, pending.head())?;
                sniffed = true;
            }
        }
        if pending.written() != header.size {
            return Err(FieldError::new(
                "size",
                Reason::SizeMismatch,
                format!(
                    "declared {} bytes, but the content was {}",
                    header.size,
                    pending.written()
                ),
            )
            .into());
        }
        if !sniffed {
            check_media(media_type, pending.head())?;
        }
        let files = ctx.store.files().clone();
        let sha256 = blocking(move || pending.commit(&files)).await?;
        let added = ctx
            .store
            .add_attachment(Attachment {
                case_id: case.id,
                sha256,
                name,
                media_type,
                size: header.size,
                added_at_ms: ctx.clock.now_ms(),
                added_by: caller.name.clone(),
            })
            .await?;
        let a = &added.attachment;
        // The timeline names the file in its own transaction, after the
        // record: a retry after a crash in between finishes it, once.
        let (id, name, user, role) = (a.id(), a.name.clone(), caller.name.clone(), caller.role);
        let now = ctx.clock.now_ms();
        ctx.store
            .update_case(case.id, move |case, events| {
                Ok(
                    match lifecycle::attachment_added(case, events, &id, &name, &user, role, now) {
                        Some((case, event)) => CaseChange {
                            case,
                            events: vec![event],
                        },
                        None => CaseChange {
                            case: case.clone(),
                            events: Vec::new(),
                        },
                    },
                )
            })
            .await?;
        tracing::info!(
            case = %case.number,
            attachment = %a.id(),
            media_type = a.media_type.as_str(),
            size = a.size,
            by = %caller.name,
            replayed = added.replayed,
            "attachment stored"
        );
        Ok(to_wire(a, &View::of(&caller, Rpc::Download)))
    }

    async fn download(
        &self,
        request: Request<pb::DownloadRequest>,
    ) -> Result<DownloadStream, Error> {
        let ctx = &self.ctx;
        let caller = ctx.admit(&request, Rpc::Download)?;
        let r = request.into_inner();
        if r.case_id == 0 {
            return Err(FieldError::required("case_id").into());
        }
        let sha256 = media::parse_id("attachment_id", &r.attachment_id)?;
        let case = ctx
            .read_point(|s| s.get_case(r.case_id))?
            .ok_or(Error::NoSuchCase)?;
        access::check_case(&caller, &case, ctx.coordination_unit())?;
        serve(ctx, &case, sha256, |a| {
            to_wire(a, &View::of(&caller, Rpc::Download))
        })
        .await
    }
}

/// The stream of one of `case`'s files, its record first as `shown` puts it,
/// then its content: Download's, and the portal's.
pub(crate) async fn serve(
    ctx: &Context,
    case: &crate::domain::model::Case,
    sha256: [u8; 32],
    shown: impl FnOnce(&Attachment) -> pb::Attachment,
) -> Result<DownloadStream, Error> {
    let attachment = ctx
        .read_point(|s| s.attachment(case.id, &sha256))?
        .ok_or(Error::NoSuchAttachment)?;
    // "Never served" is kept by reading the whole file and checking its
    // SHA-256 and size before the first data message leaves: a damaged
    // file answers DATA_LOSS and not one byte of it. The chunks are
    // hashed again as they are sent, so a file that changes on disk
    // after the check ends its stream with DATA_LOSS before the message
    // that would complete it. Files are at most the upload limit, so the
    // extra read costs a few milliseconds.
    let files = ctx.store.files().clone();
    let size = attachment.size;
    let chunks = match blocking(move || files.open_verified(&sha256, size)).await? {
        Checked::Good(chunks) => chunks,
        Checked::Damaged(damage) => {
            tracing::error!(
                case = %case.number,
                attachment = %attachment.id(),
                %damage,
                "an attachment's file is damaged; it is not served"
            );
            return Err(Error::DamagedAttachment);
        }
    };
    let first = pb::DownloadResponse {
        part: Some(download_response::Part::Attachment(shown(&attachment))),
    };
    // Two messages in flight at most: a slow reader holds back the file
    // reads instead of filling memory, and waits on a task, not on a
    // thread of the blocking pool.
    let (sender, receiver) = tokio::sync::mpsc::channel(2);
    let label = (case.number.clone(), attachment.id());
    tokio::spawn(send_chunks(chunks, sender, label));
    let rest = tokio_stream::wrappers::ReceiverStream::new(receiver);
    Ok(Box::pin(tokio_stream::StreamExt::chain(
        tokio_stream::once(Ok(first)),
        rest,
    )))
}

pub(crate) type DownloadStream =
    Pin<Box<dyn Stream<Item = Result<pb::DownloadResponse, Status>> + Send>>;

/// Reads the chunks out to a download until the last, a damage, or the
/// client going away (its stream dropped, at the latest by the call's
/// deadline). Each read runs on the blocking pool: it is a file read.
async fn send_chunks(
    mut chunks: Chunks,
    sender: tokio::sync::mpsc::Sender<Result<pb::DownloadResponse, Status>>,
    (case, attachment): (String, String),
) {
    loop {
        let read = tokio::task::spawn_blocking(move || {
            let next = chunks.next_chunk();
            (chunks, next)
        })
        .await;
        let next = match read {
            Ok((back, next)) => {
                chunks = back;
                next
            }
            Err(e) => {
                let _ = sender.send(Err(Error::Task(e.to_string()).into())).await;
                return;
            }
        };
        let message = match next {
            Ok(Some(data)) => Ok(pb::DownloadResponse {
                part: Some(download_response::Part::Data(data)),
            }),
            Ok(None) => return,
            Err(ChunkError::Damaged(damage)) => {
                tracing::error!(%case, %attachment, %damage, "an attachment's file changed while it was sent");
                Err(Status::from(Error::DamagedAttachment))
            }
            Err(ChunkError::Io(e)) => Err(Status::from(Error::from(
                crate::store::StoreError::Files(e),
            ))),
        };
        let last = message.is_err();
        if sender.send(message).await.is_err() || last {
            return;
        }
    }
}

/// The declared media type against the content's first bytes.
fn check_media(declared: MediaType, head: &[u8]) -> Result<(), FieldError> {
    if declared.matches(head) {
        return Ok(());
    }
    let looks = match media::sniff(head).first() {
        Some(other) => format!("its first bytes are those of {}", other.as_str()),
        None => "its first bytes are of no accepted kind".to_owned(),
    };
    Err(FieldError::new(
        "media_type",
        Reason::MediaMismatch,
        format!("the content is not {}: {looks}", declared.as_str()),
    ))
}

/// Runs file work on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Task(e.to_string()))?
        .map_err(|e| Error::from(crate::store::StoreError::Files(e)))
}

/// An attachment as the contract has it, to a caller who sees it through
/// `view`; the case views use it too. A name is free text: a number typed
/// into it is hidden from those who may not see the caller's.
pub fn to_wire(a: &Attachment, view: &View) -> pb::Attachment {
    pb::Attachment {
        id: a.id(),
        name: view.text(&a.name),
        media_type: a.media_type.as_str().to_owned(),
        size: a.size,
        added_at_ms: a.added_at_ms,
        added_by: a.added_by.clone(),
    }
}

#[tonic::async_trait]
impl AttachmentService for AttachmentApi {
    async fn upload(
        &self,
        request: Request<Streaming<pb::UploadRequest>>,
    ) -> Result<Response<pb::UploadResponse>, Status> {
        let attachment = self.upload(request).await?;
        Ok(Response::new(pb::UploadResponse {
            attachment: Some(attachment),
        }))
    }

    type DownloadStream = DownloadStream;

    async fn download(
        &self,
        request: Request<pb::DownloadRequest>,
    ) -> Result<Response<Self::DownloadStream>, Status> {
        Ok(Response::new(self.download(request).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mismatch_says_what_the_bytes_look_like() {
        let e = check_media(MediaType::Jpeg, b"%PDF-1.7\n").unwrap_err();
        assert_eq!((e.field, e.reason), ("media_type", Reason::MediaMismatch));
        assert!(e.detail.contains("application/pdf"), "{}", e.detail);
        let e = check_media(MediaType::Png, b"<html>").unwrap_err();
        assert!(e.detail.contains("no accepted kind"), "{}", e.detail);
        assert!(check_media(MediaType::Pdf, b"%PDF-1.4").is_ok());
    }
}
