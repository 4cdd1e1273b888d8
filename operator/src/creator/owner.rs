//! Apply, owner part: the tenant is handed to its coach with an owner invitation whose token is
//! kept in a Secret owned by the `Creator` (`<name>-owner-invitation`: `token`, `url`, `email`,
//! `expires_at`). The token is stored hashed in the platform, so a Secret that was deleted
//! while the invitation was pending is replaced by a new invitation (the old token stops
//! working); once the owner has set a password nothing is written any more.

use coachai_provisioning::{OwnerAccess, OwnerInvitation, invite_owner, owner_access};
use k8s_openapi::api::core::v1::Secret;
use kube::api::PostParams;
use kube::{Api, ResourceExt};

use super::secret::owned_secret;
use super::validate::Wanted;
use crate::context::Context;
use crate::crd::Creator;

/// Where the owner hand-over stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandOver {
    /// The owner has a password.
    Done,
    /// The owner is invited; the token is in this Secret.
    Invited {
        /// The Secret's name.
        secret: String,
    },
}

/// The name of the invitation Secret of `creator`.
pub fn secret_name(creator: &Creator) -> String {
    format!("{}-owner-invitation", creator.name_any())
}

/// The invitation Secret (pure).
pub fn invitation_secret(
    creator: &Creator,
    invitation: &OwnerInvitation,
    public_url: &str,
) -> Secret {
    let url = format!(
        "{}/chat/{}/invite/{}",
        public_url.trim_end_matches('/'),
        creator.spec.slug,
        invitation.token
    );
    let fields = vec![
        ("token", invitation.token.clone()),
        ("url", url),
        ("email", creator.spec.owner.email.clone()),
        ("expires_at", invitation.expires_at.to_rfc3339()),
    ];
    owned_secret(creator, &secret_name(creator), fields)
}

/// Makes sure the owner can get in: an invitation and its Secret while they have no password.
pub async fn ensure(ctx: &Context, creator: &Creator, wanted: &Wanted) -> Result<HandOver, String> {
    let access = owner_access(&ctx.db, wanted.id)
        .await
        .map_err(|e| e.to_string())?;
    if access == OwnerAccess::Active {
        return Ok(HandOver::Done);
    }
    let namespace = creator.namespace().unwrap_or_default();
    let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), &namespace);
    let name = secret_name(creator);
    let existing = secrets.get_opt(&name).await.map_err(|e| e.to_string())?;
    if let (OwnerAccess::Invited { .. }, Some(_)) = (&access, &existing) {
        return Ok(HandOver::Invited { secret: name });
    }
    let invitation = invite_owner(
        &ctx.db,
        wanted.id,
        ctx.config.operator.owner_invitation_ttl(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let secret = invitation_secret(creator, &invitation, &ctx.config.operator.public_url);
    let written = match existing {
        Some(_) => {
            secrets
                .replace(&name, &PostParams::default(), &secret)
                .await
        }
        None => secrets.create(&PostParams::default(), &secret).await,
    };
    written.map_err(|e| e.to_string())?;
    Ok(HandOver::Invited { secret: name })
}
