//! The browser suite's harness: the platform (the four service binaries, the Ollama double and
//! the nginx gateway, on ports of their own), headless Chromium driven through Debian's
//! chromedriver, seeding through the public API, axe-core, and a static site for the widget.
//!
//! Run it through `tests/browser/run.sh` (what `make test` calls): it builds the binaries the
//! platform starts. Every missing piece (chromium, chromedriver, axe-core, a binary, the stack)
//! is an error naming it: the suite never passes by not running.

mod api;
mod axe;
mod browser;
mod error;
mod platform;
mod process;
mod site;
mod webdriver;

pub use api::{Api, Client, Creator, password};
pub use axe::{Violation, ViolationNode, run_axe};
pub use browser::{Browser, Chromedriver, PAGE_WAIT, Viewport};
pub use error::HarnessError;
pub use platform::{Platform, PlatformPorts};
pub use site::StaticSite;
pub use webdriver::{Element, Key, Session, WebDriverError};
