// Vehicle identification numbers (ISO 3779): 17 characters of
// [A-HJ-NPR-Z0-9]; where the assigning market requires it (first character
// L for China, 1-5 for North America) the check digit (position 9) must
// match and position 10 must be a model-year code.

import { fail } from './errors.js';

export const VIN_LEN = 17;
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789';

/** ISO 3779 transliteration, or null for a character VINs never use. */
function value(c) {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  const table = {
    A: 1, J: 1, B: 2, K: 2, S: 2, C: 3, L: 3, T: 3, D: 4, M: 4, U: 4,
    E: 5, N: 5, V: 5, F: 6, W: 6, G: 7, P: 7, X: 7, H: 8, Y: 8, R: 9, Z: 9,
  };
  return Object.hasOwn(table, c) ? table[c] : null;
}

const checkDigitRequired = (first) => first === 'L' || (first >= '1' && first <= '5');

/** Validates a VIN; returns it, or throws naming the first problem. */
export function parseVin(s) {
  const chars = [...s];
  if (chars.length !== VIN_LEN) fail('vin', `VIN must have 17 characters, not ${chars.length}`);
  chars.forEach((c, i) => {
    if (value(c) === null) {
      fail('vin', `VIN character ${i + 1} is ${JSON.stringify(c)}, not one of A-H J-N P R-Z 0-9`);
    }
  });
  if (checkDigitRequired(chars[0])) {
    const sum = chars.reduce((acc, c, i) => acc + value(c) * WEIGHTS[i], 0);
    const d = sum % 11;
    const expected = d === 10 ? 'X' : String(d);
    if (expected !== chars[8]) {
      fail('vin', `VIN check digit is ${JSON.stringify(chars[8])} but the other characters give ${JSON.stringify(expected)}`);
    }
    if (!YEAR_CODES.includes(chars[9])) {
      fail('vin', `VIN character 10 is ${JSON.stringify(chars[9])}, not a model-year code (U, Z and 0 are never used)`);
    }
  }
  return s;
}

/** The model-year code (position 10) where the market makes it one, else null. */
export function modelYearCode(vin) {
  return checkDigitRequired(vin[0]) ? vin[9] : null;
}

/** Whether `modelYear` is one of the years the VIN's model-year code stands for. */
export function matchesModelYear(vin, modelYear) {
  const code = modelYearCode(vin);
  if (code === null) return true;
  const pos = YEAR_CODES.indexOf(code);
  if (pos < 0) return false;
  return modelYear >= 1980 && (modelYear - 1980) % YEAR_CODES.length === pos;
}
