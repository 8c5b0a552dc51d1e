//! Benchmarks of the core on generated graphs of 100, 1,000 and 10,000 nodes:
//! `cargo bench -p wiring --bench core`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use wiring::{Observed, examples, plan, validate};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("core");
    for n in [100usize, 1_000, 10_000] {
        let g = examples::generated(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("validate", n), &g, |b, g| {
            b.iter(|| validate(black_box(g)))
        });
        let observed = Observed::default();
        group.bench_with_input(BenchmarkId::new("plan", n), &g, |b, g| {
            b.iter(|| plan(black_box(g), black_box(&observed)))
        });
        let text = g.to_json();
        group.bench_with_input(BenchmarkId::new("parse", n), &text, |b, t| {
            b.iter(|| wiring::Graph::from_json(black_box(t)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
