//! Words the page and messages print around numbers.

/// `1 day`, `2 days`, `0 days`: English plurals of simple units.
pub fn plural(count: u64, unit: &str) -> String {
    if count == 1 {
        format!("1 {unit}")
    } else {
        format!("{count} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular() {
        assert_eq!(super::plural(1, "hour"), "1 hour");
        assert_eq!(super::plural(2, "hour"), "2 hours");
        assert_eq!(super::plural(0, "day"), "0 days");
    }
}
