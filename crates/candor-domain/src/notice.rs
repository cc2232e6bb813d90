//! The subprocessor notice rule: customers hear of a new subprocessor at least the
//! org's notice period before it starts processing their data.

use std::collections::HashMap;

use crate::model::{Subprocessor, TrustCenter};
use crate::parse::FieldError;
use crate::types::Day;

/// A subprocessor counts as active in a revision when it is listed and not removed.
fn active(list: &[Subprocessor]) -> HashMap<&str, &Subprocessor> {
    list.iter()
        .filter(|s| s.removed_at.is_none())
        .map(|s| (s.name.as_str(), s))
        .collect()
}

/// `1 day's notice`, `30 days' notice`.
fn notice_words(days: u32) -> String {
    if days == 1 {
        "1 day's notice".to_owned()
    } else {
        format!("{days} days' notice")
    }
}

/// Checks a revision about to be published on `publish_day` against the one before it.
/// A subprocessor that becomes active (new, or back after removal) must take effect at
/// least `commitments.subprocessor_notice_days` after publication, and so must one
/// already announced whose `effective_at` is moved earlier. The first revision is the
/// starting list, not an addition, so it is not checked.
pub fn check(
    previous: Option<&TrustCenter>,
    next: &TrustCenter,
    publish_day: Day,
) -> Result<(), FieldError> {
    let Some(previous) = previous else {
        return Ok(());
    };
    // No promised period, no rule to keep.
    let Some(days) = next.notice_days() else {
        return Ok(());
    };
    let earliest = Day(publish_day.0 + time::Duration::days(i64::from(days)));
    let before = active(&previous.subprocessors);
    for (i, s) in next.subprocessors.iter().enumerate() {
        if s.removed_at.is_some() {
            continue;
        }
        let old = before.get(s.name.as_str());
        let field = format!("subprocessors[{i}].effective_at");
        let Some(effective) = s.effective_at else {
            if old.is_none() {
                return Err(FieldError {
                    field,
                    message: format!(
                        "a subprocessor added while {} is promised needs an effective \
                         date, {earliest} at the earliest",
                        notice_words(days)
                    ),
                });
            }
            continue;
        };
        let needs_notice = match old.map(|o| o.effective_at) {
            None => true,
            // Bringing a pending date forward shortens the notice customers were given;
            // editing the date of one already in effect corrects history.
            Some(Some(was)) => was > publish_day && effective < was,
            // A listed subprocessor that gets a date now was already processing data.
            Some(None) => false,
        };
        if needs_notice && effective < earliest {
            return Err(FieldError {
                field,
                message: format!(
                    "{effective} is less than {}: a subprocessor added or brought forward \
                     on {publish_day} can take effect on {earliest} at the earliest",
                    notice_words(days)
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = candor_demo::QUILLFEATHER;

    fn demo() -> TrustCenter {
        TrustCenter::from_yaml(DEMO).unwrap_or_else(|e| panic!("{e}"))
    }

    fn day(text: &str) -> Day {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn with_new(effective: &str) -> TrustCenter {
        let mut next = demo();
        let mut added = next.subprocessors[0].clone();
        added.name = "Mailgun".parse().unwrap_or_else(|e| panic!("{e}"));
        added.announced_at = Some(day("2030-01-01"));
        added.effective_at = Some(day(effective));
        next.subprocessors.push(added);
        next
    }

    #[test]
    fn an_addition_needs_the_full_notice_period() {
        let before = demo();
        let publish = day("2030-01-01");
        let short = with_new("2030-01-30");
        let err = check(Some(&before), &short, publish)
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        let index = short.subprocessors.len() - 1;
        assert_eq!(err.field, format!("subprocessors[{index}].effective_at"));
        assert!(err.message.contains("2030-01-31"), "{}", err.message);
        assert_eq!(
            check(Some(&before), &with_new("2030-01-31"), publish),
            Ok(())
        );
        // The first revision is the starting list.
        assert_eq!(check(None, &short, publish), Ok(()));
    }

    #[test]
    fn the_period_is_the_orgs_own() {
        let before = demo();
        let mut next = with_new("2030-01-08");
        next.commitments.subprocessor_notice_days = Some(7);
        assert_eq!(check(Some(&before), &next, day("2030-01-01")), Ok(()));
        next.commitments.subprocessor_notice_days = Some(8);
        assert!(check(Some(&before), &next, day("2030-01-01")).is_err());
    }

    #[test]
    fn bringing_a_pending_date_forward_is_checked_and_history_is_not() {
        let before = with_new("2030-03-01");
        let mut next = before.clone();
        let last = next.subprocessors.len() - 1;
        next.subprocessors[last].effective_at = Some(day("2030-01-15"));
        assert!(check(Some(&before), &next, day("2030-01-01")).is_err());
        // Already in effect: the date may be corrected.
        assert_eq!(check(Some(&before), &next, day("2030-04-01")), Ok(()));
        // Removing one needs no notice; neither does leaving the list alone.
        next.subprocessors[last].removed_at = Some(day("2030-01-02"));
        assert_eq!(check(Some(&before), &next, day("2030-01-01")), Ok(()));
        assert_eq!(check(Some(&before), &before, day("2030-01-01")), Ok(()));
    }

    #[test]
    fn without_a_promised_period_there_is_no_rule_and_with_one_a_date_is_needed() {
        let before = demo();
        let mut next = with_new("2030-01-02");
        next.version = 2;
        next.commitments.subprocessor_notice_days = None;
        assert_eq!(next.notice_days(), None);
        assert_eq!(check(Some(&before), &next, day("2030-01-01")), Ok(()));
        // A version 1 file that left the period out promised 30 days.
        next.version = 1;
        assert_eq!(next.notice_days(), Some(30));
        assert!(check(Some(&before), &next, day("2030-01-01")).is_err());
        // An undated addition under a promised period is refused, saying why.
        let last = next.subprocessors.len() - 1;
        next.subprocessors[last].effective_at = None;
        let err = check(Some(&before), &next, day("2030-01-01"))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(err.field, format!("subprocessors[{last}].effective_at"));
        assert_eq!(
            err.message,
            "a subprocessor added while 30 days' notice is promised needs an effective date, \
             2030-01-31 at the earliest"
        );
    }
}
