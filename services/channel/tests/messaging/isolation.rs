//! Who may manage integrations, and what is kept of their secrets: another creator's owner gets
//! 404 for every route naming a creator or an integration that is not theirs; a client or a
//! coach gets 403; secrets are sealed in the table and never shown after creation.

use coachai_common::auth::Role;
use reqwest::Method;
use serde_json::json;

use crate::support::stack::Stack;

#[tokio::test]
async fn another_creators_owner_gets_404_for_every_route_of_a_creator() {
    let stack = Stack::start().await;
    let (a, b) = (stack.creator().await, stack.creator().await);
    let (owner_a, owner_b) = (
        stack.user(a, Role::Owner).await,
        stack.user(b, Role::Owner).await,
    );
    let body = json!({"kind": "webhook", "name": "CRM", "url": "https://crm.example.com/in"});
    let (id, _) = stack.integration(a, &owner_a, body.clone()).await;
    let delivery = uuid::Uuid::new_v4();
    let (a, b) = (a.0, b.0);
    let create = Some(body.to_string().into_bytes());
    let routes: Vec<(Method, String, Option<Vec<u8>>)> = vec![
        (Method::GET, format!("/{a}/integrations"), None),
        (Method::POST, format!("/{a}/integrations"), create),
        (Method::GET, format!("/{a}/integrations/{id}"), None),
        (Method::DELETE, format!("/{a}/integrations/{id}"), None),
        (Method::GET, format!("/{b}/integrations/{id}"), None),
        (Method::DELETE, format!("/{b}/integrations/{id}"), None),
        (Method::GET, format!("/{a}/deliveries"), None),
        (Method::GET, format!("/{a}/deliveries?state=dead"), None),
        (
            Method::POST,
            format!("/{a}/deliveries/{delivery}/redeliver"),
            None,
        ),
        (Method::GET, format!("/{a}/inbound?state=dead"), None),
        (Method::POST, format!("/{a}/inbound/{delivery}/retry"), None),
        (Method::GET, format!("/{b}/integrations/not-a-uuid"), None),
    ];
    for (method, path, body) in routes {
        let answer = stack
            .send(method.clone(), &path, Some(&owner_b.token), &[], body)
            .await;
        assert_eq!(answer.status, 404, "{method} {path}: {:?}", answer.body);
        assert_eq!(answer.content_type, "application/problem+json");
    }
    let own = stack
        .send(
            Method::GET,
            &format!("/{b}/integrations"),
            Some(&owner_b.token),
            &[],
            None,
        )
        .await;
    assert_eq!(own.body, json!([]), "B sees none of A's integrations");
    let still = stack
        .send(
            Method::GET,
            &format!("/{a}/integrations/{id}"),
            Some(&owner_a.token),
            &[],
            None,
        )
        .await;
    assert_eq!(still.status, 200, "A's integration survived B's attempts");
}

#[tokio::test]
async fn clients_and_coaches_cannot_manage_integrations_and_strangers_are_401() {
    let stack = Stack::start().await;
    let creator = stack.creator().await;
    let path = format!("/{}/integrations", creator.0);
    let body = json!({"kind": "webhook", "name": "x", "url": "https://x.example.com"}).to_string();
    for role in [Role::Client, Role::Coach] {
        let user = stack.user(creator, role).await;
        let list = stack
            .send(Method::GET, &path, Some(&user.token), &[], None)
            .await;
        assert_eq!(list.status, 403, "{role:?}");
        let create = stack
            .send(
                Method::POST,
                &path,
                Some(&user.token),
                &[],
                Some(body.clone().into_bytes()),
            )
            .await;
        assert_eq!(create.status, 403, "{role:?}");
    }
    let anonymous = stack.send(Method::GET, &path, None, &[], None).await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn secrets_are_sealed_at_rest_never_shown_again_and_deleting_revokes_the_key() {
    let stack = Stack::start().await;
    let creator = stack.creator().await;
    let owner = stack.user(creator, Role::Owner).await;
    let token = "987654:SuperSecretBotTokenValue";
    let body = json!({"kind": "telegram", "name": "Bot", "bot_token": token});
    let (id, secret) = stack.integration(creator, &owner, body).await;
    let mut tx = stack.tenant(creator).await;
    let row: String = sqlx::query_scalar(
        "SELECT row_to_json(i)::text FROM channel_integrations i WHERE id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    let sealed: (Vec<u8>, Vec<u8>, Vec<u8>) = sqlx::query_as(
        "SELECT inbound_secret, bot_token, api_key FROM channel_integrations WHERE id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    let (scopes, email): (Vec<String>, String) = sqlx::query_as(
        "SELECT k.scopes, u.email::text FROM channel_integrations i
           JOIN api_keys k ON k.id = i.api_key_id JOIN users u ON u.id = i.user_id
          WHERE i.id = $1::uuid AND u.role = 'client' AND u.password_hash IS NULL",
    )
    .bind(&id)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for clear in [token, "SuperSecretBotTokenValue", secret.as_str()] {
        assert!(!row.contains(clear), "{clear} is stored in clear");
        for column in [&sealed.0, &sealed.1, &sealed.2] {
            assert!(!column.windows(clear.len()).any(|w| w == clear.as_bytes()));
        }
    }
    assert_eq!(scopes, ["chat"]);
    assert_eq!(
        email,
        format!("integration+{id}@integrations.coachai.invalid")
    );
    let path = format!("/{}/integrations/{id}", creator.0);
    let shown = stack
        .send(Method::GET, &path, Some(&owner.token), &[], None)
        .await;
    assert_eq!(shown.status, 200);
    let text = shown.body.to_string();
    assert!(
        !text.contains(&secret) && !text.contains("SuperSecret"),
        "{text}"
    );
    let deleted = stack
        .send(Method::DELETE, &path, Some(&owner.token), &[], None)
        .await;
    assert_eq!(deleted.status, 204);
    let mut tx = stack.tenant(creator).await;
    let revoked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM api_keys k JOIN users u ON u.id = k.created_by
          WHERE u.email = $1 AND k.revoked_at IS NOT NULL",
    )
    .bind(format!("integration+{id}@integrations.coachai.invalid"))
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!(revoked, 1, "deleting the integration revokes its key");
    let gone = stack
        .send(Method::GET, &path, Some(&owner.token), &[], None)
        .await;
    assert_eq!(gone.status, 404);
}
