//! The framework catalogue: requirement ids and short titles, shipped as data files
//! (`catalogue/*.tsv`) so that adding a requirement is a data change, not a code change.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// A compliance framework Candor knows the requirements of.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum FrameworkId {
    Soc2,
    Gdpr,
    Iso27001,
    Hipaa,
    Pcidss,
}

impl FrameworkId {
    pub const ALL: [FrameworkId; 5] = [
        FrameworkId::Soc2,
        FrameworkId::Gdpr,
        FrameworkId::Iso27001,
        FrameworkId::Hipaa,
        FrameworkId::Pcidss,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FrameworkId::Soc2 => "soc2",
            FrameworkId::Gdpr => "gdpr",
            FrameworkId::Iso27001 => "iso27001",
            FrameworkId::Hipaa => "hipaa",
            FrameworkId::Pcidss => "pcidss",
        }
    }

    /// Short name for tables and badges.
    pub fn label(self) -> &'static str {
        match self {
            FrameworkId::Soc2 => "SOC 2",
            FrameworkId::Gdpr => "GDPR",
            FrameworkId::Iso27001 => "ISO 27001",
            FrameworkId::Hipaa => "HIPAA",
            FrameworkId::Pcidss => "PCI DSS",
        }
    }

    /// What one requirement of this framework is called.
    pub fn unit(self) -> &'static str {
        match self {
            FrameworkId::Soc2 => "criteria",
            FrameworkId::Gdpr => "articles with obligations",
            FrameworkId::Iso27001 => "Annex A controls",
            FrameworkId::Hipaa => "standards and specifications",
            FrameworkId::Pcidss => "requirements",
        }
    }

    fn data(self) -> &'static str {
        match self {
            FrameworkId::Soc2 => include_str!("../catalogue/soc2.tsv"),
            FrameworkId::Gdpr => include_str!("../catalogue/gdpr.tsv"),
            FrameworkId::Iso27001 => include_str!("../catalogue/iso27001.tsv"),
            FrameworkId::Hipaa => include_str!("../catalogue/hipaa.tsv"),
            FrameworkId::Pcidss => include_str!("../catalogue/pcidss.tsv"),
        }
    }
}

impl fmt::Display for FrameworkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FrameworkId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FrameworkId::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                format!("unknown framework {s:?} (known: soc2, gdpr, iso27001, hipaa, pcidss)")
            })
    }
}

/// One framework's requirements, in the order the framework lists them.
#[derive(Debug)]
pub struct Framework {
    pub id: FrameworkId,
    pub name: String,
    pub requirements: Vec<CatalogueRequirement>,
    index: BTreeMap<String, usize>,
}

#[derive(Debug, Clone)]
pub struct CatalogueRequirement {
    pub id: String,
    pub title: String,
    /// False for provisions that oblige nobody a trust center speaks for (scope,
    /// definitions, duties of authorities): they can be mapped but do not count
    /// towards coverage.
    pub counted: bool,
}

impl Framework {
    pub fn get(&self, requirement: &str) -> Option<&CatalogueRequirement> {
        self.index.get(requirement).map(|&i| &self.requirements[i])
    }

    /// How many requirements count towards coverage.
    pub fn counted(&self) -> usize {
        self.requirements.iter().filter(|r| r.counted).count()
    }

    /// Data format: `id<TAB>title[<TAB>informative]`, and `#key<TAB>value` header lines.
    fn parse(id: FrameworkId) -> Framework {
        let mut name = String::new();
        let mut requirements = Vec::new();
        for line in id.data().lines().filter(|l| !l.trim().is_empty()) {
            let mut fields = line.split('\t');
            let key = fields.next().unwrap_or_default();
            let value = fields.next().unwrap_or_default();
            match key {
                "#name" => name = value.to_owned(),
                k if k.starts_with('#') => {}
                _ => requirements.push(CatalogueRequirement {
                    id: key.to_owned(),
                    title: value.to_owned(),
                    counted: fields.next() != Some("informative"),
                }),
            }
        }
        let index = requirements
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        Framework {
            id,
            name,
            requirements,
            index,
        }
    }
}

static CATALOGUE: LazyLock<Vec<Framework>> =
    LazyLock::new(|| FrameworkId::ALL.into_iter().map(Framework::parse).collect());

/// The shipped catalogue, one entry per framework in [`FrameworkId::ALL`] order.
pub fn frameworks() -> &'static [Framework] {
    &CATALOGUE
}

pub fn framework(id: FrameworkId) -> &'static Framework {
    // ALL and CATALOGUE share one order, so the position is the index.
    &CATALOGUE[FrameworkId::ALL.iter().position(|f| *f == id).unwrap_or(0)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framework_loads_with_unique_ids_and_titles() {
        for fw in frameworks() {
            assert!(!fw.name.is_empty(), "{} has no name", fw.id);
            assert!(fw.requirements.len() >= 40, "{} looks truncated", fw.id);
            assert_eq!(
                fw.index.len(),
                fw.requirements.len(),
                "{} has duplicate ids",
                fw.id
            );
            for r in &fw.requirements {
                assert!(!r.title.is_empty(), "{}:{} has no title", fw.id, r.id);
                assert!(!r.id.contains(char::is_whitespace));
            }
        }
    }

    #[test]
    fn known_sizes_match_the_published_frameworks() {
        assert_eq!(framework(FrameworkId::Iso27001).requirements.len(), 93);
        assert_eq!(framework(FrameworkId::Gdpr).requirements.len(), 99);
        assert_eq!(framework(FrameworkId::Soc2).requirements.len(), 61);
        assert!(framework(FrameworkId::Soc2).get("CC6.1").is_some());
        assert!(framework(FrameworkId::Soc2).get("CC99.1").is_none());
        // GDPR counts only the articles that oblige controllers or processors.
        assert_eq!(framework(FrameworkId::Gdpr).counted(), 40);
        assert!(!framework(FrameworkId::Gdpr).get("art4").unwrap().counted);
        assert!(framework(FrameworkId::Gdpr).get("art32").unwrap().counted);
        assert_eq!(framework(FrameworkId::Soc2).counted(), 61);
    }
}
