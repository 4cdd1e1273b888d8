//! `Widget`: a small custom resource with a structural schema and a status subresource, owned by
//! these tests (group `harness.coachai.dev`, so it never clashes with the product's CRDs).

use coachai_kube_harness::{TestNamespace, apply_crd};
use kube::{CustomResource, CustomResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The desired state of a widget.
#[derive(CustomResource, Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[kube(
    group = "harness.coachai.dev",
    version = "v1",
    kind = "Widget",
    namespaced,
    status = "WidgetStatus",
    shortname = "wdg"
)]
#[serde(rename_all = "camelCase")]
pub struct WidgetSpec {
    /// How many parts the widget has: 1 to 10.
    #[schemars(range(min = 1, max = 10))]
    pub parts: i32,
    /// A colour name.
    #[schemars(length(min = 1, max = 20))]
    pub colour: String,
}

/// What the (imaginary) controller observed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WidgetStatus {
    /// Whether the widget is assembled.
    pub assembled: bool,
    /// The generation this status describes.
    pub observed_generation: Option<i64>,
}

/// Installs the `Widget` CRD (idempotent; concurrent tests apply the same definition) and gives
/// a fresh namespace for the test.
pub async fn setup(test: &str) -> anyhow::Result<TestNamespace> {
    let ns = TestNamespace::create(test).await?;
    apply_crd(ns.client(), &Widget::crd()).await?;
    Ok(ns)
}

pub fn widget(name: &str, parts: i32) -> Widget {
    Widget::new(
        name,
        WidgetSpec {
            parts,
            colour: "teal".into(),
        },
    )
}
