//! Golden vectors of the SSM data channel's framing, written out byte by byte from the
//! protocol's description: the header layout, the big-endian integers, the space-padded type,
//! the SHA-256 digest, and the message id's halves in their wire order (least significant 8
//! bytes first). The console's codec must write exactly these bytes and read them back, and
//! must agree with the mock agent's codec, which is written separately.

use crate::support::gateway::wire;
use deckwatch::exec::frame::{Frame, FrameError, MessageType, PayloadType};
use deckwatch::exec::message_id::MessageId;
use deckwatch::exec::payloads::Ack;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// `input_stream_data`, sequence 5, created 1700000000123 ms, flags 0, id
/// 00112233-4455-6677-8899-aabbccddeeff, payload type 1, payload "hi".
const GOLDEN_INPUT: &str = "
    00000074
    696e7075745f73747265616d5f64617461 202020202020202020202020202020
    00000001
    0000018bcfe5687b
    0000000000000005
    0000000000000000
    8899aabbccddeeff 0011223344556677
    8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4
    00000001
    00000002
    6869";

fn golden_frame() -> Frame {
    Frame {
        message_type: MessageType::InputStreamData,
        schema_version: 1,
        created_ms: 1_700_000_000_123,
        sequence: 5,
        flags: 0,
        id: MessageId::parse("00112233-4455-6677-8899-aabbccddeeff").unwrap(),
        payload_type: PayloadType::OUTPUT,
        payload: b"hi".to_vec(),
    }
}

#[test]
fn an_input_message_is_written_byte_for_byte_as_the_protocol_says() {
    let bytes = golden_frame().encode();
    assert_eq!(bytes, hex(GOLDEN_INPUT));
    assert_eq!(bytes.len(), 122, "120 header bytes and the payload");
    assert_eq!(Frame::decode(&bytes).unwrap(), golden_frame());
}

#[test]
fn the_message_id_is_written_least_significant_half_first() {
    let bytes = golden_frame().encode();
    // A writer that copies the UUID's bytes as they are would put 00112233… here.
    assert_eq!(&bytes[64..72], &hex("8899aabbccddeeff")[..]);
    assert_eq!(&bytes[72..80], &hex("0011223344556677")[..]);
    // The mock agent, written separately, reads the same id back.
    let m = wire::decode(&bytes).unwrap();
    assert_eq!(
        wire::uuid_text(&m.id),
        "00112233-4455-6677-8899-aabbccddeeff"
    );
}

#[test]
fn an_acknowledgement_names_the_message_as_the_agent_sent_it() {
    // A message as the (separately written) agent side encodes it.
    let id = hex("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    let sent = wire::encode(
        wire::OUTPUT_STREAM,
        9,
        1,
        id.clone().try_into().unwrap(),
        1,
        b"$ ",
    );
    let got = Frame::decode(&sent).unwrap();
    assert_eq!(got.message_type, MessageType::OutputStreamData);
    assert_eq!(got.sequence, 9);
    assert_eq!(got.id.to_string(), "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    let ack = Ack::of(&got.message_type, got.id, got.sequence);
    let json = serde_json::to_value(&ack).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "AcknowledgedMessageType": "output_stream_data",
            "AcknowledgedMessageId": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            "AcknowledgedMessageSequenceNumber": 9,
            "IsSequentialMessage": true,
        })
    );
}

#[test]
fn an_acknowledge_message_has_flags_3_and_sequence_0() {
    let mut f = Frame::stream(
        MessageType::Acknowledge,
        0,
        PayloadType(0),
        b"{}".to_vec(),
        1,
    );
    f.flags = 3;
    let bytes = f.encode();
    assert_eq!(&bytes[4..36], b"acknowledge                     ");
    assert_eq!(&bytes[48..56], &[0u8; 8]);
    assert_eq!(&bytes[56..64], &[0, 0, 0, 0, 0, 0, 0, 3]);
}

#[test]
fn damaged_messages_are_refused_with_what_is_wrong() {
    let mut bytes = golden_frame().encode();
    assert_eq!(Frame::decode(&bytes[..100]), Err(FrameError::Short(100)));
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    assert_eq!(Frame::decode(&bytes), Err(FrameError::Digest));
    let mut long = golden_frame().encode();
    long.push(0);
    assert!(matches!(
        Frame::decode(&long),
        Err(FrameError::Length { .. })
    ));
    // An empty payload carries no digest to check (the agent's start_publication has none).
    let empty = Frame {
        payload: Vec::new(),
        ..golden_frame()
    };
    assert!(Frame::decode(&empty.encode()).is_ok());
}
