// The k-of-n witness policy: the witnesses a verifier trusts (pinned
// verifier keys) and how many of them must have cosigned a checkpoint note.
// A witness's status is "cosigned" when every signature line with its name
// and key id verifies (the latest timestamp is kept), "bad" when any such
// line does not verify, and "missing" when there is none.

import { bytesEqual, toHex, utf8 } from './bytes.js';
import { verifyCosignatureV1 } from './cosignature.js';
import { fail } from './errors.js';
import { KEY_TYPE_COSIGNATURE_V1, sameKey, verifyWithKey } from './vkey.js';

/**
 * A policy from parsed witness keys; `quorum` defaults to the number of keys
 * given. Duplicate keys count once; the quorum must be 1..distinct keys.
 */
export function witnessPolicy(keys, quorum = keys.length) {
  const distinct = [];
  for (const key of keys) {
    const other = distinct.find((k) => k.name === key.name && bytesEqual(k.keyId, key.keyId));
    if (other) {
      if (!sameKey(other, key)) {
        fail('options', `two witness keys are named ${key.name} with key id ${toHex(key.keyId)}`);
      }
      continue;
    }
    distinct.push(key);
  }
  if (!Number.isSafeInteger(quorum) || quorum < 1 || quorum > distinct.length) {
    fail('options', `a quorum of ${quorum} is impossible with ${distinct.length} distinct witnesses`);
  }
  return { witnesses: distinct, quorum };
}

/** What a parsed note holds from each witness of the policy. */
export function checkPolicy(policy, note) {
  const text = utf8(note.text);
  const witnesses = policy.witnesses.map((key) => {
    let status = 'missing';
    let timestamp = null;
    for (const sig of note.signatures) {
      if (sig.name !== key.name || !bytesEqual(sig.keyId, key.keyId)) continue;
      let ts;
      if (key.type === KEY_TYPE_COSIGNATURE_V1) {
        ts = verifyCosignatureV1(key.key, text, sig.signature);
      } else {
        // A plain note signature carries no timestamp.
        ts = verifyWithKey(key, text, sig.signature) ? 0n : null;
      }
      if (status === 'bad' || ts === null) {
        status = 'bad';
        timestamp = null;
      } else {
        timestamp = status === 'cosigned' && timestamp > ts ? timestamp : ts;
        status = 'cosigned';
      }
    }
    return { key, status, timestamp };
  });
  const cosigned = witnesses.filter((w) => w.status === 'cosigned').length;
  return { quorum: policy.quorum, cosigned, witnesses, met: cosigned >= policy.quorum };
}
