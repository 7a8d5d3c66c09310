// UTC calendar arithmetic on Unix times (BigInt seconds), as the Rust code
// formats them: RFC 3339 ("2026-11-01T08:30:00Z") for years 0 to 9999, and
// "@<seconds>" otherwise.

const DAY = 86400n;

/** { year, month, day } of a day count since 1970-01-01 (proleptic Gregorian). */
function civil(days) {
  // Howard Hinnant's days-to-civil algorithm, on BigInt.
  const z = days + 719468n;
  const era = (z >= 0n ? z : z - 146096n) / 146097n;
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = doy - (153n * mp + 2n) / 5n + 1n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  const year = yoe + era * 400n + (month <= 2n ? 1n : 0n);
  return { year, month, day };
}

const floorDiv = (a, b) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

/** The UTC calendar year of a Unix time. */
export function yearOf(seconds) {
  return civil(floorDiv(seconds, DAY)).year;
}

const pad = (n, w) => n.toString().padStart(w, '0');

/** RFC 3339 UTC text of a Unix time, or "@<seconds>" outside years 0 to 9999. */
export function formatTime(seconds) {
  const days = floorDiv(seconds, DAY);
  const rest = seconds - days * DAY;
  const { year, month, day } = civil(days);
  if (year < 0n || year > 9999n) return `@${seconds}`;
  const h = rest / 3600n;
  const m = (rest % 3600n) / 60n;
  const s = rest % 60n;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}Z`;
}

/** Euclidean division of milliseconds to seconds (Rust's div_euclid(1000)). */
export function msToSeconds(ms) {
  return floorDiv(ms, 1000n);
}
