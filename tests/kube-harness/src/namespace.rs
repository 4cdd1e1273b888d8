//! A namespace of its own for each test, so tests run in parallel without seeing each other's
//! objects; it is deleted when the guard is dropped (or explicitly, with [`TestNamespace::delete`]).

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{DeleteParams, ObjectMeta, PostParams};
use kube::{Api, Client, Resource};

use crate::HarnessError;

/// The label that marks every namespace the harness creates.
pub const HARNESS_LABEL: &str = "coachai.dev/test-harness";

/// A freshly created namespace, owned by one test.
///
/// Dropping it deletes the namespace. The drop guard works from any runtime (including the
/// current-thread runtime of `#[tokio::test]`): it sends the delete from a short-lived thread
/// with its own runtime and client, and waits for the API server to accept it.
pub struct TestNamespace {
    name: String,
    client: Client,
    config: kube::Config,
    deleted: bool,
}

impl TestNamespace {
    /// Creates a namespace named `<prefix>-<8 random hex digits>` with a client for the harness
    /// cluster. `prefix` is usually the test's name; it is lower-cased and cut to fit.
    pub async fn create(prefix: &str) -> Result<Self, HarnessError> {
        let config = crate::config().await?;
        let client = Client::try_from(config.clone())?;
        let name = namespace_name(prefix);
        let namespace = Namespace {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                labels: Some([(HARNESS_LABEL.to_owned(), "true".to_owned())].into()),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        };
        Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &namespace)
            .await?;
        Ok(Self {
            name,
            client,
            config,
            deleted: false,
        })
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A client for the harness cluster (cheap to clone).
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// An API handle for a namespaced kind, scoped to this namespace.
    pub fn api<K>(&self) -> Api<K>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        <K as Resource>::DynamicType: Default,
    {
        Api::namespaced(self.client.clone(), &self.name)
    }

    /// Deletes the namespace now, reporting failure instead of only logging it.
    pub async fn delete(mut self) -> Result<(), HarnessError> {
        self.deleted = true;
        delete_namespace(self.client.clone(), &self.name).await
    }
}

impl std::fmt::Debug for TestNamespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestNamespace")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        if self.deleted {
            return;
        }
        // The test's runtime may be single-threaded and blocked right here, and the client's
        // worker task lives on it, so the delete runs on a new runtime with a new client.
        let (name, config) = (self.name.clone(), self.config.clone());
        let outcome = std::thread::spawn(move || -> Result<(), HarnessError> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(HarnessError::Runtime)?;
            runtime.block_on(async {
                let client = Client::try_from(config)?;
                delete_namespace(client, &name).await
            })
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!(
                "warning: could not delete test namespace {}: {e}",
                self.name
            ),
            Err(_) => eprintln!("warning: deleting test namespace {} panicked", self.name),
        }
    }
}

async fn delete_namespace(client: Client, name: &str) -> Result<(), HarnessError> {
    match Api::<Namespace>::all(client)
        .delete(name, &DeleteParams::background())
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// `<prefix>-<8 hex>`: a valid DNS-1123 label (at most 63 characters) unique per call.
fn namespace_name(prefix: &str) -> String {
    let mut clean: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    clean.truncate(50);
    let clean = clean.trim_matches('-');
    let clean = if clean.is_empty() { "test" } else { clean };
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!("{clean}-{}", &suffix[..8])
}

#[cfg(test)]
mod tests {
    use super::namespace_name;

    #[test]
    fn namespace_names_are_dns_labels_unique_per_call() {
        let long = "Some_Test::with/Odd chars and a name far longer than sixty-three characters";
        let a = namespace_name(long);
        let b = namespace_name(long);
        assert_ne!(a, b);
        for name in [&a, &b] {
            assert!(name.len() <= 63, "{name}");
            assert!(name.starts_with("some-test--with-odd-chars"), "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name}"
            );
            assert!(!name.ends_with('-'));
        }
        assert!(namespace_name("--").starts_with("test-"));
    }
}
