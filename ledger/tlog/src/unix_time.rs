//! Times as people read them.

/// Formats seconds since the Unix epoch as RFC 3339 UTC
/// (`2026-11-01T08:30:00Z`), or `@<seconds>` for a time `time` cannot
/// represent.
#[must_use]
pub fn format_time(unix_seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("@{unix_seconds}"))
}
