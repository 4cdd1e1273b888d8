//! Properties of [`parse_client_frame`]: no input panics, every refusal is a JSON `error`
//! event, and every accepted frame serialises back to one that parses the same.

use proptest::prelude::*;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{ProtocolError, parse_client_frame};

fn error_event_json(error: &ProtocolError) -> Value {
    serde_json::from_str(&error.event().to_json()).unwrap()
}

fn field_value() -> impl Strategy<Value = Option<Value>> {
    let uuid = any::<u128>().prop_map(|n| json!(Uuid::from_u128(n)));
    let number = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from)
    ];
    proptest::option::of(prop_oneof![
        Just(Value::Null),
        uuid,
        number,
        ".{0,8}".prop_map(Value::from)
    ])
}

proptest! {
    #[test]
    fn any_text_parses_or_yields_a_json_error_event(text in any::<String>()) {
        if let Err(error) = parse_client_frame(&text) {
            let event = error_event_json(&error);
            prop_assert_eq!(&event["type"], "error");
            prop_assert!(event["code"].is_string());
            prop_assert!(event["detail"].is_string());
        }
    }

    #[test]
    fn any_object_parses_to_a_frame_that_round_trips_or_yields_an_error_event(
        kind in "message|resume|request_coach|ping|[a-z]{0,6}",
        fields in proptest::collection::vec(field_value(), 4),
    ) {
        let mut frame = json!({"type": kind});
        for (name, value) in ["id", "conversation_id", "text", "last_seq"].iter().zip(fields) {
            if let (Some(value), Some(object)) = (value, frame.as_object_mut()) {
                object.insert((*name).to_owned(), value);
            }
        }
        match parse_client_frame(&frame.to_string()) {
            Ok(parsed) => {
                let again = serde_json::to_string(&parsed).unwrap();
                prop_assert_eq!(parse_client_frame(&again), Ok(parsed));
            }
            Err(error) => prop_assert_eq!(&error_event_json(&error)["type"], "error"),
        }
    }
}
