// Roles of enrolled keys and the kinds of record each may sign (the role
// matrix of docs/records.md, Role::may_sign in the Rust code).

const MAY_SIGN = {
  key_enrollment: ['admin', 'recovery'],
  key_revocation: ['admin', 'recovery'],
  inspection_protocol: ['admin', 'inspection_body'],
  factory: ['manufacturer'],
  registration: ['registry'],
  deregistration: ['registry'],
  ownership_transfer: ['registry', 'exporter'],
  odometer_reading: ['registry', 'inspection_body', 'exporter', 'workshop'],
  maintenance: ['workshop'],
  component_change: ['workshop', 'manufacturer'],
  damage: ['registry', 'inspection_body', 'workshop'],
  inspection: ['inspection_body'],
  export_license: ['exporter'],
  claim: ['exporter'],
  customs_clearance: ['customs'],
  compliance: ['inspection_body', 'manufacturer'],
  correction: ['registry', 'manufacturer', 'inspection_body', 'exporter', 'workshop', 'customs'],
};

/** Whether a key enrolled with `role` may sign records of `kind`. */
export function maySign(role, kind) {
  return (MAY_SIGN[kind] ?? []).includes(role);
}

/**
 * Whether a key enrolled with `role` may enroll or revoke a key with role
 * `target` (Role::may_manage in the Rust code): admins manage every key but
 * recovery keys; a recovery key manages admin and recovery keys only.
 */
export function mayManage(role, target) {
  if (role === 'admin') return target !== 'recovery';
  if (role === 'recovery') return target === 'admin' || target === 'recovery';
  return false;
}

/** Whether records of `kind` are about a vehicle and so carry a VIN. */
export function needsVin(kind) {
  return kind !== 'key_enrollment' && kind !== 'key_revocation' && kind !== 'inspection_protocol';
}

/** Whether a correction may replace records of `kind`. */
export function correctable(kind) {
  return needsVin(kind) && kind !== 'correction';
}
