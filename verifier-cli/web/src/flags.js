// Flags: what the sequencer found suspicious about a record it logged. They
// are part of the entry; each is shown as the Rust verifier shows it.

import * as F from './fields.js';
import { formatTime } from './time.js';

const FIELD = 'entry.record.flags';

/** 52000 as "52,000". */
export function grouped(n) {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function odometer(o) {
  if (o === null) F.fieldError(FIELD, 'is missing');
  return `${grouped(o.value)} ${F.distanceUnit(FIELD, o.unit)}`;
}

/** Validates a decoded Flag message; returns { name, text }. */
export function flagFromProto(m) {
  if (m.kind === null) F.fieldError(FIELD, 'is missing');
  const v = m.kind.value;
  switch (m.kind.kind) {
    case 'odometer_rollback': {
      const reading = odometer(v.reading);
      const earlier = odometer(v.earlier);
      return { name: 'odometer_rollback', text: `odometer_rollback (reading ${reading} < ${earlier} at entry ${v.earlier_index})` };
    }
    case 'engine_number_mismatch': {
      const found = F.identifier(FIELD, v.found);
      const expected = F.identifier(FIELD, v.expected);
      return {
        name: 'engine_number_mismatch',
        text: `engine_number_mismatch (engine number ${found} differs from ${expected} recorded at entry ${v.expected_index})`,
      };
    }
    case 'activity_after_deregistration': {
      const reason = F.deregistrationReason(FIELD, v.reason);
      return {
        name: 'activity_after_deregistration',
        text: `activity_after_deregistration (deregistered at entry ${v.deregistration_index}: ${reason})`,
      };
    }
    default: {
      const date = formatTime(v.first_registration_date).split('T')[0];
      return {
        name: 'early_export',
        text: `early_export (${v.days} days after first registration on ${date} at entry ${v.registration_index}, with no after-sales confirmation)`,
      };
    }
  }
}
