//! Submitting a log's checkpoints to its witnesses (C2SP tlog-witness): the
//! request a witness expects, and what its answer means. The web layer decides
//! when to submit and keeps the cosignatures.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candor_log::cosignature::CosignatureVerifier;
use candor_verify::net::Guarded;

/// What a witness answered to `add-checkpoint`.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// Its cosignature lines, each checked against its key, each ending in a newline.
    Cosigned(Vec<String>),
    /// It has cosigned another size of this log: submit again from that size.
    Conflict(u64),
    /// Anything else, in words (for the operator's log).
    Refused(String),
}

/// The `add-checkpoint` request body: the old size, the consistency proof
/// from it, a blank line, then the signed checkpoint.
pub fn request_body(old: u64, proof: &[[u8; 32]], note: &str) -> String {
    let mut body = format!("old {old}\n");
    for hash in proof {
        body.push_str(&STANDARD.encode(hash));
        body.push('\n');
    }
    body.push('\n');
    body.push_str(note);
    body
}

/// Submits `note` to the witness at `prefix` (whose key is `key`), claiming it
/// extends the checkpoint of size `old` it cosigned last.
pub async fn add_checkpoint(
    client: &Guarded,
    prefix: &str,
    key: &CosignatureVerifier,
    old: u64,
    proof: &[[u8; 32]],
    note: &str,
) -> Answer {
    let url = format!("{}/add-checkpoint", prefix.trim_end_matches('/'));
    let request = match client.request(reqwest::Method::POST, &url) {
        Ok(r) => r,
        Err(e) => return Answer::Refused(e),
    };
    let response = match request.body(request_body(old, proof, note)).send().await {
        Ok(r) => r,
        Err(e) => return Answer::Refused(format!("{url}: {e}")),
    };
    let status = response.status();
    // Witness answers are a few lines; anything longer is not one.
    let text = match response.bytes().await {
        Ok(b) if b.len() <= 64 * 1024 => String::from_utf8_lossy(&b).into_owned(),
        Ok(_) => return Answer::Refused(format!("{url}: an answer over 64 KiB")),
        Err(e) => return Answer::Refused(format!("{url}: {e}")),
    };
    match status.as_u16() {
        200 => {
            let lines: Vec<String> = text
                .lines()
                .filter(|line| key.timestamp(&format!("{note}{line}\n")).is_some())
                .map(|line| format!("{line}\n"))
                .collect();
            if lines.is_empty() {
                Answer::Refused(format!("{url}: no valid cosignature by {}", key.name))
            } else {
                Answer::Cosigned(lines)
            }
        }
        409 => match text.trim().parse() {
            Ok(size) => Answer::Conflict(size),
            Err(_) => Answer::Refused(format!("{url}: 409 without a tree size")),
        },
        _ => Answer::Refused(format!(
            "{url}: {status}: {}",
            text.chars().take(200).collect::<String>().trim()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_body_is_the_spec_s() {
        let body = request_body(
            2,
            &[[0; 32], [255; 32]],
            "origin\n3\nroot=\n\n— origin sig\n",
        );
        assert_eq!(
            body,
            "old 2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n//////////////////////////////////////////8=\n\norigin\n3\nroot=\n\n— origin sig\n"
        );
        assert_eq!(request_body(0, &[], "n\n"), "old 0\n\nn\n");
    }
}
