//! Embeds every `locales/<locale>/*.ftl` of the repository, with each locale's `glossary.toml`
//! and `review.toml`: writes `embedded_locales.rs` into `OUT_DIR` with one `include_str!` per
//! file, so a changed or added file triggers a rebuild.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let locales = manifest.join("../../locales");
    println!("cargo:rerun-if-changed={}", locales.display());
    let mut files: Vec<(String, String, PathBuf)> = Vec::new();
    for dir in sorted_entries(&locales) {
        if !dir.is_dir() {
            continue;
        }
        let locale = file_name(&dir);
        for file in sorted_entries(&dir) {
            let name = file_name(&file);
            if name.ends_with(".ftl") || name == "glossary.toml" || name == "review.toml" {
                files.push((locale.clone(), file_name(&file), file));
            }
        }
    }
    let mut out = String::from(
        "/// Every shipped locale file (FTL, glossary, review): (locale, file name, contents).\n",
    );
    out.push_str("pub(crate) const EMBEDDED: &[(&str, &str, &str)] = &[\n");
    for (locale, name, path) in files {
        let path = path.canonicalize().expect("a listed locale file exists");
        writeln!(
            out,
            "    ({locale:?}, {name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out_dir.join("embedded_locales.rs"), out).expect("OUT_DIR is writable");
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(read) => read.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => Vec::new(),
    };
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
