//! The `coachai` binary as a user runs it: bad arguments exit 2 with one line, `--help` lists
//! the subcommands, `crds` writes the CRD files, and `serve channel` serves the Channel against
//! the dev stack (scripts/env.sh) until SIGTERM, then exits 0.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a service may take to answer its health route.
const STARTUP: Duration = Duration::from_secs(30);

fn coachai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_coachai"))
        .args(args)
        .output()
        .expect("the coachai binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn an_unknown_subcommand_exits_2_with_one_line_naming_it() {
    let out = coachai(&["deploy"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("unknown command `deploy`"), "{stderr}");
}

#[test]
fn an_unknown_service_exits_2_with_one_line_listing_the_services() {
    let out = coachai(&["serve", "gateway"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("`gateway`") && stderr.contains("auth, creator-hub, ai-engine, channel"),
        "{stderr}"
    );
}

#[test]
fn a_subcommand_missing_its_argument_exits_2_with_its_usage() {
    let out = coachai(&["crds"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim(),
        "coachai: usage: coachai crds <dir>"
    );
}

#[test]
fn help_and_no_arguments_print_every_subcommand_and_exit_0() {
    for args in [&["--help"][..], &[]] {
        let out = coachai(args);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        for sub in [
            "serve <auth|creator-hub|ai-engine|channel>",
            "migrate",
            "operator",
            "crds",
        ] {
            assert!(
                stdout.contains(&format!("coachai {sub}")),
                "{args:?}: {stdout}"
            );
        }
    }
}

#[test]
fn crds_writes_the_same_yaml_as_the_operator_generates() {
    let dir = std::env::temp_dir().join(format!("coachai-cli-crds-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = coachai(&["crds", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.join("creator.yaml")).unwrap();
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crds/creator.yaml"),
    )
    .unwrap();
    assert_eq!(written, committed);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Polls `url` until it answers, failing with the process's output if it exits or is too slow.
async fn wait_for(url: &str, child: &mut Child) -> reqwest::Response {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + STARTUP;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.stderr.take().map(std::io::read_to_string);
            panic!("`coachai serve channel` exited with {status}: {out:?}");
        }
        if let Ok(response) = http.get(url).send().await {
            return response;
        }
        assert!(
            Instant::now() < deadline,
            "{url} did not answer within {STARTUP:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn terminate_and_wait(child: &mut Child) -> std::process::ExitStatus {
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success(), "kill -TERM failed");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("`coachai serve channel` did not stop within 10 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn serve_channel_answers_its_health_route_and_exits_0_on_sigterm() {
    for var in ["DATABASE_URL", "REDIS_URL"] {
        assert!(
            std::env::var(var).is_ok(),
            "{var} is not set: source scripts/env.sh (the dev stack) before this test"
        );
    }
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_coachai"))
        .args(["serve", "channel"])
        .env("PORT", port.to_string())
        .env("BIND_ADDR", "127.0.0.1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the coachai binary starts");
    let url = format!("http://127.0.0.1:{port}/api/v1/channels/health");
    let response = wait_for(&url, &mut child).await;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    assert_eq!(body["service"], "channel", "{body}");
    let exit = terminate_and_wait(&mut child);
    assert_eq!(exit.code(), Some(0), "exit after SIGTERM: {exit}");
}
