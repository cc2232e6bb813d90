//! Mail over SMTP (lettre, rustls). The server is named by a URL:
//! `smtp://host:25` (plain, for a local relay), `smtp://host:587?tls=required`
//! (STARTTLS), `smtps://user:pass@host:465`.

use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use uuid::Uuid;

use candor_app::compose::EmailMessage;

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The right-hand side of Message-IDs.
    domain: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Worth another attempt later (connection trouble, 4xx).
    #[error("temporary: {0}")]
    Transient(String),
    /// Will never succeed (5xx, a malformed address).
    #[error("permanent: {0}")]
    Permanent(String),
}

impl Mailer {
    pub fn new(url: &str, from: &str, domain: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("sender address {from:?}: {e}"))?;
        Ok(Mailer {
            transport,
            from,
            domain: domain.to_owned(),
        })
    }

    /// Sends one message; `id` becomes its Message-ID, the same on every attempt.
    pub async fn send(&self, id: Uuid, mail: &EmailMessage) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| MailError::Permanent(format!("recipient: {e}")))?;
        let mut message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{id}@{}>", self.domain)))
            .body(mail.text.clone())
            .map_err(|e| MailError::Permanent(e.to_string()))?;
        if let Some(url) = &mail.unsubscribe_url {
            // RFC 8058 one-click unsubscribe.
            let headers = message.headers_mut();
            headers.insert_raw(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ));
            headers.insert_raw(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
        }
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(classify)
    }
}

fn classify(e: SmtpError) -> MailError {
    if e.is_permanent() {
        MailError::Permanent(e.to_string())
    } else {
        MailError::Transient(e.to_string())
    }
}
