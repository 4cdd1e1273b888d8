//! `POST /api/v1/ai/prompts/{name}/preview`: the prompt the model would get for a sample
//! message, rendered from an unsaved draft, a saved version, or what chats use now (with the
//! fallback a chat would take). Drafts and saved versions render strictly: their errors come
//! back as 422 naming the line, so a coach can fix them before activating.

use axum::extract::State;
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::state::CoreState;
use coachai_common::tenancy::Tenant;
use coachai_common::{AppError, FieldError};

use super::TemplatePath;
use crate::prompts::context::template_context;
use crate::prompts::models::PreviewRequest;
use crate::prompts::render::render;
use crate::prompts::{
    ChatContext, PromptError, RenderedPrompt, Source, TemplateUsed, render_prompt, store,
};

/// Renders the prompt for `message` and sample `passages` with the creator's persona (owner,
/// admin, coach). Give `body` (a draft) or `version` (a saved one), or neither for what chats
/// use now.
#[utoipa::path(
    post, path = "/prompts/{name}/preview", tag = "prompts",
    params(("name" = String, Path, description = "the template, e.g. `chat`")),
    request_body = PreviewRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the system and user text, and the template used", body = RenderedPrompt),
        (status = 403, description = "a client, or an API key without `content:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such template or version for this creator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "both `body` and `version`, or a draft or version that does not parse or render (the line is named)", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn preview_prompt(
    State(state): State<CoreState>,
    tenant: Tenant,
    path: TemplatePath,
    ApiJson(request): ApiJson<PreviewRequest>,
) -> Result<ApiJson<RenderedPrompt>, AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_staff()?;
    let chat = ChatContext {
        question: request.message,
        passages: request.passages,
        history: Vec::new(),
    };
    let (body, version) = match (request.body, request.version) {
        (Some(_), Some(_)) => return Err(both_given()),
        (Some(draft), None) => (draft, None),
        (None, Some(n)) => (store::version(&mut tx, &path.name, n).await?.body, Some(n)),
        (None, None) => {
            let prompt = render_prompt(&mut tx, &state.cache, &path.name, &chat)
                .await
                .map_err(sample_at_fault)?;
            tx.commit().await?;
            return Ok(ApiJson(prompt));
        }
    };
    let facts = store::creator_facts(&mut tx).await?;
    tx.commit().await?;
    let system = render(&body, &template_context(&facts, &chat)).map_err(PromptError::Invalid)?;
    let source = if version.is_some() {
        Source::Creator
    } else {
        Source::Draft
    };
    Ok(ApiJson(RenderedPrompt {
        system,
        user: chat.question.trim().to_owned(),
        template: TemplateUsed {
            name: path.name,
            version,
            source,
            fell_back_from: None,
        },
    }))
}

/// When not even the built-in renders in a preview, the sample (passages too large for the
/// output cap) is at fault: a 422, not a 500.
fn sample_at_fault(err: PromptError) -> PromptError {
    match err {
        PromptError::NoUsableTemplate { cause, .. } => PromptError::Invalid(cause),
        other => other,
    }
}

fn both_given() -> AppError {
    AppError::Validation(vec![FieldError {
        field: "version".into(),
        message: "give a draft `body` or a saved `version`, not both".into(),
    }])
}
