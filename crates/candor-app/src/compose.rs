//! What Candor sends, as stored in the outbox: the JSON documents the worker
//! delivers, and the words of every notice. Links are absolute, under the
//! operator's public base URL.

use candor_domain::diff::{ContentDiff, SectionDiff};
use candor_domain::types::Text;
use candor_domain::{Revision, TrustCenter};
use candor_i18n::Tr;
use candor_store::outbox::{Channel, NewDelivery, Subscriber, Topics};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;
use uuid::Uuid;

use crate::manage::TOKEN_SLOT;

/// Why a mail or webhook is sent; decides whether a subscriber who left still gets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Double opt-in: goes to a subscriber who has not confirmed yet.
    Confirmation,
    /// A change notice: only to a subscriber who is still subscribed when it goes out.
    Notice,
    /// To the org itself (its security contact), or to a person who asked for
    /// something: always sent.
    Operator,
    /// An operator event to one of the org's event endpoints (`hook`): sent
    /// while the endpoint exists.
    Event,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailMessage {
    pub purpose: Purpose,
    pub to: String,
    pub subject: String,
    pub text: String,
    /// RFC 8058 one-click unsubscribe target (List-Unsubscribe + List-Unsubscribe-Post).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribe_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookMessage {
    pub purpose: Purpose,
    pub url: String,
    /// The exact body that is signed and sent.
    pub body: String,
    /// Operator events: the endpoint whose secret signs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<Uuid>,
}

/// Where the org's public pages live.
#[derive(Clone, Debug)]
pub struct Links {
    pub base: Url,
    pub org: String,
}

impl Links {
    fn at(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = self.base.clone();
        url.set_path(&format!("/{}/{path}", self.org));
        if query.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(query);
        }
        url.to_string()
    }

    pub fn page(&self) -> String {
        let mut url = self.base.clone();
        url.set_path(&format!("/{}", self.org));
        url.to_string()
    }

    /// Where a reader signs in and finds every document granted to them.
    pub fn reader(&self) -> String {
        self.at("reader", &[])
    }

    /// A reader's single-use sign-in link.
    pub fn reader_sign_in(&self, secret: &str) -> String {
        self.at("reader/signin", &[("token", secret)])
    }

    /// The admin page of the org's document requests.
    pub fn admin_documents(&self) -> String {
        let mut url = self.base.clone();
        url.set_path(&format!("/admin/orgs/{}/documents", self.org));
        url.to_string()
    }

    pub fn confirm(&self, secret: &str) -> String {
        self.at("subscription/confirm", &[("token", secret)])
    }

    pub fn confirm_endpoint(&self) -> String {
        self.at("subscription/confirm", &[])
    }

    /// The subscriber's unsubscribe link, its token left as [`TOKEN_SLOT`]
    /// until the message is sent.
    pub fn unsubscribe(&self) -> String {
        self.at("subscription/unsubscribe", &[("token", TOKEN_SLOT)])
    }

    /// The subscriber's objection link, its token left as [`TOKEN_SLOT`].
    pub fn object(&self, subprocessor: &str) -> String {
        self.at(
            "subscription/object",
            &[("token", TOKEN_SLOT), ("subprocessor", subprocessor)],
        )
    }
}

fn delivery(subscriber: Option<Uuid>, channel: Channel, message: &impl Serialize) -> NewDelivery {
    NewDelivery {
        id: Uuid::new_v4(),
        subscriber_id: subscriber,
        channel,
        // Serialising these plain structs cannot fail.
        message: serde_json::to_string(message).unwrap_or_default(),
    }
}

/// The double opt-in message for a new email subscriber, in the language
/// they subscribed in.
pub fn email_confirmation(
    links: &Links,
    org_name: &str,
    to: &str,
    secret: &str,
    t: Tr,
) -> NewDelivery {
    let mut args = candor_i18n::Args::new();
    args.set("org", org_name.to_owned());
    args.set("page", links.page());
    args.set("confirm", links.confirm(secret));
    args.set("unsubscribe", links.unsubscribe());
    args.set("span", t.tn("n-days", 7));
    let text = t.args("mail-confirm-body", &args);
    delivery(
        None,
        Channel::Email,
        &EmailMessage {
            purpose: Purpose::Confirmation,
            to: to.to_owned(),
            subject: t.t1("mail-confirm-subject", "org", org_name),
            text,
            unsubscribe_url: Some(links.unsubscribe()),
        },
    )
}

/// The signed `subscription.confirm` event a new webhook receives: the receiver proves
/// it wants the events by posting `token` back to `confirm_url`.
pub fn webhook_confirmation(
    links: &Links,
    url: &str,
    secret: &str,
    now: time::OffsetDateTime,
) -> NewDelivery {
    let body = json!({
        "type": "subscription.confirm",
        "timestamp": rfc3339(now),
        "data": {
            "org": links.org,
            "confirm_url": links.confirm_endpoint(),
            "token": secret,
        }
    });
    delivery(
        None,
        Channel::Webhook,
        &WebhookMessage {
            purpose: Purpose::Confirmation,
            url: url.to_owned(),
            body: body.to_string(),
            hook: None,
        },
    )
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn subprocessor_section(changes: &ContentDiff) -> Option<&SectionDiff> {
    changes
        .sections
        .iter()
        .find(|s| s.section == "subprocessors")
}

/// What a revision tells customers about incidents for the first time: each
/// update and review it stamped (their time is the revision's), as (key,
/// title, status in English, body).
fn incident_news(revision: &Revision) -> Vec<(String, &Text, &'static str, &Text)> {
    let at = candor_domain::types::Moment::at(revision.published_at);
    let mut out = Vec::new();
    for incident in &revision.content.incidents {
        for update in &incident.updates {
            if update.published_at == Some(at) {
                out.push((
                    incident.key.to_string(),
                    &incident.title,
                    update.status.label(),
                    &update.body,
                ));
            }
        }
        if let Some(review) = &incident.review
            && review.published_at == Some(at)
        {
            out.push((
                incident.key.to_string(),
                &incident.title,
                "Post-incident review",
                &review.summary,
            ));
        }
    }
    out
}

fn text_field(value: &Value, field: &str) -> Option<String> {
    value.get(field).and_then(Value::as_str).map(str::to_owned)
}

/// One revision's notices: a mail or webhook per active subscriber who asked for
/// what changed. Subprocessor additions carry an objection link per subscriber.
pub fn revision_notices(
    links: &Links,
    revision: &Revision,
    changes: &ContentDiff,
    subscribers: &[Subscriber],
    now: time::OffsetDateTime,
) -> Vec<NewDelivery> {
    let content: &TrustCenter = &revision.content;
    let name = content.profile.name.as_str();
    let lines = changes.describe();
    let subprocessors = subprocessor_section(changes);
    let incidents = incident_news(revision);
    let added: Vec<(String, Option<String>, Option<String>)> = subprocessors
        .map(|s| {
            s.added
                .iter()
                .map(|i| {
                    (
                        i.id.clone(),
                        text_field(&i.value, "purpose"),
                        text_field(&i.value, "effective_at"),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for s in subscribers.iter().filter(|s| s.is_active()) {
        if s.topics == Topics::Subprocessors && subprocessors.is_none() {
            continue;
        }
        if s.topics == Topics::Incidents && incidents.is_empty() {
            continue;
        }
        match s.channel {
            Channel::Email => {
                // In the language they subscribed in.
                let t = Tr::new(&s.locale);
                let locale = t.locale();
                let subject = match added.first() {
                    Some((first, _, effective)) if added.len() == 1 => match effective {
                        Some(effective) => {
                            let mut args = candor_i18n::Args::new();
                            args.set("org", name.to_owned());
                            args.set("name", first.clone());
                            args.set("date", effective.clone());
                            t.args("mail-subject-subprocessor-effective", &args)
                        }
                        None => t.t2("mail-subject-subprocessor", "org", name, "name", first),
                    },
                    Some(_) => t.tn1(
                        "mail-subject-subprocessors",
                        added.len() as u64,
                        "org",
                        name,
                    ),
                    None if subprocessors.is_some() => {
                        t.t1("mail-subject-subprocessors-changed", "org", name)
                    }
                    None if !incidents.is_empty() => match incidents.as_slice() {
                        [(_, title, status, _)] => {
                            format!("{name}: {} ({})", title.in_locale(locale), t.label(status))
                        }
                        _ => t.tn1(
                            "mail-subject-incidents",
                            incidents.len() as u64,
                            "org",
                            name,
                        ),
                    },
                    None => t.t2(
                        "mail-subject-updated",
                        "org",
                        name,
                        "number",
                        revision.number,
                    ),
                };
                let mut text = t.t2(
                    "mail-notice-published",
                    "org",
                    name,
                    "number",
                    revision.number,
                );
                text.push_str(&format!(" {}.\n\n", rfc3339(revision.published_at)));
                let lines = if locale == "en" {
                    lines.clone()
                } else {
                    changes.describe_in(&|phrase| t.label(phrase))
                };
                for line in &lines {
                    text.push_str(&format!("- {line}\n"));
                }
                for (key, title, status, body) in &incidents {
                    text.push_str(&format!(
                        "\n{} — {}\n{}\n{}#incident-{key}\n",
                        title.in_locale(locale),
                        t.label(status),
                        body.in_locale(locale),
                        links.page()
                    ));
                }
                for (sub, purpose, effective) in &added {
                    let purpose = purpose
                        .as_ref()
                        .map(|p| format!(" ({p})"))
                        .unwrap_or_default();
                    let object = match effective {
                        Some(day) => t.t2(
                            "mail-object-before",
                            "name",
                            format!("{sub}{purpose}"),
                            "date",
                            day,
                        ),
                        None => t.t1("mail-object", "name", format!("{sub}{purpose}")),
                    };
                    text.push_str(&format!("\n{object}:\n{}\n", links.object(sub)));
                }
                let mut args = candor_i18n::Args::new();
                args.set("page", links.page());
                args.set("checkpoint", links.at("log/checkpoint", &[]));
                args.set("hash", revision.content_hash.to_string());
                args.set("unsubscribe", links.unsubscribe());
                text.push('\n');
                text.push_str(&t.args("mail-notice-footer", &args));
                text.push('\n');
                out.push(delivery(
                    Some(s.id),
                    Channel::Email,
                    &EmailMessage {
                        purpose: Purpose::Notice,
                        to: s.address.clone(),
                        subject,
                        text,
                        unsubscribe_url: Some(links.unsubscribe()),
                    },
                ));
            }
            Channel::Webhook => {
                let body = json!({
                    "type": "revision.published",
                    "timestamp": rfc3339(now),
                    "data": {
                        "org": links.org,
                        "name": name,
                        "revision": revision.number,
                        "content_hash": revision.content_hash.to_string(),
                        "published_at": rfc3339(revision.published_at),
                        "page_url": links.page(),
                        "changes": lines,
                        "subprocessors": {
                            "added": added.iter().map(|(sub, purpose, effective)| json!({
                                "name": sub,
                                "purpose": purpose,
                                "effective_at": effective,
                                "objection_url": links.object(sub),
                            })).collect::<Vec<_>>(),
                            "removed": subprocessors.map(|x| x.removed.iter().map(|i| i.id.clone()).collect::<Vec<_>>()).unwrap_or_default(),
                            "changed": subprocessors.map(|x| x.changed.iter().map(|c| c.id.clone()).collect::<Vec<_>>()).unwrap_or_default(),
                        },
                        "incidents": incidents.iter().map(|(key, title, status, body)| json!({
                            "key": key,
                            "title": title.as_str(),
                            "status": status,
                            "body": body.as_str(),
                            "url": format!("{}#incident-{key}", links.page()),
                        })).collect::<Vec<_>>(),
                        "unsubscribe_url": links.unsubscribe(),
                    }
                });
                out.push(delivery(
                    Some(s.id),
                    Channel::Webhook,
                    &WebhookMessage {
                        purpose: Purpose::Notice,
                        url: s.address.clone(),
                        body: body.to_string(),
                        hook: None,
                    },
                ));
            }
        }
    }
    out
}

/// The operator events an org's endpoints can receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorEvent {
    AccessRequested,
    NdaAccepted,
    ReportReceived,
    IncidentDeclared,
}

impl OperatorEvent {
    pub const ALL: [OperatorEvent; 4] = [
        OperatorEvent::AccessRequested,
        OperatorEvent::NdaAccepted,
        OperatorEvent::ReportReceived,
        OperatorEvent::IncidentDeclared,
    ];

    /// The event's `type` in the webhook body.
    pub fn as_str(self) -> &'static str {
        match self {
            OperatorEvent::AccessRequested => "access.requested",
            OperatorEvent::NdaAccepted => "nda.accepted",
            OperatorEvent::ReportReceived => "report.received",
            OperatorEvent::IncidentDeclared => "incident.declared",
        }
    }
}

/// One signed webhook per endpoint of the org for `event`, with `data` (plus
/// the org's slug). Operator events go to the org's own systems (a CRM, a chat
/// tool), so they may carry the requester's name and address; a report's
/// content never leaves the sealed store.
pub fn operator_event(
    hooks: &[candor_store::readers::EventHook],
    links: &Links,
    event: OperatorEvent,
    mut data: Value,
    now: time::OffsetDateTime,
) -> Vec<NewDelivery> {
    if let Value::Object(map) = &mut data {
        map.insert("org".into(), Value::String(links.org.clone()));
    }
    let body = json!({
        "type": event.as_str(),
        "timestamp": rfc3339(now),
        "data": data,
    })
    .to_string();
    hooks
        .iter()
        .map(|hook| {
            delivery(
                None,
                Channel::Webhook,
                &WebhookMessage {
                    purpose: Purpose::Event,
                    url: hook.url.clone(),
                    body: body.clone(),
                    hook: Some(hook.id),
                },
            )
        })
        .collect()
}

/// `incident.declared` for each incident a revision carries for the first
/// time (the first revision is the starting history, and declares nothing).
pub fn incidents_declared(
    hooks: &[candor_store::readers::EventHook],
    links: &Links,
    previous: &Revision,
    revision: &Revision,
    now: time::OffsetDateTime,
) -> Vec<NewDelivery> {
    let known: Vec<_> = previous.content.incidents.iter().map(|i| &i.key).collect();
    revision
        .content
        .incidents
        .iter()
        .filter(|i| !known.contains(&&i.key))
        .flat_map(|i| {
            let data = json!({
                "incident": i.key.as_str(),
                "title": i.title.as_str(),
                "severity": i.severity.label().to_lowercase(),
                "material": i.material,
                "confirmed_at": i.confirmed_at.to_string(),
                "components": i.components.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "regions": i.regions.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "revision": revision.number,
                "page": links.page(),
            });
            operator_event(hooks, links, OperatorEvent::IncidentDeclared, data, now)
        })
        .collect()
}

/// A one-off mail to a person who asked for something (a document, a report
/// acknowledgement): sent whatever their subscription state.
pub fn direct_email(to: &str, subject: String, text: String) -> NewDelivery {
    delivery(
        None,
        Channel::Email,
        &EmailMessage {
            purpose: Purpose::Operator,
            to: to.to_owned(),
            subject,
            text,
            unsubscribe_url: None,
        },
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use candor_domain::diff;
    use candor_domain::types::Moment;
    use time::{Duration, OffsetDateTime};

    fn subscriber(channel: Channel, address: &str, now: OffsetDateTime) -> Subscriber {
        Subscriber {
            id: Uuid::new_v4(),
            channel,
            address: address.into(),
            topics: Topics::All,
            manage_salt: "salt".into(),
            webhook_secret: None,
            created_at: now,
            confirmed_at: Some(now),
            unsubscribed_at: None,
            locale: "en".into(),
        }
    }

    /// A German subscriber's notice of a new subprocessor is German: subject,
    /// the list of changes, the objection line and the footer; an English
    /// subscriber's stays as it was.
    #[test]
    fn a_notice_is_in_the_language_they_subscribed_in() {
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
        let before = TrustCenter::from_yaml("version: 2\nprofile: {name: Acme}\n").unwrap();
        let after = TrustCenter::from_yaml(
            "version: 2\nprofile: {name: Acme}\nsubprocessors:\n  - {name: Mailer, purpose: Email}\n",
        )
        .unwrap();
        let revision = Revision {
            number: 2,
            content_hash: after.content_hash(),
            published_at: now,
            content: after.clone(),
        };
        let links = Links {
            base: "https://trust.example.com/".parse().unwrap(),
            org: "acme".into(),
        };
        let german = Subscriber {
            locale: "de".into(),
            ..subscriber(Channel::Email, "leser@example.de", now)
        };
        let subscribers = [
            subscriber(Channel::Email, "reader@example.com", now),
            german,
        ];
        let out = revision_notices(&links, &revision, &diff(&before, &after), &subscribers, now);
        let mail = |i: usize| -> Value { serde_json::from_str(&out[i].message).unwrap() };
        let (en, de) = (mail(0), mail(1));
        assert_eq!(en["subject"], "Acme: new subprocessor Mailer");
        let text = en["text"].as_str().unwrap();
        assert!(
            text.contains("- subprocessor added: Mailer (Email)"),
            "{text}"
        );
        assert!(
            text.contains("Unsubscribe, or download or erase your data:"),
            "{text}"
        );
        assert_eq!(de["subject"], "Acme: neuer Unterauftragsverarbeiter Mailer");
        let text = de["text"].as_str().unwrap();
        assert!(
            text.contains("- Unterauftragsverarbeiter hinzugefügt: Mailer (Email)"),
            "{text}"
        );
        assert!(text.contains("Widerspruch"), "{text}");
        assert!(!text.contains("Unsubscribe"), "{text}");
        assert!(
            text.contains("https://trust.example.com/acme/subscription/object"),
            "{text}"
        );
    }

    #[test]
    fn a_revision_that_tells_of_an_incident_says_so_in_mail_and_webhook() {
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
        let before = TrustCenter::from_yaml("version: 2\nprofile: {name: Acme}\n").unwrap();
        let mut after = before.clone();
        let incident = |published: OffsetDateTime| {
            serde_json::from_value(json!({
                "key": "api",
                "title": "API errors",
                "severity": "major",
                "confirmed_at": Moment::at(now - Duration::hours(1)).to_string(),
                "updates": [{
                    "status": "investigating",
                    "body": "Some calls fail.",
                    "published_at": Moment::at(published).to_string(),
                }],
            }))
            .unwrap()
        };
        after.incidents.push(incident(now));
        let revision = |content: &TrustCenter| Revision {
            number: 2,
            content_hash: content.content_hash(),
            published_at: now,
            content: content.clone(),
        };
        let links = Links {
            base: "https://trust.example.com/".parse().unwrap(),
            org: "acme".into(),
        };
        let incidents_only = Subscriber {
            topics: Topics::Incidents,
            ..subscriber(Channel::Email, "oncall@example.com", now)
        };
        let subscribers = [
            subscriber(Channel::Email, "reader@example.com", now),
            subscriber(Channel::Webhook, "https://hooks.example.com/x", now),
            incidents_only,
        ];
        let out = revision_notices(
            &links,
            &revision(&after),
            &diff(&before, &after),
            &subscribers,
            now,
        );
        assert_eq!(out.len(), 3, "the incidents-only subscriber is told");
        let mail: Value = serde_json::from_str(&out[0].message).unwrap();
        assert_eq!(mail["subject"], "Acme: API errors (Investigating)");
        let text = mail["text"].as_str().unwrap();
        assert!(text.contains("Some calls fail."), "{text}");
        assert!(
            text.contains("https://trust.example.com/acme#incident-api"),
            "{text}"
        );
        let hook: Value = serde_json::from_str(&out[1].message).unwrap();
        let body: Value = serde_json::from_str(hook["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["data"]["incidents"][0]["key"], "api");
        assert_eq!(body["data"]["incidents"][0]["body"], "Some calls fail.");

        // An update told in an earlier revision is not news again.
        let mut older = before.clone();
        older.incidents.push(incident(now - Duration::minutes(30)));
        let out = revision_notices(
            &links,
            &revision(&older),
            &diff(&before, &older),
            &subscribers,
            now,
        );
        assert_eq!(
            out.len(),
            2,
            "nothing new for the incidents-only subscriber"
        );
        let mail: Value = serde_json::from_str(&out[0].message).unwrap();
        assert!(!mail["subject"].as_str().unwrap().contains("API errors"));
        let hook: Value = serde_json::from_str(&out[1].message).unwrap();
        let body: Value = serde_json::from_str(hook["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["data"]["incidents"], json!([]));
    }
}
