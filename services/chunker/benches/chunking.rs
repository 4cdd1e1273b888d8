//! Chunking throughput on a generated 1,000-page document (~3,000 characters a page), as the
//! Hub feeds PDF text: `cargo bench -p coachai-chunker --bench chunking -- --measurement-time 5`.
//! Markdown and plain text of the same size are measured alongside.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use coachai_chunker::{ChunkOptions, chunk_markdown, chunk_pages, chunk_text};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const PAGES: u32 = 1_000;
const PAGE_CHARS: usize = 3_000;

const WORDS: [&str; 16] = [
    "squat",
    "tempo",
    "protein",
    "recovery",
    "mobility",
    "hinge",
    "breathing",
    "progressive",
    "overload",
    "sleep",
    "hydration",
    "warm-up",
    "cadence",
    "deload",
    "posture",
    "endurance",
];

/// One page of prose: sentences of varied length, a paragraph break every few sentences.
fn page(n: u32) -> String {
    let mut text = String::with_capacity(PAGE_CHARS + 64);
    let mut i = n as usize;
    while text.len() < PAGE_CHARS {
        for w in 0..(6 + i % 11) {
            if w > 0 {
                text.push(' ');
            }
            text.push_str(WORDS[(i * 7 + w * 3) % WORDS.len()]);
        }
        text.push_str(if i.is_multiple_of(5) { ".\n\n" } else { ". " });
        i += 1;
    }
    text
}

fn chunking(c: &mut Criterion) {
    let pages: Vec<(u32, String)> = (1..=PAGES).map(|n| (n, page(n))).collect();
    let bytes: u64 = pages.iter().map(|(_, t)| t.len() as u64).sum();
    let markdown: String = pages
        .iter()
        .map(|(n, t)| format!("# Chapter {}\n\n## Page {n}\n\n{t}\n\n", n / 20))
        .collect();
    let plain: String = pages.iter().map(|(_, t)| format!("{t}\n\n")).collect();
    let opts = ChunkOptions::default();

    let mut group = c.benchmark_group("chunk 1,000 pages");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("chunk_pages", |b| {
        b.iter(|| chunk_pages(&pages, &opts).len())
    });
    group.throughput(Throughput::Bytes(markdown.len() as u64));
    group.bench_function("chunk_markdown", |b| {
        b.iter(|| chunk_markdown(&markdown, &opts).len())
    });
    group.throughput(Throughput::Bytes(plain.len() as u64));
    group.bench_function("chunk_text", |b| b.iter(|| chunk_text(&plain, &opts).len()));
    group.finish();
}

criterion_group!(benches, chunking);
criterion_main!(benches);
