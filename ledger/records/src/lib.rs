//! vledger's records layer: what signers state about vehicles, and the
//! entries the log is made of.
//!
//! - [`Vin`]: a validated VIN;
//! - [`Record`] and [`RecordBody`]: what a signer states, with its JSON form;
//!   the kinds are in `vehicle_events`, `inspection`, `trade` and
//!   `correction`, the shared field types ([`Attachment`], [`Odometer`], ...)
//!   in `fields`, and [`PartyCommitment`] is how a person appears in a
//!   record;
//! - [`Flag`]: what the sequencing rules found suspicious about a logged
//!   record;
//! - [`SignedRecord`]: a record's exact bytes with a checked signature;
//! - [`Entry`]: a leaf of the log, wrapping a signed record with the time it
//!   was logged and its [`VinChain`] link;
//! - [`Role`], [`KeyState`] and [`authorize`]: who may sign what;
//! - [`vindex`]: the VIN index's hashes and the checking of its proofs.
//!
//! Protobuf types from `vledger-proto` are converted at this edge with
//! `TryFrom`, refusing missing fields; the rest of vledger works on these.
//!
//! What this crate does **not** do: it does not decide what the log may
//! contain given what it already holds (that is `vledger-rules`), it does not
//! build or store the VIN index, and it does no I/O.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod authority;
mod body;
mod correction;
mod entry;
mod error;
mod fields;
mod flag;
mod inspection;
mod keys;
mod party;
#[allow(clippy::module_inception)]
mod record;
pub mod signature;
mod signed;
mod trade;
mod vehicle_events;
mod vin;
pub mod vindex;

pub use body::{
    Correction, KeyEnrollment, KeyRevocation, OdometerReading, OdometerSource, Record, RecordBody,
    RecordKind,
};

pub use authority::{AuthError, authorize};
pub use entry::{
    ChainLink, Entry, EntryBody, Genesis, IndexCommitment, LogKeySuccession, MAX_SUCCESSION_REASON,
    RecordEntry, VinChain,
};
pub use error::{FieldError, Reason};
pub use fields::{
    Attachment, Digest, DistanceUnit, DocumentKind, EARLIEST_DATE, LATEST_DATE, Language,
    MAX_ATTACHMENTS, MAX_IDENTIFIER_LEN, MAX_LIST, MAX_ODOMETER, MAX_TEXT_LEN, Odometer, grouped,
};
pub use flag::{EARLY_EXPORT_DAYS, Flag, flags_from_proto};
pub use inspection::{
    Compliance, Inspection, InspectionProtocol, ItemOutcome, ItemResult, MAX_ITEM_LEN,
    MAX_PROTOCOL_ITEMS, ProtocolId, Verdict,
};
pub use keys::{KeyState, Role, public_key_from_bytes};
pub use party::{PARTY_COMMITMENT_PREFIX, PartyCommitment, SALT_LEN};
pub use record::{JsonError, MAX_NONCE_LEN};
pub use signed::{
    BOUND_RECORD_SIGNATURE_PREFIX, MAX_ORIGIN_LEN, MAX_RECORD_SIZE, RECORD_SIGNATURE_PREFIX,
    SignedRecord, check_origin, signed_message,
};
pub use trade::{Amount, Claim, ClaimOutcome, CustomsClearance, CustomsDirection, ExportLicense};
pub use vehicle_events::{
    Brands, Component, ComponentChange, Damage, DamageSource, DamageType, Deregistration,
    DeregistrationReason, Factory, Maintenance, OwnershipTransfer, Powertrain, Registration,
    UseType,
};
pub use vin::{VIN_LEN, Vin, VinError};
pub use vledger_tlog::format_time;

/// Serde form of public keys in JSON: standard base64 of the 32 bytes.
pub(crate) mod serde_key {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use ed25519_dalek::VerifyingKey;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(crate) fn serialize<S: Serializer>(k: &VerifyingKey, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(k.as_bytes()))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<VerifyingKey, D::Error> {
        let s = String::deserialize(d)?;
        let bytes = STANDARD
            .decode(s.as_bytes())
            .map_err(|_| D::Error::custom("public key is not standard base64"))?;
        super::public_key_from_bytes("public_key", &bytes).map_err(D::Error::custom)
    }
}

/// Serde form of bytes in JSON: lower-case hex.
pub(crate) mod serde_hex {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(crate) fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s).map_err(D::Error::custom)
    }
}

/// Serde form of times in JSON: RFC 3339 (`2026-11-01T08:30:00Z`), or a
/// plain date (`2026-11-01`, meaning midnight UTC).
pub(crate) mod serde_time {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    pub(crate) fn serialize<S: Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_time(*t))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let s = String::deserialize(d)?;
        if let Ok(t) = OffsetDateTime::parse(&s, &Rfc3339) {
            return Ok(t.unix_timestamp());
        }
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(&s, &format)
            .map(|d| d.midnight().assume_utc().unix_timestamp())
            .map_err(|_| {
                D::Error::custom(format!(
                    "{s:?} is neither an RFC 3339 time nor a YYYY-MM-DD date"
                ))
            })
    }
}

/// Serde form of optional times: as [`serde_time`], absent when `None`.
pub(crate) mod serde_opt_time {
    use serde::{Deserializer, Serializer};

    // Serde calls this only for `Some` (the field skips `None`).
    #[allow(clippy::ref_option)]
    pub(crate) fn serialize<S: Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::serde_time::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        super::serde_time::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn odometer() -> Record {
        Record {
            vin: Some(Vin::parse("1M8GDM9AXKP042788").unwrap()),
            event_time: 1_767_225_600,
            nonce: vec![],
            attachments: vec![],
            body: RecordBody::OdometerReading(OdometerReading {
                value: 42_000,
                unit: DistanceUnit::Km,
                source: OdometerSource::Dashboard,
            }),
        }
    }

    #[test]
    fn json_form_round_trips() {
        let json = r#"{"vin":"1M8GDM9AXKP042788","event_time":"2026-01-01","odometer_reading":{"value":42000,"unit":"km","source":"dashboard"}}"#;
        let r: Record = serde_json::from_str(json).unwrap();
        assert_eq!(r, odometer());
        let back: Record = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn json_form_refuses_unknown_fields_and_body_counts() {
        let typo = r#"{"vin":"1M8GDM9AXKP042788","event_time":"2026-01-01","nonse":"ab","odometer_reading":{"value":1,"unit":"km","source":"obd"}}"#;
        assert!(matches!(Record::from_json(typo), Err(JsonError::UnknownField(f)) if f == "nonse"));
        let inner = r#"{"vin":"1M8GDM9AXKP042788","event_time":"2026-01-01","odometer_reading":{"value":1,"unit":"km","source":"obd","extra":1}}"#;
        assert!(matches!(
            Record::from_json(inner),
            Err(JsonError::Field { path, .. }) if path == "odometer_reading.extra"
        ));
        let unit = r#"{"vin":"1M8GDM9AXKP042788","event_time":"2026-01-01","odometer_reading":{"value":1,"source":"obd"}}"#;
        assert_eq!(
            Record::from_json(unit).unwrap_err().to_string(),
            "odometer_reading.unit: missing"
        );
        let date = r#"{"vin":"1M8GDM9AXKP042788","event_time":"20/11/2026","odometer_reading":{"value":1,"unit":"km","source":"obd"}}"#;
        assert_eq!(
            Record::from_json(date).unwrap_err().to_string(),
            r#"event_time: "20/11/2026" is neither an RFC 3339 time nor a YYYY-MM-DD date"#
        );
        let nested = r#"{"vin":"1M8GDM9AXKP042788","event_time":"2026-01-02","correction":{"target_index":4,"reason":"typo","replacement":{"vin":"1M8GDM9AXKP042788","event_time":"2026-01-01","odometer_reading":{"value":1,"source":"obd"}}}}"#;
        assert_eq!(
            Record::from_json(nested).unwrap_err().to_string(),
            "correction.replacement.odometer_reading.unit: missing"
        );
        let lower = r#"{"vin":"1m8gdm9axkp042788","event_time":"2026-01-01","odometer_reading":{"value":1,"unit":"km","source":"obd"}}"#;
        let r = Record::from_json(lower).unwrap();
        assert_eq!(
            r.vin.map(|v| v.to_string()).as_deref(),
            Some("1M8GDM9AXKP042788")
        );
        let none = r#"{"vin":"1M8GDM9AXKP042788","event_time":"2026-01-01"}"#;
        assert!(matches!(
            Record::from_json(none),
            Err(JsonError::BodyCount { found: 0 })
        ));
        let good = r#"{"vin":"1M8GDM9AXKP042788","event_time":"1965-03-01","odometer_reading":{"value":1,"unit":"km","source":"obd"}}"#;
        let r = Record::from_json(good).unwrap();
        assert!(r.event_time < 0);
        assert_eq!(Record::decode(&r.encode()).unwrap(), r);
    }

    #[test]
    fn signed_record_round_trips_and_detects_tampering() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let s = SignedRecord::sign(&odometer(), &key);
        let back = SignedRecord::from_proto(s.to_proto()).unwrap();
        assert_eq!(back, s);

        let mut bad = s.to_proto();
        let last = bad.record.len() - 1;
        bad.record[last] ^= 1;
        assert!(SignedRecord::from_proto(bad).is_err());

        let mut bad = s.to_proto();
        bad.signature[0] ^= 1;
        assert_eq!(
            SignedRecord::from_proto(bad).unwrap_err(),
            FieldError::new("signed.signature", Reason::BadSignature)
        );
    }

    #[test]
    fn bound_records_name_their_log_and_verify_only_as_signed() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let a = "a.example/log";
        let s = SignedRecord::sign_for(a, &odometer(), &key).unwrap();
        assert_eq!(s.origin(), Some(a));
        let back = SignedRecord::from_proto(s.to_proto()).unwrap();
        assert_eq!(back, s);
        assert_eq!(s.check_for_append(a), Ok(()));
        let wrong = FieldError::new(
            "signed.origin",
            Reason::WrongLog {
                record: a.into(),
                log: "b.example/log".into(),
            },
        );
        assert_eq!(s.check_for_append("b.example/log"), Err(wrong.clone()));
        assert_eq!(s.check_logged_in("b.example/log"), Err(wrong.clone()));
        assert_eq!(
            wrong.to_string(),
            "signed.origin: the record was signed for the log \"a.example/log\", not for this log \"b.example/log\""
        );

        // The version is the origin's presence, and the signature holds
        // only under the message of that version: naming another log,
        // dropping the origin or adding one to an old record all break it.
        let mut moved = s.to_proto();
        moved.origin = "b.example/log".into();
        assert_eq!(
            SignedRecord::from_proto(moved).unwrap_err(),
            FieldError::new("signed.signature", Reason::BadSignature)
        );
        let mut stripped = s.to_proto();
        stripped.origin.clear();
        assert_eq!(
            SignedRecord::from_proto(stripped).unwrap_err(),
            FieldError::new("signed.signature", Reason::BadSignature)
        );
        let old = SignedRecord::sign(&odometer(), &key);
        let mut bound = old.to_proto();
        bound.origin = a.into();
        assert!(SignedRecord::from_proto(bound).is_err());

        // The exact bytes signed, in each version.
        let bytes = odometer().encode();
        assert_eq!(
            signed_message(Some(a), &bytes),
            [&b"vledger/record/v2\na.example/log\n"[..], &bytes].concat()
        );
        assert_eq!(
            signed_message(None, &bytes),
            [&b"vledger/record/v1\n"[..], &bytes].concat()
        );
    }

    #[test]
    fn old_unbound_records_verify_but_are_not_appended() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let old = SignedRecord::sign(&odometer(), &key);
        let back = SignedRecord::from_proto(old.to_proto()).unwrap();
        assert_eq!(back.origin(), None);
        assert_eq!(back.check_logged_in("any.example/log"), Ok(()));
        assert_eq!(
            back.check_for_append("any.example/log"),
            Err(FieldError::new("signed.origin", Reason::Unbound))
        );
    }

    #[test]
    fn origins_are_checked() {
        let key = SigningKey::from_bytes(&[1; 32]);
        for (origin, reason) in [
            ("", Reason::Missing),
            ("a.example/log\nforged", Reason::ControlCharacter),
            (
                &"x".repeat(MAX_ORIGIN_LEN + 1),
                Reason::TooLong {
                    max: MAX_ORIGIN_LEN,
                },
            ),
        ] {
            assert_eq!(
                SignedRecord::sign_for(origin, &odometer(), &key).unwrap_err(),
                FieldError::new("signed.origin", reason)
            );
        }
        let mut msg = SignedRecord::sign_for("a.example/log", &odometer(), &key)
            .unwrap()
            .to_proto();
        msg.origin = "a.example/log\n".into();
        assert_eq!(
            SignedRecord::from_proto(msg).unwrap_err(),
            FieldError::new("signed.origin", Reason::ControlCharacter)
        );
    }

    #[test]
    fn dates_lie_between_the_first_motor_car_and_year_9999() {
        let key = SigningKey::from_bytes(&[1; 32]);
        for (t, ok) in [
            (EARLIEST_DATE - 1, Err(Reason::TooEarly)),
            (i64::MIN, Err(Reason::TooEarly)),
            (EARLIEST_DATE, Ok(())),
            (LATEST_DATE, Ok(())),
            (LATEST_DATE + 1, Err(Reason::TooLate)),
            (i64::MAX, Err(Reason::TooLate)),
        ] {
            let mut r = odometer();
            r.event_time = t;
            let s = SignedRecord::sign_for("a.example/log", &r, &key).unwrap();
            let got = SignedRecord::from_proto(s.to_proto());
            match ok {
                Ok(()) => assert!(got.is_ok(), "{t}"),
                Err(reason) => assert_eq!(
                    got.unwrap_err(),
                    FieldError::new("record.event_time", reason),
                    "{t}"
                ),
            }
        }
        assert_eq!(format_time(EARLIEST_DATE), "1886-01-01T00:00:00Z");
        assert_eq!(format_time(LATEST_DATE), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn non_canonical_record_bytes_are_refused() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let mut bytes = odometer().encode();
        // An unknown field (number 99, varint 1) appended to a valid record.
        bytes.extend_from_slice(&[0x98, 0x06, 0x01]);
        let sig = ed25519_dalek::Signer::sign(&key, &[RECORD_SIGNATURE_PREFIX, &bytes].concat());
        let msg = vledger_proto::v1::SignedRecord {
            record: bytes,
            public_key: key.verifying_key().to_bytes().to_vec(),
            signature: sig.to_bytes().to_vec(),
            origin: String::new(),
        };
        assert_eq!(
            SignedRecord::from_proto(msg).unwrap_err(),
            FieldError::new("record", Reason::NonCanonical)
        );
    }

    #[test]
    fn key_records_carry_no_vin_and_vehicle_records_need_one() {
        let mut r = odometer();
        r.vin = None;
        let e = Record::decode(&vledger_proto::v1::Record::from(&r).encode_to_vec_for_test());
        assert_eq!(
            e.unwrap_err(),
            FieldError::new("record.vin", Reason::Missing)
        );
    }

    #[test]
    fn entry_round_trips() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let e = Entry {
            logged_at_ms: 5,
            body: EntryBody::Record(Box::new(RecordEntry {
                signed: SignedRecord::sign(&odometer(), &key),
                chain: Some(VinChain {
                    sequence: 2,
                    previous: Some(ChainLink {
                        index: 7,
                        leaf_hash: vledger_tlog::leaf_hash(b"x"),
                    }),
                }),
                flags: vec![Flag::ActivityAfterDeregistration {
                    deregistration_index: 6,
                    reason: DeregistrationReason::Theft,
                }],
            })),
        };
        assert_eq!(Entry::decode(&e.encode()).unwrap(), e);
        let EntryBody::Record(logged) = &e.body else {
            unreachable!()
        };
        assert_eq!(
            Entry::decode_logged_record(&e.encode()).unwrap(),
            Some((odometer(), key.verifying_key(), logged.flags.clone()))
        );

        // The sequencer's read of its own entries does not check the
        // signature again; a full decode does.
        let mut msg =
            <vledger_proto::v1::Entry as prost::Message>::decode(e.encode().as_slice()).unwrap();
        if let Some(vledger_proto::v1::entry::Body::Record(r)) = &mut msg.body {
            r.signed.as_mut().unwrap().signature[0] ^= 1;
        }
        let bytes = prost::Message::encode_to_vec(&msg);
        assert_eq!(
            Entry::decode(&bytes).unwrap_err(),
            FieldError::new("signed.signature", Reason::BadSignature)
        );
        assert!(Entry::decode_logged_record(&bytes).unwrap().is_some());
        let index = Entry {
            logged_at_ms: 5,
            body: EntryBody::Index(IndexCommitment {
                root: vledger_tlog::leaf_hash(b"root"),
                tree_size: 3,
                vin_count: 1,
            }),
        };
        assert_eq!(Entry::decode_logged_record(&index.encode()).unwrap(), None);
    }

    trait EncodeForTest {
        fn encode_to_vec_for_test(&self) -> Vec<u8>;
    }
    impl EncodeForTest for vledger_proto::v1::Record {
        fn encode_to_vec_for_test(&self) -> Vec<u8> {
            prost::Message::encode_to_vec(self)
        }
    }
}
