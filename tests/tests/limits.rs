//! Clients that connect and say nothing, or connect and stay idle, neither
//! lock others out nor hold up a shutdown.

use desk137_server::app::ServerConfig;
use desk137_server::listener::Limits;
use desk137_tests::{TestServer, pb};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

async fn limited(limits: Limits) -> anyhow::Result<TestServer> {
    TestServer::start(ServerConfig {
        demo: true,
        limits,
        ..ServerConfig::default()
    })
    .await
}

/// Asks WhoAmI until it is answered, reconnecting as a client would.
async fn answered_within(server: &TestServer, limit: Duration) -> anyhow::Result<Duration> {
    let began = Instant::now();
    loop {
        if let Ok(mut c) = server.as_user("agent1").await
            && let Ok(me) = c.session.who_am_i(pb::WhoAmIRequest {}).await
        {
            assert_eq!(me.into_inner().user, "agent1");
            return Ok(began.elapsed());
        }
        anyhow::ensure!(began.elapsed() < limit, "no answer within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn silent_connections_do_not_lock_a_client_out() -> anyhow::Result<()> {
    let server = limited(Limits {
        max_connections: 16,
        max_handshakes: 8,
        preface_timeout: Duration::from_millis(300),
    })
    .await?;
    let mut silent = Vec::new();
    for _ in 0..300 {
        // Past the limits the server closes them at once; keep what it keeps.
        if let Ok(s) = TcpStream::connect(server.addr).await {
            silent.push(s);
        }
    }
    answered_within(&server, Duration::from_secs(20)).await?;
    // Every silent connection is closed by the server, none left hanging.
    for s in &mut silent {
        let mut buf = [0u8; 1];
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf))
            .await?
            .unwrap_or(0);
        assert_eq!(n, 0);
    }
    server.shutdown().await
}

#[tokio::test]
async fn an_idle_client_does_not_hold_the_shutdown() -> anyhow::Result<()> {
    let server = limited(Limits::default()).await?;
    // One client that made a call and stays connected, one that said nothing.
    let mut idle = server.as_user("agent1").await?;
    idle.session.who_am_i(pb::WhoAmIRequest {}).await?;
    let _silent = TcpStream::connect(server.addr).await?;
    let began = Instant::now();
    server.shutdown().await?;
    // The drain timeout is 30 s; an idle connection must not use it up.
    assert!(
        began.elapsed() < Duration::from_secs(10),
        "shutdown took {:?}",
        began.elapsed()
    );
    Ok(())
}
