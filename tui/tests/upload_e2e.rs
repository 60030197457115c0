//! The client's upload over real gRPC: a file of several chunks reaches an
//! AttachmentService byte for byte, after a header that names the case,
//! the file, its declared type and its size.

use desk137_proto::v1 as pb;
use desk137_proto::v1::attachment_service_server::{AttachmentService, AttachmentServiceServer};
use desk137_tui::app::rpc::Prepare;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status, Streaming};

#[derive(Default, Clone)]
struct Received {
    header: Arc<Mutex<Option<pb::UploadHeader>>>,
    bytes: Arc<Mutex<Vec<u8>>>,
    token: Arc<Mutex<String>>,
}

#[tonic::async_trait]
impl AttachmentService for Received {
    async fn upload(
        &self,
        request: Request<Streaming<pb::UploadRequest>>,
    ) -> Result<Response<pb::UploadResponse>, Status> {
        if let Some(v) = request.metadata().get("authorization") {
            *self.token.lock().unwrap() = v.to_str().unwrap_or_default().to_owned();
        }
        let mut stream = request.into_inner();
        let mut header = None;
        while let Some(part) = stream.next().await {
            match part?.part {
                Some(pb::upload_request::Part::Header(h)) if header.is_none() => header = Some(h),
                Some(pb::upload_request::Part::Data(d)) if header.is_some() => {
                    self.bytes.lock().unwrap().extend_from_slice(&d);
                }
                _ => return Err(Status::invalid_argument("the header comes first, once")),
            }
        }
        let h = header.ok_or_else(|| Status::invalid_argument("no header"))?;
        *self.header.lock().unwrap() = Some(h.clone());
        Ok(Response::new(pb::UploadResponse {
            attachment: Some(pb::Attachment {
                id: format!("{:064x}", self.bytes.lock().unwrap().len()),
                name: h.name,
                media_type: h.media_type,
                size: h.size,
                ..Default::default()
            }),
        }))
    }

    type DownloadStream = std::pin::Pin<
        Box<dyn tokio_stream::Stream<Item = Result<pb::DownloadResponse, Status>> + Send>,
    >;

    async fn download(
        &self,
        _request: Request<pb::DownloadRequest>,
    ) -> Result<Response<Self::DownloadStream>, Status> {
        Err(Status::unimplemented("not in this test"))
    }
}

struct Bearer;

impl Prepare for Bearer {
    fn prepare<T>(&self, message: T) -> tonic::Request<T> {
        let mut r = tonic::Request::new(message);
        r.metadata_mut()
            .insert("authorization", "Bearer unit1".parse().unwrap());
        r
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_of_many_chunks_arrives_byte_for_byte() {
    let received = Received::default();
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let service = AttachmentServiceServer::new(received.clone());
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("after.jpg");
    // Not a multiple of the chunk size, so the last chunk is short.
    let content: Vec<u8> = (0..200_001u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let attachment = desk137_tui::upload::upload(channel, &Bearer, 42, path.to_str().unwrap())
        .await
        .expect("the upload is answered");
    assert_eq!(attachment.name, "after.jpg");
    assert_eq!(attachment.media_type, "image/jpeg");
    assert_eq!(*received.bytes.lock().unwrap(), content);
    let header = received.header.lock().unwrap().clone().unwrap();
    assert_eq!((header.case_id, header.size), (42, content.len() as u64));
    assert_eq!(*received.token.lock().unwrap(), "Bearer unit1");

    // A file that is not there is said so, and nothing is sent.
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_lazy();
    let missing = dir.path().join("gone.jpg");
    let err = desk137_tui::upload::upload(channel, &Bearer, 42, missing.to_str().unwrap())
        .await
        .unwrap_err();
    assert!(err.message.contains("gone.jpg"), "{}", err.message);
}
