//! Errors a person can act on: where in the file (field path and line), what
//! was expected in the field's own units, and the nearest valid value.

use crate::catalogue::{FrameworkId, framework};

/// Lowercase letters and digits only: `gdpr:Art. 32` and `gdpr:art32` agree.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Edit distance on characters, where swapping two neighbours counts as one
/// edit (optimal string alignment): `nmae` is one edit from `name`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The option closest to `wanted`, if one is close enough to be what was meant.
pub fn nearest<'a>(wanted: &str, options: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let squashed = squash(wanted);
    let limit = (squashed.chars().count() / 3).max(1);
    options
        .into_iter()
        .map(|option| {
            let d = if squash(option) == squashed {
                0
            } else {
                distance(&squashed, &squash(option))
            };
            (d, option)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, option)| option)
}

/// The message for a requirement that is not in the catalogue.
pub fn unknown_requirement(text: &str, framework_id: FrameworkId, id: &str) -> String {
    let catalogue = framework(framework_id);
    match nearest(id, catalogue.requirements.iter().map(|r| r.id.as_str())) {
        Some(close) => format!(
            "unknown requirement `{text}` — did you mean `{}:{close}`?",
            framework_id.as_str()
        ),
        None => format!(
            "unknown requirement `{text}`: {} has no such requirement in Candor's catalogue",
            framework_id.as_str()
        ),
    }
}

/// Backquoted names in a serde message's "expected one of `a`, `b`" list.
fn expected_names(message: &str) -> Vec<&str> {
    message
        .split_once("expected one of ")
        .map(|(_, list)| {
            list.split(", ")
                .filter_map(|item| item.trim().strip_prefix('`')?.split('`').next())
                .collect()
        })
        .unwrap_or_default()
}

fn backquoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message
        .strip_prefix(prefix)?
        .strip_prefix('`')?
        .split('`')
        .next()
}

/// What a number field counts, from its name.
fn unit_of(field: &str) -> Option<&'static str> {
    let name = field.rsplit('.').next().unwrap_or(field);
    [
        ("_business_days", "business days"),
        ("_minutes", "minutes"),
        ("_hours", "hours"),
        ("_days", "days"),
    ]
    .into_iter()
    .find(|(suffix, _)| name.ends_with(suffix))
    .map(|(_, unit)| unit)
}

/// The value serde quotes in "invalid type: string \"x\", expected …".
fn given(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("invalid type: ")?;
    Some(rest.split_once(", expected").map_or(rest, |(g, _)| g))
}

/// A deserialisation message, rewritten for the person who wrote `field`.
pub fn humanize(field: &str, message: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    if last == "framework"
        && let Some(value) = backquoted_after(message, "unknown variant ")
    {
        let known: Vec<&str> = FrameworkId::ALL.iter().map(|f| f.as_str()).collect();
        return match nearest(value, known.iter().copied()) {
            Some(close) => format!("`{value}` is not a known framework — did you mean `{close}`?"),
            None => format!(
                "`{value}` is not a known framework: leave `framework` out for a standard \
                 Candor has no catalogue for (known: {})",
                known.join(", ")
            ),
        };
    }
    for prefix in ["unknown variant ", "unknown field "] {
        if let Some(value) = backquoted_after(message, prefix)
            && let Some(close) = nearest(value, expected_names(message))
        {
            let what = if prefix == "unknown field " {
                "field"
            } else {
                "value"
            };
            return format!(
                "unknown {what} `{value}` — did you mean `{close}`? ({})",
                message
                    .split_once(", ")
                    .map_or(message, |(_, expected)| expected)
            );
        }
    }
    if let Some(value) = given(message) {
        if message.ends_with("expected u32") || message.ends_with("expected u64") {
            return match unit_of(field) {
                Some(unit) => format!("expected a whole number of {unit}, not {value}"),
                None => format!("expected a whole number, not {value}"),
            };
        }
        if message.ends_with("expected a boolean") {
            return format!(
                "expected true or false, not {value} (leave the field out if you do not say)"
            );
        }
    }
    message.to_owned()
}

/// A hint for a YAML syntax error, from libyaml's message.
pub fn syntax_hint(message: &str) -> Option<&'static str> {
    if message.contains("mapping values are not allowed") {
        Some("quote a value that contains ': ' (title: \"Step 1: plan\")")
    } else if message.contains("found character that cannot start any token") {
        Some("quote a value that starts with @, `, % or a tab, and indent with spaces, not tabs")
    } else if message.contains("did not find expected ',' or ']'")
        || message.contains("did not find expected ',' or '}'")
        || message.contains("end of stream")
    {
        Some("a [ or { is not closed, or a quote is not closed")
    } else if message.contains("did not find expected key")
        || message.contains("did not find expected '-'")
    {
        Some("check the indentation: items of one list or mapping line up exactly")
    } else if message.contains("found undefined alias") {
        Some("an alias (*name) needs an anchor (&name) before it")
    } else {
        None
    }
}

/// One step of a path: a mapping key, or a list index.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(usize, String),
    Item(usize, usize),
}

fn render(stack: &[Step]) -> String {
    let mut path = String::new();
    for step in stack {
        match step {
            Step::Key(_, key) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Step::Item(_, index) => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// `key` from `key: …` or `key:` (plain keys only: trust-as-code has no others).
fn key_of(text: &str) -> Option<&str> {
    let (key, _) = text.split_once(':')?;
    let key = key.trim();
    (!key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    .then_some(key)
}

/// The field path of each line of a block-style YAML document (index 0 is line 1),
/// found from indentation: what a person sees, which is what a syntax error needs.
pub fn line_paths(text: &str) -> Vec<String> {
    let mut stack: Vec<Step> = Vec::new();
    let mut paths = Vec::new();
    // Lines inside a block scalar (`|`, `>`) belong to its key.
    let mut block_indent: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line.trim();
        if let Some(base) = block_indent {
            if content.is_empty() || indent > base {
                paths.push(render(&stack));
                continue;
            }
            block_indent = None;
        }
        if content.is_empty() || content.starts_with('#') {
            paths.push(render(&stack));
            continue;
        }
        let mut rest = content;
        let mut column = indent;
        if let Some(after) = rest.strip_prefix("- ").or((rest == "-").then_some("")) {
            let previous = loop {
                match stack.last() {
                    Some(Step::Key(i, _) | Step::Item(i, _)) if *i > indent => {
                        stack.pop();
                    }
                    Some(Step::Item(i, n)) if *i == indent => {
                        let n = *n;
                        stack.pop();
                        break Some(n);
                    }
                    _ => break None,
                }
            };
            stack.push(Step::Item(indent, previous.map_or(0, |n| n + 1)));
            column = indent + 2;
            rest = after.trim_start();
        } else {
            while matches!(stack.last(), Some(Step::Key(i, _) | Step::Item(i, _)) if *i >= indent) {
                stack.pop();
            }
        }
        if let Some(key) = key_of(rest) {
            stack.push(Step::Key(column, key.to_owned()));
            let value = rest.split_once(':').map_or("", |(_, v)| v.trim());
            if value.starts_with('|') || value.starts_with('>') {
                block_indent = Some(column);
            }
        }
        paths.push(render(&stack));
    }
    paths
}

/// The first line (1-based) whose path is `field`, or lies inside it; for a
/// field written inline (`mappings: [a, b]`), the line of the nearest enclosing one.
pub fn line_of(text: &str, field: &str) -> Option<usize> {
    let paths = line_paths(text);
    let mut field = field;
    while !field.is_empty() {
        let found = paths.iter().position(|p| p == field).or_else(|| {
            paths.iter().position(|p| {
                p.strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
            })
        });
        if let Some(i) = found {
            return Some(i + 1);
        }
        field = match field.rfind(['.', '[']) {
            Some(at) => &field[..at],
            None => "",
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_values_are_found_by_spelling_and_by_shape() {
        assert_eq!(nearest("Art. 32", ["art32", "art33"]), Some("art32"));
        assert_eq!(
            nearest("compliantt", ["compliant", "certified"]),
            Some("compliant")
        );
        assert_eq!(nearest("banana", ["compliant", "certified"]), None);
    }

    #[test]
    fn lines_have_the_path_a_person_sees() {
        let text = "version: 2\nprofile:\n  name: A\ncontrols:\n- key: a\n  title: T\n- key: b\n  description: |\n    line: one\n  status: planned\nposture: []\n";
        let paths = line_paths(text);
        assert_eq!(
            paths,
            vec![
                "version",
                "profile",
                "profile.name",
                "controls",
                "controls[0].key",
                "controls[0].title",
                "controls[1].key",
                "controls[1].description",
                "controls[1].description",
                "controls[1].status",
                "posture",
            ]
        );
        assert_eq!(line_of(text, "controls[1]"), Some(7));
        assert_eq!(line_of(text, "controls[1].status"), Some(10));
    }
}
