// Every case of the tamper corpus gets the expected outcome from the
// JavaScript verifier, refusals with the expected category and a message.

import test from 'node:test';
import assert from 'node:assert/strict';
import { verifyHistory } from '../src/index.js';
import { buildCorpus } from './corpus.mjs';

for (const c of buildCorpus()) {
  test(`corpus: ${c.name}`, () => {
    const r = verifyHistory(c.bundle, c.options);
    if (c.expect.ok) {
      assert.equal(r.ok, true, JSON.stringify(r.error));
    } else {
      assert.equal(r.ok, false, 'was accepted');
      assert.equal(r.error.code, c.expect.code, r.error.message);
      assert.ok(r.error.message.length > 10);
    }
  });
}
