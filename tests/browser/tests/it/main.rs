//! The browser suite: headless Chromium against the four services behind the nginx gateway.
//!
//! The platform and chromedriver start once for the whole run (ports 19001-19004, 19011, 19080)
//! and stop at its end, so this binary has its own runner (libtest-mimic: the usual filter and
//! `--list` arguments). Tests run one at a time: one of them restarts the gateway. A test that
//! cannot get what it needs (no Chromium, no binary, no stack) fails saying so.

mod steps;
mod world;

mod a11y;
mod chat;
mod console;
mod csp;
mod docs;
mod smoke;
mod theme;
mod widget;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use world::World;

type Scenario = for<'a> fn(&'a World) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + 'a>>;

/// Every test of the suite, by name.
macro_rules! scenarios {
    ($($path:path),* $(,)?) => {
        vec![$((stringify!($path), (|w| Box::pin($path(w))) as Scenario)),*]
    };
}

fn main() -> ExitCode {
    let mut args = Arguments::from_args();
    args.test_threads = Some(1);
    let scenarios = scenarios![
        smoke::the_gateway_serves_the_channel_health_to_the_browser,
        smoke::axe_reports_the_violations_of_a_page_that_has_them,
        chat::an_answer_streams_in_and_completes_after_the_network_drops,
        chat::a_client_on_a_phone_reopens_a_past_conversation,
        chat::a_client_accepts_an_invitation_link_and_is_connected,
        csp::markup_in_an_answer_is_shown_as_text_and_never_runs,
        widget::the_widget_chats_on_an_allowed_site,
        widget::the_widget_is_refused_on_a_site_the_creator_did_not_allow,
        console::the_console_uploads_a_markdown_file_that_becomes_ready,
        console::the_console_saves_the_coach_name,
        a11y::the_chat_page_has_no_serious_accessibility_violations,
        a11y::the_console_has_no_serious_accessibility_violations,
        theme::the_chat_page_follows_the_dark_colour_scheme,
        docs::the_api_docs_page_shows_the_operations_of_every_service,
    ];
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("browser suite: no tokio runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let started = std::time::Instant::now();
    let world = if args.list {
        Err("not started: listing only".to_owned())
    } else {
        runtime
            .block_on(World::start())
            .map(Arc::new)
            .map_err(|err| format!("the browser suite could not start: {err:#}"))
    };
    if world.is_ok() {
        eprintln!(
            "browser suite: platform, chromedriver and seed ready in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let world = Arc::new(world);
    let trials = scenarios
        .into_iter()
        .map(|(name, scenario)| {
            let world = Arc::clone(&world);
            let handle = runtime.handle().clone();
            Trial::test(name, move || {
                let world = world.as_ref().as_ref().map_err(Failed::from)?;
                handle
                    .block_on(scenario(world))
                    .map_err(|err| Failed::from(format!("{err:#}")))
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    drop(world);
    conclusion.exit_code()
}
