//! Running the tools the suites check Candor against.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `command` with `input` on its standard input and waits for it. Standard
/// output is captured; standard error too where `command` pipes it.
pub fn output_with_input(command: &mut Command, input: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// GnuPG in batch mode on the keyring in `home`, with its machine-readable
/// status lines (`[GNUPG:] GOODSIG …`) on standard output.
pub fn gpg_status(home: &Path, args: &[&str]) -> Output {
    Command::new("gpg")
        .env("GNUPGHOME", home)
        .args(["--batch", "--status-fd", "1"])
        .args(args)
        .output()
        .expect("gpg (GnuPG) is installed by scripts/test.sh")
}
