//! Single-flight inside one process: the first caller of a key leads, later callers wait, and the
//! leader's outcome — its value or its failure — reaches every caller of that wave.
//!
//! A wave ends when its leader finishes (success, error or panic) or is dropped; a dropped
//! leader publishes nothing, so its waiters start the next wave and one of them leads it.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

/// What a wave's waiters receive: the encoded value, or the leader's failure in words.
pub(super) type Shared = Result<Arc<Vec<u8>>, Arc<str>>;

type Slot = watch::Receiver<Option<Shared>>;

/// The flights in progress, by key.
#[derive(Default)]
pub(super) struct Flights {
    map: Mutex<HashMap<String, (u64, Slot)>>,
    next_id: AtomicU64,
}

/// A caller's part in the flight of its key.
pub(super) enum Role<'a> {
    /// No flight was in progress: this caller loads and must [`Leading::finish`].
    Lead(Leading<'a>),
    /// Another caller leads; wait for its outcome.
    Follow(Waiting),
}

/// The leader's handle; dropping it unfinished ends the wave without an outcome.
pub(super) struct Leading<'a> {
    flights: &'a Flights,
    key: String,
    id: u64,
    sender: watch::Sender<Option<Shared>>,
}

/// A waiter's handle on the wave it joined.
pub(super) struct Waiting(Slot);

impl Flights {
    /// Joins the flight of `key`, leading a new one when none is in progress.
    pub(super) fn join(&self, key: &str) -> Role<'_> {
        let mut map = self.map();
        if let Some((_, slot)) = map.get(key) {
            return Role::Follow(Waiting(slot.clone()));
        }
        let (sender, slot) = watch::channel(None);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        map.insert(key.to_owned(), (id, slot));
        Role::Lead(Leading {
            flights: self,
            key: key.to_owned(),
            id,
            sender,
        })
    }

    fn leave(&self, key: &str, id: u64) {
        let mut map = self.map();
        if map.get(key).is_some_and(|(current, _)| *current == id) {
            map.remove(key);
        }
    }

    fn map(&self) -> MutexGuard<'_, HashMap<String, (u64, Slot)>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Leading<'_> {
    /// Ends the wave: publishes the outcome to its waiters, then hands the leader its value,
    /// its own error, or resumes its panic. Callers arriving from now on start a new wave.
    pub(super) fn finish<E: Display>(
        self,
        outcome: std::thread::Result<Result<Arc<Vec<u8>>, E>>,
    ) -> Result<Arc<Vec<u8>>, E> {
        self.flights.leave(&self.key, self.id);
        match outcome {
            Ok(Ok(bytes)) => {
                self.sender.send_replace(Some(Ok(bytes.clone())));
                Ok(bytes)
            }
            Ok(Err(err)) => {
                self.sender.send_replace(Some(Err(err.to_string().into())));
                Err(err)
            }
            Err(panic) => {
                self.sender
                    .send_replace(Some(Err("the loader panicked".into())));
                std::panic::resume_unwind(panic)
            }
        }
    }
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        self.flights.leave(&self.key, self.id);
    }
}

impl Waiting {
    /// The wave's outcome; `None` when its leader was dropped before finishing.
    pub(super) async fn outcome(mut self) -> Option<Shared> {
        let published = self.0.wait_for(Option::is_some).await.ok()?;
        published.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(flights: &Flights) -> Leading<'_> {
        match flights.join("k") {
            Role::Lead(leading) => leading,
            Role::Follow(_) => panic!("the first caller of a key must lead"),
        }
    }

    fn follow(flights: &Flights) -> tokio::task::JoinHandle<Option<Shared>> {
        match flights.join("k") {
            Role::Follow(waiting) => tokio::spawn(waiting.outcome()),
            Role::Lead(_) => panic!("a flight is in progress; later callers must follow"),
        }
    }

    async fn outcomes(
        waiters: Vec<tokio::task::JoinHandle<Option<Shared>>>,
    ) -> Vec<Option<Shared>> {
        futures::future::join_all(waiters)
            .await
            .into_iter()
            .map(|joined| joined.unwrap())
            .collect()
    }

    #[tokio::test]
    async fn a_failed_lead_reaches_every_waiter_of_its_wave_and_the_next_caller_leads_anew() {
        let flights = Flights::default();
        let leading = lead(&flights);
        let waiters: Vec<_> = (0..100).map(|_| follow(&flights)).collect();
        let own = leading.finish::<String>(Ok(Err("upstream down".to_owned())));
        assert_eq!(own.unwrap_err(), "upstream down");
        for outcome in outcomes(waiters).await {
            assert_eq!(&*outcome.unwrap().unwrap_err(), "upstream down");
        }
        assert!(matches!(flights.join("k"), Role::Lead(_)));
    }

    #[tokio::test]
    async fn a_value_reaches_every_waiter() {
        let flights = Flights::default();
        let leading = lead(&flights);
        let waiters: Vec<_> = (0..100).map(|_| follow(&flights)).collect();
        let value = Arc::new(b"42".to_vec());
        leading.finish::<String>(Ok(Ok(value))).unwrap();
        for outcome in outcomes(waiters).await {
            assert_eq!(*outcome.unwrap().unwrap(), b"42");
        }
    }

    #[tokio::test]
    async fn a_dropped_leader_publishes_nothing_and_lets_a_waiter_lead_the_next_wave() {
        let flights = Flights::default();
        let leading = lead(&flights);
        let waiter = follow(&flights);
        drop(leading);
        assert!(waiter.await.unwrap().is_none());
        assert!(matches!(flights.join("k"), Role::Lead(_)));
    }

    #[tokio::test]
    async fn a_panicking_leader_fails_its_waiters_and_panics_itself() {
        let flights = Flights::default();
        let leading = lead(&flights);
        let waiter = follow(&flights);
        let resumed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            leading.finish::<String>(Err(Box::new("loader bug")))
        }));
        assert_eq!(
            *resumed.unwrap_err().downcast::<&str>().unwrap(),
            "loader bug"
        );
        let failure = waiter.await.unwrap().unwrap().unwrap_err();
        assert_eq!(&*failure, "the loader panicked");
    }
}
