//! What an org has said, as passages an answer can cite: its knowledge base
//! and the items of its published content, each with the answer it gives.

use candor_domain::TrustCenter;
use candor_domain::model::{ControlStatus, KnowledgeEntry, PostureStatus, Profile};

use crate::model::{Passage, Verdict, Visibility};
use crate::text::hedges;

/// Knowledge entries as passages (`knowledge[i]`, their place in the list).
pub fn knowledge_passages(entries: &[KnowledgeEntry]) -> Vec<Passage> {
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| Passage {
            cite: format!("knowledge[{i}]"),
            title: e.question.as_str().to_owned(),
            text: e.explanation.as_ref().map_or("", |t| t.as_str()).to_owned(),
            stance: Some(implied(
                e.answer,
                e.explanation.as_ref().map_or("", |t| t.as_str()),
            )),
            visibility: e.visibility,
        })
        .collect()
}

/// The answer a control's status gives: only an implemented control says yes.
pub fn control_stance(status: ControlStatus) -> Verdict {
    match status {
        ControlStatus::Implemented => Verdict::Yes,
        ControlStatus::InProgress => Verdict::Partial,
        ControlStatus::Planned => Verdict::No,
        ControlStatus::NotApplicable => Verdict::NotApplicable,
    }
}

/// The answer an item gives to a question near its topic: a "yes" whose own
/// words limit it ("not yet for…", "however…") is partial there. That holds
/// for a knowledge entry's "yes" too: the caveat that the org accepted for its
/// own question need not hold for a neighbouring one (and on the tuning set,
/// taking such entries at their word answered fewer questions with more
/// false yeses).
fn implied(stance: Verdict, text: &str) -> Verdict {
    match stance {
        Verdict::Yes if hedges(text) => Verdict::Partial,
        other => other,
    }
}

fn posture_stance(status: Option<PostureStatus>) -> Option<Verdict> {
    Some(match status? {
        PostureStatus::Certified | PostureStatus::Compliant => Verdict::Yes,
        PostureStatus::InProgress | PostureStatus::DesignedAgainst => Verdict::Partial,
        PostureStatus::Roadmap | PostureStatus::NotPursued => Verdict::No,
        PostureStatus::OutOfScope => Verdict::NotApplicable,
    })
}

/// A free-text answer that starts with its verdict ("Yes, …", "No. …").
fn leading_verdict(answer: &str) -> Option<Verdict> {
    let first = answer
        .split(|c: char| !c.is_alphanumeric() && c != '/')
        .next()?;
    match Verdict::parse(first)? {
        Verdict::Partial => None,
        v => Some(v),
    }
}

fn public(cite: String, title: &str, text: String, stance: Option<Verdict>) -> Passage {
    Passage {
        cite,
        title: title.to_owned(),
        text,
        stance,
        visibility: Visibility::Public,
    }
}

fn joined<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(". ")
}

/// Every item of the content that can answer a question, its knowledge base
/// first. Statements of fact (subprocessors, commitments, promises) carry no
/// stance of their own.
pub fn content_passages(content: &TrustCenter) -> Vec<Passage> {
    let mut out = knowledge_passages(&content.knowledge);
    out.extend(profile_passages(&content.profile));
    for (i, c) in content.controls.iter().enumerate() {
        let mappings: Vec<String> = c.mappings.iter().map(|m| m.to_string()).collect();
        let text = joined([c.description.as_str(), &mappings.join(" ")]);
        let stance = Some(implied(control_stance(c.status), c.description.as_str()));
        out.push(public(
            format!("controls[{i}]"),
            c.title.as_str(),
            text,
            stance,
        ));
    }
    for (i, p) in content.posture.iter().enumerate() {
        let text = p.detail.as_ref().map_or("", |d| d.as_str()).to_owned();
        let stance = posture_stance(p.status).map(|v| implied(v, &text));
        out.push(public(
            format!("posture[{i}]"),
            p.standard.as_str(),
            text,
            stance,
        ));
    }
    if let Ok(serde_json::Value::Object(sections)) = serde_json::to_value(&content.commitments) {
        for (name, value) in sections {
            let text = flatten(&value);
            let title = name.replace('_', " ");
            out.push(public(format!("commitments.{name}"), &title, text, None));
        }
    }
    for (i, s) in content.subprocessors.iter().enumerate() {
        let locations: Vec<&str> = s.locations.iter().map(|l| l.as_str()).collect();
        let text = joined([
            s.purpose.as_ref().map_or("", |p| p.as_str()),
            s.detail.as_ref().map_or("", |d| d.as_str()),
            &locations.join(", "),
        ]);
        out.push(public(
            format!("subprocessors[{i}]"),
            s.name.as_str(),
            text,
            None,
        ));
    }
    for (i, p) in content.promises.iter().enumerate() {
        let text = p.body.as_str().to_owned();
        out.push(public(
            format!("promises[{i}]"),
            p.title.as_str(),
            text,
            None,
        ));
    }
    for (i, c) in content.changelog.iter().enumerate() {
        let text = c.detail.as_ref().map_or("", |d| d.as_str()).to_owned();
        let stance = Some(implied(Verdict::Yes, &text));
        out.push(public(
            format!("changelog[{i}]"),
            c.title.as_str(),
            text,
            stance,
        ));
    }
    for (i, r) in content.roadmap.iter().enumerate() {
        let text = r.detail.as_ref().map_or("", |d| d.as_str()).to_owned();
        let stance = Some(Verdict::No);
        out.push(public(
            format!("roadmap[{i}]"),
            r.title.as_str(),
            text,
            stance,
        ));
    }
    for (i, f) in content.faq.iter().enumerate() {
        let text = f.answer.as_str().to_owned();
        let stance = leading_verdict(f.answer.as_str());
        out.push(public(
            format!("faq[{i}]"),
            f.question.as_str(),
            text,
            stance,
        ));
    }
    out
}

/// The org's own particulars, which questionnaires open with ("Company
/// name", "Primary contact for security inquiries", "Where is data hosted?").
/// Each is named by the label such a form gives it; none says yes or no.
fn profile_passages(profile: &Profile) -> Vec<Passage> {
    let mut out = Vec::new();
    let mut fact = |field: &str, label: &str, text: String| {
        if !text.is_empty() {
            out.push(public(format!("profile.{field}"), label, text, None));
        }
    };
    fact(
        "name",
        "Company name",
        joined([
            profile.name.as_str(),
            profile.tagline.as_ref().map_or("", |t| t.as_str()),
        ]),
    );
    fact(
        "overview",
        "Description of the service",
        profile
            .overview
            .as_ref()
            .map_or("", |t| t.as_str())
            .to_owned(),
    );
    fact(
        "website",
        "Company website",
        profile
            .website
            .as_ref()
            .map_or("", |w| w.as_str())
            .to_owned(),
    );
    fact(
        "security_contact",
        "Contact for security inquiries and vulnerability reports",
        profile
            .security_contact
            .as_ref()
            .map_or("", |e| e.as_str())
            .to_owned(),
    );
    let regions: Vec<&str> = profile.regions.iter().map(|r| r.as_str()).collect();
    fact(
        "regions",
        "Hosting regions and data residency",
        joined([
            regions.join(", ").as_str(),
            profile.data_residency.as_ref().map_or("", |t| t.as_str()),
        ]),
    );
    out
}

/// A commitment section's values as words (keys too: "rto hours 4").
fn flatten(value: &serde_json::Value) -> String {
    let mut out = Vec::new();
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    out.push(k.replace('_', " "));
                    walk(v, out);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Number(n) => out.push(n.to_string()),
            serde_json::Value::Bool(b) => out.push(if *b { "yes" } else { "no" }.into()),
            serde_json::Value::Null => {}
        }
    }
    walk(value, &mut out);
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_implemented_controls_say_yes() {
        for status in [
            ControlStatus::InProgress,
            ControlStatus::Planned,
            ControlStatus::NotApplicable,
        ] {
            assert_ne!(control_stance(status), Verdict::Yes);
        }
        assert_eq!(control_stance(ControlStatus::Implemented), Verdict::Yes);
    }

    #[test]
    fn a_faq_answer_gives_its_leading_verdict() {
        assert_eq!(leading_verdict("Yes, with SAML."), Some(Verdict::Yes));
        assert_eq!(leading_verdict("No. We never do."), Some(Verdict::No));
        assert_eq!(leading_verdict("In the region you chose."), None);
    }
}

#[cfg(test)]
mod demo {
    use crate::{Answerer, Audience, Question, Tuning, Verdict, content_passages};

    #[test]
    fn the_demo_content_answers_with_citations_and_never_yes_from_the_roadmap() {
        let content = candor_domain::TrustCenter::from_yaml(candor_demo::QUILLFEATHER).unwrap();
        let passages = content_passages(&content);
        let a = Answerer::new(
            passages.clone(),
            Tuning {
                yes_sources: 1,
                ..Tuning::default()
            },
        );
        let ask = |text: &str| {
            a.answer(
                &Question {
                    id: "q".into(),
                    section: String::new(),
                    text: text.into(),
                    sheet: None,
                    row: None,
                },
                Audience::Public,
            )
        };
        let d = ask("Is all traffic encrypted in transit with TLS 1.2 or newer?");
        assert_eq!(d.verdict, Some(Verdict::Yes), "{d:?}");
        assert!(d.citations[0].cite.starts_with("controls["), "{d:?}");
        // A form's opening requests are answered from the profile.
        let d = ask("Company name.");
        assert_eq!(d.verdict, Some(Verdict::Yes), "{d:?}");
        assert_eq!(d.citations[0].cite, "profile.name", "{d:?}");
        assert!(d.explanation.starts_with(content.profile.name.as_str()));
        let d = ask("Primary contact for security inquiries.");
        assert_eq!(d.citations[0].cite, "profile.security_contact", "{d:?}");
        // Whatever is cited for a yes says yes itself.
        for item in &content.roadmap {
            let d = ask(item.title.as_str());
            assert_ne!(d.verdict, Some(Verdict::Yes), "{d:?}");
        }
    }
}

/// The public entries that best match `query`, best first (at most `limit`):
/// the trust page's search, ranked as answers are.
pub fn search<'a>(
    entries: &'a [KnowledgeEntry],
    query: &str,
    limit: usize,
) -> Vec<&'a KnowledgeEntry> {
    let public: Vec<&KnowledgeEntry> = entries
        .iter()
        .filter(|e| e.visibility == Visibility::Public)
        .collect();
    let documents: Vec<Vec<String>> = public
        .iter()
        .map(|e| {
            let mut t = crate::text::terms(e.question.as_str());
            t.extend(crate::text::terms(e.question.as_str()));
            t.extend(crate::text::terms(
                e.explanation.as_ref().map_or("", |x| x.as_str()),
            ));
            t
        })
        .collect();
    let index = crate::rank::Bm25::new(&documents);
    index
        .top(&crate::text::terms(query), limit)
        .into_iter()
        .filter_map(|(i, _)| public.get(i).copied())
        .collect()
}
