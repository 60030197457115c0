//! What operators and tools such as grpcurl rely on: health and reflection.

use desk137_tests::TestServer;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

const SERVICES: [&str; 4] = [
    "desk137.v1.CatalogService",
    "desk137.v1.SessionService",
    "desk137.v1.CaseService",
    "desk137.v1.CitizenService",
];

#[tokio::test]
async fn the_server_and_each_service_report_serving() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut health = HealthClient::new(server.channel().await?);
    for service in std::iter::once("").chain(SERVICES) {
        let reply = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await?
            .into_inner();
        assert_eq!(reply.status(), ServingStatus::Serving, "{service:?}");
    }
    let unknown = health
        .check(HealthCheckRequest {
            service: "desk137.v1.Nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    server.shutdown().await
}

#[tokio::test]
async fn reflection_v1_lists_the_services() -> anyhow::Result<()> {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let server = TestServer::demo().await?;
    let mut client = ServerReflectionClient::new(server.channel().await?);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut replies = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await?
        .into_inner();
    let reply = replies
        .message()
        .await?
        .ok_or_else(|| anyhow::anyhow!("no reply"))?;
    let Some(MessageResponse::ListServicesResponse(list)) = reply.message_response else {
        anyhow::bail!("not a service list: {:?}", reply.message_response);
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for service in SERVICES.iter().chain(&["grpc.health.v1.Health"]) {
        assert!(
            names.iter().any(|n| n == service),
            "{service} missing from {names:?}"
        );
    }
    server.shutdown().await
}

#[tokio::test]
async fn reflection_v1alpha_lists_the_services_for_older_tools() -> anyhow::Result<()> {
    use tonic_reflection::pb::v1alpha::ServerReflectionRequest;
    use tonic_reflection::pb::v1alpha::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1alpha::server_reflection_response::MessageResponse;

    let server = TestServer::demo().await?;
    let mut client = ServerReflectionClient::new(server.channel().await?);
    let list = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let describe = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::FileContainingSymbol(
            "desk137.v1.CaseService".into(),
        )),
    };
    let mut replies = client
        .server_reflection_info(tokio_stream::iter([list, describe]))
        .await?
        .into_inner();
    let first = replies
        .message()
        .await?
        .ok_or_else(|| anyhow::anyhow!("no reply"))?;
    let Some(MessageResponse::ListServicesResponse(list)) = first.message_response else {
        anyhow::bail!("not a service list: {:?}", first.message_response);
    };
    assert!(
        list.service
            .iter()
            .any(|s| s.name == "desk137.v1.CaseService")
    );
    let second = replies
        .message()
        .await?
        .ok_or_else(|| anyhow::anyhow!("no second reply"))?;
    let Some(MessageResponse::FileDescriptorResponse(files)) = second.message_response else {
        anyhow::bail!("no descriptor: {:?}", second.message_response);
    };
    assert!(!files.file_descriptor_proto.is_empty());
    server.shutdown().await
}
