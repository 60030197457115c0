//! Accepting connections without letting clients exhaust the server.
//!
//! A TCP connection reaches the gRPC server only once it has sent its first 24
//! bytes (the whole HTTP/2 preface, or the start of a TLS hello), within
//! [`Limits::preface_timeout`]; until then it holds one
//! of a bounded number of handshake places, and after it one of
//! [`Limits::max_connections`] places. A connection that cannot get a place
//! is closed at once, so silent or abandoned sockets never pile up until the
//! process runs out of file descriptors. When accept itself fails (out of
//! descriptors, say), the loop backs off instead of spinning.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::{Connected, TcpConnectInfo};

/// Every HTTP/2 connection opens with a 24-byte preface; a TLS hello is longer.
const PREFACE_LEN: usize = 24;
/// The longest an accept error makes the loop wait before it tries again.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// How many connections, and how long a new one may stay silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections serving calls at once. 40 agents hold one each; the rest
    /// is room for dispatchers, units, supervisors and reconnects.
    pub max_connections: usize,
    /// Connections still sending their preface at once.
    pub max_handshakes: usize,
    /// A connection that has not sent the HTTP/2 preface by then is closed.
    pub preface_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            max_handshakes: 128,
            preface_timeout: Duration::from_secs(5),
        }
    }
}

/// An accepted connection that has sent its preface: the bytes already read
/// are replayed first. Its place is given back when it closes.
#[derive(Debug)]
pub struct Conn {
    stream: TcpStream,
    preface: [u8; PREFACE_LEN],
    replayed: usize,
    answers: Arc<crate::answers::Places>,
    _place: OwnedSemaphorePermit,
}

/// What the calls of one connection know of it: the peer, and the places of
/// its answers (see `answers`).
#[derive(Debug, Clone)]
pub struct ConnInfo {
    pub tcp: TcpConnectInfo,
    pub answers: Arc<crate::answers::Places>,
}

impl ConnInfo {
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.tcp.remote_addr()
    }
}

impl Connected for Conn {
    type ConnectInfo = ConnInfo;

    fn connect_info(&self) -> ConnInfo {
        ConnInfo {
            tcp: self.stream.connect_info(),
            answers: self.answers.clone(),
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.replayed < PREFACE_LEN {
            let rest = &this.preface[this.replayed..];
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.replayed += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// The connections that passed the gate, for
/// `Router::serve_with_incoming_shutdown`. The accept loop stops when the
/// stream is dropped.
pub fn incoming(listener: TcpListener, limits: Limits) -> ReceiverStream<io::Result<Conn>> {
    let (tx, rx) = mpsc::channel(limits.max_handshakes.max(1));
    tokio::spawn(accept_loop(listener, limits, tx));
    ReceiverStream::new(rx)
}

async fn accept_loop(listener: TcpListener, limits: Limits, tx: mpsc::Sender<io::Result<Conn>>) {
    let handshakes = Arc::new(Semaphore::new(limits.max_handshakes));
    let serving = Arc::new(Semaphore::new(limits.max_connections));
    let mut backoff = Duration::from_millis(5);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = tx.closed() => return,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => {
                backoff = Duration::from_millis(5);
                pair
            }
            Err(e) if is_per_connection(&e) => continue,
            Err(e) => {
                // Out of file descriptors or memory: try again later, not in a spin.
                tracing::warn!(error = %e, wait_ms = backoff.as_millis() as u64, "accept failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        let Ok(handshake) = handshakes.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "too many connections still handshaking; closed");
            continue;
        };
        let Ok(place) = serving.clone().try_acquire_owned() else {
            tracing::warn!(%peer, limit = limits.max_connections, "connection limit reached; closed");
            continue;
        };
        let tx = tx.clone();
        tokio::spawn(async move {
            let _handshake = handshake;
            match read_preface(stream, limits.preface_timeout).await {
                Ok((stream, preface)) => {
                    let conn = Conn {
                        stream,
                        preface,
                        replayed: 0,
                        answers: Arc::default(),
                        _place: place,
                    };
                    // The server has stopped taking connections: nothing to do.
                    let _ = tx.send(Ok(conn)).await;
                }
                Err(e) => tracing::debug!(%peer, error = %e, "closed before the HTTP/2 preface"),
            }
        });
    }
}

/// Errors that concern one connection, which the next accept does not share.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

async fn read_preface(
    mut stream: TcpStream,
    timeout: Duration,
) -> io::Result<(TcpStream, [u8; PREFACE_LEN])> {
    // Small replies must not wait on Nagle's algorithm and delayed ACKs.
    stream.set_nodelay(true)?;
    let mut preface = [0u8; PREFACE_LEN];
    tokio::time::timeout(timeout, stream.read_exact(&mut preface))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no HTTP/2 preface in time"))??;
    Ok((stream, preface))
}

/// Raises the soft limit of open files to the hard limit, so the connection
/// bound, not the process's descriptor table, is what refuses clients.
pub fn raise_open_files_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current == limit.maximum {
        return;
    }
    let raised = rustix::process::Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    match setrlimit(Resource::Nofile, raised) {
        Ok(()) => tracing::debug!(to = ?limit.maximum, "raised the open-files limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open-files limit"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    async fn gate(limits: Limits) -> (std::net::SocketAddr, ReceiverStream<io::Result<Conn>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        (addr, incoming(listener, limits))
    }

    #[tokio::test]
    async fn a_silent_connection_is_closed_and_a_talking_one_passes_whole() {
        use tokio_stream::StreamExt;
        let (addr, mut conns) = gate(Limits {
            preface_timeout: Duration::from_millis(200),
            ..Limits::default()
        })
        .await;
        let mut silent = TcpStream::connect(addr).await.unwrap();
        let mut talking = TcpStream::connect(addr).await.unwrap();
        let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nrest";
        talking.write_all(preface).await.unwrap();
        let mut conn = conns.next().await.unwrap().unwrap();
        let mut read = vec![0u8; preface.len()];
        conn.read_exact(&mut read).await.unwrap();
        assert_eq!(&read, preface);
        // The silent one is closed by the server: its read ends.
        let mut buf = [0u8; 1];
        let n = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut buf))
            .await
            .unwrap()
            .unwrap_or(0);
        assert_eq!(n, 0);
    }

    #[tokio::test]
    async fn connections_over_the_limit_are_closed_at_once() {
        use tokio_stream::StreamExt;
        let (addr, mut conns) = gate(Limits {
            max_connections: 2,
            ..Limits::default()
        })
        .await;
        let preface = [b'x'; PREFACE_LEN];
        let mut kept = Vec::new();
        for _ in 0..2 {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(&preface).await.unwrap();
            kept.push(conns.next().await.unwrap().unwrap());
        }
        let mut third = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 1];
        let n = tokio::time::timeout(Duration::from_secs(5), third.read(&mut buf))
            .await
            .unwrap()
            .unwrap_or(0);
        assert_eq!(n, 0, "the third connection is closed");
        // A place comes back when a connection closes.
        drop(kept.pop());
        let mut fourth = TcpStream::connect(addr).await.unwrap();
        fourth.write_all(&preface).await.unwrap();
        assert!(
            tokio::time::timeout(Duration::from_secs(5), conns.next())
                .await
                .unwrap()
                .is_some()
        );
    }
}
