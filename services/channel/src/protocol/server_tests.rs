//! The server events on the wire: each `type` with exactly the fields of the contract.

use serde_json::{Value, json};
use uuid::Uuid;

use super::{ErrorCode, EventKind, HandoffState, ServerEvent, Source};

const CONVERSATION: &str = "0195f3b0-0000-7000-8000-000000000002";

fn wire(kind: EventKind) -> Value {
    let event = ServerEvent::in_conversation(Uuid::parse_str(CONVERSATION).unwrap(), 3, kind);
    serde_json::from_str(&event.to_json()).unwrap()
}

fn with_envelope(kind: &str, fields: Value) -> Value {
    let mut expected = json!({"type": kind, "conversation_id": CONVERSATION, "seq": 3});
    if let (Some(expected), Value::Object(fields)) = (expected.as_object_mut(), fields) {
        expected.extend(fields);
    }
    expected
}

#[test]
fn each_event_type_carries_exactly_the_contract_fields() {
    let id = Uuid::from_u128(1);
    let message = Uuid::from_u128(2);
    let source = Source {
        content_id: Uuid::from_u128(3),
        title: "Kettlebell basics".into(),
        location: json!({"page": 2}),
        score: 0.5,
        snippet: "Exhale at the top.".into(),
    };
    let cases = [
        (
            EventKind::Ack { id },
            with_envelope("ack", json!({"id": id})),
        ),
        (
            EventKind::Token { text: "Ex".into() },
            with_envelope("token", json!({"text": "Ex"})),
        ),
        (
            EventKind::Done {
                message_id: message,
                sources: vec![source],
                model: Some("smollm2:135m".into()),
                degraded: false,
                escalated: false,
            },
            with_envelope(
                "done",
                json!({"message_id": message, "model": "smollm2:135m",
                "degraded": false, "escalated": false, "sources": [{"content_id": Uuid::from_u128(3),
                "title": "Kettlebell basics", "location": {"page": 2}, "score": 0.5,
                "snippet": "Exhale at the top."}]}),
            ),
        ),
        (
            EventKind::Error {
                code: ErrorCode::Unavailable,
                detail: "the model is down".into(),
            },
            with_envelope(
                "error",
                json!({"code": "unavailable", "detail": "the model is down"}),
            ),
        ),
        (EventKind::Typing, with_envelope("typing", json!({}))),
        (
            EventKind::Handoff {
                state: HandoffState::Coach,
            },
            with_envelope("handoff", json!({"state": "coach"})),
        ),
        (
            EventKind::Handoff {
                state: HandoffState::Ai,
            },
            with_envelope("handoff", json!({"state": "ai"})),
        ),
        (
            EventKind::CoachRequested,
            with_envelope("coach_requested", json!({})),
        ),
        (
            EventKind::CoachMessage {
                message_id: message,
                text: "I'll call you at six.".into(),
            },
            with_envelope(
                "coach_message",
                json!({"message_id": message, "text": "I'll call you at six."}),
            ),
        ),
    ];
    for (kind, expected) in cases {
        assert_eq!(wire(kind), expected);
    }
}

#[test]
fn a_pong_belongs_to_the_connection_and_has_no_seq() {
    let pong: Value =
        serde_json::from_str(&ServerEvent::connection(EventKind::Pong).to_json()).unwrap();
    assert_eq!(
        pong,
        json!({"type": "pong", "conversation_id": null, "seq": null})
    );
}

#[test]
fn an_event_read_back_from_the_wire_is_the_same_event() {
    let event = ServerEvent::in_conversation(
        Uuid::parse_str(CONVERSATION).unwrap(),
        9,
        EventKind::Done {
            message_id: Uuid::from_u128(2),
            sources: vec![],
            model: None,
            degraded: true,
            escalated: true,
        },
    );
    assert_eq!(
        serde_json::from_str::<ServerEvent>(&event.to_json()).unwrap(),
        event
    );
}

#[test]
fn a_done_frame_without_escalated_reads_as_not_escalated() {
    let frame = json!({"type": "done", "conversation_id": CONVERSATION, "seq": 4,
        "message_id": Uuid::from_u128(2), "sources": [], "model": null, "degraded": false});
    let event: ServerEvent = serde_json::from_value(frame).unwrap();
    assert!(matches!(
        event.kind,
        EventKind::Done {
            escalated: false,
            ..
        }
    ));
}

#[test]
fn every_error_code_is_written_as_its_stable_name() {
    let codes = [
        ErrorCode::MalformedJson,
        ErrorCode::UnknownType,
        ErrorCode::InvalidField,
        ErrorCode::TooLarge,
        ErrorCode::RateLimited,
        ErrorCode::NotFound,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];
    for code in codes {
        assert_eq!(serde_json::to_value(code).unwrap(), json!(code.as_str()));
    }
}
