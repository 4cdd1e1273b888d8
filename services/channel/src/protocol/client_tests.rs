//! [`parse_client_frame`] on examples: the valid frames, and each refusal's code and detail.

use serde_json::json;
use uuid::Uuid;

use super::{ClientFrame, ErrorCode, MAX_FRAME_BYTES, ProtocolError, parse_client_frame};

const ID: &str = "0195f3b0-0000-7000-8000-000000000001";
const CONVERSATION: &str = "0195f3b0-0000-7000-8000-000000000002";

fn refusal(frame: &str) -> (ErrorCode, String) {
    match parse_client_frame(frame) {
        Ok(parsed) => panic!("{frame} was accepted as {parsed:?}"),
        Err(error) => (error.code(), error.to_string()),
    }
}

fn message_with_text(text: &str) -> String {
    json!({"type": "message", "id": ID, "conversation_id": null, "text": text}).to_string()
}

#[test]
fn a_message_to_a_new_conversation_parses() {
    let ClientFrame::Message {
        id,
        conversation_id,
        text,
    } = parse_client_frame(&message_with_text("How do I swing?")).unwrap()
    else {
        panic!("not a message");
    };
    assert_eq!(id, Uuid::parse_str(ID).unwrap());
    assert_eq!(conversation_id, None);
    assert_eq!(text.as_str(), "How do I swing?");
}

#[test]
fn a_message_may_name_its_conversation_or_leave_it_out() {
    let named = json!({"type": "message", "id": ID, "conversation_id": CONVERSATION, "text": "hi"});
    let Ok(ClientFrame::Message {
        conversation_id, ..
    }) = parse_client_frame(&named.to_string())
    else {
        panic!("not a message");
    };
    assert_eq!(
        conversation_id,
        Some(Uuid::parse_str(CONVERSATION).unwrap())
    );
    let absent = json!({"type": "message", "id": ID, "text": "hi"}).to_string();
    assert!(matches!(
        parse_client_frame(&absent),
        Ok(ClientFrame::Message {
            conversation_id: None,
            ..
        })
    ));
}

#[test]
fn resume_and_ping_parse() {
    let resume = json!({"type": "resume", "conversation_id": CONVERSATION, "last_seq": 0});
    assert_eq!(
        parse_client_frame(&resume.to_string()).unwrap(),
        ClientFrame::Resume {
            conversation_id: Uuid::parse_str(CONVERSATION).unwrap(),
            last_seq: 0
        }
    );
    assert_eq!(
        parse_client_frame(r#"{"type":"ping"}"#).unwrap(),
        ClientFrame::Ping {}
    );
}

#[test]
fn request_coach_names_its_conversation_and_nothing_else() {
    let asked = json!({"type": "request_coach", "conversation_id": CONVERSATION});
    assert_eq!(
        parse_client_frame(&asked.to_string()).unwrap(),
        ClientFrame::RequestCoach {
            conversation_id: Uuid::parse_str(CONVERSATION).unwrap()
        }
    );
    let (code, detail) = refusal(r#"{"type":"request_coach"}"#);
    assert_eq!(code, ErrorCode::InvalidField);
    assert!(detail.contains("conversation_id"), "{detail}");
    let extra = json!({"type": "request_coach", "conversation_id": CONVERSATION, "text": "hi"});
    let (code, detail) = refusal(&extra.to_string());
    assert_eq!(code, ErrorCode::InvalidField);
    assert!(detail.contains("text"), "{detail}");
    let (code, _) = refusal(r#"{"type":"request_coach","conversation_id":"me"}"#);
    assert_eq!(code, ErrorCode::InvalidField);
}

#[test]
fn a_parsed_frame_serialises_back_to_the_same_json() {
    for frame in [
        json!({"type": "message", "id": ID, "conversation_id": CONVERSATION, "text": "hi"}),
        json!({"type": "resume", "conversation_id": CONVERSATION, "last_seq": 12}),
        json!({"type": "request_coach", "conversation_id": CONVERSATION}),
        json!({"type": "ping"}),
    ] {
        let parsed = parse_client_frame(&frame.to_string()).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), frame);
        assert_eq!(
            serde_json::from_value::<ClientFrame>(frame).unwrap(),
            parsed
        );
    }
}

#[test]
fn deserialising_with_serde_alone_applies_the_same_rules() {
    let refused = [
        json!({"type": "ping", "extra": 1}),
        json!({"type": "message", "id": ID, "text": "hi", "last_seq": 1}),
        json!({"type": "resume", "conversation_id": CONVERSATION, "last_seq": 1, "id": ID}),
        json!({"type": "message", "id": ID, "text": "   "}),
        json!({"type": "message", "id": ID, "text": "x".repeat(4_001)}),
        json!({"type": "resume", "conversation_id": CONVERSATION, "last_seq": -1}),
    ];
    for frame in refused {
        assert!(
            serde_json::from_value::<ClientFrame>(frame.clone()).is_err(),
            "{frame}"
        );
    }
}

#[test]
fn text_that_is_not_json_or_not_an_object_is_malformed_json() {
    for frame in [
        "",
        "{",
        "not json",
        r#"{"type":"ping""#,
        "[1,2]",
        "\"ping\"",
        "null",
    ] {
        assert_eq!(refusal(frame).0, ErrorCode::MalformedJson, "{frame:?}");
    }
}

#[test]
fn an_unknown_type_is_named_in_the_error() {
    let (code, detail) = refusal(r#"{"type":"shout","text":"hi"}"#);
    assert_eq!(code, ErrorCode::UnknownType);
    assert!(detail.contains("`shout`"), "{detail}");
}

#[test]
fn a_missing_or_non_string_type_is_an_invalid_field() {
    assert_eq!(
        refusal(r#"{"text":"hi"}"#),
        (ErrorCode::InvalidField, "`type` is required".into())
    );
    let (code, detail) = refusal(r#"{"type":5}"#);
    assert_eq!(code, ErrorCode::InvalidField);
    assert!(detail.starts_with("`type`"), "{detail}");
}

#[test]
fn a_field_the_type_does_not_have_is_refused_by_name() {
    let (code, detail) = refusal(r#"{"type":"ping","extra":1}"#);
    assert_eq!(code, ErrorCode::InvalidField);
    assert_eq!(detail, "`extra` is not a field of a `ping` frame");
    let resume = json!({"type": "resume", "conversation_id": CONVERSATION, "last_seq": 1,
        "text": "x"});
    assert_eq!(
        refusal(&resume.to_string()).1,
        "`text` is not a field of a `resume` frame"
    );
}

#[test]
fn message_text_must_be_one_to_4000_characters_and_not_blank() {
    for text in ["", "   ", "\n\t"] {
        let (code, detail) = refusal(&message_with_text(text));
        assert_eq!(code, ErrorCode::InvalidField);
        assert!(detail.starts_with("`text`"), "{detail}");
    }
    assert!(parse_client_frame(&message_with_text(&"é".repeat(4_000))).is_ok());
    let (code, detail) = refusal(&message_with_text(&"é".repeat(4_001)));
    assert_eq!(code, ErrorCode::InvalidField);
    assert_eq!(detail, "`text` must be at most 4000 characters");
}

#[test]
fn missing_fields_are_named() {
    let cases = [
        (json!({"type": "message", "text": "hi"}), "`id` is required"),
        (json!({"type": "message", "id": ID}), "`text` is required"),
        (
            json!({"type": "message", "id": ID, "text": null}),
            "`text` is required",
        ),
        (
            json!({"type": "resume", "last_seq": 1}),
            "`conversation_id` is required",
        ),
        (
            json!({"type": "resume", "conversation_id": CONVERSATION}),
            "`last_seq` is required",
        ),
    ];
    for (frame, detail) in cases {
        assert_eq!(
            refusal(&frame.to_string()),
            (ErrorCode::InvalidField, detail.into())
        );
    }
}

#[test]
fn ids_must_be_uuids_and_last_seq_a_whole_number_of_zero_or_more() {
    let cases = [
        (
            json!({"type": "message", "id": "abc", "text": "hi"}),
            "`id`",
        ),
        (json!({"type": "message", "id": 7, "text": "hi"}), "`id`"),
        (
            json!({"type": "message", "id": ID, "conversation_id": "x", "text": "hi"}),
            "`conversation_id`",
        ),
        (json!({"type": "message", "id": ID, "text": 5}), "`text`"),
        (
            json!({"type": "resume", "conversation_id": CONVERSATION, "last_seq": -1}),
            "`last_seq`",
        ),
        (
            json!({"type": "resume", "conversation_id": CONVERSATION, "last_seq": 1.5}),
            "`last_seq`",
        ),
        (
            json!({"type": "resume", "conversation_id": CONVERSATION, "last_seq": "3"}),
            "`last_seq`",
        ),
    ];
    for (frame, field) in cases {
        let (code, detail) = refusal(&frame.to_string());
        assert_eq!(code, ErrorCode::InvalidField, "{frame}");
        assert!(detail.starts_with(field), "{frame}: {detail}");
    }
}

#[test]
fn a_two_megabyte_frame_is_too_large_and_closes_with_1009() {
    let frame = message_with_text(&"a".repeat(2 * 1024 * 1024));
    let error = parse_client_frame(&frame).unwrap_err();
    assert_eq!(error.code(), ErrorCode::TooLarge);
    assert_eq!(error.close().map(|close| close.code), Some(1009));
    let bytes = MAX_FRAME_BYTES + 1;
    assert_eq!(
        parse_client_frame(&" ".repeat(bytes)),
        Err(ProtocolError::TooLarge { bytes })
    );
}
