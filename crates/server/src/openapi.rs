//! The refusals every operation can answer, written into the OpenAPI document once instead of
//! on each route: a client (and the fuzz pass, `scripts/fuzz-openapi.sh`) reads from the document
//! every status an operation may return, each with the common `{"error": {code, message}}` body.
//!
//! - a route that takes a bearer token: 401 (no, unknown, revoked or expired token) and 403 (the
//!   token's role may not do this, or the resource is another's);
//! - a route that takes a JSON body: 400 (not JSON), 408 (`body_timeout`: the body arrived too
//!   slowly, `crate::conn`), 413 (larger than `max_body_bytes`), 415 (not `application/json`)
//!   and 422 (JSON that breaks the request's schema or rules);
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
        add(
            op,
            "408",
            "`body_timeout`: the body arrived too slowly (a gap over the body read timeout, or \
             below the minimum rate)",
        );
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
    /// 400, 408, 413, 415 and 422; the statuses a route wrote itself are left as they were.
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
                    for c in ["400", "408", "413", "415", "422", "503"] {
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

    /// Operations are grouped by domain in `/docs`: each has one tag, declared with a
    /// description at the top of the document; no catch-all "feed" tag; buyers, orders,
    /// payments and reports each under their own; no tag holds more than 16 operations.
    #[test]
    fn operations_are_tagged_by_domain() {
        let doc = crate::app::openapi();
        let declared: Vec<&str> = doc
            .tags
            .as_ref()
            .map(|t| t.iter().map(|t| t.name.as_str()).collect())
            .unwrap_or_default();
        let mut by_tag: std::collections::BTreeMap<String, usize> = Default::default();
        let mut tag_of = std::collections::BTreeMap::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in [
                ("get", &item.get),
                ("put", &item.put),
                ("post", &item.post),
                ("delete", &item.delete),
                ("patch", &item.patch),
            ] {
                let Some(op) = op else { continue };
                let tags = op.tags.clone().unwrap_or_default();
                assert_eq!(tags.len(), 1, "{method} {path}: tags {tags:?}");
                assert!(
                    declared.contains(&tags[0].as_str()),
                    "{method} {path}: tag {} is not declared",
                    tags[0]
                );
                *by_tag.entry(tags[0].clone()).or_default() += 1;
                tag_of.insert(format!("{method} {path}"), tags[0].clone());
            }
        }
        assert!(!by_tag.contains_key("feed"), "{by_tag:?}");
        for (tag, n) in &by_tag {
            assert!(*n <= 16, "tag {tag} holds {n} operations");
        }
        for (op, tag) in [
            ("post /api/v1/buyers", "buyers"),
            ("get /api/v1/buyers/me", "buyers"),
            ("post /api/v1/sessions/{id}/orders", "orders"),
            ("get /api/v1/orders/{id}", "orders"),
            ("post /api/v1/orders/{id}/pay", "payments"),
            ("get /api/v1/reports/sales", "reports"),
            ("get /api/v1/orders/export", "reports"),
            ("post /api/v1/sessions", "sessions"),
            ("post /api/v1/flash-sales/{id}/pause", "flash-sales"),
            ("get /api/v1/feed", "feeds"),
            ("get /api/v1/products", "catalog"),
        ] {
            assert_eq!(tag_of.get(op).map(String::as_str), Some(tag), "{op}");
        }
    }
}
