//! Messages the AI must not answer itself: one on the creator's escalation topic and one on the
//! safety list are answered over the WebSocket with the holding reply (no model call) and
//! appear in the coach's attention list.

use axum::http::Method;

use crate::coach::{Scene, ids};
use crate::support::events::{answer, conversation, kind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalated_messages_get_the_holding_reply_and_wait_in_the_coachs_attention_list() {
    let scene = Scene::start().await;
    let mut tx = scene.stack.engine.tenant(scene.creator).await;
    sqlx::query(
        "UPDATE creators SET persona = persona || '{\"escalation_topics\": [\"knee surgery\"]}' \
         WHERE id = $1",
    )
    .bind(scene.creator.0)
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut ws = scene.connect(&scene.client).await;

    let topic = scene
        .say(
            &mut ws,
            None,
            "Can I squat two weeks after my knee surgery?",
            |_| false,
        )
        .await;
    let safety = scene
        .say(&mut ws, None, "I feel like I want to die", |_| false)
        .await;
    let ordinary = scene
        .say(
            &mut ws,
            None,
            "How should I breathe during a swing?",
            |_| false,
        )
        .await;

    for events in [&topic, &safety] {
        let done = events.last().unwrap();
        assert_eq!(kind(done), "done", "{events:#?}");
        assert_eq!(done["escalated"], true, "{done}");
        assert!(done["model"].is_null(), "{done}");
        assert!(
            answer(events).contains("should answer personally"),
            "{events:#?}"
        );
    }
    assert!(answer(&safety).contains("emergency"), "{safety:#?}");
    assert!(!answer(&topic).contains("emergency"), "{topic:#?}");
    assert_eq!(
        scene.stack.answers_asked(),
        1,
        "only the ordinary question reached the model"
    );

    let flagged = scene.listed(&scene.coach, "?attention=true").await;
    let (topic_id, safety_id) = (conversation(&topic[0]), conversation(&safety[0]));
    assert_eq!(
        ids(&flagged),
        [safety_id.as_str(), topic_id.as_str()],
        "newest first"
    );
    assert!(flagged.iter().all(|c| c["attention"] == "escalation"));
    let calm = scene
        .listed(&scene.coach, "?attention=false&state=ai")
        .await;
    assert_eq!(ids(&calm), [conversation(&ordinary[0]).as_str()]);

    let token = &scene.coach.token;
    let first = scene
        .call(
            Method::GET,
            "/conversations?attention=true&limit=1",
            token,
            None,
        )
        .await;
    assert_eq!(
        ids(first.body["items"].as_array().unwrap()),
        [safety_id.as_str()]
    );
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let path = format!("/conversations?attention=true&limit=1&cursor={cursor}");
    let second = scene.call(Method::GET, &path, token, None).await;
    assert_eq!(
        ids(second.body["items"].as_array().unwrap()),
        [topic_id.as_str()]
    );
    assert!(second.body["next_cursor"].is_null(), "{second:?}");

    let dismissed = scene.hand(&scene.coach, &topic_id, "ai").await;
    assert_eq!(dismissed.status, 200, "{dismissed:?}");
    assert!(dismissed.body["attention"].is_null(), "{dismissed:?}");
    let flagged = scene.listed(&scene.coach, "?attention=true").await;
    assert_eq!(
        ids(&flagged),
        [safety_id.as_str()],
        "the dismissed one left the list"
    );
}
