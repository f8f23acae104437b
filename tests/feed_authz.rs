//! The feed's authorization matrix on both backends: every role (no token, admin, the session's
//! host, another host, the order's buyer, another buyer, operator) against every feed action.
//! Each route is a row of cells (role → expected status), run in order: refused calls first, and
//! each must change nothing; then an allowed role succeeds. A host acting on another host's
//! session gets 403; a buyer (or another host) reading an order that is not theirs gets 404;
//! recipient details reach only the buyer, the host and operators.
//!
//! A failing cell does not stop the run: every cell is tried, and the test fails once at the end
//! with the list of every cell that did not hold (route, role, expected, got, body).

use std::fmt;

use reqwest::Method;
use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, order_body, ship_to, spawn_app, Backend, Reply, TestApp};

backend_tests!(every_role_against_every_feed_action);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Nobody,
    Admin,
    Host,
    OtherHost,
    Buyer,
    OtherBuyer,
    Operator,
}

use Who::*;

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Nobody => "no token",
            Admin => "admin",
            Host => "host",
            OtherHost => "other host",
            Buyer => "buyer",
            OtherBuyer => "other buyer",
            Operator => "operator",
        };
        // `pad` so that the report's columns line up.
        f.pad(name)
    }
}

struct Tokens {
    admin: String,
    host: String,
    other_host: String,
    buyer: String,
    other_buyer: String,
    operator: String,
}

impl Tokens {
    fn of(&self, who: Who) -> Option<&str> {
        match who {
            Nobody => None,
            Admin => Some(&self.admin),
            Host => Some(&self.host),
            OtherHost => Some(&self.other_host),
            Buyer => Some(&self.buyer),
            OtherBuyer => Some(&self.other_buyer),
            Operator => Some(&self.operator),
        }
    }
}

/// What a cell checks in the body of an expected success, besides the status.
#[derive(Clone, Copy, Debug)]
enum Body {
    Any,
    /// An order that shows its recipient (`ship_to`).
    ShowsRecipient,
    /// An order without its recipient.
    HidesRecipient,
    /// A list of this many `items`.
    Items(usize),
    /// An ended session with its summary (GMV, top products).
    ShowsSummary,
    /// A session without its summary (buyers and other hosts, as on the WebSocket snapshot).
    HidesSummary,
}

impl Body {
    fn check(self, body: &Value) -> Result<(), String> {
        match self {
            Body::Any => Ok(()),
            Body::ShowsRecipient if body["ship_to"]["phone"] == ship_to()["phone"] => Ok(()),
            Body::ShowsRecipient => Err("the recipient is not shown".into()),
            Body::HidesRecipient if body.get("ship_to").is_none() => Ok(()),
            Body::HidesRecipient => Err("the recipient is shown".into()),
            Body::ShowsSummary if body["summary"]["gmv"].is_array() => Ok(()),
            Body::ShowsSummary => Err("the summary is not shown".into()),
            Body::HidesSummary if body["summary"].is_null() => Ok(()),
            Body::HidesSummary => Err("the summary is shown".into()),
            Body::Items(n) => match body["items"].as_array().map(Vec::len) {
                Some(got) if got == n => Ok(()),
                got => Err(format!("expected {n} items, got {got:?}")),
            },
        }
    }
}

/// One cell of the matrix: `who` calls the row's route and gets `status` (and a `body` that
/// passes its check).
#[derive(Clone, Copy, Debug)]
struct Cell {
    who: Who,
    status: u16,
    body: Body,
}

fn cell(who: Who, status: u16) -> Cell {
    Cell {
        who,
        status,
        body: Body::Any,
    }
}

impl Cell {
    fn with(self, body: Body) -> Cell {
        Cell { body, ..self }
    }
}

/// `refused` get their status (and must change nothing); then `allowed` gets `ok`.
fn refused_then(refused: &[(Who, u16)], allowed: Who, ok: u16) -> Vec<Cell> {
    let mut cells: Vec<Cell> = refused.iter().map(|&(who, s)| cell(who, s)).collect();
    cells.push(cell(allowed, ok));
    cells
}

/// Everyone but the session's host and operators: 401 without a token, else 403.
const NOT_CONTROLLERS: [(Who, u16); 5] = [
    (Nobody, 401),
    (Admin, 403),
    (OtherHost, 403),
    (Buyer, 403),
    (OtherBuyer, 403),
];

/// Everyone but operators and admins, on the fulfilment side of an order.
const NOT_FULFILMENT: [(Who, u16); 5] = [
    (Nobody, 401),
    (Host, 403),
    (OtherHost, 403),
    (Buyer, 403),
    (OtherBuyer, 403),
];

/// One route and its cells, run in order.
struct Row {
    method: Method,
    path: String,
    body: Option<Value>,
    /// For an order: the session and the Idempotency-Key, sent through [`TestApp::order`]
    /// (a caller without a token sends a plain request).
    order: Option<(i64, &'static str)>,
    cells: Vec<Cell>,
}

impl Row {
    fn get(path: impl Into<String>, cells: Vec<Cell>) -> Row {
        Row {
            method: Method::GET,
            path: path.into(),
            body: None,
            order: None,
            cells,
        }
    }

    fn post(path: impl Into<String>, body: &Value, cells: Vec<Cell>) -> Row {
        Row {
            method: Method::POST,
            path: path.into(),
            body: Some(body.clone()),
            order: None,
            cells,
        }
    }

    /// `POST /api/v1/sessions/{session_id}/orders` with `key` as the Idempotency-Key.
    fn order(session_id: i64, key: &'static str, body: Value, cells: Vec<Cell>) -> Row {
        Row {
            method: Method::POST,
            path: format!("/api/v1/sessions/{session_id}/orders"),
            body: Some(body),
            order: Some((session_id, key)),
            cells,
        }
    }

    fn route(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A cell that did not hold.
struct Failure {
    route: String,
    who: Who,
    expected: u16,
    what: String,
}

/// Runs rows against one app and keeps every failing cell.
struct Matrix<'a> {
    app: &'a TestApp,
    tokens: Tokens,
    cells_run: usize,
    failures: Vec<Failure>,
}

impl Matrix<'_> {
    /// Runs every cell of every row; the body of the last cell of the last row when it held
    /// (the thing the rows created, for the rows that follow).
    async fn check(&mut self, rows: Vec<Row>) -> Option<Value> {
        let mut last = None;
        for row in &rows {
            for cell in &row.cells {
                last = self.run(row, *cell).await;
            }
        }
        last
    }

    /// One cell; its reply's body when it held.
    async fn run(&mut self, row: &Row, cell: Cell) -> Option<Value> {
        self.cells_run += 1;
        let before = if cell.status >= 400 {
            Some(self.app.feed_fingerprint().await)
        } else {
            None
        };
        let reply = self.send(row, cell.who).await;
        let got = reply.status.as_u16();
        let mut problems = Vec::new();
        if got != cell.status {
            problems.push(format!("got {got}: {}", excerpt(&reply.text)));
        } else if let Err(why) = cell.body.check(&reply.body) {
            problems.push(format!("got {got}, but {why}: {}", excerpt(&reply.text)));
        }
        if let Some(before) = before {
            let after = self.app.feed_fingerprint().await;
            if after != before {
                problems.push(format!("wrote: {}", changes(&before, &after)));
            }
        }
        if problems.is_empty() {
            return Some(reply.body);
        }
        self.failures.push(Failure {
            route: row.route(),
            who: cell.who,
            expected: cell.status,
            what: problems.join("; "),
        });
        None
    }

    async fn send(&self, row: &Row, who: Who) -> Reply {
        let token = self.tokens.of(who);
        match (row.order, token, &row.body) {
            (Some((session_id, key)), Some(token), Some(body)) => {
                self.app.order(token, session_id, key, body).await
            }
            _ => {
                self.app
                    .request(row.method.clone(), &row.path, token, row.body.as_ref())
                    .await
            }
        }
    }

    /// Every failing cell, one per line.
    fn report(&self) -> String {
        let mut out = format!(
            "{} of {} cells failed:\n",
            self.failures.len(),
            self.cells_run
        );
        let width = self
            .failures
            .iter()
            .map(|f| f.route.len())
            .max()
            .unwrap_or(0);
        for f in &self.failures {
            out.push_str(&format!(
                "  {:width$}  {:11}  expected {}, {}\n",
                f.route, f.who, f.expected, f.what,
            ));
        }
        out
    }

    /// Fails with the report when any cell failed.
    fn finish(self) {
        assert!(self.failures.is_empty(), "{}", self.report());
    }

    /// Fails with the report when the rows that follow lack what `missing` names.
    fn stop_without(&self, missing: &str) -> ! {
        panic!("{}stopped: no {missing} to go on with", self.report())
    }
}

/// The start of a reply's body, for the report.
fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// The fingerprint entries that differ: `name before → after`.
fn changes(before: &[(String, i64)], after: &[(String, i64)]) -> String {
    before
        .iter()
        .zip(after)
        .filter(|(b, a)| b != a)
        .map(|((name, b), (_, a))| format!("{name} {b} → {a}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every role against every feed route: sessions, their control, flash sales, ordering, an
/// order's reading and life, the operators' views and the buyer's profile.
async fn every_role_against_every_feed_action(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(100, false).await;
    let (buyer, _) = app.buyer("Aruzhan", "kk").await;
    let (other_buyer, _) = app.buyer("Baurzhan", "ru").await;
    let tokens = Tokens {
        admin: app.admin.clone(),
        host: live.host.clone(),
        other_host: app.token("host").await,
        buyer,
        other_buyer,
        operator: live.operator.clone(),
    };
    let mut m = Matrix {
        app: &app,
        tokens,
        cells_run: 0,
        failures: Vec::new(),
    };
    let sid = live.session_id;
    let s = |rest: &str| format!("/api/v1/sessions/{sid}{rest}");
    let empty = json!({});
    let product = json!({"product_id": live.product_id});

    // Sessions: only hosts create; anyone with a token reads. Controlling a session: its host
    // or an operator, never another host.
    let new_session = json!({"title": "Night market", "language": "kk", "markets": ["KZ"]});
    let sale_body = json!({"variant_id": live.variant_id, "quantity": 10, "per_buyer_limit": 5,
        "prices": {"KZT": 450000}, "countdown_s": 0, "duration_s": 600});
    let sale = m
        .check(vec![
            Row::post(
                "/api/v1/sessions",
                &new_session,
                refused_then(
                    &[(Nobody, 401), (Admin, 403), (Buyer, 403), (Operator, 403)],
                    OtherHost,
                    201,
                ),
            ),
            Row::get(
                s(""),
                vec![
                    cell(Admin, 200),
                    cell(Host, 200),
                    cell(OtherHost, 200),
                    cell(Buyer, 200),
                    cell(OtherBuyer, 200),
                    cell(Operator, 200),
                    cell(Nobody, 401),
                ],
            ),
            Row::post(
                s("/showcase"),
                &product,
                refused_then(&NOT_CONTROLLERS, Operator, 200),
            ),
            Row::post(
                s("/start"),
                &empty,
                refused_then(&NOT_CONTROLLERS, Host, 200),
            ),
            Row::post(
                s("/pin"),
                &product,
                refused_then(&NOT_CONTROLLERS, Operator, 200),
            ),
            Row::post(
                s("/unpin"),
                &empty,
                refused_then(&NOT_CONTROLLERS, Host, 200),
            ),
            Row::post(
                s("/flash-sales"),
                &sale_body,
                refused_then(&NOT_CONTROLLERS, Host, 201),
            ),
        ])
        .await;
    let Some(sale_id) = sale.and_then(|sale| sale["id"].as_i64()) else {
        m.stop_without("flash sale")
    };
    let f = |rest: &str| format!("/api/v1/flash-sales/{sale_id}{rest}");

    // A flash sale: controlled like its session; anyone with a token reads it. The session's
    // event log: its host or an operator. Ordering: buyers only.
    let order = m
        .check(vec![
            Row::post(
                f("/pause"),
                &empty,
                refused_then(&NOT_CONTROLLERS, Operator, 200),
            ),
            Row::post(
                f("/resume"),
                &empty,
                refused_then(&NOT_CONTROLLERS, Host, 200),
            ),
            Row::post(
                f("/restock"),
                &json!({"quantity": 1}),
                refused_then(&NOT_CONTROLLERS, Operator, 200),
            ),
            Row::get(
                f(""),
                vec![
                    cell(Admin, 200),
                    cell(Host, 200),
                    cell(OtherHost, 200),
                    cell(Buyer, 200),
                    cell(OtherBuyer, 200),
                    cell(Operator, 200),
                ],
            ),
            Row::get(s("/events"), {
                let mut cells = refused_then(&NOT_CONTROLLERS, Host, 200);
                cells.push(cell(Operator, 200));
                cells
            }),
            Row::order(
                sid,
                "authz",
                order_body(live.variant_id, 1, "KZT"),
                refused_then(
                    &[
                        (Nobody, 401),
                        (Admin, 403),
                        (Host, 403),
                        (OtherHost, 403),
                        (Operator, 403),
                    ],
                    Buyer,
                    201,
                ),
            ),
        ])
        .await;
    let Some(id) = order.and_then(|order| order["order"]["id"].as_i64()) else {
        m.stop_without("order")
    };
    let spare = m
        .check(vec![Row::order(
            sid,
            "authz-2",
            order_body(live.variant_id, 1, "KZT"),
            vec![cell(Buyer, 201)],
        )])
        .await;
    let Some(spare) = spare.and_then(|order| order["order"]["id"].as_i64()) else {
        m.stop_without("second order")
    };
    let o = |rest: &str| format!("/api/v1/orders/{id}{rest}");

    // Reading an order: others' orders are 404; ship_to only for buyer, host, operator. Lists:
    // each sees only theirs. The order's life: pay (its buyer starts it, the provider completes
    // it), ship and deliver (operator or admin), cancel (buyer). Then the operators' views, the
    // buyer's profile, and ending the session: another host cannot; an operator can.
    let payment = m
        .check(vec![
            Row::get(
                o(""),
                vec![
                    cell(Nobody, 401),
                    cell(OtherBuyer, 404),
                    cell(OtherHost, 404),
                    cell(Buyer, 200).with(Body::ShowsRecipient),
                    cell(Host, 200).with(Body::ShowsRecipient),
                    cell(Operator, 200).with(Body::ShowsRecipient),
                    cell(Admin, 200).with(Body::HidesRecipient),
                ],
            ),
            Row::get(
                "/api/v1/orders?mine",
                vec![
                    cell(Buyer, 200).with(Body::Items(2)),
                    cell(OtherBuyer, 200).with(Body::Items(0)),
                    cell(Host, 200).with(Body::Items(2)),
                    cell(OtherHost, 200).with(Body::Items(0)),
                    cell(Operator, 200).with(Body::Items(2)),
                    cell(Admin, 200).with(Body::Items(2)),
                ],
            ),
            Row::get("/api/v1/orders", vec![cell(Nobody, 401)]),
            // Paying starts a payment (its buyer); it does not pay.
            Row::post(
                o("/pay"),
                &empty,
                refused_then(
                    &[
                        (Nobody, 401),
                        (Host, 403),
                        (OtherHost, 403),
                        (OtherBuyer, 404),
                    ],
                    Buyer,
                    200,
                ),
            ),
        ])
        .await;
    let Some(payment) = payment else {
        m.stop_without("payment")
    };
    let Some(payment_id) = payment["id"].as_i64() else {
        m.stop_without("payment id")
    };

    // Only the provider pays: an unsigned callback is refused whatever token comes with it;
    // the sandbox is triggered by the session's host, an operator or an admin, never a buyer.
    // Then the order's fulfilment.
    let forged = json!({"payment_id": payment_id, "transaction_id": "forged",
        "status": "succeeded", "amount_minor": payment["amount_minor"], "currency": "KZT"});
    m.check(vec![
        Row::post(
            "/api/v1/payments/sandbox/callback",
            &forged,
            vec![
                cell(Nobody, 401),
                cell(Buyer, 401),
                cell(Host, 401),
                cell(Operator, 401),
                cell(Admin, 401),
            ],
        ),
        Row::post(
            format!("/api/v1/payments/sandbox/{payment_id}/complete"),
            &empty,
            refused_then(
                &[
                    (Nobody, 401),
                    (Buyer, 403),
                    (OtherBuyer, 403),
                    (OtherHost, 403),
                ],
                Host,
                200,
            ),
        ),
        Row::post(
            o("/ship"),
            &json!({"carrier": "Kazpost", "tracking_number": "RR1KZ"}),
            refused_then(&NOT_FULFILMENT, Operator, 200),
        ),
        Row::post(
            o("/deliver"),
            &empty,
            refused_then(&NOT_FULFILMENT, Admin, 200),
        ),
        Row::post(
            format!("/api/v1/orders/{spare}/cancel"),
            &empty,
            refused_then(
                &[
                    (Nobody, 401),
                    (Admin, 403),
                    (Host, 403),
                    (OtherHost, 403),
                    (OtherBuyer, 404),
                ],
                Buyer,
                200,
            ),
        ),
        Row::get("/api/v1/orders/export", {
            let mut cells = refused_then(&NOT_FULFILMENT, Operator, 200);
            cells.push(cell(Admin, 200));
            cells
        }),
        // Money owed back: operators and admins.
        Row::get("/api/v1/payments/refunds", {
            let mut cells = refused_then(&NOT_FULFILMENT, Operator, 200);
            cells.push(cell(Admin, 200));
            cells
        }),
        // A refund: the session's host, operators, admins (the order is delivered by now: 409
        // once the role and the order's visibility are through).
        Row::post(
            o("/refund"),
            &empty,
            refused_then(
                &[
                    (Nobody, 401),
                    (Buyer, 403),
                    (OtherBuyer, 403),
                    (OtherHost, 404),
                ],
                Host,
                409,
            ),
        ),
        Row::get(
            "/api/v1/reports/sales?group_by=host",
            refused_then(&NOT_FULFILMENT, Admin, 200),
        ),
        Row::get(
            "/api/v1/reports/sales?group_by=day&tz=Asia/Almaty",
            vec![cell(Operator, 200)],
        ),
        Row::get(
            "/api/v1/buyers/me",
            refused_then(
                &[(Nobody, 401), (Admin, 403), (Host, 403), (Operator, 403)],
                Buyer,
                200,
            ),
        ),
        Row::post(
            s("/end"),
            &empty,
            refused_then(&NOT_CONTROLLERS, Operator, 200),
        ),
        // The ended session's summary (GMV, top products): its host, operators and admins only,
        // as on the WebSocket snapshot.
        Row::get(
            s(""),
            vec![
                cell(Buyer, 200).with(Body::HidesSummary),
                cell(OtherBuyer, 200).with(Body::HidesSummary),
                cell(OtherHost, 200).with(Body::HidesSummary),
                cell(Host, 200).with(Body::ShowsSummary),
                cell(Operator, 200).with(Body::ShowsSummary),
                cell(Admin, 200).with(Body::ShowsSummary),
            ],
        ),
    ])
    .await;
    m.finish();
}
