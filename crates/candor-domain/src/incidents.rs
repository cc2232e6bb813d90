//! The incident rules: what customers were told cannot be rewritten, the time
//! they were told is the time of publication, and the clocks that the org's
//! incident-response commitments start.

use time::{Duration, OffsetDateTime};

use crate::deadline::add_business_days;
use crate::model::{Incident, IncidentResponse, TrustCenter};
use crate::parse::FieldError;
use crate::types::Moment;

fn refuse(field: String, message: String) -> Result<(), FieldError> {
    Err(FieldError { field, message })
}

/// Checks the incidents of a revision about to be published at `now` against
/// the revision before it, and stamps what it publishes for the first time
/// (new updates, a new review) with `now`, the revision's own time.
///
/// Refused: removing an incident, changing its confirmation time, changing or
/// removing a published update or review, a confirmation or resolution later
/// than `now`, and a publication time written by hand after the first
/// revision. The first revision is the org's starting history (brought from
/// elsewhere): its times are taken as written, if not in the future.
pub fn stamp(
    previous: Option<&TrustCenter>,
    next: &mut TrustCenter,
    now: OffsetDateTime,
) -> Result<(), FieldError> {
    let now = Moment::at(now);
    for old in previous.map_or(&[][..], |p| &p.incidents[..]) {
        if !next.incidents.iter().any(|i| i.key == old.key) {
            return refuse(
                "incidents".into(),
                format!(
                    "incident {:?} was published and cannot be removed; add an update instead",
                    old.key.as_str()
                ),
            );
        }
    }
    for (i, incident) in next.incidents.iter_mut().enumerate() {
        let field = |rest: &str| format!("incidents[{i}]{rest}");
        let old = previous.and_then(|p| p.incidents.iter().find(|o| o.key == incident.key));
        if incident.confirmed_at > now {
            return refuse(
                field(".confirmed_at"),
                format!("{} is in the future", incident.confirmed_at),
            );
        }
        if let Some(resolved) = incident.resolved_at
            && resolved > now
        {
            return refuse(
                field(".resolved_at"),
                format!("{resolved} is in the future"),
            );
        }
        let starting_history = previous.is_none();
        let published = old.map_or(&[][..], |o| &o.updates[..]);
        if let Some(old) = old
            && old.confirmed_at != incident.confirmed_at
        {
            return refuse(
                field(".confirmed_at"),
                format!(
                    "customers were told it was confirmed at {}; that cannot change",
                    old.confirmed_at
                ),
            );
        }
        for (j, was) in published.iter().enumerate() {
            // A draft need not carry the stamps of what it published.
            if let Some(update) = incident.updates.get_mut(j)
                && update.published_at.is_none()
            {
                update.published_at = was.published_at;
            }
            if incident.updates.get(j) != Some(was) {
                return refuse(
                    field(&format!(".updates[{j}]")),
                    format!(
                        "this update was published{}; a published update cannot be changed \
                         or removed (add a new one at the end)",
                        was.published_at
                            .map(|t| format!(" at {t}"))
                            .unwrap_or_default()
                    ),
                );
            }
        }
        for (j, update) in incident
            .updates
            .iter_mut()
            .enumerate()
            .skip(published.len())
        {
            match update.published_at {
                Some(at) if starting_history && at <= now => {}
                Some(_) if starting_history => {
                    return refuse(
                        field(&format!(".updates[{j}].published_at")),
                        "is in the future".into(),
                    );
                }
                Some(_) => {
                    return refuse(
                        field(&format!(".updates[{j}].published_at")),
                        "leave it out: Candor sets it to the time of publication".into(),
                    );
                }
                None => update.published_at = Some(now),
            }
        }
        let old_review = old.and_then(|o| o.review.as_ref());
        if let (Some(was), Some(review)) = (old_review, incident.review.as_mut())
            && review.published_at.is_none()
        {
            review.published_at = was.published_at;
        }
        match (old_review, incident.review.as_mut()) {
            (Some(was), now_review) if now_review.as_deref() != Some(was) => {
                return refuse(
                    field(".review"),
                    "the review was published and cannot be changed or removed".into(),
                );
            }
            (None, Some(review)) => match review.published_at {
                Some(at) if starting_history && at <= now => {}
                Some(_) => {
                    return refuse(
                        field(".review.published_at"),
                        "leave it out: Candor sets it to the time of publication".into(),
                    );
                }
                None => review.published_at = Some(now),
            },
            _ => {}
        }
    }
    Ok(())
}

/// A commitment's clock for one incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Done at `at`, `took` after the clock started; `due` when a commitment applies.
    Done {
        at: Moment,
        took: Duration,
        due: Option<Moment>,
    },
    /// Not done yet; `due` when a commitment applies.
    Pending { due: Option<Moment> },
}

impl Clock {
    /// Done late, or not done and past due at `now`.
    pub fn is_late(&self, now: OffsetDateTime) -> bool {
        match *self {
            Clock::Done { .. } => self.done_late(),
            Clock::Pending { due } => due.is_some_and(|d| now > d.0),
        }
    }

    /// Done, and after its due time (what a published page can say for good).
    pub fn done_late(&self) -> bool {
        matches!(*self, Clock::Done { at, due: Some(due), .. } if at > due)
    }

    pub fn due(&self) -> Option<Moment> {
        match *self {
            Clock::Done { due, .. } | Clock::Pending { due } => due,
        }
    }
}

/// The customer-notice clock: from confirmation to the first published update.
/// The commitment (`customer_notice_hours`) applies to material incidents.
pub fn notice_clock(incident: &Incident, commitment: Option<&IncidentResponse>) -> Clock {
    let due = commitment
        .and_then(|c| c.customer_notice_hours)
        .filter(|_| incident.material)
        .map(|hours| Moment(incident.confirmed_at.0 + Duration::hours(i64::from(hours))));
    match incident.first_notice() {
        Some(at) => Clock::Done {
            at,
            took: at.0 - incident.confirmed_at.0,
            due,
        },
        None => Clock::Pending { due },
    }
}

/// The post-incident review clock: from resolution to the published review,
/// in business days when the commitment counts them, calendar days otherwise.
/// None while the incident is not resolved.
pub fn review_clock(incident: &Incident, commitment: Option<&IncidentResponse>) -> Option<Clock> {
    let resolved = incident.resolved_at?;
    let due = commitment.and_then(|c| {
        c.review_business_days
            .map(|days| Moment(add_business_days(resolved.0, days)))
            .or_else(|| {
                c.review_days
                    .map(|days| Moment(resolved.0 + Duration::days(i64::from(days))))
            })
    });
    Some(
        match incident.review.as_ref().and_then(|r| r.published_at) {
            Some(at) => Clock::Done {
                at,
                took: at.0 - resolved.0,
                due,
            },
            None => Clock::Pending { due },
        },
    )
}

/// Which commitment a deadline belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DueKind {
    /// Telling customers (the first update).
    Notice,
    /// Publishing the post-incident review.
    Review,
}

/// A committed deadline not met yet, for the admin dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub key: String,
    pub title: String,
    pub kind: DueKind,
    pub due: Moment,
    pub overdue: bool,
}

/// The committed deadlines still open at `now`: the draft is what the org is
/// working on (incidents declared there but not yet published are counting
/// already), `latest` what customers have been told (a draft need not carry
/// the stamps of what it published). Soonest first.
pub fn open_deadlines(
    draft: &TrustCenter,
    latest: Option<&TrustCenter>,
    now: OffsetDateTime,
) -> Vec<Due> {
    let commitment = draft.commitments.incident_response.as_ref();
    let mut out = Vec::new();
    for incident in &draft.incidents {
        let told = latest.and_then(|l| l.incidents.iter().find(|i| i.key == incident.key));
        let mut known = incident.clone();
        if let Some(told) = told {
            for (update, was) in known.updates.iter_mut().zip(&told.updates) {
                update.published_at = update.published_at.or(was.published_at);
            }
            if let (Some(review), Some(was)) = (known.review.as_mut(), told.review.as_ref()) {
                review.published_at = review.published_at.or(was.published_at);
            }
        }
        let clocks = [
            (DueKind::Notice, Some(notice_clock(&known, commitment))),
            (DueKind::Review, review_clock(&known, commitment)),
        ];
        for (kind, clock) in clocks {
            if let Some(Clock::Pending { due: Some(due) }) = clock {
                out.push(Due {
                    key: incident.key.to_string(),
                    title: incident.title.to_string(),
                    kind,
                    due,
                    overdue: now > due.0,
                });
            }
        }
    }
    out.sort_by_key(|a| a.due);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IncidentReview, IncidentSeverity, IncidentStatus, IncidentUpdate};
    use time::macros::datetime;

    fn content(incidents: Vec<Incident>) -> TrustCenter {
        let mut tc = TrustCenter::from_yaml("version: 2\nprofile: {name: Acme}\n").unwrap();
        tc.incidents = incidents;
        tc
    }

    fn incident(confirmed: OffsetDateTime, updates: &[(&str, Option<OffsetDateTime>)]) -> Incident {
        Incident {
            key: "db-outage".parse().unwrap(),
            title: "Database outage".parse().unwrap(),
            severity: IncidentSeverity::Major,
            material: true,
            confirmed_at: Moment::at(confirmed),
            components: vec![],
            regions: vec![],
            updates: updates
                .iter()
                .map(|(body, at)| IncidentUpdate {
                    status: IncidentStatus::Investigating,
                    body: body.parse().unwrap(),
                    published_at: at.map(Moment::at),
                })
                .collect(),
            resolved_at: None,
            review: None,
        }
    }

    fn notice_hours(hours: u32) -> IncidentResponse {
        IncidentResponse {
            customer_notice_hours: Some(hours),
            ..serde_json::from_str("{}").unwrap()
        }
    }

    #[test]
    fn new_updates_get_the_time_of_publication_and_published_ones_stay() {
        let t0 = datetime!(2026-11-20 10:00 UTC);
        let published_at = t0 + Duration::minutes(40);
        let mut first = content(vec![]);
        stamp(None, &mut first, t0).unwrap();
        let mut second = content(vec![incident(t0, &[("We are looking into it", None)])]);
        stamp(Some(&first), &mut second, published_at).unwrap();
        assert_eq!(
            second.incidents[0].updates[0].published_at,
            Some(Moment::at(published_at))
        );

        // The draft it came from, without the stamp, is the same content.
        let mut draft = content(vec![incident(t0, &[("We are looking into it", None)])]);
        stamp(Some(&second), &mut draft, published_at + Duration::hours(1)).unwrap();
        assert_eq!(draft, second);

        // Rewriting what customers were told is refused, naming the update.
        let mut rewritten = second.clone();
        rewritten.incidents[0].updates[0].body = "Nothing happened".parse().unwrap();
        let err = stamp(
            Some(&second),
            &mut rewritten,
            published_at + Duration::hours(1),
        )
        .unwrap_err();
        assert_eq!(err.field, "incidents[0].updates[0]");
        // So are removing the incident and moving its confirmation.
        let mut removed = content(vec![]);
        assert_eq!(
            stamp(Some(&second), &mut removed, published_at)
                .unwrap_err()
                .field,
            "incidents"
        );
        let mut moved = second.clone();
        moved.incidents[0].confirmed_at = Moment::at(t0 + Duration::minutes(30));
        assert_eq!(
            stamp(Some(&second), &mut moved, published_at)
                .unwrap_err()
                .field,
            "incidents[0].confirmed_at"
        );
        // A time of publication written by hand is refused after the first revision.
        let mut backdated = second.clone();
        backdated.incidents[0].updates.push(IncidentUpdate {
            status: IncidentStatus::Resolved,
            body: "Fixed".parse().unwrap(),
            published_at: Some(Moment::at(t0)),
        });
        assert_eq!(
            stamp(
                Some(&second),
                &mut backdated,
                published_at + Duration::hours(2)
            )
            .unwrap_err()
            .field,
            "incidents[0].updates[1].published_at"
        );
        // A confirmation in the future is refused.
        let mut future = content(vec![incident(t0 + Duration::days(1), &[])]);
        assert_eq!(
            stamp(Some(&first), &mut future, t0).unwrap_err().field,
            "incidents[0].confirmed_at"
        );
    }

    #[test]
    fn a_review_is_stamped_once_and_then_fixed() {
        let t0 = datetime!(2026-11-20 10:00 UTC);
        let mut before = content(vec![incident(t0, &[("Down", None)])]);
        stamp(None, &mut before, t0 + Duration::minutes(5)).unwrap();
        let mut reviewed = before.clone();
        reviewed.incidents[0].resolved_at = Some(Moment::at(t0 + Duration::hours(2)));
        reviewed.incidents[0].review = Some(IncidentReview {
            summary: "A migration locked a table".parse().unwrap(),
            document: None,
            published_at: None,
        });
        let at = t0 + Duration::days(3);
        stamp(Some(&before), &mut reviewed, at).unwrap();
        let review = reviewed.incidents[0].review.clone().unwrap();
        assert_eq!(review.published_at, Some(Moment::at(at)));
        let mut changed = reviewed.clone();
        if let Some(r) = changed.incidents[0].review.as_mut() {
            r.summary = "Something else".parse().unwrap();
        }
        assert_eq!(
            stamp(Some(&reviewed), &mut changed, at).unwrap_err().field,
            "incidents[0].review"
        );
    }

    #[test]
    fn the_notice_clock_runs_from_confirmation_to_the_first_update() {
        let confirmed = datetime!(2026-11-20 10:00 UTC);
        let commitment = notice_hours(1);
        // Not told yet: pending, and overdue an hour after confirmation.
        let waiting = incident(confirmed, &[]);
        let clock = notice_clock(&waiting, Some(&commitment));
        assert_eq!(
            clock,
            Clock::Pending {
                due: Some(Moment::at(confirmed + Duration::hours(1)))
            }
        );
        assert!(!clock.is_late(confirmed + Duration::minutes(59)));
        assert!(clock.is_late(confirmed + Duration::minutes(61)));
        // Told after 3 h 12 min: done, and late against one hour.
        let told = incident(
            confirmed,
            &[("Investigating", Some(confirmed + Duration::minutes(192)))],
        );
        let clock = notice_clock(&told, Some(&commitment));
        let Clock::Done { took, .. } = clock else {
            panic!("{clock:?}")
        };
        assert_eq!(took, Duration::minutes(192));
        assert!(clock.is_late(confirmed));
        assert!(!notice_clock(&told, Some(&notice_hours(4))).is_late(confirmed));
        // Not material: the commitment does not apply.
        let mut minor = told.clone();
        minor.material = false;
        assert_eq!(notice_clock(&minor, Some(&commitment)).due(), None);
    }

    #[test]
    fn the_review_clock_counts_business_days_when_the_commitment_does() {
        // Resolved on a Friday; five business days later is the next Friday.
        let mut resolved = incident(datetime!(2026-11-20 08:00 UTC), &[]);
        resolved.resolved_at = Some(Moment::at(datetime!(2026-11-20 10:00 UTC)));
        let commitment = IncidentResponse {
            review_business_days: Some(5),
            ..serde_json::from_str("{}").unwrap()
        };
        let clock = review_clock(&resolved, Some(&commitment)).unwrap();
        assert_eq!(
            clock.due(),
            Some(Moment::at(datetime!(2026-11-27 10:00 UTC)))
        );
        assert!(!clock.is_late(datetime!(2026-11-27 09:59 UTC)));
        assert!(clock.is_late(datetime!(2026-11-27 10:01 UTC)));
        assert_eq!(
            review_clock(&incident(datetime!(2026-11-20 08:00 UTC), &[]), None),
            None
        );
    }

    #[test]
    fn open_deadlines_count_from_the_draft_and_close_with_what_was_published() {
        let confirmed = datetime!(2026-11-20 10:00 UTC);
        let mut draft = content(vec![incident(confirmed, &[("Down", None)])]);
        draft.commitments.incident_response = Some(notice_hours(1));
        // Declared in the draft, not published: the notice is due an hour after
        // confirmation, and overdue after that (the clock is injected).
        let open = open_deadlines(&draft, None, confirmed + Duration::minutes(30));
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].kind, DueKind::Notice);
        assert_eq!(open[0].due, Moment::at(confirmed + Duration::hours(1)));
        assert!(!open[0].overdue);
        assert!(open_deadlines(&draft, None, confirmed + Duration::minutes(61))[0].overdue);
        // Once published, the draft (without stamps) has nothing open.
        let mut published = draft.clone();
        stamp(None, &mut published, confirmed + Duration::minutes(50)).unwrap();
        assert!(
            open_deadlines(&draft, Some(&published), confirmed + Duration::hours(5)).is_empty()
        );
    }
}
