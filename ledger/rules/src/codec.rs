//! The byte form of the rules' state: vehicle states, declared inspection
//! protocols and their ids, key states and VIN heads. Integers are
//! big-endian; enums are written as their protobuf values.
//!
//! One state, one encoding: the store keeps these values (`docs/store.md`)
//! and the audit state file carries them (`docs/audit.md`), and decoding
//! refuses anything `encode` would not write.

use std::collections::BTreeSet;

use vledger_records::vindex::VinHead;
use vledger_records::{
    Brands, Component, DeregistrationReason, DistanceUnit, KeyState, Odometer, ProtocolId, Role,
};

use crate::{DeclaredProtocol, EngineFact, OdometerPoint, VehicleFacts, VehicleState};

/// A value that does not decode; names what it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed {what}")]
pub struct CodecError {
    /// What the value was meant to be ("vehicle state", "key state", ...).
    pub what: &'static str,
}

const fn bad(what: &'static str) -> CodecError {
    CodecError { what }
}

/// Version byte at the start of an encoded vehicle state.
const STATE_VERSION: u8 = 2;

/// Tag byte of an encoded protocol id.
pub const PROTOCOL_ID_TAG: u8 = b'p';

/// Encodes a protocol id: `'p' ‖ id ‖ 0x00 ‖ version:u32` (ids hold no zero
/// byte, so encodings sort by id, then version; the store uses it as the
/// protocol's key).
#[must_use]
pub fn encode_protocol_id(id: &ProtocolId) -> Vec<u8> {
    let mut k = Vec::with_capacity(id.id.len() + 6);
    k.push(PROTOCOL_ID_TAG);
    k.extend_from_slice(id.id.as_bytes());
    k.push(0);
    k.extend_from_slice(&id.version.to_be_bytes());
    k
}

/// Decodes [`encode_protocol_id`]'s bytes.
///
/// # Errors
/// [`CodecError`] when the bytes are malformed.
pub fn decode_protocol_id(key: &[u8]) -> Result<ProtocolId, CodecError> {
    const WHAT: &str = "protocol id";
    let split = key.len().checked_sub(5).ok_or(bad(WHAT))?;
    if key.first() != Some(&PROTOCOL_ID_TAG) || key[split] != 0 {
        return Err(bad(WHAT));
    }
    let (id, version) = (key.get(1..split).ok_or(bad(WHAT))?, &key[split + 1..]);
    Ok(ProtocolId {
        id: String::from_utf8(id.to_vec()).map_err(|_| bad(WHAT))?,
        version: u32::from_be_bytes(version.try_into().map_err(|_| bad(WHAT))?),
    })
}

/// Encodes a VIN head: [`VinHead::to_bytes`].
#[must_use]
pub fn encode_vin_head(h: &VinHead) -> Vec<u8> {
    h.to_bytes().to_vec()
}

/// Decodes a VIN head.
///
/// # Errors
/// [`CodecError`] when the value has the wrong length.
pub fn decode_vin_head(v: &[u8]) -> Result<VinHead, CodecError> {
    let v = v.try_into().map_err(|_| bad("VIN head"))?;
    Ok(VinHead::from_bytes(v))
}

/// Encodes a key state: `role:u8 ‖ enrolled_at:u64 ‖ revoked:u8 ‖
/// revoked_at:u64` (0 when not revoked).
#[must_use]
pub fn encode_key_state(s: &KeyState) -> Vec<u8> {
    let mut v = Vec::with_capacity(18);
    v.push(s.role.code());
    v.extend_from_slice(&s.enrolled_at.to_be_bytes());
    v.push(u8::from(s.revoked_at.is_some()));
    v.extend_from_slice(&s.revoked_at.unwrap_or(0).to_be_bytes());
    v
}

/// Decodes a key state.
///
/// # Errors
/// [`CodecError`] when the value is malformed.
pub fn decode_key_state(v: &[u8]) -> Result<KeyState, CodecError> {
    let mut r = Reader {
        rest: v,
        what: "key state",
    };
    let role = Role::from_code(r.u8()?).ok_or(bad(r.what))?;
    let enrolled_at = r.u64()?;
    let revoked = r.flag()?;
    let at = r.u64()?;
    r.end()?;
    Ok(KeyState {
        role,
        enrolled_at,
        revoked_at: revoked.then_some(at),
    })
}

fn enum_code(v: i32) -> u8 {
    u8::try_from(v).unwrap_or(u8::MAX)
}

/// Encodes a vehicle state (version 2):
/// `2 ‖ factory ‖ engine ‖ odometer_top ‖
/// first_registration ‖ deregistration ‖ brands:u16 ‖ after_sales`, each
/// optional part a flag byte and its fields.
#[must_use]
pub fn encode_vehicle(s: &VehicleState) -> Vec<u8> {
    let mut v = Vec::with_capacity(96);
    v.push(STATE_VERSION);
    match s.factory {
        None => v.push(0),
        Some((at, c)) => {
            v.push(1);
            v.extend_from_slice(&at.to_be_bytes());
            v.push(enum_code(c.to_proto()));
        }
    }
    match &s.engine {
        None => v.push(0),
        Some(e) => {
            v.push(1);
            v.extend_from_slice(&e.index.to_be_bytes());
            push_engine_number(&mut v, &e.number);
        }
    }
    match s.odometer_top {
        None => v.push(0),
        Some(p) => {
            v.push(1);
            v.extend_from_slice(&p.index.to_be_bytes());
            v.extend_from_slice(&encode_reading(p.reading));
        }
    }
    match s.first_registration {
        None => v.push(0),
        Some((at, date)) => {
            v.push(1);
            v.extend_from_slice(&at.to_be_bytes());
            v.extend_from_slice(&date.to_be_bytes());
        }
    }
    match s.deregistration {
        None => v.push(0),
        Some((at, reason)) => {
            v.push(1);
            v.extend_from_slice(&at.to_be_bytes());
            v.push(enum_code(reason.to_proto()));
        }
    }
    v.extend_from_slice(&s.brands.0.to_be_bytes());
    match s.after_sales_confirmation {
        None => v.push(0),
        Some(at) => {
            v.push(1);
            v.extend_from_slice(&at.to_be_bytes());
        }
    }
    v
}

/// `len:u8 ‖ number`: engine numbers are identifiers of at most 32 bytes.
fn push_engine_number(v: &mut Vec<u8>, number: &str) {
    let bytes = &number.as_bytes()[..number.len().min(usize::from(u8::MAX))];
    v.push(u8::try_from(bytes.len()).unwrap_or(u8::MAX));
    v.extend_from_slice(bytes);
}

/// Encodes an odometer reading: `value:u64 ‖ unit:u8` (a vehicle fact's
/// value in the store).
#[must_use]
pub fn encode_reading(r: Odometer) -> [u8; 9] {
    let mut v = [0; 9];
    v[..8].copy_from_slice(&r.value.to_be_bytes());
    v[8] = enum_code(r.unit.to_proto());
    v
}

/// Decodes [`encode_reading`]'s bytes.
///
/// # Errors
/// [`CodecError`] when the bytes are malformed.
pub fn decode_reading(v: &[u8]) -> Result<Odometer, CodecError> {
    let mut r = Reader {
        rest: v,
        what: "odometer reading",
    };
    let reading = r.reading()?;
    r.end()?;
    Ok(reading)
}

/// Decodes an engine number stored as a vehicle fact (its UTF-8 bytes).
///
/// # Errors
/// [`CodecError`] when the bytes are not UTF-8 or too long.
pub fn decode_engine_number(v: &[u8]) -> Result<String, CodecError> {
    const WHAT: &str = "engine number";
    if v.len() > usize::from(u8::MAX) {
        return Err(bad(WHAT));
    }
    String::from_utf8(v.to_vec()).map_err(|_| bad(WHAT))
}

/// Reads fields off the front of a value.
struct Reader<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if self.rest.len() < n {
            return Err(bad(self.what));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.bytes(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, CodecError> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, CodecError> {
        let mut a = [0; 4];
        a.copy_from_slice(self.bytes(4)?);
        Ok(u32::from_be_bytes(a))
    }
    fn u64(&mut self) -> Result<u64, CodecError> {
        let mut a = [0; 8];
        a.copy_from_slice(self.bytes(8)?);
        Ok(u64::from_be_bytes(a))
    }
    fn i64(&mut self) -> Result<i64, CodecError> {
        self.u64().map(|u| i64::from_be_bytes(u.to_be_bytes()))
    }
    fn flag(&mut self) -> Result<bool, CodecError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(bad(self.what)),
        }
    }
    fn text(&mut self, len: usize) -> Result<String, CodecError> {
        String::from_utf8(self.bytes(len)?.to_vec()).map_err(|_| bad(self.what))
    }
    fn end(&self) -> Result<(), CodecError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(bad(self.what))
        }
    }
}

/// Decodes a vehicle state of version 2.
///
/// # Errors
/// [`CodecError`] when the value is malformed or of another version.
pub fn decode_vehicle(v: &[u8]) -> Result<VehicleState, CodecError> {
    const WHAT: &str = "vehicle state";
    let mut r = Reader {
        rest: v,
        what: WHAT,
    };
    if r.u8()? != STATE_VERSION {
        return Err(bad(WHAT));
    }
    let factory = r.factory()?;
    let engine = if r.flag()? {
        let index = r.u64()?;
        let len = usize::from(r.u8()?);
        Some(EngineFact {
            index,
            number: r.text(len)?,
        })
    } else {
        None
    };
    let odometer_top = if r.flag()? {
        Some(OdometerPoint {
            index: r.u64()?,
            reading: r.reading()?,
        })
    } else {
        None
    };
    let (first_registration, deregistration, brands, after_sales_confirmation) = r.tail()?;
    r.end()?;
    Ok(VehicleState {
        factory,
        engine,
        odometer_top,
        first_registration,
        deregistration,
        brands,
        after_sales_confirmation,
    })
}

/// Decodes a vehicle state of version 1 (store format 3 and earlier),
/// which carried every engine number and every odometer reading since
/// the last cluster change inline: the state and its facts, for
/// `vledger migrate`.
///
/// # Errors
/// [`CodecError`] when the value is malformed or not of version 1.
pub fn decode_vehicle_v1(v: &[u8]) -> Result<(VehicleState, VehicleFacts), CodecError> {
    const WHAT: &str = "vehicle state";
    let mut r = Reader {
        rest: v,
        what: WHAT,
    };
    if r.u8()? != 1 {
        return Err(bad(WHAT));
    }
    let factory = r.factory()?;
    let mut engines = Vec::new();
    for _ in 0..r.u16()? {
        let index = r.u64()?;
        let len = usize::from(r.u8()?);
        engines.push(EngineFact {
            index,
            number: r.text(len)?,
        });
    }
    let mut odometer = Vec::new();
    for _ in 0..r.u32()? {
        odometer.push(OdometerPoint {
            index: r.u64()?,
            reading: r.reading()?,
        });
    }
    let (first_registration, deregistration, brands, after_sales_confirmation) = r.tail()?;
    r.end()?;
    let state = VehicleState {
        factory,
        engine: engines.last().cloned(),
        odometer_top: crate::vehicle_state::highest(&odometer),
        first_registration,
        deregistration,
        brands,
        after_sales_confirmation,
    };
    Ok((state, VehicleFacts { engines, odometer }))
}

/// The parts of a vehicle state after its odometer.
type StateTail = (
    Option<(u64, i64)>,
    Option<(u64, DeregistrationReason)>,
    Brands,
    Option<u64>,
);

impl Reader<'_> {
    fn factory(&mut self) -> Result<Option<(u64, Component)>, CodecError> {
        if !self.flag()? {
            return Ok(None);
        }
        let at = self.u64()?;
        let c = Component::from_proto("", i32::from(self.u8()?)).map_err(|_| bad(self.what))?;
        Ok(Some((at, c)))
    }

    fn reading(&mut self) -> Result<Odometer, CodecError> {
        let value = self.u64()?;
        let unit =
            DistanceUnit::from_proto("", i32::from(self.u8()?)).map_err(|_| bad(self.what))?;
        Ok(Odometer { value, unit })
    }

    fn tail(&mut self) -> Result<StateTail, CodecError> {
        let first_registration = if self.flag()? {
            Some((self.u64()?, self.i64()?))
        } else {
            None
        };
        let deregistration = if self.flag()? {
            let at = self.u64()?;
            let reason = DeregistrationReason::from_proto("", i32::from(self.u8()?))
                .map_err(|_| bad(self.what))?;
            Some((at, reason))
        } else {
            None
        };
        let brands = Brands(self.u16()?);
        let after_sales_confirmation = if self.flag()? {
            Some(self.u64()?)
        } else {
            None
        };
        Ok((
            first_registration,
            deregistration,
            brands,
            after_sales_confirmation,
        ))
    }
}

/// Encodes a declared protocol: `declared_at:u64 ‖ count:u16 ‖ (len:u8 ‖ item)*`.
#[must_use]
pub fn encode_protocol(p: &DeclaredProtocol) -> Vec<u8> {
    let mut v = Vec::with_capacity(10 + p.items.iter().map(|i| i.len() + 1).sum::<usize>());
    v.extend_from_slice(&p.declared_at.to_be_bytes());
    v.extend_from_slice(
        &u16::try_from(p.items.len())
            .unwrap_or(u16::MAX)
            .to_be_bytes(),
    );
    for item in &p.items {
        // Items are at most 128 bytes.
        v.push(u8::try_from(item.len()).unwrap_or(u8::MAX));
        v.extend_from_slice(item.as_bytes());
    }
    v
}

/// Decodes a declared protocol.
///
/// # Errors
/// [`CodecError`] when the value is malformed.
pub fn decode_protocol(v: &[u8]) -> Result<DeclaredProtocol, CodecError> {
    let mut r = Reader {
        rest: v,
        what: "inspection protocol",
    };
    let declared_at = r.u64()?;
    let mut items = BTreeSet::new();
    for _ in 0..r.u16()? {
        let len = usize::from(r.u8()?);
        items.insert(r.text(len)?);
    }
    r.end()?;
    Ok(DeclaredProtocol { declared_at, items })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vehicle_states_round_trip() {
        let empty = VehicleState::default();
        assert_eq!(decode_vehicle(&encode_vehicle(&empty)).unwrap(), empty);
        let full = VehicleState {
            factory: Some((3, Component::DriveMotor)),
            engine: Some(EngineFact {
                index: 9,
                number: "TZ220XS-B".into(),
            }),
            odometer_top: Some(OdometerPoint {
                index: 7,
                reading: Odometer {
                    value: 12,
                    unit: DistanceUnit::Miles,
                },
            }),
            first_registration: Some((4, -86_400)),
            deregistration: Some((11, DeregistrationReason::Export)),
            brands: Brands(0b101),
            after_sales_confirmation: Some(10),
        };
        let bytes = encode_vehicle(&full);
        assert_eq!(decode_vehicle(&bytes).unwrap(), full);
        assert!(decode_vehicle(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode_vehicle(&longer).is_err());
        let reading = Odometer {
            value: 42_000,
            unit: DistanceUnit::Km,
        };
        assert_eq!(decode_reading(&encode_reading(reading)).unwrap(), reading);
        assert!(decode_reading(&encode_reading(reading)[..8]).is_err());
    }

    #[test]
    fn version_1_states_split_into_a_state_and_its_facts() {
        // factory at 3 (drive motor), two engines, readings 5 km @6 and
        // 9 km @8, no registration, no deregistration, brands 0b1, no
        // after-sales confirmation.
        let mut v1 = vec![1, 1];
        v1.extend_from_slice(&3u64.to_be_bytes());
        v1.push(u8::try_from(Component::DriveMotor.to_proto()).unwrap());
        v1.extend_from_slice(&2u16.to_be_bytes());
        for (at, n) in [(3u64, "A1"), (5, "B2")] {
            v1.extend_from_slice(&at.to_be_bytes());
            v1.push(2);
            v1.extend_from_slice(n.as_bytes());
        }
        v1.extend_from_slice(&2u32.to_be_bytes());
        for (at, km) in [(6u64, 5u64), (8, 9)] {
            v1.extend_from_slice(&at.to_be_bytes());
            v1.extend_from_slice(&km.to_be_bytes());
            v1.push(u8::try_from(DistanceUnit::Km.to_proto()).unwrap());
        }
        v1.extend_from_slice(&[0, 0, 0, 1, 0]);
        let (state, facts) = decode_vehicle_v1(&v1).unwrap();
        assert_eq!(facts.engines.len(), 2);
        assert_eq!(facts.odometer.len(), 2);
        assert_eq!(state.engine.as_ref().unwrap().number, "B2");
        assert_eq!(state.odometer_top.unwrap().index, 8);
        assert_eq!(state.brands, Brands(1));
        // Version 2 reads no version-1 value, and the reverse.
        assert!(decode_vehicle(&v1).is_err());
        assert!(decode_vehicle_v1(&encode_vehicle(&state)).is_err());
    }

    #[test]
    fn protocols_round_trip() {
        let p = DeclaredProtocol {
            declared_at: 5,
            items: ["brakes".to_owned(), "制动".to_owned()].into(),
        };
        assert_eq!(decode_protocol(&encode_protocol(&p)).unwrap(), p);
        let id = ProtocolId {
            id: "CN-EXPORT".into(),
            version: 2,
        };
        assert_eq!(encode_protocol_id(&id), b"pCN-EXPORT\0\0\0\0\x02");
        assert_eq!(decode_protocol_id(&encode_protocol_id(&id)).unwrap(), id);
    }
}
