//! The refusals every operation can answer, written into the OpenAPI document once instead of
//! on each route: a client (and the fuzz pass, `scripts/fuzz-openapi.sh`) reads from the document
//! every status an operation may return, each with the common `{"error": {code, message}}` body.
//!
//! - a route that takes a bearer token: 401 (no, unknown, revoked or expired token) and 403 (the
//!   token's role may not do this, or the resource is another's);
//! - a route that takes a JSON body: 400 (not JSON), 413 (larger than `max_body_bytes`), 415
//!   (not `application/json`) and 422 (JSON that breaks the request's schema or rules);
//! - a route with path or query parameters: 422 (a parameter that does not parse or is out of
//!   range);
//! - every route: 431 (a request line and headers over 64 KiB, `crate::conn`);
//! - a route that takes a body: 503 (`overloaded`: the requests without a token that are still
//!   sending their bodies hold their share of the connections, `crate::conn`).
//!
//! A status a route documents itself keeps its own description.

use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, ResponseBuilder};

/// Adds the common refusals to every operation of `openapi`.
pub fn document_refusals(openapi: &mut OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
        ]
        .into_iter()
        .flatten()
        {
            document_operation(op);
        }
    }
}

fn document_operation(op: &mut Operation) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = op.request_body.is_some();
    let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    if secured {
        add(op, "401", "No token, or an unknown, revoked or expired one");
        add(
            op,
            "403",
            "The token's role may not do this, or the resource is not the caller's",
        );
    }
    add(
        op,
        "431",
        "The request line and headers together exceed 64 KiB",
    );
    if has_body {
        add(
            op,
            "503",
            "`overloaded`: too many requests without a token are sending their bodies",
        );
        add(op, "400", "The body is not well-formed JSON");
        add(op, "413", "The body is larger than the server's limit");
        add(op, "415", "The body is not `application/json`");
    }
    if has_body || has_params {
        add(
            op,
            "422",
            "A field or parameter is missing, malformed or out of range",
        );
    }
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
                .into()
        });
}

#[cfg(test)]
mod tests {
    /// Every secured operation documents 401 and 403; every operation with a body documents
    /// 400, 413, 415 and 422; the statuses a route wrote itself are left as they were.
    #[test]
    fn every_operation_documents_its_refusals() {
        let doc = crate::app::openapi();
        let mut secured = 0;
        let mut with_body = 0;
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
            {
                let codes = &op.responses.responses;
                assert!(codes.contains_key("431"), "{path} does not document 431");
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    secured += 1;
                    for c in ["401", "403"] {
                        assert!(codes.contains_key(c), "{path} does not document {c}");
                    }
                }
                if op.request_body.is_some() {
                    with_body += 1;
                    for c in ["400", "413", "415", "422", "503"] {
                        assert!(codes.contains_key(c), "{path} does not document {c}");
                    }
                }
            }
        }
        assert!(secured > 30, "only {secured} secured operations found");
        assert!(
            with_body > 15,
            "only {with_body} operations with a body found"
        );
    }
}
