//! C2SP `tlog-checkpoint`: three lines — origin, tree size in decimal, base64
//! root hash — each ending in a newline, then any number of non-empty
//! extension lines, which a verifier accepts and does not interpret. Candor's
//! own checkpoints have none.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::tree::Hash;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Schemeless URL-like name of the log, e.g. `trust.example.com/acme`.
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error(
        "a checkpoint body has three lines and then non-empty extension lines, each ending in a newline"
    )]
    Shape,
    #[error("the origin must be non-empty and contain no spaces or '+'")]
    Origin,
    #[error("the tree size is not a decimal number without leading zeros")]
    Size,
    #[error("the root hash is not 32 bytes of standard base64")]
    Root,
}

pub fn valid_origin(origin: &str) -> bool {
    !origin.is_empty()
        && !origin.contains(|c: char| c.is_whitespace() || c == '+' || c.is_control())
}

impl Checkpoint {
    /// The body that gets signed.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        )
    }

    pub fn parse(body: &str) -> Result<Checkpoint, CheckpointError> {
        let text = body.strip_suffix('\n').ok_or(CheckpointError::Shape)?;
        let lines: Vec<&str> = text.split('\n').collect();
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            return Err(CheckpointError::Shape);
        };
        if extensions.iter().any(|line| line.is_empty()) {
            return Err(CheckpointError::Shape);
        }
        if !valid_origin(origin) {
            return Err(CheckpointError::Origin);
        }
        let size_ok = !size.is_empty()
            && size.bytes().all(|b| b.is_ascii_digit())
            && (*size == "0" || !size.starts_with('0'));
        let size: u64 = if size_ok {
            size.parse().map_err(|_| CheckpointError::Size)?
        } else {
            return Err(CheckpointError::Size);
        };
        let root = crate::tree::decode_hash(root).ok_or(CheckpointError::Root)?;
        Ok(Checkpoint {
            origin: (*origin).to_owned(),
            size,
            root,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_round_trip_and_malformed_ones_are_refused() {
        let c = Checkpoint {
            origin: "trust.example.com/acme".into(),
            size: 70_000,
            root: [7; 32],
        };
        let body = c.body();
        assert_eq!(body.lines().count(), 3);
        assert_eq!(Checkpoint::parse(&body).unwrap(), c);
        for bad in [
            "",
            "a\n1\n",
            "a\n1\nAAAA\n",
            "a b\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
            "a\n01\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
            "a\n-1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
            "a\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n\nextra\n",
            "a\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\nextra\n\n",
            "a\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
        ] {
            assert!(Checkpoint::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn extension_lines_are_accepted_and_not_interpreted() {
        let c = Checkpoint {
            origin: "trust.example.com/acme".into(),
            size: 3,
            root: [7; 32],
        };
        let body = format!(
            "{}rekor.sigstore.dev - 2605736670972794746\nTimestamp: 1689748607742585419\n",
            c.body()
        );
        assert_eq!(Checkpoint::parse(&body).unwrap(), c);
    }
}
