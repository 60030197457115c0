//! KeyService: rotating the wrapping key while the server serves, and where
//! a rotation stands. Admins only; the work is the store's
//! ([`crate::store::citizens::KeyRotation`]).

use super::{Context, Error};
use crate::domain::access::Rpc;
use crate::store::citizens::RotationStatus;
use desk137_proto::v1 as pb;
use desk137_proto::v1::key_service_server::KeyService;
use tonic::{Request, Response, Status};

#[derive(Debug, Clone)]
pub struct KeyApi(pub Context);

fn to_pb(s: RotationStatus) -> pb::KeyRotation {
    pb::KeyRotation {
        current: s.current,
        versions: s.versions,
        rewrapped: s.rewrapped,
        remaining: s.remaining,
        running: s.running,
    }
}

impl KeyApi {
    async fn rotate(
        &self,
        request: Request<pb::RotateKeysRequest>,
    ) -> Result<pb::KeyRotation, Error> {
        let caller = self.0.admit(&request, Rpc::RotateKeys)?;
        let keys = self.0.keys.clone();
        let at = self.0.clock.now_ms();
        // Writes the key file and scans the citizens: off the runtime.
        let status = tokio::task::spawn_blocking(move || keys.start(at, &caller.name))
            .await
            .map_err(|e| Error::Task(e.to_string()))??;
        tracing::info!(
            current = status.current,
            remaining = status.remaining,
            "key rotation under way"
        );
        Ok(to_pb(status))
    }

    async fn status(
        &self,
        request: Request<pb::KeyStatusRequest>,
    ) -> Result<pb::KeyRotation, Error> {
        self.0.admit(&request, Rpc::KeyStatus)?;
        let keys = self.0.keys.clone();
        let status = self.0.read(move |_| keys.status()).await?;
        Ok(to_pb(status))
    }
}

#[tonic::async_trait]
impl KeyService for KeyApi {
    async fn rotate_keys(
        &self,
        request: Request<pb::RotateKeysRequest>,
    ) -> Result<Response<pb::RotateKeysResponse>, Status> {
        Ok(Response::new(pb::RotateKeysResponse {
            rotation: Some(self.rotate(request).await?),
        }))
    }

    async fn key_status(
        &self,
        request: Request<pb::KeyStatusRequest>,
    ) -> Result<Response<pb::KeyRotation>, Status> {
        Ok(Response::new(self.status(request).await?))
    }
}
