//! Clients that send calls and never read the answers, against the real
//! binary: the server keeps each connection to its stream limit, its memory
//! stays within what those limits allow, and a normal client is still
//! answered.

use bytes::Bytes;
use desk137_tests::load::{procstat, spawn};
use desk137_tests::{Clients, obstruction, pb};
use prost::Message;
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// The hostile side of the test: as many connections as the finding used.
const CONNECTIONS: usize = 11;
/// Streams each connection tries to open.
const STREAMS_TRIED: usize = 4_000;
/// Answers the server keeps alive on one connection (`answers::MAX_ANSWERS`).
const STREAM_LIMIT: usize = 32;
/// The most a ListCases answer holds (`service::cases::LIST_BUDGET_BYTES`).
const ANSWER_BUDGET: u64 = 128 * 1024;
/// Cases in the store: enough that a 500-case page is larger than the budget.
const CASES: usize = 1_200;

fn grpc_frame(message: &impl Message) -> Bytes {
    let body = message.encode_to_vec();
    let mut framed = Vec::with_capacity(5 + body.len());
    framed.push(0);
    framed.extend_from_slice(&(body.len() as u32).to_be_bytes());
    framed.extend_from_slice(&body);
    Bytes::from(framed)
}

async fn seed(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let writers = (0..8).map(|w| {
        tokio::spawn(async move {
            let mut c = Clients::connect(addr, Some("agent1")).await?;
            for i in (w..CASES).step_by(8) {
                let mut req = obstruction(&format!("seed-{i}"));
                // Long enough that a page of cases is large.
                req.description = format!("{} {i}", "وانت میوه‌فروشی پیاده‌رو را بسته ".repeat(20));
                c.cases.create_case(req).await?;
            }
            anyhow::Ok(())
        })
    });
    for w in writers {
        w.await??;
    }
    Ok(())
}

/// A page of 500 large cases stops at the budget, and the pages still give
/// every case exactly once.
async fn every_case_once_in_pages_within_the_budget(
    addr: std::net::SocketAddr,
) -> anyhow::Result<()> {
    let mut c = Clients::connect(addr, Some("supervisor1")).await?;
    let mut seen = std::collections::BTreeSet::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = c
            .cases
            .list_cases(pb::ListCasesRequest {
                page_size: 500,
                page_token: token,
                ..Default::default()
            })
            .await?
            .into_inner();
        pages += 1;
        let largest = page
            .cases
            .iter()
            .map(|c| c.encoded_len())
            .max()
            .unwrap_or(0);
        assert!(page.encoded_len() as u64 <= ANSWER_BUDGET + largest as u64 + 64);
        for case in &page.cases {
            assert!(seen.insert(case.id), "case {} twice", case.id);
        }
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen.len(), CASES);
    assert!(
        pages > CASES / 500,
        "{pages} pages: the budget never cut one"
    );
    Ok(())
}

/// Opens one connection that advertises a one-byte stream window, so the
/// server can send almost nothing of any answer, and sends ListCases on
/// up to `STREAMS_TRIED` streams without reading any answer. Returns the
/// connection, kept alive by the caller, and its streams.
async fn never_reading(addr: std::net::SocketAddr) -> anyhow::Result<NeverReading> {
    let tcp = TcpStream::connect(addr).await?;
    let (mut client, connection) = h2::client::Builder::new()
        .initial_window_size(1)
        .handshake::<_, Bytes>(tcp)
        .await?;
    let driver = AbortOnDrop(tokio::spawn(async move {
        let _ = connection.await;
    }));
    let body = grpc_frame(&pb::ListCasesRequest {
        page_size: 500,
        ..Default::default()
    });
    let mut streams = Vec::with_capacity(STREAMS_TRIED);
    for _ in 0..STREAMS_TRIED {
        // Past the server's stream limit, once the client knows it, it waits
        // here for a stream to close, which none will.
        let ready = std::future::poll_fn(|cx| client.poll_ready(cx));
        match tokio::time::timeout(Duration::from_millis(500), ready).await {
            Ok(ready) => ready?,
            Err(_) => break,
        }
        let request = http::Request::builder()
            .method("POST")
            .uri(format!("http://{addr}/desk137.v1.CaseService/ListCases"))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .header("authorization", "Bearer supervisor1")
            .body(())?;
        let (response, mut send) = client.send_request(request, false)?;
        // A stream the server has already ended (refused over a limit on a
        // busy machine, before its body went) holds nothing of the
        // server's: pass over it.
        if send.send_data(body.clone(), true).is_err() {
            continue;
        }
        streams.push((Box::pin(response), send));
    }
    Ok(NeverReading {
        _client: client,
        _driver: driver,
        streams,
    })
}

type Stream = (
    std::pin::Pin<Box<h2::client::ResponseFuture>>,
    h2::SendStream<Bytes>,
);

struct NeverReading {
    _client: h2::client::SendRequest<Bytes>,
    _driver: AbortOnDrop,
    streams: Vec<Stream>,
}

impl NeverReading {
    /// How many of its streams are neither answered nor refused, and how many
    /// the server turned away, as HTTP/2 (REFUSED_STREAM) or as gRPC
    /// (RESOURCE_EXHAUSTED, trailers only). The unanswered ones are those the
    /// server holds, whose answers are never read, and those the client's
    /// own HTTP/2 library keeps queued past the server's stream limit.
    async fn streams(&mut self) -> anyhow::Result<(usize, usize)> {
        let (mut held, mut turned_away) = (0, 0);
        for (response, _) in &mut self.streams {
            let state =
                std::future::poll_fn(|cx| std::task::Poll::Ready(response.as_mut().poll(cx))).await;
            match state {
                // Turned away at once: too many calls on this connection.
                std::task::Poll::Ready(Ok(r)) if r.headers().contains_key("grpc-status") => {
                    let code = r.headers()["grpc-status"].to_str()?.to_owned();
                    anyhow::ensure!(code == "8", "answered with grpc-status {code}");
                    turned_away += 1;
                }
                std::task::Poll::Pending | std::task::Poll::Ready(Ok(_)) => held += 1,
                std::task::Poll::Ready(Err(e)) => {
                    anyhow::ensure!(
                        e.reason() == Some(h2::Reason::REFUSED_STREAM),
                        "a stream failed otherwise than refused: {e}"
                    );
                    turned_away += 1;
                }
            }
        }
        Ok((held, turned_away))
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn rss_mib(pid: u32) -> anyhow::Result<f64> {
    Ok(procstat::sample(pid)?.rss_kib as f64 / 1024.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_never_read_are_held_to_their_limits() -> anyhow::Result<()> {
    let server = desk137_tests::server_binary()?;
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("server.log");
    let mut child = spawn::KillOnDrop(spawn::start(&server, &dir.path().join("store"), &[], &log)?);
    let addr = spawn::wait_serving(&mut child.0, &log, Duration::from_secs(60)).await?;
    let pid = child.0.id();
    seed(addr).await?;
    every_case_once_in_pages_within_the_budget(addr).await?;

    let before = rss_mib(pid)?;
    let mut hostile = Vec::new();
    for _ in 0..CONNECTIONS {
        hostile.push(never_reading(addr).await?);
    }
    // Give the server time to build every answer it took.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let during = rss_mib(pid)?;
    let mut streams = Vec::new();
    for h in &mut hostile {
        streams.push(h.streams().await?);
    }

    let began = Instant::now();
    let mut normal = Clients::connect(addr, Some("agent1")).await?;
    let page = tokio::time::timeout(
        Duration::from_secs(20),
        normal.cases.list_cases(pb::ListCasesRequest {
            page_size: 20,
            ..Default::default()
        }),
    )
    .await??
    .into_inner();
    let answered_in = began.elapsed();
    assert_eq!(page.cases.len(), 20);

    drop(hostile);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rss_mib(pid)?;
    // Still serving once they are gone.
    normal.session.who_am_i(pb::WhoAmIRequest {}).await?;

    println!(
        "never-reading clients: {CONNECTIONS} connections, (unanswered, turned away) streams {streams:?}; \
         RSS before {before:.0} MiB, during {during:.0} MiB, after {after:.0} MiB; \
         a normal call answered in {answered_in:?}"
    );
    let turned_away: usize = streams.iter().map(|(_, t)| t).sum();
    assert!(turned_away > 0, "the server took every stream it was sent");
    // What the limits allow the hostile side to pin: every stream's answer
    // held whole, twice over for the allocator's slack, and 64 MiB of
    // working room.
    let allowed =
        (CONNECTIONS * STREAM_LIMIT) as f64 * ANSWER_BUDGET as f64 * 2.0 / (1024.0 * 1024.0) + 64.0;
    assert!(
        during - before < allowed,
        "RSS grew {:.0} MiB, more than the {allowed:.0} MiB the limits allow",
        during - before
    );
    spawn::stop(&mut child.0, Duration::from_secs(30))?;
    Ok(())
}
