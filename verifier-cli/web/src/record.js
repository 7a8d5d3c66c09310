// Records: decoding, validation (exactly the checks of the Rust record
// types) and their JSON form (the form `vledger-verify history --json`
// prints). Record bytes must be the canonical encoding (see protobuf.js).

import { encodeBase64 } from './base64.js';
import { plainNumber, toHex, utf8Length } from './bytes.js';
import { decodePoint } from './ed25519.js';
import { VerifyError } from './errors.js';
import * as F from './fields.js';
import { decodeMessage } from './protobuf.js';
import * as S from './proto-schema.js';
import { correctable, needsVin } from './roles.js';
import { formatTime, yearOf } from './time.js';
import { matchesModelYear, modelYearCode, parseVin } from './vin.js';

export const MAX_NONCE_LEN = 64;
const MAX_PROTOCOL_ITEMS = 1024;
const MAX_ITEM_LEN = 128;
const MAX_PROTOCOL_ID_LEN = 64;

const { fieldError } = F;
const num = plainNumber;
const odometerJson = (o) => ({ value: num(o.value), unit: o.unit });

/** A 32-byte Ed25519 public key that is a point and not a weak one. */
export function publicKeyFromBytes(field, bytes) {
  if (bytes.length !== 32) fieldError(field, 'is not a 32-byte Ed25519 public key');
  const point = decodePoint(bytes);
  if (!point) fieldError(field, 'is not a 32-byte Ed25519 public key');
  if (point.isSmallOrder()) fieldError(field, 'is a weak Ed25519 key');
  return { bytes: Uint8Array.from(bytes), point };
}

function protocolId(field, s) {
  if (s.length === 0) fieldError(field, 'is missing');
  if (utf8Length(s) > MAX_PROTOCOL_ID_LEN) fieldError(field, `is longer than ${MAX_PROTOCOL_ID_LEN} bytes`);
  if (!/^[A-Za-z0-9\-._/]+$/.test(s)) fieldError(field, 'must be 1 to 32 characters of A-Z, 0-9 and -');
  return s;
}

function version(field, v) {
  if (v === 0) fieldError(field, 'is missing');
  return v;
}

function item(field, s) {
  if (/^\p{White_Space}*$/u.test(s)) fieldError(field, 'is missing');
  if (utf8Length(s) > MAX_ITEM_LEN) fieldError(field, `is longer than ${MAX_ITEM_LEN} bytes`);
  return F.text(field, s);
}

function uniqueItems(field, list, check) {
  const seen = new Set();
  return list.map((raw) => {
    const name = check(raw);
    if (seen.has(name)) fieldError(field, `lists ${JSON.stringify(name)} twice`);
    seen.add(name);
    return name;
  });
}

// One function per kind: validates the protobuf body and returns its JSON form.
const KINDS = {
  odometer_reading(o) {
    const { value, unit } = F.odometerChecked('odometer_reading.value', 'odometer_reading.unit', o.value, o.unit);
    return { value: num(value), unit, source: F.odometerSource('odometer_reading.source', o.source) };
  },
  key_enrollment(k) {
    const key = publicKeyFromBytes('key_enrollment.public_key', k.public_key);
    const role = F.role('key_enrollment.role', k.role);
    const name = F.text('key_enrollment.name', k.name);
    return { public_key: encodeBase64(key.bytes), role, name };
  },
  key_revocation(k) {
    const key = publicKeyFromBytes('key_revocation.public_key', k.public_key);
    return { public_key: encodeBase64(key.bytes), reason: F.text('key_revocation.reason', k.reason) };
  },
  factory(f) {
    if (!(f.model_year >= 1900 && f.model_year <= 2200)) {
      fieldError('factory.model_year', f.model_year === 0 ? 'is missing' : 'is inconsistent with the years vehicles are made in');
    }
    return {
      make: F.requiredText('factory.make', f.make),
      model: F.requiredText('factory.model', f.model),
      model_year: f.model_year,
      manufacture_date: formatTime(F.date('factory.manufacture_date', f.manufacture_date)),
      engine_number: F.identifier('factory.engine_number', f.engine_number),
      powertrain: F.powertrain('factory.powertrain', f.powertrain),
      emission_standard: F.requiredText('factory.emission_standard', f.emission_standard),
      coc_sha256: F.digest('factory.coc_sha256', f.coc_sha256),
    };
  },
  registration(r) {
    const out = {
      first_registration_date: formatTime(F.date('registration.first_registration_date', r.first_registration_date)),
      region: F.requiredText('registration.region', r.region),
      use_type: F.useType('registration.use_type', r.use_type),
    };
    const engine = F.optionalIdentifier('registration.engine_number', r.engine_number);
    if (engine !== null) out.engine_number = engine;
    return out;
  },
  ownership_transfer(t) {
    return {
      from_party: F.partyCommitment('ownership_transfer.from_party', t.from_party),
      to_party: F.partyCommitment('ownership_transfer.to_party', t.to_party),
      for_export: t.for_export,
      odometer: odometerJson(F.odometer('ownership_transfer.odometer', 'ownership_transfer.odometer.unit', t.odometer)),
    };
  },
  maintenance(m) {
    if (m.operations.length === 0) fieldError('maintenance.operations', 'is missing');
    const out = {
      workshop: F.requiredText('maintenance.workshop', m.workshop),
      operations: F.textList('maintenance.operations', m.operations),
    };
    const parts = F.textList('maintenance.parts', m.parts);
    if (parts.length > 0) out.parts = parts;
    out.odometer = odometerJson(F.odometer('maintenance.odometer', 'maintenance.odometer.unit', m.odometer));
    return out;
  },
  component_change(c) {
    const oldNumber = F.identifier('component_change.old_number', c.old_number);
    const newNumber = F.identifier('component_change.new_number', c.new_number);
    if (oldNumber === newNumber) fieldError('component_change.new_number', 'is inconsistent with component_change.old_number');
    const out = {
      component: F.component('component_change.component', c.component),
      old_number: oldNumber,
      new_number: newNumber,
      odometer: odometerJson(F.odometer('component_change.odometer', 'component_change.odometer.unit', c.odometer)),
    };
    const reason = F.text('component_change.reason', c.reason);
    if (reason.length > 0) out.reason = reason;
    return out;
  },
  damage(d) {
    if (d.types.length === 0) fieldError('damage.types', 'is missing');
    F.atMost('damage.types', d.types, F.MAX_LIST);
    const types = uniqueItems('damage.types', d.types, (t) => F.damageType('damage.types', t));
    const out = { types, source: F.damageSource('damage.source', d.source) };
    const description = F.text('damage.description', d.description);
    if (description.length > 0) out.description = description;
    return out;
  },
  inspection(i) {
    if (i.results.length === 0) fieldError('inspection.results', 'is missing');
    F.atMost('inspection.results', i.results, MAX_PROTOCOL_ITEMS);
    const seen = new Set();
    const results = i.results.map((r) => {
      const name = item('inspection.results.item', r.item);
      if (seen.has(name)) fieldError('inspection.results', `lists ${JSON.stringify(name)} twice`);
      seen.add(name);
      const out = { item: name, outcome: F.itemOutcome('inspection.results.outcome', r.outcome) };
      const note = F.text('inspection.results.note', r.note);
      if (note.length > 0) out.note = note;
      return out;
    });
    const verdict = F.verdict('inspection.verdict', i.verdict);
    if (verdict === 'pass' && results.some((r) => r.outcome === 'fail')) {
      fieldError('inspection.verdict', 'is inconsistent with a failed item');
    }
    const out = {
      accreditation_number: F.requiredText('inspection.accreditation_number', i.accreditation_number),
      protocol_id: protocolId('inspection.protocol_id', i.protocol_id),
      protocol_version: version('inspection.protocol_version', i.protocol_version),
      results,
      verdict,
    };
    if (i.odometer !== null) {
      out.odometer = odometerJson(F.odometerChecked('inspection.odometer', 'inspection.odometer.unit', i.odometer.value, i.odometer.unit));
    }
    const engine = F.optionalIdentifier('inspection.engine_number', i.engine_number);
    if (engine !== null) out.engine_number = engine;
    return out;
  },
  inspection_protocol(p) {
    if (p.items.length === 0) fieldError('inspection_protocol.items', 'is missing');
    F.atMost('inspection_protocol.items', p.items, MAX_PROTOCOL_ITEMS);
    const items = uniqueItems('inspection_protocol.items', p.items, (s) => item('inspection_protocol.items', s));
    return {
      protocol_id: protocolId('inspection_protocol.protocol_id', p.protocol_id),
      version: version('inspection_protocol.version', p.version),
      title: F.requiredText('inspection_protocol.title', p.title),
      items,
    };
  },
  export_license(e) {
    const out = {
      license_number: F.identifier('export_license.license_number', e.license_number),
      destination_country: F.country('export_license.destination_country', e.destination_country),
      issued_by: F.requiredText('export_license.issued_by', e.issued_by),
    };
    if (e.valid_until !== 0n) out.valid_until = formatTime(F.date('export_license.valid_until', e.valid_until));
    const engine = F.optionalIdentifier('export_license.engine_number', e.engine_number);
    if (engine !== null) out.engine_number = engine;
    return out;
  },
  customs_clearance(c) {
    const out = {
      declaration_number: F.identifier('customs_clearance.declaration_number', c.declaration_number),
      direction: F.customsDirection('customs_clearance.direction', c.direction),
      country: F.country('customs_clearance.country', c.country),
      port: F.requiredText('customs_clearance.port', c.port),
    };
    const engine = F.optionalIdentifier('customs_clearance.engine_number', c.engine_number);
    if (engine !== null) out.engine_number = engine;
    return out;
  },
  deregistration(d) {
    const out = {
      reason: F.deregistrationReason('deregistration.reason', d.reason),
      region: F.requiredText('deregistration.region', d.region),
    };
    const cert = F.optionalIdentifier('deregistration.certificate_number', d.certificate_number);
    if (cert !== null) out.certificate_number = cert;
    return out;
  },
  compliance(c) {
    return {
      destination_country: F.country('compliance.destination_country', c.destination_country),
      standard: F.requiredText('compliance.standard', c.standard),
      certificate_number: F.identifier('compliance.certificate_number', c.certificate_number),
    };
  },
  claim(c) {
    let amount = null;
    if (c.amount === 0n && c.currency.length !== 0) fieldError('claim.amount', 'is missing');
    if (c.amount !== 0n && c.currency.length === 0) fieldError('claim.currency', 'is missing');
    if (c.amount !== 0n) {
      if (!/^[A-Z]{3}$/.test(c.currency)) fieldError('claim.currency', 'is not an ISO 4217 currency code (three capital letters)');
      amount = { minor_units: num(c.amount), currency: c.currency };
    }
    const out = {
      claim_number: F.identifier('claim.claim_number', c.claim_number),
      defect: F.requiredText('claim.defect', c.defect),
      outcome: F.claimOutcome('claim.outcome', c.outcome),
    };
    if (c.related_index !== null) out.related_index = num(c.related_index);
    if (amount !== null) out.amount = amount;
    if (c.claimant.length > 0) out.claimant = F.partyCommitment('claim.claimant', c.claimant);
    return out;
  },
  correction(c) {
    let replacement = null;
    if (c.replacement !== null) {
      let r;
      try {
        r = recordFromProto(c.replacement);
      } catch (e) {
        if (e instanceof VerifyError) fieldError('correction.replacement', e.message);
        throw e;
      }
      if (!correctable(r.kind)) fieldError('correction.replacement', `a ${r.kind} record cannot be corrected`);
      replacement = r;
    }
    const out = {
      target_index: num(c.target_index),
      reason: F.requiredText('correction.reason', c.reason),
    };
    if (replacement !== null) out.replacement = replacement.json;
    return out;
  },
};

/**
 * The checks that need the VIN or the attachments as well as the body
 * (`body` is the validated protobuf body).
 */
function checkWhole(kind, body, vin, attachments) {
  const needs = (docKind, lang) => {
    if (!attachments.some((a) => a.kind === docKind && a.language === lang)) {
      fieldError('record.attachments', `needs an attachment of kind ${docKind} in language ${lang}`);
    }
  };
  if (kind === 'factory' && vin !== null) {
    const modelYear = body.model_year;
    const code = modelYearCode(vin);
    if (code !== null && !matchesModelYear(vin, modelYear)) {
      fieldError('factory.model_year', `${modelYear} does not match the VIN's model-year code ${JSON.stringify(code)}`);
    }
    const made = yearOf(body.manufacture_date);
    const my = BigInt(modelYear);
    if (made < my - 1n || made > my + 1n) {
      fieldError('factory.manufacture_date', `cannot be the manufacture date of a model year ${modelYear} vehicle`);
    }
  } else if (kind === 'inspection') {
    needs('report', 'zh');
    needs('report', 'en');
  } else if (kind === 'compliance') {
    if (!attachments.some((a) => a.kind === 'certificate')) {
      fieldError('record.attachments', 'needs an attachment of kind certificate in language zh or en');
    }
  } else if (kind === 'correction') {
    // The replacement was validated, so its VIN is a valid one (it needs one).
    if (body.replacement !== null && body.replacement.vin !== vin) {
      fieldError('correction.replacement', 'is inconsistent with record.vin');
    }
  }
}

/**
 * Validates a decoded Record message. Returns
 * { kind, vin, eventTime, json, enrollment? } where json is the record's JSON
 * form and enrollment, for key enrollments, is { key, role, name }.
 */
export function recordFromProto(m) {
  if (m.body === null) fieldError('record.body', 'is missing');
  const kind = m.body.kind;
  const bodyJson = KINDS[kind](m.body.value);
  let vin = null;
  if (needsVin(kind)) {
    if (m.vin.length === 0) fieldError('record.vin', 'is missing');
    try {
      vin = parseVin(m.vin);
    } catch (e) {
      if (e instanceof VerifyError) fieldError('record.vin', e.message);
      throw e;
    }
  } else if (m.vin.length !== 0) {
    fieldError('record.vin', 'must be empty for this kind of record');
  }
  if (m.nonce.length > MAX_NONCE_LEN) fieldError('record.nonce', `is longer than ${MAX_NONCE_LEN} bytes`);
  F.date('record.event_time', m.event_time);
  F.atMost('record.attachments', m.attachments, F.MAX_ATTACHMENTS);
  const attachments = m.attachments.map((a) => {
    const out = {
      sha256: F.digest('record.attachments.sha256', a.sha256),
      media_type: F.mediaType('record.attachments.media_type', a.media_type),
      language: F.language('record.attachments.language', a.language),
      kind: F.documentKind('record.attachments.kind', a.kind),
    };
    return out;
  });
  checkWhole(kind, m.body.value, vin, attachments);

  const json = {};
  if (vin !== null) json.vin = vin;
  json.event_time = formatTime(m.event_time);
  if (m.nonce.length > 0) json.nonce = toHex(m.nonce);
  if (attachments.length > 0) {
    json.attachments = attachments.map((a) => {
      const { language, ...rest } = a;
      return language === 'none' ? rest : { ...rest, language };
    });
  }
  json[kind] = bodyJson;
  const out = { kind, vin, eventTime: m.event_time, json };
  if (kind === 'key_enrollment') {
    out.enrollment = { key: m.body.value.public_key, role: bodyJson.role, name: bodyJson.name };
  }
  return out;
}

/** Decodes and validates record bytes. */
export function decodeRecord(bytes) {
  let m;
  try {
    m = decodeMessage(bytes, S.Record);
  } catch (e) {
    if (e instanceof VerifyError) fieldError('record', e.message);
    throw e;
  }
  return recordFromProto(m);
}
