// Shared test helpers: fixtures, keys and the Rust verifier binary.

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const fixture = (name) => path.join(here, 'fixtures', name);
export const readFixture = (name) => fs.readFileSync(fixture(name), 'utf8');

export const LOG_KEY = readFixture('log.vkey');
export const W1 = readFixture('w1.vkey');
export const W2 = readFixture('w2.vkey');

/** The Rust verifier's path: $VLEDGER_VERIFY or /tmp/vl-bin/vledger-verify. */
export const RUST_VERIFIER = process.env.VLEDGER_VERIFY || '/tmp/vl-bin/vledger-verify';
export const rustAvailable = () => fs.existsSync(RUST_VERIFIER);

/**
 * Runs `vledger-verify history` on bundle text with inline keys.
 * Returns { ok, stdout, stderr }.
 */
export function runRust(bundleText, { logKey, witnessKeys = [], quorum } = {}) {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR || '/tmp'), 'vledger-web-'));
  try {
    const file = path.join(dir, 'bundle.vhist.json');
    fs.writeFileSync(file, bundleText);
    const args = ['history', '--log-key', logKey.trim(), '--json'];
    for (const w of witnessKeys) args.push('--witness', w.trim());
    if (quorum !== undefined) args.push('--quorum', String(quorum));
    args.push(file);
    const r = spawnSync(RUST_VERIFIER, args, { encoding: 'utf8', env: { ...process.env, VLEDGER_LOG_KEY: '' } });
    if (r.error) throw r.error;
    return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Parses the Rust --json output, reading integers beyond 2^53 as decimal
 * strings, which is how the JavaScript verifier reports them.
 */
export function parseRustJson(text) {
  return JSON.parse(text.replace(/([:[,])(-?\d{16,})(?=[,\]}])/g,
    (all, before, digits) => (BigInt(digits) > BigInt(Number.MAX_SAFE_INTEGER) || BigInt(digits) < BigInt(Number.MIN_SAFE_INTEGER) ? `${before}"${digits}"` : all)));
}

/** What both verifiers report about an accepted bundle, from the Rust --json output. */
export function rustView(json) {
  const r = typeof json === 'string' ? parseRustJson(json) : json;
  return {
    vin: r.vin,
    origin: r.origin,
    treeSize: r.tree_size,
    witnessedTreeSize: r.witnessed_tree_size,
    records: r.records.map((x) => ({
      index: x.index,
      sequence: x.sequence,
      kind: x.kind,
      loggedAt: x.logged_at,
      signerKey: x.signer_key,
      role: x.signer_role,
      flags: x.flags,
      record: x.record,
    })),
  };
}

/** The same view of the JavaScript result. */
export function jsView(result) {
  return {
    vin: result.vin,
    origin: result.origin,
    treeSize: result.treeSize,
    witnessedTreeSize: result.witnessed && result.witnessed.source === 'witnessed' ? result.witnessed.treeSize : null,
    records: result.records.map((x) => ({
      index: x.index,
      sequence: x.sequence,
      kind: x.kind,
      loggedAt: x.loggedAt,
      signerKey: x.signer.publicKey,
      role: x.signer.role,
      flags: x.flags,
      record: x.record,
    })),
  };
}
