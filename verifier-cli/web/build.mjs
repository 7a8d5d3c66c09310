// Bundles src/ and its two dependencies into one self-contained script,
// dist/vledger-verify.js, that defines the global `VledgerVerify`. The
// output depends only on the sources and the pinned esbuild version, so
// rebuilding gives the same bytes (test/build.test.js checks this).

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(fileURLToPath(import.meta.url));

/** esbuild options of the bundle; `write: false` returns it in memory. */
export function options(write = true) {
  return {
    absWorkingDir: root,
    entryPoints: ['src/index.js'],
    outfile: 'dist/vledger-verify.js',
    bundle: true,
    format: 'iife',
    globalName: 'VledgerVerify',
    platform: 'browser',
    target: 'es2022',
    charset: 'utf8',
    legalComments: 'inline',
    minify: false,
    sourcemap: false,
    logLevel: write ? 'info' : 'silent',
    banner: {
      js: '// vledger history-bundle verifier: generated from verifier-cli/web/src by `npm run build`; do not edit.',
    },
    write,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await build(options());
}
