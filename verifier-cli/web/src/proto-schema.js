// The protobuf messages of entries and records (proto/vledger/v1/*.proto),
// as schemas for protobuf.js. Only what Entry, SignedRecord and Record need.

const f = (num, name, kind, extra = {}) => ({ num, name, kind, ...extra });
const msg = (name, fields) => ({ name, fields });

export const Odometer = msg('Odometer', [f(1, 'value', 'uint64'), f(2, 'unit', 'enum')]);

export const Attachment = msg('Attachment', [
  f(1, 'sha256', 'bytes'),
  f(2, 'media_type', 'string'),
  f(3, 'language', 'enum'),
  f(4, 'kind', 'enum'),
]);

const OdometerReading = msg('OdometerReading', [
  f(1, 'value', 'uint64'), f(2, 'unit', 'enum'), f(3, 'source', 'enum'),
]);
const KeyEnrollment = msg('KeyEnrollment', [
  f(1, 'public_key', 'bytes'), f(2, 'role', 'enum'), f(3, 'name', 'string'),
]);
const KeyRevocation = msg('KeyRevocation', [f(1, 'public_key', 'bytes'), f(2, 'reason', 'string')]);
const Factory = msg('Factory', [
  f(1, 'make', 'string'), f(2, 'model', 'string'), f(3, 'model_year', 'uint32'),
  f(4, 'manufacture_date', 'int64'), f(5, 'engine_number', 'string'), f(6, 'powertrain', 'enum'),
  f(7, 'emission_standard', 'string'), f(8, 'coc_sha256', 'bytes'),
]);
const Registration = msg('Registration', [
  f(1, 'first_registration_date', 'int64'), f(2, 'region', 'string'),
  f(3, 'use_type', 'enum'), f(4, 'engine_number', 'string'),
]);
const OwnershipTransfer = msg('OwnershipTransfer', [
  f(1, 'from_party', 'bytes'), f(2, 'to_party', 'bytes'), f(3, 'for_export', 'bool'),
  f(4, 'odometer', 'message', { message: Odometer }),
]);
const Maintenance = msg('Maintenance', [
  f(1, 'workshop', 'string'), f(2, 'operations', 'string', { repeated: true }),
  f(3, 'parts', 'string', { repeated: true }), f(4, 'odometer', 'message', { message: Odometer }),
]);
const ComponentChange = msg('ComponentChange', [
  f(1, 'component', 'enum'), f(2, 'old_number', 'string'), f(3, 'new_number', 'string'),
  f(4, 'odometer', 'message', { message: Odometer }), f(5, 'reason', 'string'),
]);
const Damage = msg('Damage', [
  f(1, 'types', 'enum', { repeated: true }), f(2, 'source', 'enum'), f(3, 'description', 'string'),
]);
const ItemResult = msg('ItemResult', [
  f(1, 'item', 'string'), f(2, 'outcome', 'enum'), f(3, 'note', 'string'),
]);
const Inspection = msg('Inspection', [
  f(1, 'accreditation_number', 'string'), f(2, 'protocol_id', 'string'),
  f(3, 'protocol_version', 'uint32'), f(4, 'results', 'message', { repeated: true, message: ItemResult }),
  f(5, 'verdict', 'enum'), f(6, 'odometer', 'message', { message: Odometer }),
  f(7, 'engine_number', 'string'),
]);
const InspectionProtocol = msg('InspectionProtocol', [
  f(1, 'protocol_id', 'string'), f(2, 'version', 'uint32'), f(3, 'title', 'string'),
  f(4, 'items', 'string', { repeated: true }),
]);
const ExportLicense = msg('ExportLicense', [
  f(1, 'license_number', 'string'), f(2, 'destination_country', 'string'),
  f(3, 'issued_by', 'string'), f(4, 'valid_until', 'int64'), f(5, 'engine_number', 'string'),
]);
const CustomsClearance = msg('CustomsClearance', [
  f(1, 'declaration_number', 'string'), f(2, 'direction', 'enum'), f(3, 'country', 'string'),
  f(4, 'port', 'string'), f(5, 'engine_number', 'string'),
]);
const Deregistration = msg('Deregistration', [
  f(1, 'reason', 'enum'), f(2, 'region', 'string'), f(3, 'certificate_number', 'string'),
]);
const Compliance = msg('Compliance', [
  f(1, 'destination_country', 'string'), f(2, 'standard', 'string'),
  f(3, 'certificate_number', 'string'),
]);
const Claim = msg('Claim', [
  f(1, 'claim_number', 'string'), f(2, 'defect', 'string'), f(3, 'outcome', 'enum'),
  f(4, 'related_index', 'uint64', { optional: true }), f(5, 'amount', 'uint64'),
  f(6, 'currency', 'string'), f(7, 'claimant', 'bytes'),
]);
// Correction and Record refer to each other; the reference is closed below.
const Correction = msg('Correction', [
  f(1, 'target_index', 'uint64'), f(2, 'reason', 'string'),
  f(3, 'replacement', 'message', { message: null }),
]);

const body = (num, name, message) => f(num, name, 'message', { oneof: 'body', message });

export const Record = msg('Record', [
  f(1, 'vin', 'string'),
  f(2, 'event_time', 'int64'),
  f(3, 'nonce', 'bytes'),
  f(4, 'attachments', 'message', { repeated: true, message: Attachment }),
  body(10, 'odometer_reading', OdometerReading),
  body(11, 'key_enrollment', KeyEnrollment),
  body(12, 'key_revocation', KeyRevocation),
  body(13, 'factory', Factory),
  body(14, 'registration', Registration),
  body(15, 'ownership_transfer', OwnershipTransfer),
  body(16, 'maintenance', Maintenance),
  body(17, 'component_change', ComponentChange),
  body(18, 'damage', Damage),
  body(19, 'inspection', Inspection),
  body(20, 'inspection_protocol', InspectionProtocol),
  body(21, 'export_license', ExportLicense),
  body(22, 'customs_clearance', CustomsClearance),
  body(23, 'deregistration', Deregistration),
  body(24, 'compliance', Compliance),
  body(25, 'claim', Claim),
  body(26, 'correction', Correction),
]);
Correction.fields[2].message = Record;

const OdometerRollback = msg('OdometerRollback', [
  f(1, 'reading', 'message', { message: Odometer }), f(2, 'earlier', 'message', { message: Odometer }),
  f(3, 'earlier_index', 'uint64'),
]);
const EngineNumberMismatch = msg('EngineNumberMismatch', [
  f(1, 'found', 'string'), f(2, 'expected', 'string'), f(3, 'expected_index', 'uint64'),
]);
const ActivityAfterDeregistration = msg('ActivityAfterDeregistration', [
  f(1, 'deregistration_index', 'uint64'), f(2, 'reason', 'enum'),
]);
const EarlyExport = msg('EarlyExport', [
  f(1, 'first_registration_date', 'int64'), f(2, 'registration_index', 'uint64'), f(3, 'days', 'uint32'),
]);
const kind = (num, name, message) => f(num, name, 'message', { oneof: 'kind', message });
export const Flag = msg('Flag', [
  kind(1, 'odometer_rollback', OdometerRollback),
  kind(2, 'engine_number_mismatch', EngineNumberMismatch),
  kind(3, 'activity_after_deregistration', ActivityAfterDeregistration),
  kind(4, 'early_export', EarlyExport),
]);

export const SignedRecord = msg('SignedRecord', [
  f(1, 'record', 'bytes'), f(2, 'public_key', 'bytes'), f(3, 'signature', 'bytes'),
  f(4, 'origin', 'string'),
]);
const VinChain = msg('VinChain', [
  f(1, 'sequence', 'uint64'), f(2, 'previous_index', 'uint64', { optional: true }),
  f(3, 'previous_leaf_hash', 'bytes'),
]);
const RecordEntry = msg('RecordEntry', [
  f(1, 'signed', 'message', { message: SignedRecord }),
  f(2, 'chain', 'message', { message: VinChain }),
  f(3, 'flags', 'message', { repeated: true, message: Flag }),
]);
const IndexEntry = msg('IndexEntry', [
  f(1, 'root', 'bytes'), f(2, 'tree_size', 'uint64'), f(3, 'vin_count', 'uint64'),
]);
const Genesis = msg('Genesis', [
  f(1, 'origin', 'string'), f(2, 'log_public_key', 'bytes'), f(3, 'admin_public_key', 'bytes'),
  f(4, 'recovery_public_key', 'bytes'),
]);
export const Entry = msg('Entry', [
  f(1, 'logged_at_ms', 'int64'),
  f(2, 'genesis', 'message', { oneof: 'body', message: Genesis }),
  f(3, 'record', 'message', { oneof: 'body', message: RecordEntry }),
  f(4, 'index', 'message', { oneof: 'body', message: IndexEntry }),
]);
