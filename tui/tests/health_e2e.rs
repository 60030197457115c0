//! The client's subscription to `grpc.health.v1.Health/Watch` against a real
//! server: items arrive as messages, a server going away is reported, and
//! the subscription comes back by itself when the server does.

use desk137_domain::clock::{SharedClock, SystemClock};
use desk137_server::app::{RunningServer, ServerConfig, start};
use desk137_tui::app::Msg;
use desk137_tui::app::stream::{HEALTH, Serving, StreamEvent, StreamItem, StreamSpec};
use desk137_tui::client::Client;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

async fn server(listen: SocketAddr) -> RunningServer {
    let clock: SharedClock = Arc::new(SystemClock);
    let config = ServerConfig {
        data_dir: None,
        listen,
        demo: true,
        ..ServerConfig::default()
    };
    start(config, clock).await.expect("the server starts")
}

/// The next stream event, skipping anything else.
async fn next_event(rx: &mut UnboundedReceiver<Msg>) -> StreamEvent {
    let wait = async {
        loop {
            match rx.recv().await {
                Some(Msg::Stream { id, event }) if id == HEALTH => return event,
                Some(_) => continue,
                None => panic!("the client is gone"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .expect("a stream event in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_watch_follows_the_server_down_and_back() {
    let first = server(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await;
    let addr = first.addr;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let client = Client::new(&format!("http://{addr}"), "agent1", tx).unwrap();
    client.subscribe(HEALTH, StreamSpec::Health);
    assert_eq!(
        next_event(&mut rx).await,
        StreamEvent::Item(StreamItem::Health(Serving::Serving))
    );

    // Going down: the server says so, and its shutdown is not held up by
    // the open watch (it would wait out its drain time otherwise).
    let stopping = tokio::spawn(first.shutdown());
    assert_eq!(
        next_event(&mut rx).await,
        StreamEvent::Item(StreamItem::Health(Serving::NotServing))
    );
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("the server stops without waiting on the watch")
        .unwrap()
        .unwrap();
    // The stream ends; the next try finds no server.
    let mut saw_break = false;
    for _ in 0..4 {
        match next_event(&mut rx).await {
            StreamEvent::Ended { .. } => {}
            StreamEvent::Reconnecting { error, attempt, .. } => {
                assert!(error.is_connection(), "{error:?}");
                assert!(attempt >= 1);
                saw_break = true;
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(saw_break, "the break is reported");

    // Back on the same address: the subscription is open again by itself.
    let second = server(addr).await;
    loop {
        match next_event(&mut rx).await {
            StreamEvent::Item(StreamItem::Health(Serving::Serving)) => break,
            StreamEvent::Reconnecting { .. } | StreamEvent::Ended { .. } => continue,
            other => panic!("unexpected {other:?}"),
        }
    }

    // Closed: nothing more arrives, and the server stops at once.
    client.unsubscribe(HEALTH);
    let stopped = tokio::time::timeout(Duration::from_secs(10), second.shutdown()).await;
    stopped.expect("no watch holds the server").unwrap();
    let more = tokio::time::timeout(Duration::from_millis(1500), async {
        loop {
            if let Some(Msg::Stream { event, .. }) = rx.recv().await {
                return event;
            }
        }
    })
    .await;
    assert!(
        more.is_err(),
        "an unsubscribed stream stays quiet: {more:?}"
    );
}

/// Off loopback the server serves TLS: a client given the server's CA (as
/// `desk137 --ca FILE --server https://...` is) connects and is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_reaches_a_tls_server_it_trusts() {
    use desk137_server::app::TlsIdentity;
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = made.cert.pem();
    let clock: SharedClock = Arc::new(SystemClock);
    let running = start(
        ServerConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            demo: true,
            tls: Some(TlsIdentity {
                cert_pem: cert.clone().into_bytes(),
                key_pem: made.signing_key.serialize_pem().into_bytes(),
            }),
            ..ServerConfig::default()
        },
        clock,
    )
    .await
    .unwrap();
    let url = format!("https://localhost:{}", running.addr.port());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let client = Client::with_ca(&url, "agent1", Some(cert.as_bytes()), tx).unwrap();
    client.subscribe(HEALTH, StreamSpec::Health);
    assert_eq!(
        next_event(&mut rx).await,
        StreamEvent::Item(StreamItem::Health(Serving::Serving))
    );
    client.unsubscribe(HEALTH);
    // A CA with a plaintext address is a mistake, said at once.
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    assert!(Client::with_ca("http://127.0.0.1:1", "agent1", Some(cert.as_bytes()), tx).is_err());
    running.shutdown().await.unwrap();
}
