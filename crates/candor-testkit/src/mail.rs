//! An SMTP server (PyPI aiosmtpd, `smtp_sink.py`) that files every message it
//! receives, and the messages read back.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::peers::Peer;

/// An SMTP server on 127.0.0.1 whose received messages land in `dir`.
pub struct MailSink {
    _peer: Peer,
    pub port: u16,
    pub dir: PathBuf,
}

impl MailSink {
    pub fn start(dir: &Path) -> MailSink {
        let dir = dir.join("mail");
        let peer = Peer::python("smtp_sink.py", [&dir]);
        MailSink {
            port: peer.port(),
            _peer: peer,
            dir,
        }
    }

    pub fn messages(&self) -> Vec<Mail> {
        let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let p = e.path();
                        let n = p.file_stem()?.to_str()?.parse().ok()?;
                        (p.extension()? == "eml").then_some((n, p))
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|(_, p)| Mail::parse(&std::fs::read_to_string(p).unwrap()))
            .collect()
    }

    /// Waits until at least `n` messages have arrived.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Mail> {
        let start = Instant::now();
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            if start.elapsed() > timeout {
                panic!("{} of {n} mails arrived", got.len());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A received message: unfolded headers and the decoded text body.
#[derive(Debug, Clone)]
pub struct Mail {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Mail {
    pub fn parse(raw: &str) -> Mail {
        let raw = raw.replace("\r\n", "\n");
        let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with(' ') || line.starts_with('\t') {
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
            } else if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let qp = headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("content-transfer-encoding")
                && v.eq_ignore_ascii_case("quoted-printable")
        });
        let body = if qp { qp_decode(body) } else { body.to_owned() };
        Mail { headers, body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of `key=` in the first link in the body that contains `path`.
    pub fn link_param(&self, path: &str, key: &str) -> Option<String> {
        let link = self.body.split_whitespace().find(|w| w.contains(path))?;
        let url = url::Url::parse(link).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }
}

/// RFC 2045 quoted-printable: soft line breaks and =XX escapes.
pub fn qp_decode(text: &str) -> String {
    let text = text.replace("=\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
