//! Headless Chromium through Debian's chromedriver: [`Chromedriver`] runs the driver on a free
//! port for the whole run, [`Browser`] is one session (its own Chromium and profile) with the
//! few verbs the tests use, waiting for the page rather than sleeping.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::error::HarnessError;
use crate::process::{Owned, wait_http};
use crate::webdriver::{Element, Session};

/// Where Debian's packages put the browser and its driver.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long a test waits for something to appear on a page.
pub const PAGE_WAIT: Duration = Duration::from_secs(20);

/// A window size; the page's viewport is this size in headless Chromium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    /// CSS pixels across.
    pub width: u32,
    /// CSS pixels down.
    pub height: u32,
}

impl Viewport {
    /// A laptop screen.
    pub const DESKTOP: Self = Self {
        width: 1280,
        height: 800,
    };
    /// A phone held upright (iPhone 14 class).
    pub const PHONE: Self = Self {
        width: 390,
        height: 844,
    };
}

/// chromedriver on a free port of 127.0.0.1, killed when dropped.
#[derive(Debug)]
pub struct Chromedriver {
    url: String,
    _process: Owned,
}

impl Chromedriver {
    /// Starts chromedriver, logging to `log`; fails naming the package when Chromium or the
    /// driver is not installed.
    pub async fn start(log: &Path) -> Result<Self, HarnessError> {
        for (what, path) in [("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)] {
            if !Path::new(path).is_file() {
                return Err(HarnessError::Missing {
                    what: what.to_owned(),
                    path: PathBuf::from(path),
                    hint: "scripts/tools.sh installs Debian's chromium and chromium-driver"
                        .to_owned(),
                });
            }
        }
        let port = free_port()?;
        let mut command = Command::new(CHROMEDRIVER);
        command.arg(format!("--port={port}"));
        let mut process = Owned::spawn("chromedriver", command, log)?;
        let url = format!("http://127.0.0.1:{port}");
        wait_http(
            &format!("{url}/status"),
            &mut process,
            log,
            Duration::from_secs(20),
        )
        .await?;
        Ok(Self {
            url,
            _process: process,
        })
    }

    /// A new session: a fresh headless Chromium with an empty profile, sized to `viewport`.
    pub async fn session(&self, viewport: Viewport) -> Result<Browser, HarnessError> {
        let chrome = json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                format!("--window-size={},{}", viewport.width, viewport.height),
            ],
        });
        let caps = json!({"browserName": "chrome", "goog:chromeOptions": chrome});
        let client = Session::start(&self.url, caps).await?;
        let browser = Browser { client };
        browser.resize(viewport).await?;
        Ok(browser)
    }
}

fn free_port() -> Result<u16, HarnessError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(HarnessError::io("127.0.0.1:0"))?;
    let port = listener
        .local_addr()
        .map_err(HarnessError::io("127.0.0.1:0"))?
        .port();
    Ok(port)
}

/// One browser session. Call [`Browser::close`] when done: it ends the Chromium process.
#[derive(Debug)]
pub struct Browser {
    client: Session,
}

impl Browser {
    /// The WebDriver session, for what the verbs below do not cover.
    pub fn client(&self) -> &Session {
        &self.client
    }

    /// Makes the page's viewport exactly `viewport` (the window's outer size is corrected by
    /// what the page reports).
    pub async fn resize(&self, viewport: Viewport) -> Result<(), HarnessError> {
        self.client
            .set_window_size(viewport.width, viewport.height)
            .await?;
        let inner = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await?;
        let measure = |i: usize| inner.get(i).and_then(Value::as_u64).unwrap_or(0);
        let (w, h) = (u64::from(viewport.width), u64::from(viewport.height));
        let (dw, dh) = (w.saturating_sub(measure(0)), h.saturating_sub(measure(1)));
        if dw > 0 || dh > 0 {
            let width = u32::try_from(w + dw).unwrap_or(viewport.width);
            let height = u32::try_from(h + dh).unwrap_or(viewport.height);
            self.client.set_window_size(width, height).await?;
        }
        Ok(())
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) -> Result<(), HarnessError> {
        Ok(self.client.goto(url).await?)
    }

    /// The first element matching `css`, waiting up to [`PAGE_WAIT`] for it.
    pub async fn find(&self, css: &str) -> Result<Element, HarnessError> {
        self.until(&format!("element `{css}`"), PAGE_WAIT, || async {
            match self.client.find(css).await {
                Ok(element) => Ok(Ok(element)),
                Err(err) if err.is_missing_element() => Ok(Err(err.to_string())),
                Err(err) => Err(err.into()),
            }
        })
        .await
    }

    /// The first element matching `css` once it is displayed, waiting up to [`PAGE_WAIT`]
    /// (pages keep their views in the DOM and show one at a time).
    pub async fn visible(&self, css: &str) -> Result<Element, HarnessError> {
        self.until(&format!("element `{css}` displayed"), PAGE_WAIT, || async {
            let shown = match self.client.find(css).await {
                Ok(element) => element.is_displayed().await.map(|shown| (element, shown)),
                Err(err) => Err(err),
            };
            match shown {
                Ok((element, true)) => Ok(Ok(element)),
                Ok((_, false)) => Ok(Err("on the page but hidden".to_owned())),
                Err(err) if err.is_missing_element() => Ok(Err(err.to_string())),
                Err(err) => Err(err.into()),
            }
        })
        .await
    }

    /// Types `text` into the element matching `css` after clearing it.
    pub async fn fill(&self, css: &str, text: &str) -> Result<(), HarnessError> {
        let field = self.visible(css).await?;
        field.clear().await?;
        Ok(field.send_keys(text).await?)
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) -> Result<(), HarnessError> {
        Ok(self.visible(css).await?.click().await?)
    }

    /// The visible text of every element matching `css`, in document order (none: empty).
    pub async fn texts(&self, css: &str) -> Result<Vec<String>, HarnessError> {
        let mut out = Vec::new();
        for element in self.client.find_all(css).await? {
            out.push(element.text().await?);
        }
        Ok(out)
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page.
    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Result<Value, HarnessError> {
        Ok(self.client.execute(script, args).await?)
    }

    /// Polls `probe` every 100 ms until it yields `Some`, for at most `timeout`; the error
    /// says what was awaited and what the probe saw last.
    pub async fn until<T, F, Fut>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: F,
    ) -> Result<T, HarnessError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Result<T, String>, HarnessError>>,
    {
        let start = Instant::now();
        loop {
            let last = match probe().await? {
                Ok(value) => return Ok(value),
                Err(seen) => seen,
            };
            if start.elapsed() >= timeout {
                return Err(HarnessError::Unexpected {
                    what: what.to_owned(),
                    detail: format!("not seen within {} s; last seen: {last}", timeout.as_secs()),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG of the viewport to `path`, creating its directory.
    pub async fn screenshot(&self, path: &Path) -> Result<(), HarnessError> {
        let png = self.client.screenshot().await?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(HarnessError::io(dir))?;
        }
        std::fs::write(path, png).map_err(HarnessError::io(path))
    }

    /// Makes the page see `prefers-color-scheme: <scheme>` (`light` or `dark`), as a phone or
    /// desktop set to that scheme would, through the DevTools protocol.
    pub async fn color_scheme(&self, scheme: &str) -> Result<(), HarnessError> {
        let params = json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]});
        self.client
            .cdp("Emulation.setEmulatedMedia", params)
            .await?;
        Ok(())
    }

    /// Ends the session and its Chromium.
    pub async fn close(self) -> Result<(), HarnessError> {
        Ok(self.client.close().await?)
    }
}
