//! Every table has one owning store (docs/code-map.md, "Who owns each table"): this test reads
//! that table and every SQL string of `crates/*/src`, and fails when a crate's SQL names a table
//! its crate does not own, beyond the display reads listed after it, or when that list names a
//! read that is no longer there. SQL is found in string literals only (plain, raw, byte), so a
//! comment that names a table is not a crossing; a table is what follows `FROM`, `JOIN`, `INTO`,
//! `UPDATE` or `TABLE` (the house writes SQL keywords in capitals).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// The string literals of Rust source `src`, with the line each starts on; comments (line,
/// block, nested, doc) and character literals skipped, escapes left as written except a
/// line continuation (`\` newline and the next line's leading blanks), which becomes a space.
fn string_literals(src: &str) -> Vec<(usize, String)> {
    let b = src.as_bytes();
    let line_of = |i: usize| src[..i].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let ident_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if b[i..].starts_with(b"//") {
            i = src[i..].find('\n').map_or(b.len(), |n| i + n);
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some(start) = raw_string_at(b, i).filter(|_| !ident_before) {
            let hashes = b[start..].iter().take_while(|c| **c == b'#').count();
            let body = start + hashes + 1;
            let end = format!("\"{}", "#".repeat(hashes));
            let close = src[body..].find(&end).expect("a closed raw string") + body;
            out.push((line_of(i), src[body..close].to_owned()));
            i = close + end.len();
        } else if b[i] == b'\'' {
            // A character literal ('"', '\'', '\u{..}') or a lifetime ('a): skip the literal
            // whole so that its quote does not open a string.
            let rest = &src[i + 1..];
            let mut chars = rest.chars();
            i += 1 + match (chars.next(), chars.next()) {
                (Some('\\'), _) => rest
                    .get(2..)
                    .and_then(|r| r.find('\''))
                    .map_or(0, |n| n + 3),
                (Some(c), Some('\'')) => c.len_utf8() + 1,
                _ => 0,
            };
        } else if b[i] == b'"' {
            let start = i + 1;
            let mut j = start;
            let mut text = String::new();
            while b[j] != b'"' {
                if b[j] == b'\\' {
                    if b[j + 1] == b'\n' {
                        j += 2;
                        while b[j] == b' ' || b[j] == b'\t' || b[j] == b'\n' {
                            j += 1;
                        }
                        text.push(' ');
                        continue;
                    }
                    text.push_str(&src[j..j + 2]);
                    j += 2;
                    continue;
                }
                let c = src[j..].chars().next().expect("a char");
                text.push(c);
                j += c.len_utf8();
            }
            out.push((line_of(i), text));
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Where the hashes of a raw string (`r"`, `r#"`, `br"`) starting at `i` begin, if one does.
fn raw_string_at(b: &[u8], i: usize) -> Option<usize> {
    let start = if b[i..].starts_with(b"br") {
        i + 2
    } else if b[i] == b'r' {
        i + 1
    } else {
        return None;
    };
    let hashes = b[start..].iter().take_while(|c| **c == b'#').count();
    (b.get(start + hashes) == Some(&b'"')).then_some(start)
}

/// The tables `sql` names after `FROM`, `JOIN`, `INTO`, `UPDATE` or `TABLE`.
fn tables_named(sql: &str) -> Vec<String> {
    let words: Vec<&str> = sql
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter(|w| matches!(w[0], "FROM" | "JOIN" | "INTO" | "UPDATE" | "TABLE"))
        .map(|w| w[1].to_owned())
        .filter(|t| t.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect()
}

/// The rows of the markdown table that follows the line starting with `after`.
fn markdown_rows(doc: &str, after: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut seen = false;
    for l in doc.lines().skip_while(|l| !l.starts_with(after)) {
        if l.starts_with('|') {
            seen = true;
            let cells: Vec<String> = l
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect();
            if !cells[0].starts_with("---") && cells[0] != "table" && cells[0] != "file" {
                rows.push(cells);
            }
        } else if seen {
            break;
        }
    }
    rows
}

/// The `code` spans of a cell.
fn code_spans(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The owners and the listed display reads, from docs/code-map.md.
fn ownership() -> (BTreeMap<String, String>, BTreeSet<(String, String)>) {
    let doc = std::fs::read_to_string(root().join("docs/code-map.md")).expect("the code map");
    let mut owner = BTreeMap::new();
    for row in markdown_rows(&doc, "## Who owns each table") {
        let krate = row[1].split(':').next().expect("a crate").trim().to_owned();
        for table in code_spans(&row[0]) {
            assert!(
                owner.insert(table.clone(), krate.clone()).is_none(),
                "{table} has two owners in docs/code-map.md"
            );
        }
    }
    let reads = markdown_rows(&doc, "Reads that still join another store's table")
        .into_iter()
        .map(|row| {
            (
                code_spans(&row[0])[0].clone(),
                code_spans(&row[1])[0].clone(),
            )
        })
        .collect();
    (owner, reads)
}

/// Every table the migrations create has an owner, and no crate's SQL names a table of another
/// crate beyond the display reads listed, each of which is still there.
#[test]
fn every_table_is_named_only_by_the_crate_that_owns_it() {
    let (owner, listed) = ownership();
    let mut created = BTreeSet::new();
    for backend in ["sqlite", "postgres"] {
        for entry in std::fs::read_dir(root().join("migrations").join(backend)).expect("migrations")
        {
            let sql = std::fs::read_to_string(entry.expect("a migration").path()).expect("sql");
            let words: Vec<&str> = sql.split_whitespace().collect();
            for w in words.windows(3) {
                if w[0] == "CREATE" && w[1] == "TABLE" {
                    created.insert(w[2].trim_end_matches('(').to_owned());
                }
            }
        }
    }
    let unowned: Vec<_> = created.iter().filter(|t| !owner.contains_key(*t)).collect();
    assert!(
        unowned.is_empty(),
        "tables with no owner in docs/code-map.md: {unowned:?}"
    );

    let mut crossings = Vec::new();
    let mut found = BTreeSet::new();
    let crates = root().join("crates");
    for entry in std::fs::read_dir(&crates).expect("crates") {
        let dir = entry.expect("a crate").path();
        let krate = dir
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        // The benchmark's baselines run on scratch tables in scratch databases of their own.
        if krate == "loadgen" {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for file in files {
            let src = std::fs::read_to_string(&file).expect("a source file");
            let rel = file
                .strip_prefix(root())
                .expect("in the workspace")
                .to_string_lossy()
                .into_owned();
            for (line, text) in string_literals(&src) {
                for table in tables_named(&text) {
                    let Some(own) = owner.get(&table) else {
                        continue;
                    };
                    if *own == krate {
                        continue;
                    }
                    if listed.contains(&(rel.clone(), table.clone())) {
                        found.insert((rel.clone(), table.clone()));
                    } else {
                        crossings.push(format!("{rel}:{line}: {krate} names {own}'s `{table}`"));
                    }
                }
            }
        }
    }
    assert!(
        crossings.is_empty(),
        "SQL naming another crate's table:\n{}",
        crossings.join("\n")
    );
    let gone: Vec<_> = listed.difference(&found).collect();
    assert!(
        gone.is_empty(),
        "listed reads no longer there (drop them from the list): {gone:?}"
    );
}

/// The scanner finds SQL in every kind of string and none in comments or character literals.
#[test]
fn the_scanner_reads_strings_not_comments() {
    let src = r####"
        // SELECT * FROM orders
        /* DELETE FROM tokens /* nested */ UPDATE stock */
        /// INSERT INTO buyers
        let q = '"'; let l: &'static str = "SELECT id FROM variants v \
            JOIN products p ON p.id = v.product_id";
        let r = r#"UPDATE stock SET available = 0 WHERE "x" = 1"#;
        let e = "the units from warehouses";
    "####;
    let tables: Vec<String> = string_literals(src)
        .iter()
        .flat_map(|(_, s)| tables_named(s))
        .collect();
    assert_eq!(tables, ["variants", "products", "stock"]);
}
