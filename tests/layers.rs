//! The feed's layers (docs/code-map.md): `crates/feed/src` holds four folders, `edge` (HTTP and
//! WebSocket), `tasks` (background work), `store` (SQL and what the order path keeps in memory)
//! and `domain` (types and rules, no I/O), and a module imports only from its own layer and the
//! layers below it, in that order. This test reads every source file of the crate and fails on
//! an import that runs up, or that goes through the crate root's re-exports (`crate::Feed`),
//! which would hide where it goes. Paths in comments and string literals are not imports.

use std::path::{Path, PathBuf};

/// The layers from the bottom up.
const LAYERS: [&str; 4] = ["domain", "store", "tasks", "edge"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .join("crates/feed/src")
}

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

/// `src` with its comments and the contents of its string and character literals blanked
/// (lines kept, so that a finding can name its line).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let blank = |s: &str, out: &mut String| {
        for c in s.chars() {
            out.push(if c == '\n' { '\n' } else { ' ' });
        }
    };
    let mut i = 0;
    while i < b.len() {
        let ident_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if b[i..].starts_with(b"//") {
            let end = src[i..].find('\n').map_or(b.len(), |n| i + n);
            blank(&src[i..end], &mut out);
            i = end;
        } else if b[i..].starts_with(b"/*") {
            let start = i;
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
            blank(&src[start..i], &mut out);
        } else if !ident_before && (b[i..].starts_with(b"r#") || b[i..].starts_with(b"r\"")) {
            let hashes = b[i + 1..].iter().take_while(|c| **c == b'#').count();
            let body = i + 1 + hashes + 1;
            let close = format!("\"{}", "#".repeat(hashes));
            let end = src[body..]
                .find(&close)
                .map_or(b.len(), |n| body + n + close.len());
            blank(&src[i..end], &mut out);
            i = end;
        } else if b[i] == b'"' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
            blank(&src[start..i], &mut out);
        } else if b[i] == b'\'' {
            // A character literal ('"', '\'', '\u{..}') or a lifetime ('a).
            let rest = &src[i + 1..];
            let mut chars = rest.chars();
            let len = match (chars.next(), chars.next()) {
                (Some('\\'), _) => rest
                    .get(2..)
                    .and_then(|r| r.find('\''))
                    .map_or(1, |n| n + 4),
                (Some(c), Some('\'')) => c.len_utf8() + 2,
                _ => 1,
            };
            blank(&src[i..i + len], &mut out);
            i += len;
        } else {
            let c = src[i..].chars().next().expect("a char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// What is wrong with the imports of a file of `layer` whose text is `src`: each `crate::` path
/// that names a higher layer, or anything but a layer (the root's re-exports, a grouped
/// `crate::{..}` that would hide its layers).
fn violations(layer: &str, src: &str) -> Vec<String> {
    let own = rank(layer).expect("a layer");
    let code = code_only(src);
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + "crate::".len()..];
            rest = after;
            // `silkstream_crate::x` is not this crate's root.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '{')
                .collect();
            match rank(&name) {
                Some(r) if r <= own => {}
                Some(_) => found.push(format!("line {}: {layer} imports crate::{name}", n + 1)),
                None if name == "catalog" => {}
                None => found.push(format!(
                    "line {}: crate::{name} is not a layer (name the layer the item lives in)",
                    n + 1
                )),
            }
        }
    }
    found
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

#[test]
fn the_feed_is_four_layer_folders_and_lib_rs() {
    let mut names: Vec<String> = std::fs::read_dir(src())
        .expect("crates/feed/src")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["domain", "edge", "lib.rs", "store", "tasks"]);
}

#[test]
fn no_module_of_the_feed_imports_from_a_layer_above_it() {
    let mut all = Vec::new();
    let mut files = 0;
    for layer in LAYERS {
        let mut paths = Vec::new();
        rust_files(&src().join(layer), &mut paths);
        assert!(!paths.is_empty(), "no files in {layer}");
        for path in paths {
            files += 1;
            let text = std::fs::read_to_string(&path).expect("a source file");
            for v in violations(layer, &text) {
                all.push(format!("{}: {v}", path.display()));
            }
        }
    }
    assert!(files > 30, "only {files} files read");
    assert!(
        all.is_empty(),
        "imports against the layers:\n{}",
        all.join("\n")
    );
}

/// The check itself: it finds an upward import and a root re-export, and ignores the same
/// words in comments and strings.
#[test]
fn the_check_finds_what_it_is_for() {
    let upward = "use crate::domain::error::Result;\nuse crate::tasks::desk::OrderDesk;\n";
    assert_eq!(
        violations("store", upward),
        ["line 2: store imports crate::tasks"]
    );
    assert!(violations("edge", upward).is_empty());
    assert_eq!(
        violations("tasks", "fn f(x: crate::Feed) {}"),
        ["line 1: crate::Feed is not a layer (name the layer the item lives in)"]
    );
    assert_eq!(violations("edge", "use crate::{store, tasks};").len(), 1);
    let quiet = "// see crate::edge::ws\n/* crate::edge */ const A: &str = \"crate::edge\";\n\
                 const B: &str = r#\"crate::edge\"#; const C: char = '\"'; fn f<'a>() {}\n\
                 use silkstream_crate::edge;\n";
    assert!(
        violations("domain", quiet).is_empty(),
        "{:?}",
        violations("domain", quiet)
    );
    assert_eq!(
        violations("domain", &format!("{quiet}use crate::edge::Feed;")).len(),
        1
    );
}
