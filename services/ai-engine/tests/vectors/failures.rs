//! How the store fails: a ChromaDB that is down or silent is "unavailable" quickly (so chat can
//! fall back to full-text search), and a request Chroma refuses is not mistaken for an outage.

use std::time::{Duration, Instant};

use coachai_ai_engine::vectors::{VectorError, VectorStore};
use tokio::net::TcpListener;
use uuid::Uuid;

use super::{chunk, creator, store};

/// A local port nothing listens on.
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_chroma_that_refuses_connections_is_unavailable_within_a_second() {
    let store = VectorStore::new(&format!("http://127.0.0.1:{}", closed_port().await)).unwrap();
    let started = Instant::now();

    let query = store.query(creator(), &[1.0, 0.0, 0.0, 0.0], 5, 0.0).await;
    let upsert = store
        .upsert_chunks(creator(), &[chunk(Uuid::new_v4(), 1, 0, [1.0; 4])])
        .await;

    assert!(
        matches!(query, Err(VectorError::Unavailable(_))),
        "{query:?}"
    );
    assert!(
        matches!(upsert, Err(VectorError::Unavailable(_))),
        "{upsert:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_chroma_that_accepts_but_never_answers_times_out_as_unavailable() {
    // The kernel completes the handshake into the backlog; nobody ever reads or writes.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let store = VectorStore::new(&url)
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let started = Instant::now();

    let query = store.query(creator(), &[1.0, 0.0, 0.0, 0.0], 5, 0.0).await;

    assert!(
        matches!(query, Err(VectorError::Unavailable(_))),
        "{query:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_embedding_of_the_wrong_dimension_is_rejected_not_unavailable() {
    let (store, tenant) = (store().await, creator());
    store
        .upsert_chunks(tenant, &[chunk(Uuid::new_v4(), 1, 0, [1.0; 4])])
        .await
        .unwrap();

    let query = store.query(tenant, &[1.0, 0.0, 0.0], 5, 0.0).await;

    assert!(matches!(query, Err(VectorError::Rejected(_))), "{query:?}");
    let status = coachai_common::AppError::from(query.unwrap_err()).status();
    assert_eq!(status, 400);
    store.drop_collection(tenant).await.unwrap();
}

#[test]
fn a_chroma_url_that_is_not_an_http_url_is_refused_at_construction() {
    for url in ["not a url", "localhost:8000", "ftp://127.0.0.1:8000"] {
        let err = VectorStore::new(url).unwrap_err();

        assert!(
            matches!(err, VectorError::InvalidUrl { .. }),
            "{url}: {err:?}"
        );
    }
}
