//! Go programs that check Candor's output with Go's own x/mod (sumdb/tlog,
//! sumdb/note), from Debian's packages, built offline in GOPATH mode.

use std::path::{Path, PathBuf};
use std::process::Command;

const GOPATH: &str = "/usr/share/gocode";

/// Builds the single-file program `source` into `dir`; the binary's path.
pub fn build(source: &Path, dir: &Path) -> PathBuf {
    assert!(
        Path::new(GOPATH)
            .join("src/golang.org/x/mod/sumdb/tlog")
            .exists(),
        "Go's x/mod sources are missing: apt-get install golang-go golang-golang-x-mod-dev (scripts/test.sh does)"
    );
    let out = dir.join(source.file_stem().expect("a file name"));
    let status = Command::new("go")
        .args(["build", "-o"])
        .arg(&out)
        .arg(source)
        .env("GO111MODULE", "off")
        .env("GOPATH", GOPATH)
        .env("GOCACHE", dir.join("cache"))
        .env("CGO_ENABLED", "0")
        .env("GOFLAGS", "")
        .status()
        .expect("go is not installed: apt-get install golang-go (scripts/test.sh does)");
    assert!(status.success(), "building {} failed", source.display());
    out
}
