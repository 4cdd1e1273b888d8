//! Chunking throughput on a generated 1,000-page document (~3,000 characters a page), as the
//! Hub feeds PDF text: `cargo bench -p coachai-chunker --bench chunking -- --measurement-time 5`.
//! Markdown, plain text and a WebVTT transcript of the same text are measured alongside.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use coachai_chunker::{ChunkOptions, chunk_markdown, chunk_pages, chunk_text, chunk_vtt};
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

/// The sentences of `text` as WebVTT cues of three seconds each, with a voice tag.
fn transcript(text: &str) -> String {
    let mut vtt = String::from("WEBVTT\n\n");
    for (i, sentence) in text
        .split(". ")
        .filter(|s| !s.trim().is_empty())
        .enumerate()
    {
        let (start, end) = (i * 3, i * 3 + 3);
        vtt.push_str(&format!(
            "{i}\n{} --> {} align:start\n<v Coach>{}.</v>\n\n",
            stamp(start),
            stamp(end),
            sentence.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
    vtt
}

fn stamp(secs: usize) -> String {
    format!(
        "{:02}:{:02}:{:02}.000",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn chunking(c: &mut Criterion) {
    let pages: Vec<(u32, String)> = (1..=PAGES).map(|n| (n, page(n))).collect();
    let bytes: u64 = pages.iter().map(|(_, t)| t.len() as u64).sum();
    let markdown: String = pages
        .iter()
        .map(|(n, t)| format!("# Chapter {}\n\n## Page {n}\n\n{t}\n\n", n / 20))
        .collect();
    let plain: String = pages.iter().map(|(_, t)| format!("{t}\n\n")).collect();
    let vtt = transcript(&plain);
    let opts = ChunkOptions::default();
    assert!(
        chunk_vtt(&vtt, &opts).is_ok(),
        "the generated transcript is valid WebVTT"
    );

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
    group.throughput(Throughput::Bytes(vtt.len() as u64));
    group.bench_function("chunk_vtt", |b| {
        b.iter(|| chunk_vtt(&vtt, &opts).map(|c| c.len()))
    });
    group.finish();
}

criterion_group!(benches, chunking);
criterion_main!(benches);
