//! Runs the Ollama double by hand or from scripts:
//! `coachai-ollama-double [--port N] [--token-rate TOKENS_PER_S] [--latency-ms MS]`.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use coachai_ollama_double::{Config, OllamaDouble};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = parse(std::env::args().skip(1))?;
    let double = OllamaDouble::start(config).await?;
    println!("{}", double.url());
    tokio::signal::ctrl_c()
        .await
        .context("waiting for ctrl-c")?;
    Ok(())
}

fn parse(mut args: impl Iterator<Item = String>) -> anyhow::Result<Config> {
    let mut config = Config::default();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--port" => {
                let port: u16 = value.parse().context("--port")?;
                config.bind = SocketAddr::from(([127, 0, 0, 1], port));
            }
            "--token-rate" => config.token_rate = Some(value.parse().context("--token-rate")?),
            "--latency-ms" => {
                config.latency = Duration::from_millis(value.parse().context("--latency-ms")?);
            }
            _ => bail!("unknown flag {flag}; flags: --port, --token-rate, --latency-ms"),
        }
    }
    Ok(config)
}
