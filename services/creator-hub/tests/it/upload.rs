//! File uploads (`multipart/form-data`) of every format, made by the tests: the kind comes from
//! the content, and the chunks' locations are the right heading path, page or cue times.

use axum::http::Method;
use coachai_common::auth::Role;
use coachai_common::tenancy::CreatorId;
use serde_json::{Value, json};

use crate::harness::{Hub, Part};
use crate::pdf_fixture::pdf;

/// The chunks of the item in `created`, through the chunks route.
async fn chunks(hub: &Hub, creator: CreatorId, token: &str, created: &Value) -> Vec<Value> {
    let id = created["id"].as_str().unwrap();
    let path = format!("/{creator}/content/{id}/chunks");
    let reply = hub.call(Method::GET, &path, token, None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body.as_array().unwrap().clone()
}

fn locations(chunks: &[Value]) -> Vec<Value> {
    chunks.iter().map(|c| c["location"].clone()).collect()
}

/// A cue long enough that no two share a chunk (the default chunk is 1,200 characters).
fn long(label: &str) -> String {
    format!("{label} {}", "word ".repeat(140).trim_end())
}

#[tokio::test]
async fn a_markdown_file_is_chunked_under_its_headings_and_titled_after_its_name() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let coach = hub.token(creator, Role::Coach);
    let text = "# Plan\n\nIntro.\n\n## Week 1\n\nWalk daily.\n";
    let reply = hub
        .upload_form(
            creator,
            &coach,
            &[
                Part::file("Training plan.v2.md", text.as_bytes()),
                Part::text("tags", "plans, walking"),
                Part::text("tags", "basics"),
            ],
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let item = &reply.body;
    assert_eq!(item["title"], "Training plan.v2");
    assert_eq!(item["kind"], "markdown");
    assert_eq!(item["status"], "pending");
    assert_eq!(item["source_filename"], "Training plan.v2.md");
    assert_eq!(item["size_bytes"], text.len());
    assert_eq!(item["tags"], json!(["plans", "walking", "basics"]));
    let chunks = chunks(&hub, creator, &coach, item).await;
    assert_eq!(
        locations(&chunks),
        [
            json!({"heading_path": ["Plan"]}),
            json!({"heading_path": ["Plan", "Week 1"]})
        ]
    );
    let id = item["id"].as_str().unwrap().parse().unwrap();
    let jobs = "SELECT count(*) FROM ingestion_jobs WHERE content_id = $1 AND kind = 'embed'";
    assert_eq!(hub.count(creator, jobs, id).await, 1);
    let mime = "SELECT count(*) FROM content_items WHERE id = $1 AND mime_type = 'text/markdown'";
    assert_eq!(hub.count(creator, mime, id).await, 1);
}

#[tokio::test]
async fn vtt_and_srt_transcripts_keep_their_cue_times_whatever_the_file_is_called() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let coach = hub.token(creator, Role::Coach);
    let vtt = format!(
        "WEBVTT\n\n00:14:05.250 --> 00:14:30.000\n{}\n\n00:15:31.000 --> 00:15:40.999\n{}\n\n\
         01:02:03.000 --> 01:02:07.500\n{}\n",
        long("one"),
        long("two"),
        long("three")
    );
    let srt = format!(
        "1\r\n00:00:01,000 --> 00:00:04,500\r\n{}\r\n\r\n2\r\n00:00:05,000 --> 00:00:09,000\r\n{}\r\n",
        long("first"),
        long("second")
    );
    let span = |start: &str, end: &str| json!({"start": start, "end": end});
    let cues = vec![
        span("00:14:05", "00:14:30"),
        span("00:15:31", "00:15:40"),
        span("01:02:03", "01:02:07"),
    ];
    for (name, body, expected) in [
        ("session.vtt", vtt.clone(), cues.clone()),
        ("session.txt", vtt, cues),
        (
            "call.srt",
            srt,
            vec![span("00:00:01", "00:00:04"), span("00:00:05", "00:00:09")],
        ),
    ] {
        let reply = hub
            .upload_file(creator, &coach, name, body.as_bytes())
            .await;
        assert_eq!(reply.status, 201, "{name}: {}", reply.body);
        assert_eq!(reply.body["kind"], "transcript", "{name}");
        let got = locations(&chunks(&hub, creator, &coach, &reply.body).await);
        assert_eq!(got, expected, "{name}");
    }
}

#[tokio::test]
async fn a_pdf_keeps_its_page_numbers_and_a_scan_is_stored_failed_with_the_reason() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let coach = hub.token(creator, Role::Coach);
    let three = pdf(&[
        Some("Page one: warm up."),
        Some("Page two: lift."),
        Some("Page three: cool down."),
    ]);
    let reply = hub.upload_file(creator, &coach, "plan.txt", &three).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        reply.body["kind"], "pdf",
        "the content decides, not the name"
    );
    assert_eq!(reply.body["title"], "plan");
    let chunks = chunks(&hub, creator, &coach, &reply.body).await;
    assert_eq!(
        locations(&chunks),
        [json!({"page": 1}), json!({"page": 2}), json!({"page": 3})]
    );
    assert!(chunks[1]["text"].as_str().unwrap().contains("lift"));

    let scan = hub
        .upload_file(creator, &coach, "scan.pdf", &pdf(&[None, None]))
        .await;
    assert_eq!(scan.status, 201, "{}", scan.body);
    assert_eq!(scan.body["status"], "failed");
    assert_eq!(scan.body["chunks_total"], 0);
    let reason = scan.body["status_reason"].as_str().unwrap();
    assert!(reason.contains("no text layer"), "{reason}");
    let id = scan.body["id"].as_str().unwrap().parse().unwrap();
    let jobs = "SELECT count(*) FROM ingestion_jobs WHERE content_id = $1";
    assert_eq!(hub.count(creator, jobs, id).await, 0, "nothing to embed");
}

#[tokio::test]
async fn a_long_file_keeps_every_chunk_in_order_across_the_insert_batches() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let coach = hub.token(creator, Role::Coach);
    let sections = 600;
    let text: String = (1..=sections)
        .map(|n| format!("# Section {n}\n\n{}\n\n", long(&format!("Part {n}."))))
        .collect();
    let reply = hub
        .upload_form(creator, &coach, &[Part::file("long.md", text.as_bytes())])
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["chunks_total"], sections);
    let chunks = chunks(&hub, creator, &coach, &reply.body).await;
    let indexes: Vec<u64> = chunks
        .iter()
        .map(|c| c["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indexes, (0..sections).collect::<Vec<u64>>());
    assert_eq!(
        chunks[sections as usize - 1]["location"],
        json!({"heading_path": [format!("Section {sections}")]})
    );
}
