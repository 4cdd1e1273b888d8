//! The workers of this process: one loop per queue (inbound messages, deliveries) claims due
//! rows across tenants through the `SECURITY DEFINER` claims (ids only, under a lease so two
//! replicas never work on one row at once) and works on each in its creator's tenant
//! transaction, a few at a time. A commit's `NOTIFY` wakes them; else they look every poll.

use std::sync::Arc;
use std::time::{Duration, Instant};

use coachai_common::tenancy::CreatorId;
use sqlx::postgres::PgListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use super::deliver;
use super::inbound::INBOUND_WAKE;
use super::outbox::{self, DELIVERY_WAKE, Outcome};
use super::process;
use super::{Messaging, MessagingError, store};

/// Rows one loop works on at once.
const CONCURRENCY: usize = 4;

#[derive(Debug, Clone, Copy)]
enum Queue {
    Inbound,
    Delivery,
}

impl Queue {
    fn wake_channel(self) -> &'static str {
        match self {
            Self::Inbound => INBOUND_WAKE,
            Self::Delivery => DELIVERY_WAKE,
        }
    }

    fn claim_sql(self) -> &'static str {
        match self {
            Self::Inbound => {
                "SELECT inbound_id, creator_id, lease_token FROM app_claim_channel_inbound($1)"
            }
            Self::Delivery => {
                "SELECT delivery_id, creator_id, lease_token FROM app_claim_channel_delivery($1)"
            }
        }
    }
}

/// Starts both loops.
pub fn spawn(messaging: Arc<Messaging>) {
    tokio::spawn(run(messaging.clone(), Queue::Inbound));
    tokio::spawn(run(messaging, Queue::Delivery));
}

async fn run(messaging: Arc<Messaging>, queue: Queue) {
    let poll = Duration::from_millis(messaging.settings.channel_poll_ms.max(10));
    let mut listener = listen(&messaging, queue).await;
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    while let Ok(permit) = permits.clone().acquire_owned().await {
        match claim(&messaging, queue).await {
            Ok(Some(claimed)) => dispatch(messaging.clone(), queue, claimed, permit),
            Ok(None) => {
                drop(permit);
                wait(&mut listener, poll).await;
            }
            Err(e) => {
                drop(permit);
                claim_failed(&e, queue, poll).await;
            }
        }
    }
}

async fn claim_failed(e: &MessagingError, queue: Queue, poll: Duration) {
    tracing::warn!(error = %e, ?queue, "claiming messaging work failed");
    tokio::time::sleep(poll).await;
}

/// Works on a claimed row in its own task, holding `permit` until done.
fn dispatch(
    messaging: Arc<Messaging>,
    queue: Queue,
    (id, creator, lease): (Uuid, Uuid, Uuid),
    permit: OwnedSemaphorePermit,
) {
    tokio::spawn(async move {
        if let Err(e) = work(&messaging, queue, CreatorId(creator), id, lease).await {
            tracing::error!(error = %e, row = %id, ?queue, "a messaging job failed");
        }
        drop(permit);
    });
}

async fn listen(messaging: &Messaging, queue: Queue) -> Option<PgListener> {
    let mut listener = PgListener::connect_with(messaging.core.db.preauth())
        .await
        .ok()?;
    listener.listen(queue.wake_channel()).await.ok()?;
    Some(listener)
}

async fn wait(listener: &mut Option<PgListener>, poll: Duration) {
    match listener {
        Some(listener) => {
            let _ = tokio::time::timeout(poll, listener.try_recv()).await;
        }
        None => tokio::time::sleep(poll).await,
    }
}

async fn claim(
    messaging: &Messaging,
    queue: Queue,
) -> Result<Option<(Uuid, Uuid, Uuid)>, MessagingError> {
    Ok(sqlx::query_as(queue.claim_sql())
        .bind(messaging.lease_ms())
        .fetch_optional(messaging.core.db.preauth())
        .await?)
}

async fn work(
    messaging: &Messaging,
    queue: Queue,
    creator: CreatorId,
    id: Uuid,
    lease: Uuid,
) -> Result<(), MessagingError> {
    match queue {
        Queue::Inbound => process::answer(messaging, creator, id, lease).await,
        Queue::Delivery => delivery(messaging, creator, id, lease).await,
    }
}

/// One attempt of delivery `id`, its outcome recorded under `lease`.
async fn delivery(
    messaging: &Messaging,
    creator: CreatorId,
    id: Uuid,
    lease: Uuid,
) -> Result<(), MessagingError> {
    let mut tx = messaging.core.db.begin_for(creator).await?;
    let Some(claimed) = outbox::load(&mut tx, id, lease).await? else {
        return Ok(());
    };
    let destination = claimed.integration_id;
    let Some(opened) = store::open(&mut tx, messaging.secrets()?, destination).await? else {
        return Ok(());
    };
    tx.commit().await?;
    let outcome = match messaging.breakers.open_for(destination, Instant::now()) {
        Some(wait) => Outcome::Deferred(wait),
        None => {
            let result = deliver::attempt(messaging, &opened, &claimed).await;
            messaging
                .breakers
                .record(destination, result.is_ok(), Instant::now());
            outcome(messaging, claimed.attempts, result)
        }
    };
    let label = match &outcome {
        Outcome::Delivered => "delivered",
        Outcome::Failed { retry_in: None, .. } => "dead",
        Outcome::Failed { .. } => "retry",
        Outcome::Deferred(_) => "deferred",
    };
    metrics::counter!("channel_deliveries_total", "outcome" => label).increment(1);
    let mut tx = messaging.core.db.begin_for(creator).await?;
    outbox::settle(&mut tx, id, lease, &outcome).await?;
    tx.commit().await?;
    Ok(())
}

fn outcome(messaging: &Messaging, attempts: i32, result: Result<(), String>) -> Outcome {
    match result {
        Ok(()) => Outcome::Delivered,
        Err(error) => {
            let attempts = u32::try_from(attempts).unwrap_or(0).saturating_add(1);
            let backoff = messaging.backoff();
            let retry_in = (!backoff.exhausted(attempts)).then(|| backoff.next(attempts));
            Outcome::Failed { error, retry_in }
        }
    }
}
