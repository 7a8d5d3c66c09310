// The one error type of the verifier. Every check that fails throws a
// VerifyError; verifyHistory turns it into { ok: false, error: { code, message } }.

export class VerifyError extends Error {
  /**
   * @param {string} code short machine-readable category, e.g. "chain"
   * @param {string} message what failed, in plain words
   */
  constructor(code, message) {
    super(message);
    this.name = 'VerifyError';
    this.code = code;
  }
}

/** Throws a VerifyError. */
export function fail(code, message) {
  throw new VerifyError(code, message);
}

/**
 * Runs fn(); a VerifyError it throws is thrown again under `code`, its
 * message prefixed with `prefix`.
 */
export function within(code, prefix, fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof VerifyError) throw new VerifyError(code, prefix + e.message);
    throw e;
  }
}
