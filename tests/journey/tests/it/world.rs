//! What both tests share: the platform on the suite's ports, the API behind its gateway, the
//! stack's faults, and seeding a creator with a client, a markdown guide and a transcript.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use coachai_browser_tests::{Api, Creator, Platform, PlatformPorts};
use coachai_journey_tests::{Chat, Credential, Gateway, Stack};
use serde_json::json;

/// How long any one WebSocket event may take: the double answers at once, so longer is a hang.
pub const EVENT_WAIT: Duration = Duration::from_secs(30);
/// How long an upload may take to become `ready`.
pub const READY_WAIT: Duration = Duration::from_secs(60);

/// The markdown guide, uploaded as a file. Its "Hip hinge" section answers [`HINGE_QUESTION`].
pub const GUIDE: &str = "# Mobility guide

## Hip hinge
Push the hips back until the hamstrings load while the shins stay vertical and the spine stays long.
Keep the weight over the midfoot.

## Ankle rocks
Rock each knee slowly over the toes ten times before every squat session.
";
/// The sentence of [`GUIDE`] the double quotes when the hinge section is cited.
pub const HINGE_SENTENCE: &str = "Push the hips back until the hamstrings load";
/// A question only the guide's "Hip hinge" section answers.
pub const HINGE_QUESTION: &str = "How do I hinge at the hips so the hamstrings load?";

/// The transcript, uploaded as a WebVTT file: one cue, from 00:01:05 to 00:01:20.
pub const TRANSCRIPT: &str = "WEBVTT

00:01:05.000 --> 00:01:20.000
Exhale hard through pursed lips at the top of each kettlebell swing. Inhale as the bell drops.
";
/// A question only the transcript answers.
pub const BREATH_QUESTION: &str = "When should I exhale during a kettlebell swing?";

/// Shared by both tests; each seeds its own creator.
#[derive(Debug)]
pub struct World {
    /// The platform; stops when the world drops.
    pub platform: Platform,
    /// The browser harness's seeding calls behind the gateway.
    pub api: Api,
    /// Uploads, stats, deletion and probes behind the gateway.
    pub gateway: Gateway,
    /// The suite's own PostgreSQL and ChromaDB.
    pub stack: Stack,
}

/// A seeded creator: its client signed in, the guide and the transcript `ready`.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The creator and its owner's token.
    pub creator: Creator,
    /// The client's access token.
    pub token: String,
    /// The guide's content id.
    pub guide: String,
    /// The transcript's content id.
    pub transcript: String,
}

impl World {
    /// Starts the platform on the suite's ports, against the stack run.sh started.
    pub async fn start() -> anyhow::Result<Self> {
        let local =
            std::env::var("JOURNEY_LOCAL").context("JOURNEY_LOCAL (run tests/journey/run.sh)")?;
        let dir = Path::new(&local).join("suite");
        let _ = std::fs::remove_dir_all(dir.join("logs"));
        let ports = PlatformPorts {
            services: [19201, 19202, 19203, 19204],
            ollama: 19211,
            gateway: 19280,
            cors_origins: Vec::new(),
        };
        let platform = Platform::start(ports, &dir).await?;
        let api = Api::new(&platform.gateway_url());
        let gateway = Gateway::new(&platform.gateway_url())?;
        Ok(Self {
            platform,
            api,
            gateway,
            stack: Stack::from_env()?,
        })
    }

    /// `127.0.0.1:<gateway port>`, where the WebSocket is opened.
    pub fn gateway_addr(&self) -> String {
        self.platform
            .gateway_url()
            .trim_start_matches("http://")
            .to_owned()
    }

    /// A chat connection through the gateway with the `bearer` subprotocol.
    pub async fn chat(&self, token: &str) -> anyhow::Result<Chat> {
        let credential = Credential::Bearer(token.to_owned());
        Ok(Chat::open(&self.gateway_addr(), &credential).await?)
    }

    /// A chat connection through the gateway with a fresh single-use ticket.
    pub async fn chat_by_ticket(&self, token: &str) -> anyhow::Result<Chat> {
        let ticket = self.api.ws_ticket(token).await?;
        Ok(Chat::open(&self.gateway_addr(), &Credential::Ticket(ticket)).await?)
    }

    /// Signs a creator up, invites a client who accepts and signs in, and uploads the guide
    /// (markdown file) and the transcript (WebVTT file), waiting until both are `ready`.
    pub async fn seed(&self, name: &str) -> anyhow::Result<Seeded> {
        let creator = self.api.signup(name).await?;
        let models = json!({"chat_model": "smollm2:135m", "embedding_model": "all-minilm"});
        self.api.patch_creator(&creator, &models).await?;
        let client = self.api.client(&creator).await?;
        let token = self
            .api
            .login(&creator.slug, &client.email, &client.password)
            .await?;
        let guide = self
            .gateway
            .upload_file(&creator, "mobility.md", "Mobility guide", GUIDE.as_bytes())
            .await?;
        let transcript = self
            .gateway
            .upload_file(
                &creator,
                "breathing.vtt",
                "Breathing class",
                TRANSCRIPT.as_bytes(),
            )
            .await?;
        for id in [&guide, &transcript] {
            self.api.wait_ready(&creator, id, READY_WAIT).await?;
        }
        Ok(Seeded {
            creator,
            token,
            guide,
            transcript,
        })
    }
}
