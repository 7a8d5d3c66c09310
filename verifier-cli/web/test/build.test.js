// dist/vledger-verify.js is what `npm run build` makes from the sources
// today, byte for byte, and runs on its own: in a bare JavaScript context
// with only what a browser has, it verifies the real bundles.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { build } from 'esbuild';
import { options } from '../build.mjs';
import { here, LOG_KEY, readFixture, W1, W2 } from './helpers.mjs';

const distFile = path.join(here, '..', 'dist', 'vledger-verify.js');

test('the committed bundle is the build of the current sources', async () => {
  const result = await build(options(false));
  const built = result.outputFiles[0].contents;
  const committed = fs.readFileSync(distFile);
  assert.ok(Buffer.from(built).equals(committed), 'dist/vledger-verify.js is stale: run npm run build');
  const again = (await build(options(false))).outputFiles[0].contents;
  assert.ok(Buffer.from(again).equals(Buffer.from(built)), 'the build is not deterministic');
});

test('the bundle runs alone and verifies the real bundles', () => {
  const code = fs.readFileSync(distFile, 'utf8');
  assert.doesNotMatch(code, /\brequire\(|\bimport\(|\bfetch\(|XMLHttpRequest|WebSocket/);
  // A fresh context has the JavaScript built-ins only; add what browsers have.
  const context = vm.createContext({ TextEncoder, TextDecoder });
  vm.runInContext(`${code}\nglobalThis.VledgerVerify = VledgerVerify;`, context);
  const { verifyHistory } = context.VledgerVerify;
  const plain = verifyHistory(readFixture('example.vhist.json'), { logKey: LOG_KEY });
  assert.equal(plain.ok, true, JSON.stringify(plain.error));
  assert.equal(plain.records.length, 12);
  const cosigned = verifyHistory(readFixture('example-cosigned.vhist.json'), { logKey: LOG_KEY, witnessKeys: [W1, W2], quorum: 2 });
  assert.equal(cosigned.ok, true, JSON.stringify(cosigned.error));
  const bad = verifyHistory(readFixture('example.vhist.json').replace('"index": 16', '"index": 17'), { logKey: LOG_KEY });
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'inclusion');
});
