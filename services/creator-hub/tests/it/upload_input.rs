//! Bad file uploads: each a 4xx problem+json naming what to fix, never a 500, and nothing stored;
//! oversized uploads are refused without reading them whole; file names are stored sanitised.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::Request;
use coachai_common::auth::Role;
use coachai_common::tenancy::CreatorId;
use coachai_creator_hub::models::upload::MAX_FILE_BYTES;
use futures::StreamExt;
use serde_json::json;

use crate::harness::{BOUNDARY, Hub, MULTIPART, Part};
use crate::pdf_fixture::pdf;

async fn stored(hub: &Hub, creator: CreatorId) -> i64 {
    let mut tx = hub.tenant(creator).await;
    sqlx::query_scalar("SELECT count(*) FROM content_items")
        .fetch_one(tx.conn())
        .await
        .unwrap()
}

#[tokio::test]
async fn empty_junk_invalid_utf8_and_malformed_files_are_refused_and_nothing_is_stored() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let broken_vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n\n00:00:03.000 --> soon\nBye\n";
    let cases: [(&str, &[u8], u16, &str); 7] = [
        ("empty.txt", b"", 422, "empty"),
        ("blank.md", b" \n\r\n\t", 422, "empty"),
        (
            "x.pdf",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            415,
            "unsupported file type",
        ),
        (
            "notes.txt",
            b"caf\xe9 au lait",
            415,
            "unsupported file type",
        ),
        (
            "cut.txt",
            b"ends mid-character \xe2\x82",
            415,
            "unsupported file type",
        ),
        ("talk.vtt", broken_vtt, 422, "line 6"),
        (
            "broken.pdf",
            b"%PDF-1.5\n garbage",
            422,
            "not a readable PDF",
        ),
    ];
    for (name, bytes, status, says) in cases {
        let reply = hub
            .upload_file(creator, &owner, name, bytes)
            .await
            .problem(status);
        assert!(
            reply.body.to_string().contains(says),
            "{name}: {}",
            reply.body
        );
    }
    assert_eq!(stored(&hub, creator).await, 0);
}

#[tokio::test]
async fn forms_without_a_file_with_unknown_parts_or_bad_fields_are_422() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let long_title = "t".repeat(10_000);
    let many_tags = (0..21)
        .map(|i| format!("t{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let file = Part::file("a.txt", b"Some text.");
    let cases: Vec<(Vec<Part<'_>>, &str)> = vec![
        (vec![Part::text("title", "No file")], "file"),
        (
            vec![Part::file("a.txt", b"x"), Part::file("b.txt", b"y")],
            "file",
        ),
        (
            vec![Part::file("a.txt", b"x"), Part::text("owner", "me")],
            "owner",
        ),
        (vec![Part::file("../", b"Some text.")], "title"),
        (
            vec![Part::file("a.txt", b"x"), Part::text("title", &long_title)],
            "title",
        ),
        (
            vec![Part::file("a.txt", b"x"), Part::text("title", "two\nlines")],
            "title",
        ),
        (vec![file, Part::text("tags", &many_tags)], "tags"),
    ];
    for (parts, field) in cases {
        let reply = hub.upload_form(creator, &owner, &parts).await.problem(422);
        assert!(
            reply.body.to_string().contains(field),
            "{field}: {}",
            reply.body
        );
    }
    let text_plain = Request::post(format!("/api/v1/creators/{creator}/content"))
        .header("authorization", format!("Bearer {owner}"))
        .header("content-type", "text/plain")
        .body(Body::from("hello"))
        .unwrap();
    let reply = hub.send(text_plain).await.problem(415);
    assert!(
        reply.body.to_string().contains("multipart/form-data"),
        "{}",
        reply.body
    );
    assert_eq!(stored(&hub, creator).await, 0);
}

#[tokio::test]
async fn path_traversal_and_control_characters_in_file_names_are_stored_sanitised() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let coach = hub.token(creator, Role::Coach);
    for (raw, kept, title) in [
        ("../../etc/passwd", "passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini", "win"),
        (
            "dir/\u{9b}31mred\tnotes.md",
            "31mrednotes.md",
            "31mrednotes",
        ),
    ] {
        let reply = hub
            .upload_file(creator, &coach, raw, b"# Safe\n\nText.")
            .await;
        assert_eq!(reply.status, 201, "{raw}: {}", reply.body);
        assert_eq!(reply.body["source_filename"], kept, "{raw}");
        assert_eq!(reply.body["title"], title, "{raw}");
    }
}

#[tokio::test]
async fn a_file_one_byte_over_the_limit_is_413_and_one_at_the_limit_is_stored() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    hub.set_quotas(creator, &json!({"storage_bytes": 64 * 1024 * 1024}))
        .await;
    let mut big = "word ".repeat(MAX_FILE_BYTES / 5).into_bytes();
    big.push(b'!');
    assert_eq!(big.len(), MAX_FILE_BYTES + 1);
    let reply = hub
        .upload_file(creator, &owner, "big.txt", &big)
        .await
        .problem(413);
    assert!(reply.body.to_string().contains("10 MiB"), "{}", reply.body);
    assert_eq!(stored(&hub, creator).await, 0);
    big.pop();
    let reply = hub.upload_file(creator, &owner, "big.txt", &big).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["size_bytes"], MAX_FILE_BYTES);
}

/// A body of `total` bytes that is produced only as it is read, counting what was read.
fn endless(total: usize, read: Arc<AtomicUsize>) -> Body {
    const CHUNK: usize = 64 * 1024;
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.txt\"\r\n\r\n"
    );
    let first = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(head)) });
    let rest = futures::stream::repeat_with(move || {
        read.fetch_add(CHUNK, Ordering::SeqCst);
        Ok::<_, std::io::Error>(Bytes::from(vec![b'a'; CHUNK]))
    })
    .take(total / CHUNK);
    Body::from_stream(first.chain(rest))
}

#[tokio::test]
async fn a_100_mb_upload_is_refused_without_being_read_whole() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let huge = 100 * 1024 * 1024;
    // Declared: the header says 100 MB and the body would produce it; none of it is read.
    let read = Arc::new(AtomicUsize::new(0));
    let declared = Request::post(format!("/api/v1/creators/{creator}/content"))
        .header("authorization", format!("Bearer {owner}"))
        .header("content-type", MULTIPART)
        .header("content-length", huge)
        .body(endless(huge, read.clone()))
        .unwrap();
    let started = Instant::now();
    let reply = hub.send(declared).await.problem(413);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(reply.body.to_string().contains("10 MiB"), "{}", reply.body);
    assert_eq!(
        read.load(Ordering::SeqCst),
        0,
        "no byte of the body was read"
    );
    // Chunked, no length: reading stops just past the limit.
    let read = Arc::new(AtomicUsize::new(0));
    let chunked = Request::post(format!("/api/v1/creators/{creator}/content"))
        .header("authorization", format!("Bearer {owner}"))
        .header("content-type", MULTIPART)
        .body(endless(huge, read.clone()))
        .unwrap();
    hub.send(chunked).await.problem(413);
    let taken = read.load(Ordering::SeqCst);
    assert!(
        taken <= MAX_FILE_BYTES + 256 * 1024,
        "read {taken} bytes of {huge}"
    );
    assert_eq!(stored(&hub, creator).await, 0);
}

#[tokio::test]
async fn uploads_count_against_the_quotas_and_json_keeps_its_own_body_limit() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    hub.set_quotas(creator, &json!({"documents": 1, "storage_bytes": 100}))
        .await;
    let reply = hub
        .upload_file(creator, &owner, "long.txt", &[b'x'; 101])
        .await
        .problem(413);
    assert!(
        reply.body.to_string().contains("100 bytes and 0 are used"),
        "{}",
        reply.body
    );
    let one = hub.upload_file(creator, &owner, "one.txt", b"One.").await;
    assert_eq!(one.status, 201, "{}", one.body);
    let reply = hub
        .upload_file(creator, &owner, "two.txt", b"Two.")
        .await
        .problem(409);
    assert!(
        reply.body.to_string().contains("1 items and 1 are stored"),
        "{}",
        reply.body
    );
    let scan = hub
        .upload_file(creator, &owner, "scan.pdf", &pdf(&[None]))
        .await;
    scan.problem(409);

    let other = hub.creator().await;
    let token = hub.token(other, Role::Owner);
    let body = json!({"title": "Big", "kind": "text", "body": "b".repeat(2 * 1024 * 1024)});
    hub.upload(other, &token, &body).await.problem(413);
    let client = hub.token(other, Role::Client);
    hub.upload_file(other, &client, "a.txt", b"Hi.")
        .await
        .problem(403);
    assert_eq!(stored(&hub, other).await, 0);
}

#[tokio::test]
async fn a_file_sent_to_another_creators_library_is_404_and_stores_nothing() {
    let hub = Hub::new().await;
    let a = hub.creator().await;
    let b = hub.creator().await;
    let a_owner = hub.token(a, Role::Owner);
    hub.upload_file(b, &a_owner, "planted.md", b"# Planted\n\nText.")
        .await
        .problem(404);
    assert_eq!(stored(&hub, a).await, 0);
    assert_eq!(stored(&hub, b).await, 0);
}
