// vledger history-bundle verification for the browser: the public API.

export { verifyHistory } from './history.js';
export { BUNDLE_FORMAT } from './bundle.js';
