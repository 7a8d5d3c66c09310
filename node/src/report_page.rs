//! `GET /vin/<VIN>[?lang=zh|en|ru]` on the HTTP side: the buyer's report
//! for a VIN as one self-contained HTML page, the same page
//! `vledger-verify history --html` writes.
//!
//! The node builds a fresh history bundle, verifies it with its own log key
//! before rendering (a page is only ever made of a bundle that verifies),
//! and embeds the bundle and the JavaScript verifier in the page. The
//! buyer's browser verifies the bundle again, against the keys the buyer
//! pins in the URL fragment (`#log=…&witness=…&quorum=N`), never against
//! anything the node says: the fragment never reaches the node, and the
//! page shows itself unverified without it (docs/trust-model.md).

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use vledger_log::bundle::build_history;
use vledger_records::Vin;
use vledger_verification::history::verify_history;
use vledger_verification::i18n::Lang;
use vledger_verification::report::{HtmlPage, Report};

use crate::http_state::Api;

/// The JavaScript history verifier the page runs: the committed build of
/// `verifier-cli/web`, so building the node needs no npm.
const VERIFIER_JS: &str = include_str!("../../verifier-cli/web/dist/vledger-verify.js");

/// The page's language: `?lang=` when given and known, else English.
fn lang_of(uri: &Uri) -> Result<Lang, String> {
    let Some(query) = uri.query() else {
        return Ok(Lang::En);
    };
    for pair in query.split('&') {
        if let Some(code) = pair.strip_prefix("lang=") {
            return code
                .parse()
                .map_err(|_| format!("unknown language {code:?}: use zh, en or ru"));
        }
    }
    Ok(Lang::En)
}

fn plain(status: StatusCode, text: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// The handler of `GET /vin/<VIN>`.
pub(crate) async fn page(State(api): State<Api>, Path(vin): Path<String>, uri: Uri) -> Response {
    let lang = match lang_of(&uri) {
        Ok(lang) => lang,
        Err(e) => return plain(StatusCode::BAD_REQUEST, format!("{e}\n")),
    };
    let vin = match Vin::parse(&vin.to_ascii_uppercase()) {
        Ok(vin) => vin,
        Err(e) => return plain(StatusCode::BAD_REQUEST, format!("VIN {vin:?}: {e}\n")),
    };
    let built = tokio::task::spawn_blocking(move || {
        let bundle = build_history(&api.store, &vin).map_err(|e| e.to_string())?;
        let json = serde_json::to_string_pretty(&bundle).map_err(|e| e.to_string())?;
        let verified = verify_history(&bundle, &api.log_key).map_err(|e| e.to_string())?;
        let report = Report::build(&verified, None, lang);
        Ok::<_, String>(report.to_html(&HtmlPage {
            bundle_json: &json,
            verifier_js: VERIFIER_JS,
        }))
    })
    .await;
    match built {
        Ok(Ok(html)) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            html,
        )
            .into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot build a report page");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("cannot build the report: {e}\n"),
            )
        }
        Err(e) => plain(StatusCode::SERVICE_UNAVAILABLE, format!("{e}\n")),
    }
}
