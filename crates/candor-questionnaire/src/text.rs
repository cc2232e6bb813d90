//! Question normalisation: the same words reduced to the same terms, so that
//! "Is data encrypted at rest?" finds "Encryption at rest: AES-256".
//!
//! Lowercase, split on anything that is not a letter or digit, drop words that
//! carry no topic, expand the field's common abbreviations, and strip English
//! suffixes (a light stemmer: plural, -ing, -ed, -ion, -ly, …) so that
//! encrypt/encrypted/encryption meet.

/// Words that say nothing about the topic of a security question.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "all",
    "also",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "by",
    "can",
    "could",
    "describe",
    "do",
    "does",
    "done",
    "each",
    "for",
    "from",
    "has",
    "have",
    "how",
    "if",
    "in",
    "including",
    "into",
    "is",
    "it",
    "its",
    "may",
    "of",
    "on",
    "or",
    "other",
    "our",
    "per",
    "please",
    "provide",
    "should",
    "so",
    "such",
    "that",
    "the",
    "their",
    "them",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "under",
    "upon",
    "used",
    "using",
    "via",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "who",
    "will",
    "with",
    "within",
    "would",
    "you",
    "your",
];

/// Abbreviations of the field and what they stand for, so that either spelling
/// finds the other. Generic vocabulary, not rules for particular questions.
const EXPANSIONS: &[(&str, &str)] = &[
    ("2fa", "multi factor authentication"),
    ("mfa", "multi factor authentication"),
    ("sso", "single sign on"),
    ("saml", "single sign on"),
    ("oidc", "single sign on"),
    ("dr", "disaster recovery"),
    ("bcp", "business continuity"),
    ("rto", "recovery time objective"),
    ("rpo", "recovery point objective"),
    ("pii", "personal data"),
    ("dpa", "data processing agreement"),
    ("sdlc", "software development lifecycle"),
    ("sast", "static analysis"),
    ("dast", "dynamic analysis"),
    ("pentest", "penetration test"),
    ("siem", "security event logging"),
    ("ids", "intrusion detection"),
    ("waf", "web application firewall"),
    ("tls", "encryption transit"),
    ("ssl", "encryption transit"),
    ("hsts", "encryption transit"),
    ("aes", "encryption"),
    ("kms", "key management"),
    ("rbac", "role based access"),
    ("iam", "identity access management"),
    ("vpn", "remote access"),
    ("ddos", "denial service"),
    ("soc2", "soc 2"),
    ("isms", "information security management"),
    ("gdpr", "data protection regulation"),
    ("ccpa", "privacy california"),
    ("dpo", "data protection officer"),
    ("ir", "incident response"),
    ("vdp", "vulnerability disclosure"),
];

/// A question's or passage's terms, in order (repeats kept: BM25 counts them).
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        if let Some((_, expansion)) = EXPANSIONS.iter().find(|(short, _)| *short == word) {
            out.extend(expansion.split(' ').map(stem));
            continue;
        }
        if word.len() < 2 || STOPWORDS.contains(&word.as_str()) {
            continue;
        }
        out.push(stem(&word));
    }
    out
}

/// Words that open a question answered by yes or no ("Do you…?", "Is…?").
const AUXILIARIES: &[&str] = &[
    "am", "are", "can", "could", "did", "do", "does", "has", "have", "is", "may", "must", "shall",
    "should", "was", "were", "will", "would",
];

/// Whether a question asks yes or no, rather than for a fact or a
/// description ("Company name.", "Which cloud providers are used?", "Describe
/// the service"). A leading condition ("If you sell data, do you…?") is
/// skipped: the clause after it asks.
pub fn asks_yes_or_no(question: &str) -> bool {
    let clause = match question.split_once(',') {
        Some((head, tail)) if head.trim_start().to_lowercase().starts_with("if ") => tail,
        _ => question,
    };
    clause
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .is_some_and(|w| AUXILIARIES.contains(&w.to_lowercase().as_str()))
}

/// Words with which a statement limits itself ("not yet", "no formal",
/// "planned", "however"): a "yes" that says them is not a plain yes.
const HEDGES: &[&str] = &[
    "no",
    "not",
    "planned",
    "partial",
    "partially",
    "informal",
    "gap",
    "gaps",
    "lack",
    "lacks",
    "yet",
    "manual",
    "limited",
    "pending",
    "future",
    "roadmap",
    "however",
    "but",
    "until",
];

/// Whether a statement limits itself (see [`HEDGES`]).
pub fn hedges(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| HEDGES.iter().any(|h| w.eq_ignore_ascii_case(h)))
}

/// A light English stemmer: enough for encrypt/encrypted/encryption/encrypts,
/// review/reviews/reviewed/reviewing, policy/policies, to meet.
pub fn stem(word: &str) -> String {
    if word.len() <= 3 || word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_owned();
    }
    const SUFFIXES: &[(&str, &str)] = &[
        ("ational", "ate"),
        ("ization", "ize"),
        ("isation", "ize"),
        ("ations", "ate"),
        ("ation", "ate"),
        ("ating", "ate"),
        ("ated", "ate"),
        ("ities", "ity"),
        ("ies", "y"),
        ("ments", ""),
        ("ment", ""),
        ("ions", ""),
        ("ion", ""),
        ("ness", ""),
        ("ing", ""),
        ("ed", ""),
        ("ly", ""),
        ("es", ""),
        ("s", ""),
    ];
    let mut stemmed = word.to_owned();
    for (suffix, replacement) in SUFFIXES {
        if let Some(root) = word.strip_suffix(suffix)
            && root.chars().count() >= 3
            && !(*suffix == "s" && (root.ends_with('s') || root.ends_with('u')))
        {
            stemmed = format!("{root}{replacement}");
            break;
        }
    }
    // authenticate/authentication and operate/operation meet without "ate".
    match stemmed.strip_suffix("ate") {
        Some(root) if root.chars().count() >= 4 => root.to_owned(),
        _ => stemmed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_a_word_meet() {
        for group in [
            &["encrypt", "encrypted", "encryption", "encrypts"][..],
            &["review", "reviews", "reviewed", "reviewing"],
            &["policy", "policies"],
            &["authenticate", "authentication", "authenticated"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| stem(w)).collect();
            assert!(
                stems.windows(2).all(|w| w[0] == w[1]),
                "{group:?} → {stems:?}"
            );
        }
    }

    #[test]
    fn questions_that_ask_yes_or_no_are_told_from_requests_for_facts() {
        for q in [
            "Do you encrypt data at rest?",
            "Is MFA required?",
            "If you sell personal data, do you offer an opt-out?",
            "1.2 Are backups tested?",
        ] {
            assert!(asks_yes_or_no(q), "{q}");
        }
        for q in [
            "Company name.",
            "Which cloud providers are used?",
            "Describe the service being evaluated.",
            "How is the incident response plan tested?",
            "",
        ] {
            assert!(!asks_yes_or_no(q), "{q}");
        }
    }

    #[test]
    fn abbreviations_expand_and_stopwords_go() {
        assert_eq!(
            terms("Do you support MFA?"),
            terms("support multi-factor authentication")
        );
        assert!(
            terms("Is the data at rest?")
                .iter()
                .all(|t| t != "the" && t != "is")
        );
    }
}
