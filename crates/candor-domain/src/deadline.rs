//! Deadlines counted in business days (Monday to Friday, in UTC), as disclosure
//! commitments state them: "acknowledged within one business day".

use time::{OffsetDateTime, Weekday};

fn is_weekend(t: OffsetDateTime) -> bool {
    matches!(t.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The moment `days` business days after `from`. A report that arrives at the
/// weekend starts counting on Monday at 00:00 UTC; zero days means "by the end of
/// the next business moment", i.e. `from` itself moved off the weekend.
pub fn add_business_days(from: OffsetDateTime, days: u32) -> OffsetDateTime {
    let from = from.to_offset(time::UtcOffset::UTC);
    let mut at = from;
    if is_weekend(at) {
        while is_weekend(at) {
            at = (at + time::Duration::days(1)).replace_time(time::Time::MIDNIGHT);
        }
    }
    let mut left = days;
    while left > 0 {
        at += time::Duration::days(1);
        if !is_weekend(at) {
            left -= 1;
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn business_days_skip_weekends() {
        // Thursday 10:00 + 1 → Friday 10:00; Friday 10:00 + 1 → Monday 10:00.
        assert_eq!(
            add_business_days(datetime!(2026-11-19 10:00 UTC), 1),
            datetime!(2026-11-20 10:00 UTC)
        );
        assert_eq!(
            add_business_days(datetime!(2026-11-20 10:00 UTC), 1),
            datetime!(2026-11-23 10:00 UTC)
        );
        // Friday + 5 → next Friday.
        assert_eq!(
            add_business_days(datetime!(2026-11-20 10:00 UTC), 5),
            datetime!(2026-11-27 10:00 UTC)
        );
        // Saturday 15:00 + 1 → counting starts Monday 00:00 → Tuesday 00:00.
        assert_eq!(
            add_business_days(datetime!(2026-11-21 15:00 UTC), 1),
            datetime!(2026-11-24 00:00 UTC)
        );
        assert_eq!(
            add_business_days(datetime!(2026-11-22 23:00 UTC), 0),
            datetime!(2026-11-23 00:00 UTC)
        );
        // Offsets are read as the same instant in UTC.
        assert_eq!(
            add_business_days(datetime!(2026-11-20 23:30 -05:00), 1),
            datetime!(2026-11-24 00:00 UTC)
        );
    }
}
