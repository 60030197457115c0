//! CatalogService: topics (with how often each was used), units, regions.

use super::{Context, Error};
use crate::domain::access::Rpc;
use desk137_proto::v1::catalog_service_server::CatalogService;
use desk137_proto::v1::{
    ListRegionsRequest, ListRegionsResponse, ListTopicsRequest, ListTopicsResponse,
    ListUnitsRequest, ListUnitsResponse,
};
use tonic::{Request, Response, Status};

#[derive(Debug, Clone)]
pub struct CatalogApi(pub Context);

impl CatalogApi {
    async fn topics(
        &self,
        request: &Request<ListTopicsRequest>,
    ) -> Result<ListTopicsResponse, Error> {
        self.0.admit(request, Rpc::ListTopics)?;
        let usage = self.0.read(|store| store.topic_usage()).await?;
        let topics = self
            .0
            .catalog
            .topics
            .iter()
            .map(|t| desk137_proto::convert::topic_to_pb(t, usage.get(&t.id).copied().unwrap_or(0)))
            .collect();
        Ok(ListTopicsResponse { topics })
    }

    fn units(&self, request: &Request<ListUnitsRequest>) -> Result<ListUnitsResponse, Error> {
        self.0.admit(request, Rpc::ListUnits)?;
        let units = self
            .0
            .catalog
            .units
            .iter()
            .map(desk137_proto::convert::unit_to_pb)
            .collect();
        Ok(ListUnitsResponse { units })
    }

    fn regions(&self, request: &Request<ListRegionsRequest>) -> Result<ListRegionsResponse, Error> {
        self.0.admit(request, Rpc::ListRegions)?;
        let regions = self
            .0
            .catalog
            .regions
            .iter()
            .map(desk137_proto::convert::region_to_pb)
            .collect();
        Ok(ListRegionsResponse { regions })
    }
}

#[tonic::async_trait]
impl CatalogService for CatalogApi {
    async fn list_topics(
        &self,
        request: Request<ListTopicsRequest>,
    ) -> Result<Response<ListTopicsResponse>, Status> {
        Ok(Response::new(self.topics(&request).await?))
    }

    async fn list_units(
        &self,
        request: Request<ListUnitsRequest>,
    ) -> Result<Response<ListUnitsResponse>, Status> {
        Ok(Response::new(self.units(&request)?))
    }

    async fn list_regions(
        &self,
        request: Request<ListRegionsRequest>,
    ) -> Result<Response<ListRegionsResponse>, Status> {
        Ok(Response::new(self.regions(&request)?))
    }
}
