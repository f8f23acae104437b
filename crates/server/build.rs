//! Embeds the web pages and their assets (`crates/server/web/`, see its README.md): writes
//! `web_files.rs` into `OUT_DIR` with one `include_bytes!` per file, so that a debug or release
//! binary alone serves the pages, and an edited or added file rebuilds the crate. The web
//! folder's own README.md and dotfiles are not served.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let web = manifest.join("web");
    // A directory here makes cargo rerun this script when anything under it changes.
    println!("cargo:rerun-if-changed={}", web.display());
    let mut files = Vec::new();
    collect(&web, &web, &mut files);
    files.sort();
    let mut out =
        String::from("/// Every served file under `web/`: (path relative to `web/`, contents).\n");
    out.push_str("pub(crate) const WEB_FILES: &[(&str, &[u8])] = &[\n");
    for (relative, path) in files {
        let path = path.canonicalize().expect("a listed web file exists");
        writeln!(
            out,
            "    ({relative:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out_dir.join("web_files.rs"), out).expect("OUT_DIR is writable");
}

/// Every file under `dir`, with its `/`-separated path relative to `root`.
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
            continue;
        }
        let relative: Vec<String> = path
            .strip_prefix(root)
            .expect("under the root")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let relative = relative.join("/");
        if relative == "README.md" {
            continue;
        }
        files.push((relative, path));
    }
}
