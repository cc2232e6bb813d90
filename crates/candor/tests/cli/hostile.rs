//! A server in front of a real `candor serve` that answers some paths itself:
//! the hostile or broken server a watcher must not be fooled or stalled by.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy answers instead of the real server.
#[derive(Clone)]
pub enum Answer {
    /// This status and body.
    Status(u16, String),
    /// 200 with this body.
    Body(String),
    /// The real server's answer with its body passed through `rewrite`.
    Rewrite(fn(&str) -> String),
    /// The same, for binary bodies.
    RewriteBytes(fn(&[u8]) -> Vec<u8>),
    /// 200 and an endless body.
    Endless,
    /// 200, then a byte now and then, for ever.
    Slow,
}

type Rules = Arc<Mutex<Vec<(String, Answer)>>>;

pub struct Hostile {
    pub base: String,
    rules: Rules,
}

impl Hostile {
    /// In front of `upstream` (`http://127.0.0.1:port`).
    pub fn new(upstream: &str) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.strip_prefix("http://").unwrap().to_owned();
        let rules: Rules = Arc::default();
        let shared = rules.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (rules, upstream) = (shared.clone(), upstream.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &rules, &upstream);
                });
            }
        });
        Hostile { base, rules }
    }

    /// Answers requests for `path` (path and query; a trailing `*` matches
    /// any rest) with `answer`; the latest rule for a path wins.
    pub fn on(&self, path: &str, answer: Answer) {
        self.rules
            .lock()
            .unwrap()
            .insert(0, (path.to_owned(), answer));
    }

    pub fn clear(&self) {
        self.rules.lock().unwrap().clear();
    }
}

fn serve(mut client: TcpStream, rules: &Rules, upstream: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    let answer = rules
        .lock()
        .unwrap()
        .iter()
        .find(|(rule, _)| match rule.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == *rule,
        })
        .map(|(_, a)| a.clone());
    match answer {
        None => {
            let (status, body) = fetch(upstream, &path)?;
            reply(&mut client, status, &body)
        }
        Some(Answer::Status(status, body)) => reply(&mut client, status, body.as_bytes()),
        Some(Answer::Body(body)) => reply(&mut client, 200, body.as_bytes()),
        Some(Answer::Rewrite(rewrite)) => {
            let (status, body) = fetch(upstream, &path)?;
            let body = rewrite(&String::from_utf8_lossy(&body));
            reply(&mut client, status, body.as_bytes())
        }
        Some(Answer::RewriteBytes(rewrite)) => {
            let (status, body) = fetch(upstream, &path)?;
            reply(&mut client, status, &rewrite(&body))
        }
        Some(Answer::Endless) => {
            client.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
            )?;
            let chunk = vec![b'a'; 64 * 1024];
            loop {
                client.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                client.write_all(&chunk)?;
                client.write_all(b"\r\n")?;
            }
        }
        Some(Answer::Slow) => {
            client.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n",
            )?;
            loop {
                client.write_all(b"a")?;
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
}

/// The real server's status and body for `path`.
fn fetch(upstream: &str, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(upstream)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {upstream}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(response.len());
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(502);
    let mut body = response[(split + 4).min(response.len())..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = unchunk(&body);
    }
    Ok((status, body))
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
    out
}

fn reply(client: &mut TcpStream, status: u16, body: &[u8]) -> std::io::Result<()> {
    write!(
        client,
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    client.write_all(body)?;
    client.flush()
}
