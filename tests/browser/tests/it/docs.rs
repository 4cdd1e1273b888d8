//! The API docs page: Swagger UI, served by the gateway under its strict policy, renders the
//! operations of each service from the service's own OpenAPI document.

use std::time::Duration;

use coachai_browser_tests::Viewport;
use serde_json::Value;

use crate::with_browser;
use crate::world::World;

const PATHS: &str = "return Array.from(document.querySelectorAll('.opblock-summary-path'))
    .map((e) => e.getAttribute('data-path'));";

/// Each of the four definitions the page offers lists operations of its own service only (the
/// scripts ran under the page's Content-Security-Policy and fetched the documents).
pub async fn the_api_docs_page_shows_the_operations_of_every_service(
    world: &World,
) -> anyhow::Result<()> {
    let services = [
        ("Auth", "/api/v1/auth/login"),
        ("Creator Hub", "/api/v1/creators/"),
        ("AI Engine", "/api/v1/ai/chat"),
        ("Channel", "/api/v1/channels/ws"),
    ];
    with_browser!(world, Viewport::DESKTOP, |browser| {
        for (name, expected) in services {
            let url = format!(
                "{}/api/docs/?urls.primaryName={}",
                world.gateway,
                name.replace(' ', "%20")
            );
            browser.goto(&url).await?;
            let prefix = format!(
                "/api/v1/{}/",
                expected.split('/').nth(3).unwrap_or_default()
            );
            browser
                .until(
                    &format!("the {name} operations, including {expected}"),
                    Duration::from_secs(20),
                    || async {
                        let paths = browser.eval(PATHS, vec![]).await?;
                        let paths: Vec<String> = paths
                            .as_array()
                            .map(|all| {
                                all.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_owned)
                                    .collect()
                            })
                            .unwrap_or_default();
                        let mine = paths.iter().all(|p| p.starts_with(&prefix));
                        let found = paths.iter().any(|p| p.starts_with(expected));
                        Ok(if found && mine {
                            Ok(())
                        } else {
                            Err(format!("{paths:?}"))
                        })
                    },
                )
                .await?;
        }
        Ok(())
    })
}
