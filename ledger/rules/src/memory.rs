//! The rules' state kept in memory, for replays: every vehicle's state,
//! every declared protocol, and a summary of every vehicle record (what
//! corrections and claims may point at). The sequencer keeps the same state
//! in its store (`docs/store.md`); `vledger check` compares the two.

/// The maps: std's, with a fast hasher seeded per process.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use vledger_records::{Brands, ProtocolId, RecordKind, Vin};

use crate::codec::{
    CodecError, decode_engine_number, decode_protocol, decode_protocol_id, decode_reading,
    decode_vehicle, encode_protocol, encode_protocol_id, encode_reading, encode_vehicle,
};
use crate::{DeclaredProtocol, FactChange, LoggedRecord, VehicleFacts, VehicleState};

/// The rules' state re-derived from the entries replayed so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulesMemory {
    /// Every vehicle's state.
    vehicles: HashMap<Vin, VehicleState>,
    /// Every declared protocol.
    protocols: HashMap<ProtocolId, DeclaredProtocol>,
    /// Every vehicle record, by leaf index.
    records: HashMap<u64, LoggedRecord>,
    /// Every vehicle's facts.
    facts: HashMap<Vin, VehicleFacts>,
}

/// Kind byte of an engine-number fact (in the store's keys, too).
pub const ENGINE_FACT: u8 = 1;
/// Kind byte of an odometer-reading fact (in the store's keys, too).
pub const ODOMETER_FACT: u8 = 2;

impl RulesMemory {
    /// The state of `vin`'s vehicle.
    #[must_use]
    pub fn vehicle(&self, vin: &Vin) -> Option<&VehicleState> {
        self.vehicles.get(vin)
    }

    /// Every vehicle with its state.
    pub fn vehicles(&self) -> impl Iterator<Item = (&Vin, &VehicleState)> {
        self.vehicles.iter()
    }

    /// `vin`'s facts: every engine number, and every odometer reading
    /// since the last cluster change.
    #[must_use]
    pub fn vehicle_facts(&self, vin: &Vin) -> VehicleFacts {
        self.facts.get(vin).cloned().unwrap_or_default()
    }

    /// Every vehicle's facts, one by one: `(VIN, kind, entry, value)` with
    /// kind [`ENGINE_FACT`] (the number's UTF-8 bytes) or
    /// [`ODOMETER_FACT`] ([`encode_reading`]), the values the store's fact
    /// chunks hold.
    pub fn facts(&self) -> impl Iterator<Item = (&Vin, u8, u64, Vec<u8>)> {
        self.facts.iter().flat_map(|(vin, f)| {
            let engines = f
                .engines
                .iter()
                .map(move |e| (vin, ENGINE_FACT, e.index, e.number.as_bytes().to_vec()));
            let readings = f.odometer.iter().map(move |p| {
                (
                    vin,
                    ODOMETER_FACT,
                    p.index,
                    encode_reading(p.reading).to_vec(),
                )
            });
            engines.chain(readings)
        })
    }

    /// The declared protocol `id`.
    #[must_use]
    pub fn protocol(&self, id: &ProtocolId) -> Option<&DeclaredProtocol> {
        self.protocols.get(id)
    }

    /// Every declared protocol.
    pub fn protocols(&self) -> impl Iterator<Item = (&ProtocolId, &DeclaredProtocol)> {
        self.protocols.iter()
    }

    /// The vehicle record at leaf `index`.
    #[must_use]
    pub fn logged_record(&self, index: u64) -> Option<&LoggedRecord> {
        self.records.get(&index)
    }

    /// Sets `vin`'s vehicle state, takes in the changes to its facts, and
    /// records the vehicle record at `index`.
    pub fn set_vehicle(
        &mut self,
        vin: &Vin,
        state: VehicleState,
        facts: &[FactChange],
        index: u64,
        record: LoggedRecord,
    ) {
        self.vehicles.insert(vin.clone(), state);
        if !facts.is_empty() {
            let held = self.facts.entry(vin.clone()).or_default();
            for change in facts {
                held.apply(change);
            }
        }
        self.records.insert(index, record);
    }

    /// Declares protocol `id`.
    pub fn set_protocol(&mut self, id: ProtocolId, protocol: DeclaredProtocol) {
        self.protocols.insert(id, protocol);
    }

    /// The state as bytes, in key order (one state, one encoding):
    ///
    /// ```text
    /// vehicles:  count u64, then VIN[17] || length u32 || vehicle state ('f' value)
    /// protocols: count u64, then length u32 || 'p' key || length u32 || 'p' value
    /// records:   count u64, then index u64 || VIN[17] || kind u8 || signer[32] || brands u16
    /// facts:     count u64, then VIN[17] || fact kind u8 || index u64 || length u32 || value
    /// ```
    ///
    /// `kind` is the record kind's field number in `Record.body`.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let len32 = |out: &mut Vec<u8>, b: &[u8]| {
            out.extend_from_slice(&u32::try_from(b.len()).unwrap_or(u32::MAX).to_be_bytes());
            out.extend_from_slice(b);
        };
        let mut vehicles: Vec<_> = self.vehicles.iter().collect();
        vehicles.sort_unstable_by(|a, b| a.0.cmp(b.0));
        out.extend_from_slice(&(vehicles.len() as u64).to_be_bytes());
        for (vin, state) in vehicles {
            out.extend_from_slice(vin.as_str().as_bytes());
            len32(&mut out, &encode_vehicle(state));
        }
        let mut protocols: Vec<_> = self.protocols.iter().collect();
        protocols.sort_unstable_by(|a, b| a.0.cmp(b.0));
        out.extend_from_slice(&(protocols.len() as u64).to_be_bytes());
        for (id, p) in protocols {
            len32(&mut out, &encode_protocol_id(id));
            len32(&mut out, &encode_protocol(p));
        }
        let mut records: Vec<_> = self.records.iter().collect();
        records.sort_unstable_by_key(|(i, _)| **i);
        out.extend_from_slice(&(records.len() as u64).to_be_bytes());
        for (index, r) in records {
            out.extend_from_slice(&index.to_be_bytes());
            let vin = r.vin.as_ref().map_or("", Vin::as_str);
            out.extend_from_slice(vin.as_bytes());
            out.push(r.kind.code());
            out.extend_from_slice(&r.signer);
            out.extend_from_slice(&r.brands.0.to_be_bytes());
        }
        let mut facts: Vec<_> = self.facts().collect();
        facts.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        out.extend_from_slice(&(facts.len() as u64).to_be_bytes());
        for (vin, kind, index, value) in facts {
            out.extend_from_slice(vin.as_str().as_bytes());
            out.push(kind);
            out.extend_from_slice(&index.to_be_bytes());
            len32(&mut out, &value);
        }
        out
    }

    /// Reads [`encode`](Self::encode)'s bytes from the front of `bytes`,
    /// returning the state and the rest.
    ///
    /// # Errors
    /// [`CodecError`] for malformed bytes.
    pub fn decode(bytes: &[u8]) -> Result<(Self, &[u8]), CodecError> {
        let mut c = Cursor(bytes);
        let mut state = Self::default();
        // Keys strictly increasing, as `encode` writes them: one state, one
        // encoding.
        let mut previous_vin: Option<Vin> = None;
        for _ in 0..c.u64()? {
            let v = c.vin()?;
            if previous_vin.as_ref().is_some_and(|p| *p >= v) {
                return Err(bad());
            }
            let n = c.u32()?;
            state
                .vehicles
                .insert(v.clone(), decode_vehicle(c.take(n)?)?);
            previous_vin = Some(v);
        }
        let mut previous_id: Option<ProtocolId> = None;
        for _ in 0..c.u64()? {
            let n = c.u32()?;
            let key = c.take(n)?;
            let id = decode_protocol_id(key)?;
            if previous_id.as_ref().is_some_and(|p| *p >= id) {
                return Err(bad());
            }
            let n = c.u32()?;
            state
                .protocols
                .insert(id.clone(), decode_protocol(c.take(n)?)?);
            previous_id = Some(id);
        }
        let mut previous_index: Option<u64> = None;
        for _ in 0..c.u64()? {
            let index = c.u64()?;
            if previous_index.is_some_and(|p| p >= index) {
                return Err(bad());
            }
            previous_index = Some(index);
            let vin = Some(c.vin()?);
            let kind = RecordKind::from_code(c.take(1)?[0]).ok_or_else(bad)?;
            let signer: [u8; 32] = c.take(32)?.try_into().map_err(|_| bad())?;
            let brands = Brands(u16::from_be_bytes(
                c.take(2)?.try_into().map_err(|_| bad())?,
            ));
            state.records.insert(
                index,
                LoggedRecord {
                    vin,
                    kind,
                    signer,
                    brands,
                },
            );
        }
        let mut previous: Option<(Vin, u8, u64)> = None;
        for _ in 0..c.u64()? {
            let vin = c.vin()?;
            let kind = c.take(1)?[0];
            let index = c.u64()?;
            let key = (vin, kind, index);
            if previous.as_ref().is_some_and(|p| *p >= key) {
                return Err(bad());
            }
            let n = c.u32()?;
            let value = c.take(n)?;
            let change = match kind {
                ENGINE_FACT => FactChange::Engine {
                    index,
                    number: Some(decode_engine_number(value)?),
                },
                ODOMETER_FACT => FactChange::Odometer {
                    index,
                    reading: Some(decode_reading(value)?),
                },
                _ => return Err(bad()),
            };
            state.facts.entry(key.0.clone()).or_default().apply(&change);
            previous = Some(key);
        }
        Ok((state, c.0))
    }
}

const fn bad() -> CodecError {
    CodecError {
        what: "rules state",
    }
}

/// Reads fields off the front of the encoded state.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if self.0.len() < n {
            return Err(bad());
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }
    fn u64(&mut self) -> Result<u64, CodecError> {
        Ok(u64::from_be_bytes(
            self.take(8)?.try_into().map_err(|_| bad())?,
        ))
    }
    fn u32(&mut self) -> Result<usize, CodecError> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().map_err(|_| bad())?) as usize)
    }
    fn vin(&mut self) -> Result<Vin, CodecError> {
        std::str::from_utf8(self.take(17)?)
            .ok()
            .and_then(|s| Vin::parse(s).ok())
            .ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_protocols(names: &[&str]) -> RulesMemory {
        let mut m = RulesMemory::default();
        for name in names {
            m.protocols.insert(
                ProtocolId {
                    id: (*name).to_owned(),
                    version: 1,
                },
                DeclaredProtocol {
                    declared_at: 5,
                    items: ["brakes".to_owned()].into(),
                },
            );
        }
        m
    }

    #[test]
    fn decoding_is_strict_about_key_order() {
        let bytes = with_protocols(&["a", "b"]).encode();
        let (back, rest) = RulesMemory::decode(&bytes).unwrap();
        assert!(rest.is_empty());
        assert_eq!(back.encode(), bytes);

        // The same protocol twice: the second would silently replace the
        // first, so the bytes are refused.
        let one = with_protocols(&["a"]).encode();
        let entry = &one[16..one.len() - 16];
        let mut twice = 0u64.to_be_bytes().to_vec();
        twice.extend_from_slice(&2u64.to_be_bytes());
        twice.extend_from_slice(entry);
        twice.extend_from_slice(entry);
        twice.extend_from_slice(&[0; 16]);
        assert!(RulesMemory::decode(&twice).is_err());

        // Out of order.
        let b = with_protocols(&["b"]).encode();
        let mut swapped = 0u64.to_be_bytes().to_vec();
        swapped.extend_from_slice(&2u64.to_be_bytes());
        swapped.extend_from_slice(&b[16..b.len() - 16]);
        swapped.extend_from_slice(entry);
        swapped.extend_from_slice(&[0; 16]);
        assert!(RulesMemory::decode(&swapped).is_err());
        // In order, the same pieces decode.
        let mut ordered = 0u64.to_be_bytes().to_vec();
        ordered.extend_from_slice(&2u64.to_be_bytes());
        ordered.extend_from_slice(entry);
        ordered.extend_from_slice(&b[16..b.len() - 16]);
        ordered.extend_from_slice(&[0; 16]);
        assert_eq!(ordered, bytes);
    }
}
