//! Attachments over real gRPC on loopback: uploading a 5 MiB photo, durable
//! (synced, renamed, its record flushed before the answer), and downloading
//! it, checked whole before it is sent.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use desk137_tests::{TestServer, obstruction};
use std::time::{Duration, Instant};

const SIZE: usize = 5 * 1024 * 1024;

/// A JPEG's header and `SIZE` bytes in all, distinct for each `n`, so every
/// upload writes a file of its own.
fn photo(n: u64) -> Vec<u8> {
    let mut bytes = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec();
    bytes.extend_from_slice(&n.to_be_bytes());
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    bytes.resize_with(SIZE, || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    });
    bytes
}

fn attachments(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (server, mut agent, case_id) = runtime.block_on(async {
        let server = TestServer::demo().await.expect("a server");
        let mut agent = server.as_user("agent1").await.expect("a client");
        let case = agent
            .cases
            .create_case(obstruction("bench"))
            .await
            .expect("a case")
            .into_inner()
            .r#case
            .expect("the case");
        (server, agent, case.id)
    });
    let mut group = c.benchmark_group("attachments");
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(20));
    let mut n = 0u64;
    group.bench_function("upload 5 MiB, durable", |b| {
        b.iter_custom(|iters| {
            let files: Vec<Vec<u8>> = (0..iters)
                .map(|_| {
                    n += 1;
                    photo(n)
                })
                .collect();
            runtime.block_on(async {
                let began = Instant::now();
                for file in &files {
                    agent
                        .upload(case_id, "photo.jpg", "image/jpeg", file)
                        .await
                        .expect("an upload");
                }
                began.elapsed()
            })
        })
    });
    let id = runtime
        .block_on(agent.upload(case_id, "photo.jpg", "image/jpeg", &photo(0)))
        .expect("an upload")
        .id;
    group.bench_function("download 5 MiB, verified", |b| {
        b.iter(|| {
            runtime
                .block_on(agent.download(case_id, &id))
                .expect("a download")
        })
    });
    group.finish();
    runtime
        .block_on(server.shutdown())
        .expect("a clean shutdown");
}

criterion_group!(benches, attachments);
criterion_main!(benches);
