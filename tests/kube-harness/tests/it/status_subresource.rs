use kube::api::{Patch, PatchParams, PostParams};
use serde_json::json;

use crate::widget::{self, Widget, WidgetStatus};

#[tokio::test]
async fn status_is_written_only_through_the_status_subresource() -> anyhow::Result<()> {
    let ns = widget::setup("status-subresource").await?;
    let api = ns.api::<Widget>();
    let created = api
        .create(&PostParams::default(), &widget::widget("gizmo", 4))
        .await?;
    let generation = created.metadata.generation;

    // Through the main resource, status is ignored.
    let ignored = json!({"status": {"assembled": true}});
    let after_main = api
        .patch("gizmo", &PatchParams::default(), &Patch::Merge(&ignored))
        .await?;
    assert_eq!(after_main.status, None);

    // Through the status subresource, it sticks, and the spec's generation does not move.
    let status = json!({"status": {"assembled": true, "observedGeneration": generation}});
    let after_status = api
        .patch_status("gizmo", &PatchParams::default(), &Patch::Merge(&status))
        .await?;
    assert_eq!(
        after_status.status,
        Some(WidgetStatus {
            assembled: true,
            observed_generation: generation
        })
    );
    assert_eq!(after_status.metadata.generation, generation);

    // A spec change bumps the generation and keeps the status.
    let spec = json!({"spec": {"parts": 5}});
    let after_spec = api
        .patch("gizmo", &PatchParams::default(), &Patch::Merge(&spec))
        .await?;
    assert_eq!(after_spec.metadata.generation, generation.map(|g| g + 1));
    assert_eq!(after_spec.status.map(|s| s.assembled), Some(true));
    Ok(())
}
