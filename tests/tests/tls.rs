//! TLS off loopback: the server serves TLS with a certificate it is given, a
//! client that trusts it connects, and plaintext off loopback is refused
//! unless asked for by name.

use desk137_server::app::{self, ServerConfig, TlsIdentity};
use desk137_server::domain::clock::SimClock;
use desk137_tests::{Bearer, SIM_START_MS, pb};
use pb::session_service_client::SessionServiceClient;
use std::sync::Arc;
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint};

fn clock() -> Arc<SimClock> {
    Arc::new(SimClock::at(SIM_START_MS))
}

#[tokio::test]
async fn a_client_that_trusts_the_certificate_is_served_over_tls() -> anyhow::Result<()> {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    let cert_pem = made.cert.pem();
    let server = app::start(
        ServerConfig {
            demo: true,
            listen: "127.0.0.1:0".parse()?,
            tls: Some(TlsIdentity {
                cert_pem: cert_pem.clone().into_bytes(),
                key_pem: made.signing_key.serialize_pem().into_bytes(),
            }),
            ..ServerConfig::default()
        },
        clock(),
    )
    .await?;
    let url = format!("https://localhost:{}", server.addr.port());
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&cert_pem))
        .domain_name("localhost");
    let channel = Endpoint::from_shared(url.clone())?
        .tls_config(tls)?
        .connect()
        .await?;
    let mut session = SessionServiceClient::with_interceptor(channel, Bearer::new(Some("agent1"))?);
    let me = session.who_am_i(pb::WhoAmIRequest {}).await?.into_inner();
    assert_eq!(me.user, "agent1");

    // A client that does not speak TLS gets nothing from it.
    let plain = Endpoint::from_shared(format!("http://127.0.0.1:{}", server.addr.port()))?
        .connect()
        .await;
    if let Ok(channel) = plain {
        let mut session =
            SessionServiceClient::with_interceptor(channel, Bearer::new(Some("agent1"))?);
        assert!(session.who_am_i(pb::WhoAmIRequest {}).await.is_err());
    }
    server.shutdown().await
}

#[tokio::test]
async fn plaintext_off_loopback_is_refused_unless_asked_for() -> anyhow::Result<()> {
    let config = ServerConfig {
        demo: true,
        listen: "0.0.0.0:0".parse()?,
        ..ServerConfig::default()
    };
    let refused = app::start(config.clone(), clock()).await;
    let message = format!(
        "{:#}",
        refused.err().ok_or_else(|| anyhow::anyhow!("served"))?
    );
    assert!(message.contains("--tls-cert"), "{message}");
    let server = app::start(
        ServerConfig {
            insecure_plaintext: true,
            ..config
        },
        clock(),
    )
    .await?;
    server.shutdown().await
}
