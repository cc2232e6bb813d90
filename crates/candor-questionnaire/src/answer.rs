//! Choosing an answer: the passages that match the question best vote with
//! their stance, weighted by how well they match; a weak match, or close
//! matches that disagree about a "yes", leaves the question for review.

use crate::model::{Citation, Draft, Passage, Question, Verdict, Visibility};
use crate::rank::Bm25;
use crate::text::{asks_yes_or_no, terms};

/// The answerer's thresholds. The defaults were tuned on CAIQ v4 alone, each
/// question answered from the other 260 (`scripts/bench-questionnaire.sh` says
/// so and prints the figures); the files it is evaluated on were not used.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tuning {
    /// The best match must reach this BM25 score, as a share of the question's weight.
    pub min_relevance: f64,
    /// The best match must hold this share of the question's weight (its
    /// terms' idf): a question whose rare words appear nowhere is not answered.
    pub min_coverage: f64,
    /// A single source that holds this share of the question's weight may
    /// answer yes alone (a near restatement of the question).
    pub strong_coverage: f64,
    /// A single source this relevant (its BM25 score as a share of the
    /// question's ideal score) may answer yes alone.
    pub strong_relevance: f64,
    /// Passages within this share of the best match's score vote.
    pub close: f64,
    /// An answer needs this confidence (relevance × its share of the vote).
    pub min_confidence: f64,
    /// The chosen answer's share of the close sources' vote (a "yes" needs all of it).
    pub min_agreement: f64,
    /// How many close sources must say yes for a "yes".
    pub yes_sources: usize,
    /// A "yes" needs this share of the close sources' vote (1: no close
    /// source may say otherwise).
    pub yes_agreement: f64,
    /// A "yes" needs one of its sources to hold this share of the question's
    /// weight: several sources on the question's topic that each miss what it
    /// specifically asks ("tested", "two engineers") do not make a yes.
    pub yes_coverage: f64,
    /// An answer other than yes (no, partial, n/a) needs one of its sources
    /// to hold this share of the question's weight: a neighbouring entry's
    /// "no" or "not applicable" answered its own question, not this one.
    pub dissent_coverage: f64,
    /// How far a sentence encoder's cosine may stand in for the lexical
    /// relevance and coverage (0: lexical only; 1: a source whose meaning is
    /// as close as its words would need to be counts as much). Only used
    /// when the answerer has vectors ([`Answerer::with_vectors`]).
    pub dense_weight: f64,
    /// Candidates considered per question.
    pub depth: usize,
}

impl Default for Tuning {
    /// What the benchmark's grid chose on CAIQ v4 (leave one out), above the
    /// relevance and coverage floors the grid is given.
    fn default() -> Tuning {
        Tuning {
            min_relevance: 0.2,
            min_coverage: 0.3,
            strong_coverage: 0.6,
            strong_relevance: 2.0,
            close: 0.9,
            min_confidence: 0.2,
            min_agreement: 0.5,
            yes_sources: 2,
            yes_agreement: 0.67,
            yes_coverage: 0.5,
            dissent_coverage: 0.0,
            dense_weight: 0.0,
            depth: 8,
        }
    }
}

impl Tuning {
    /// What the benchmark's grid chose on CAIQ v4 (leave one out) with a
    /// sentence encoder (all-MiniLM-L6-v2) loaded: its cosine stands in for
    /// relevance and coverage, and a yes then needs three close sources.
    pub fn with_encoder() -> Tuning {
        Tuning {
            close: 0.8,
            yes_sources: 3,
            dense_weight: 1.0,
            ..Tuning::default()
        }
    }
}

/// What an answer may cite: customers never see internal entries unless the
/// org says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Public items only (an anonymous reader).
    Public,
    /// Public and gated items (a customer who accepted the NDA).
    Customer,
    /// Everything, for the org's own review.
    Internal,
}

impl Audience {
    /// Reads `public`, `customer` or `internal`.
    pub fn parse(text: &str) -> Option<Audience> {
        match text {
            "public" => Some(Audience::Public),
            "customer" => Some(Audience::Customer),
            "internal" => Some(Audience::Internal),
            _ => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Audience::Public => "anyone (public entries only)",
            Audience::Customer => "a customer under NDA (public and gated entries)",
            Audience::Internal => "our own review (internal entries too)",
        }
    }

    fn may_see(self, visibility: Visibility) -> bool {
        match self {
            Audience::Public => visibility == Visibility::Public,
            Audience::Customer => visibility != Visibility::Internal,
            Audience::Internal => true,
        }
    }
}

pub struct Answerer {
    passages: Vec<Passage>,
    index: Bm25,
    tuning: Tuning,
    /// One unit vector per passage, from a sentence encoder, if one is loaded.
    vectors: Option<Vec<Vec<f32>>>,
}

impl Answerer {
    pub fn new(passages: Vec<Passage>, tuning: Tuning) -> Answerer {
        let documents: Vec<Vec<String>> = passages
            .iter()
            .map(|p| {
                // The title is what a question is most like: it counts twice.
                let mut t = terms(&p.title);
                t.extend(terms(&p.title));
                t.extend(terms(&p.text));
                t
            })
            .collect();
        Answerer {
            index: Bm25::new(&documents),
            passages,
            tuning,
            vectors: None,
        }
    }

    /// The passages' vectors (in the passages' order), so that a question's
    /// vector can find sources that say the same in other words.
    pub fn with_vectors(mut self, vectors: Vec<Vec<f32>>) -> Answerer {
        if vectors.len() == self.passages.len() {
            self.vectors = Some(vectors);
        }
        self
    }

    pub fn passages(&self) -> &[Passage] {
        &self.passages
    }

    pub fn answer(&self, question: &Question, audience: Audience) -> Draft {
        self.answer_without(question, audience, None)
    }

    /// The same, as if the passage cited `excluded` did not exist (to answer a
    /// knowledge base's own questions from the rest of it).
    pub fn answer_without(
        &self,
        question: &Question,
        audience: Audience,
        excluded: Option<&str>,
    ) -> Draft {
        self.answer_with(question, None, audience, excluded)
    }

    /// The same, with the question's vector from the encoder that made the
    /// passages' vectors.
    pub fn answer_with(
        &self,
        question: &Question,
        vector: Option<&[f32]>,
        audience: Audience,
        excluded: Option<&str>,
    ) -> Draft {
        let query = terms(&question.text);
        // A request for a fact ("Company name.", "Which cloud providers…?")
        // is answered by a statement of that fact: a source with no yes or no
        // of its own counts as "yes, here it is".
        let asks_for_fact = !asks_yes_or_no(&question.text);
        let stance = |p: &Passage| p.stance.or(asks_for_fact.then_some(Verdict::Yes));
        let ideal = self.index.ideal(&query);
        let review = |explanation: &str, citations: Vec<Citation>| Draft {
            question_id: question.id.clone(),
            verdict: None,
            explanation: explanation.to_owned(),
            confidence: 0.0,
            citations,
        };
        if ideal <= 0.0 {
            return review("no words of this question appear in the sources", vec![]);
        }
        let weight = self.tuning.dense_weight;
        let cosines: Option<Vec<f64>> = match (vector, &self.vectors) {
            (Some(q), Some(vectors)) if weight > 0.0 => Some(
                vectors
                    .iter()
                    .map(|v| f64::from(crate::dense::cosine(q, v)))
                    .collect(),
            ),
            _ => None,
        };
        let mut indices: Vec<usize> = self
            .index
            .top(&query, self.tuning.depth + 1)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        if let Some(cosines) = &cosines {
            let mut by_meaning: Vec<usize> = (0..cosines.len()).collect();
            by_meaning.sort_by(|a, b| cosines[*b].total_cmp(&cosines[*a]));
            indices.extend(by_meaning.into_iter().take(self.tuning.depth + 1));
            indices.sort_unstable();
            indices.dedup();
        }
        let mut scored: Vec<(usize, f64, f64)> = indices
            .into_iter()
            .map(|i| {
                let mut relevance = self.index.score(&query, i) / ideal;
                let mut coverage = self.index.coverage(&query, i);
                if let Some(c) = cosines.as_ref().and_then(|c| c.get(i)) {
                    relevance = relevance.max(weight * c);
                    coverage = coverage.max(weight * c);
                }
                (i, relevance, coverage)
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut candidates: Vec<(&Passage, f64, f64)> = scored
            .into_iter()
            .filter_map(|(i, r, c)| Some((self.passages.get(i)?, r, c)))
            .filter(|(p, _, _)| audience.may_see(p.visibility) && Some(p.cite.as_str()) != excluded)
            .collect();
        candidates.truncate(self.tuning.depth);
        let cite = |p: &Passage, relevance: f64| Citation {
            cite: p.cite.clone(),
            title: p.title.clone(),
            relevance: (relevance * 100.0).round() / 100.0,
        };
        let Some(&(_, best, best_coverage)) = candidates.first() else {
            return review("nothing the org has said matches this question", vec![]);
        };
        let close: Vec<(&Passage, f64)> = candidates
            .iter()
            .filter(|(_, r, _)| *r >= best * self.tuning.close)
            .map(|(p, r, _)| (*p, *r))
            .collect();
        let lexical_coverage = |cite: &str| {
            self.passages
                .iter()
                .position(|p| p.cite == cite)
                .map_or(0.0, |i| self.index.coverage(&query, i))
        };
        let coverage_of = |cite: &str| {
            candidates
                .iter()
                .find(|(p, _, _)| p.cite == cite)
                .map_or(0.0, |(_, _, c)| *c)
        };
        let all_close = || close.iter().map(|(p, r)| cite(p, *r)).collect::<Vec<_>>();
        if best < self.tuning.min_relevance || best_coverage < self.tuning.min_coverage {
            return review(
                "the closest sources match this question only weakly",
                all_close(),
            );
        }
        let mut votes = [0.0f64; 4];
        for (p, r) in &close {
            if let Some(stance) = stance(p) {
                votes[slot(stance)] += r;
            }
        }
        let total: f64 = votes.iter().sum();
        if total <= 0.0 {
            return review(
                "the closest sources state facts but give no answer",
                all_close(),
            );
        }
        let Some(verdict) = Verdict::ALL
            .into_iter()
            .max_by(|a, b| votes[slot(*a)].total_cmp(&votes[slot(*b)]))
        else {
            return review("no answer", all_close());
        };
        // A "yes" must not merely outvote close sources that say otherwise.
        if verdict == Verdict::Yes && votes[slot(Verdict::Yes)] < total * self.tuning.yes_agreement
        {
            return review(
                "close sources disagree: some say yes, some do not",
                all_close(),
            );
        }
        let agreement = votes[slot(verdict)] / total;
        if agreement < self.tuning.min_agreement {
            return review("close sources disagree", all_close());
        }
        let confidence = (best.min(1.0) * agreement * 100.0).round() / 100.0;
        let supporting: Vec<(&Passage, f64)> = close
            .iter()
            .copied()
            .filter(|(p, _)| stance(p) == Some(verdict))
            .collect();
        let Some(&(lead, _)) = supporting.first() else {
            return review("no answer", all_close());
        };
        if verdict == Verdict::Yes
            && supporting.len() < self.tuning.yes_sources
            && best_coverage < self.tuning.strong_coverage
            && best < self.tuning.strong_relevance
        {
            return review("too few sources say yes", all_close());
        }
        if verdict == Verdict::Yes
            && supporting
                .iter()
                .all(|(p, _)| coverage_of(&p.cite) < self.tuning.yes_coverage)
        {
            return review(
                "the sources that say yes miss part of what this question asks",
                all_close(),
            );
        }
        // "Not applicable" speaks to the premise of the source's own question
        // (no card data, so PCI DSS does not apply): closeness of meaning
        // alone does not carry it over; the source must share the question's
        // words as any lexical answer must.
        if verdict == Verdict::NotApplicable
            && cosines.is_some()
            && supporting
                .iter()
                .all(|(p, _)| lexical_coverage(&p.cite) < self.tuning.min_coverage)
        {
            return review(
                "only a source sharing the question's words can say it does not apply",
                all_close(),
            );
        }
        if verdict != Verdict::Yes
            && supporting
                .iter()
                .all(|(p, _)| coverage_of(&p.cite) < self.tuning.dissent_coverage)
        {
            return review(
                "the sources that say otherwise answer a different question",
                all_close(),
            );
        }
        if confidence < self.tuning.min_confidence {
            return review("not confident enough to answer", all_close());
        }
        Draft {
            question_id: question.id.clone(),
            verdict: Some(verdict),
            explanation: if lead.text.is_empty() {
                lead.title.clone()
            } else {
                lead.text.clone()
            },
            confidence,
            citations: supporting.iter().map(|(p, r)| cite(p, *r)).collect(),
        }
    }
}

fn slot(v: Verdict) -> usize {
    match v {
        Verdict::Yes => 0,
        Verdict::No => 1,
        Verdict::Partial => 2,
        Verdict::NotApplicable => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(cite: &str, title: &str, stance: Option<Verdict>, v: Visibility) -> Passage {
        Passage {
            cite: cite.into(),
            title: title.into(),
            text: String::new(),
            stance,
            visibility: v,
        }
    }

    /// One source may say yes, covering any part of the question, and no close
    /// source may disagree; a tie is no agreement.
    fn tuning() -> Tuning {
        Tuning {
            yes_sources: 1,
            min_agreement: 0.6,
            yes_coverage: 0.0,
            yes_agreement: 1.0,
            ..Tuning::default()
        }
    }

    fn question(text: &str) -> Question {
        Question {
            id: "q".into(),
            section: String::new(),
            text: text.into(),
            sheet: None,
            row: None,
        }
    }

    #[test]
    fn answers_cite_their_source_and_unknown_questions_need_review() {
        let a = Answerer::new(
            vec![
                passage(
                    "controls[0]",
                    "Encryption at rest with AES-256",
                    Some(Verdict::Yes),
                    Visibility::Public,
                ),
                passage(
                    "controls[1]",
                    "Penetration testing by a third party",
                    Some(Verdict::No),
                    Visibility::Public,
                ),
                passage(
                    "controls[2]",
                    "Single sign-on",
                    Some(Verdict::Yes),
                    Visibility::Public,
                ),
            ],
            tuning(),
        );
        let d = a.answer(&question("Is data encrypted at rest?"), Audience::Public);
        assert_eq!(d.verdict, Some(Verdict::Yes));
        assert_eq!(d.citations[0].cite, "controls[0]");
        let d = a.answer(
            &question("Do you run third-party penetration tests?"),
            Audience::Public,
        );
        assert_eq!(d.verdict, Some(Verdict::No));
        let d = a.answer(&question("Describe your canteen menu"), Audience::Public);
        assert_eq!(d.verdict, None);
        assert!(d.citations.is_empty());
    }

    #[test]
    fn internal_entries_are_not_cited_to_customers() {
        let a = Answerer::new(
            vec![passage(
                "knowledge[0]",
                "Do you encrypt backups?",
                Some(Verdict::Yes),
                Visibility::Internal,
            )],
            tuning(),
        );
        let q = question("Are backups encrypted?");
        assert_eq!(a.answer(&q, Audience::Internal).verdict, Some(Verdict::Yes));
        for audience in [Audience::Customer, Audience::Public] {
            let d = a.answer(&q, audience);
            assert_eq!(d.verdict, None);
            assert!(d.citations.iter().all(|c| c.cite != "knowledge[0]"));
        }
    }

    #[test]
    fn a_yes_contradicted_by_a_close_source_needs_review() {
        let a = Answerer::new(
            vec![
                passage(
                    "knowledge[0]",
                    "Is MFA enforced for all staff?",
                    Some(Verdict::Yes),
                    Visibility::Public,
                ),
                passage(
                    "knowledge[1]",
                    "Is MFA enforced for all customers?",
                    Some(Verdict::Partial),
                    Visibility::Public,
                ),
            ],
            tuning(),
        );
        let d = a.answer(&question("Is MFA enforced?"), Audience::Public);
        assert_eq!(d.verdict, None, "{d:?}");
        assert_eq!(d.citations.len(), 2);
    }

    #[test]
    fn a_yes_needs_as_many_sources_as_the_tuning_asks() {
        let one = vec![passage(
            "controls[0]",
            "Encryption at rest",
            Some(Verdict::Yes),
            Visibility::Public,
        )];
        let q = question("Is data encrypted at rest?");
        let strict = Answerer::new(
            one.clone(),
            Tuning {
                yes_sources: 2,
                strong_coverage: 1.1,
                strong_relevance: 2.0,
                ..tuning()
            },
        );
        assert_eq!(strict.answer(&q, Audience::Public).verdict, None);
        // A source that restates the question may answer alone.
        let restated = Answerer::new(
            one.clone(),
            Tuning {
                yes_sources: 2,
                ..tuning()
            },
        );
        let q = question("Is encryption at rest used?");
        assert_eq!(
            restated.answer(&q, Audience::Public).verdict,
            Some(Verdict::Yes)
        );
        let lenient = Answerer::new(one, tuning());
        assert_eq!(
            lenient.answer(&q, Audience::Public).verdict,
            Some(Verdict::Yes)
        );
    }

    #[test]
    fn a_yes_may_outvote_a_dissent_only_by_the_share_the_tuning_asks() {
        let sources = vec![
            passage(
                "knowledge[0]",
                "Is MFA enforced for staff?",
                Some(Verdict::Yes),
                Visibility::Public,
            ),
            passage(
                "knowledge[1]",
                "Is MFA enforced for admins?",
                Some(Verdict::Yes),
                Visibility::Public,
            ),
            passage(
                "knowledge[2]",
                "Is MFA enforced for vendors?",
                Some(Verdict::Yes),
                Visibility::Public,
            ),
            passage(
                "knowledge[3]",
                "Is MFA enforced for contractors?",
                Some(Verdict::Partial),
                Visibility::Public,
            ),
        ];
        let q = question("Is MFA enforced?");
        let unanimous = Answerer::new(sources.clone(), tuning());
        assert_eq!(unanimous.answer(&q, Audience::Public).verdict, None);
        let three_of_four = Answerer::new(
            sources,
            Tuning {
                yes_agreement: 0.67,
                ..tuning()
            },
        );
        let d = three_of_four.answer(&q, Audience::Public);
        assert_eq!(d.verdict, Some(Verdict::Yes), "{d:?}");
        // Only the sources that say yes are cited for it.
        assert!(d.citations.iter().all(|c| c.cite != "knowledge[3]"));
    }

    #[test]
    fn a_yes_needs_a_source_that_covers_what_the_question_asks() {
        let sources = vec![
            passage(
                "knowledge[0]",
                "Is there an incident response plan?",
                Some(Verdict::Yes),
                Visibility::Public,
            ),
            passage(
                "knowledge[1]",
                "Is data encrypted at rest?",
                Some(Verdict::Yes),
                Visibility::Public,
            ),
        ];
        let q = question("Is the incident response plan tested?");
        let lenient = Answerer::new(sources.clone(), tuning());
        assert_eq!(
            lenient.answer(&q, Audience::Public).verdict,
            Some(Verdict::Yes)
        );
        let strict = Answerer::new(
            sources,
            Tuning {
                yes_coverage: 0.9,
                ..tuning()
            },
        );
        let d = strict.answer(&q, Audience::Public);
        assert_eq!(d.verdict, None, "{d:?}");
        assert!(d.explanation.contains("miss part"), "{}", d.explanation);
    }

    #[test]
    fn meaning_finds_a_source_in_other_words_but_does_not_carry_a_not_applicable() {
        let sources = vec![
            passage(
                "knowledge[0]",
                "Is multi-factor authentication enforced for staff?",
                Some(Verdict::Yes),
                Visibility::Public,
            ),
            passage(
                "posture[0]",
                "PCI DSS: no cardholder data is stored",
                Some(Verdict::NotApplicable),
                Visibility::Public,
            ),
        ];
        // Unit vectors standing for what an encoder would say: the first
        // question means the MFA entry, the second is near the PCI item.
        let vectors = vec![vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]];
        let with_meaning = Tuning {
            dense_weight: 1.0,
            ..tuning()
        };
        let a = Answerer::new(sources.clone(), with_meaning).with_vectors(vectors.clone());
        let otp = question("Is a one-time code from an authenticator app required to log in?");
        let near_mfa = [0.9f32, 0.0, 0.436];
        let d = a.answer_with(&otp, Some(&near_mfa), Audience::Public, None);
        assert_eq!(d.verdict, Some(Verdict::Yes), "{d:?}");
        assert_eq!(d.citations[0].cite, "knowledge[0]");
        // Words alone do not find it.
        let lexical = Answerer::new(sources.clone(), tuning());
        assert_eq!(lexical.answer(&otp, Audience::Public).verdict, None);
        // Close in meaning to a "not applicable", with no words in common: review.
        let disks = question("Are customer files enciphered on your disks?");
        let near_pci = [0.0f32, 0.8, 0.6];
        let d = a.answer_with(&disks, Some(&near_pci), Audience::Public, None);
        assert_eq!(d.verdict, None, "{d:?}");
        // The same source sharing the question's words still says n/a.
        let pci = question("Is cardholder data stored under PCI DSS?");
        let d = a.answer_with(&pci, Some(&near_pci), Audience::Public, None);
        assert_eq!(d.verdict, Some(Verdict::NotApplicable), "{d:?}");
        // Vectors that do not match the passages are ignored, not misread.
        let short = Answerer::new(sources, with_meaning).with_vectors(vec![vec![1.0]]);
        assert_eq!(
            short
                .answer_with(&otp, Some(&near_mfa), Audience::Public, None)
                .verdict,
            None
        );
    }

    #[test]
    fn a_request_for_a_fact_is_answered_by_the_fact_and_a_yes_or_no_question_is_not() {
        let sources = vec![Passage {
            cite: "subprocessors[0]".into(),
            title: "Hetzner cloud hosting provider".into(),
            text: "Cloud infrastructure in Germany".into(),
            stance: None,
            visibility: Visibility::Public,
        }];
        let a = Answerer::new(sources, tuning());
        let d = a.answer(
            &question("Which cloud hosting provider do you use?"),
            Audience::Public,
        );
        assert_eq!(d.verdict, Some(Verdict::Yes), "{d:?}");
        assert_eq!(d.explanation, "Cloud infrastructure in Germany");
        assert_eq!(d.citations[0].cite, "subprocessors[0]");
        // Naming a provider does not say whether it is the only one.
        let d = a.answer(
            &question("Do you use a single cloud hosting provider?"),
            Audience::Public,
        );
        assert_eq!(d.verdict, None, "{d:?}");
    }
}
