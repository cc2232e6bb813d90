//! Incidents arranged for the trust page, `incidents.json` and the incident
//! feed: newest first, each with what customers were told and when, and how
//! that compares with the org's incident-response commitment. The times come
//! from the revision stamps (the log's times), never from the author.

use candor_domain::incidents::{Clock, notice_clock, review_clock};
use candor_domain::model::{Incident, IncidentResponse, TrustCenter};
use candor_domain::types::Moment;
use serde_json::{Value, json};

use crate::i18n::Tr;

use super::facts::{human_time, prose};

/// A time printed twice: for `<time datetime>` and for people.
pub struct TimeView {
    pub machine: String,
    pub human: String,
}

impl TimeView {
    fn of(m: Moment) -> TimeView {
        TimeView {
            machine: m.to_string(),
            human: human_time(m.0),
        }
    }
}

pub struct UpdateView {
    pub status: String,
    pub html: String,
    pub at: Option<TimeView>,
}

pub struct IncidentView<'a> {
    pub incident: &'a Incident,
    pub status: String,
    pub severity: String,
    pub resolved: bool,
    pub confirmed: TimeView,
    pub resolved_at: Option<TimeView>,
    /// Components and regions affected, in words.
    pub affected: Option<String>,
    /// "Notified after 3 h 12 min; commitment 1 h."
    pub notice: Option<String>,
    pub notice_late: bool,
    /// "Review published 4 d after resolution; commitment 5 business days."
    pub review_clock: Option<String>,
    pub review_late: bool,
    pub review_html: Option<String>,
    /// Newest first, as status pages show them.
    pub updates: Vec<UpdateView>,
}

fn newest_first(tc: &TrustCenter) -> Vec<&Incident> {
    let mut incidents: Vec<&Incident> = tc.incidents.iter().collect();
    incidents.sort_by_key(|i| std::cmp::Reverse(i.confirmed_at));
    incidents
}

/// The org's incidents, newest confirmation first.
pub fn incident_views(tc: &TrustCenter, t: Tr) -> Vec<IncidentView<'_>> {
    let commitment = tc.commitments.incident_response.as_ref();
    newest_first(tc)
        .into_iter()
        .map(|incident| {
            let notice = notice_clock(incident, commitment);
            let review = review_clock(incident, commitment);
            let affected: Vec<&str> = incident
                .components
                .iter()
                .chain(&incident.regions)
                .map(|t| t.as_str())
                .collect();
            IncidentView {
                incident,
                status: t.label(incident.status().label()),
                severity: t.label(incident.severity.label()),
                resolved: incident.resolved_at.is_some(),
                confirmed: TimeView::of(incident.confirmed_at),
                resolved_at: incident.resolved_at.map(TimeView::of),
                affected: (!affected.is_empty()).then(|| affected.join(", ")),
                notice: notice_words(t, &notice, commitment),
                notice_late: notice.done_late(),
                review_clock: review.as_ref().map(|c| review_words(t, c, commitment)),
                review_late: review.as_ref().is_some_and(Clock::done_late),
                review_html: incident
                    .review
                    .as_ref()
                    .map(|r| prose(tc.version, r.summary.as_str())),
                updates: incident
                    .updates
                    .iter()
                    .rev()
                    .map(|u| UpdateView {
                        status: t.label(u.status.label()),
                        html: prose(tc.version, u.body.as_str()),
                        at: u.published_at.map(TimeView::of),
                    })
                    .collect(),
            }
        })
        .collect()
}

fn notice_words(t: Tr, clock: &Clock, commitment: Option<&IncidentResponse>) -> Option<String> {
    let Clock::Done { took, due, .. } = *clock else {
        return None;
    };
    // The commitment in the words it was made: hours.
    let committed = due
        .and(commitment.and_then(|c| c.customer_notice_hours))
        .map(|h| t.t1("span-h", "n", h));
    let took = t.span(took);
    Some(match committed {
        Some(c) => t.t2("notified-after-commitment", "span", took, "commitment", c),
        None if commitment.and_then(|c| c.customer_notice_hours).is_some() => {
            t.t1("notified-after-not-material", "span", took)
        }
        None => t.t1("notified-after", "span", took),
    })
}

fn review_commitment(t: Tr, commitment: Option<&IncidentResponse>) -> Option<String> {
    let c = commitment?;
    c.review_business_days
        .map(|d| t.tn("n-business-days", d.into()))
        .or_else(|| c.review_days.map(|d| t.tn("n-days", d.into())))
}

fn review_words(t: Tr, clock: &Clock, commitment: Option<&IncidentResponse>) -> String {
    let committed = review_commitment(t, commitment);
    match (*clock, committed) {
        (Clock::Done { took, .. }, Some(c)) => t.t2(
            "review-published-commitment",
            "span",
            t.span(took),
            "commitment",
            c,
        ),
        (Clock::Done { took, .. }, None) => t.t1("review-published", "span", t.span(took)),
        (Clock::Pending { due: Some(due) }, _) => {
            t.t1("review-pending-due", "date", human_time(due.0))
        }
        (Clock::Pending { due: None }, _) => t.t("review-pending"),
    }
}

/// `incidents.json`: the incidents as published, with the clocks computed
/// from the stamps (and the revision to check them against).
pub fn incidents_json(tc: &TrustCenter, org: &str, revision: u64, content_hash: &str) -> Value {
    let commitment = tc.commitments.incident_response.as_ref();
    let clock_json = |clock: &Clock, start: Moment| match *clock {
        Clock::Done { at, took, due } => json!({
            "done_at": at.to_string(),
            "seconds": took.whole_seconds(),
            "due_by": due.map(|d| d.to_string()),
            "on_time": due.map(|_| !clock.done_late()),
            "started_at": start.to_string(),
        }),
        Clock::Pending { due } => json!({
            "done_at": null,
            "due_by": due.map(|d| d.to_string()),
            "started_at": start.to_string(),
        }),
    };
    let items: Vec<Value> = newest_first(tc)
        .into_iter()
        .map(|i| {
            let mut value = serde_json::to_value(i).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("status".into(), json!(i.status()));
                map.insert(
                    "notice_clock".into(),
                    clock_json(&notice_clock(i, commitment), i.confirmed_at),
                );
                if let (Some(clock), Some(resolved)) = (review_clock(i, commitment), i.resolved_at)
                {
                    map.insert("review_clock".into(), clock_json(&clock, resolved));
                }
            }
            value
        })
        .collect();
    json!({
        "org": org,
        "revision": revision,
        "log_index": revision.saturating_sub(1),
        "content_hash": content_hash,
        "commitment": commitment.map(|c| json!({
            "customer_notice_hours": c.customer_notice_hours,
            "customer_notice_for": c.customer_notice_for,
            "review_days": c.review_days,
            "review_business_days": c.review_business_days,
        })),
        "incidents": items,
    })
}
