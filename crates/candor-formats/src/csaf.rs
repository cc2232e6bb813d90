//! CSAF 2.0: each changelog entry marked as an advisory becomes a CSAF
//! security advisory, published in a directory-based distribution (CSAF 2.0
//! §7.1.11–7.1.14): `{year}/{id}.json` under the org's TLP:WHITE directory,
//! listed in `index.txt` and `changes.csv`, with `.sha256`, `.sha512` and an
//! OpenPGP `.asc` beside each (the web layer signs), and announced by the
//! org's `provider-metadata.json`.
//!
//! A product with versions is a version range (known affected) and a fixed
//! version; a service without versions is one product, fixed by the vendor.
//! The CVSS base score is computed from the vector, never typed.

use candor_domain::Revision;
use candor_domain::model::{Advisory, ChangelogEntry};
use serde_json::{Value, json};
use time::Date;
use time::format_description::well_known::Rfc3339;

/// Where an org's advisories are served: `{base}/.well-known/csaf/` (the
/// org's own host, or `/{org}/` on the server's).
#[derive(Clone, Debug)]
pub struct Distribution {
    /// `https://host/.well-known/csaf/` or `https://host/{org}/.well-known/csaf/`,
    /// ending in `/`.
    pub csaf_root: String,
    /// The trust page, for the advisory's references.
    pub page: String,
    /// The OpenPGP key the `.asc` files are made with, and its fingerprint.
    pub key_url: String,
    pub key_fingerprint: String,
}

impl Distribution {
    /// The TLP:WHITE directory.
    pub fn directory(&self) -> String {
        format!("{}white/", self.csaf_root)
    }

    pub fn provider_metadata(&self) -> String {
        format!("{}provider-metadata.json", self.csaf_root)
    }

    /// An advisory's address.
    pub fn url(&self, advisory: &Published<'_>) -> String {
        format!("{}{}", self.directory(), advisory.path())
    }
}

/// An advisory as a revision publishes it.
#[derive(Clone, Copy, Debug)]
pub struct Published<'a> {
    pub entry: &'a ChangelogEntry,
    pub advisory: &'a Advisory,
    pub released: Date,
}

impl Published<'_> {
    /// CSAF's file name: the tracking id in lower case, each other character `_`.
    pub fn file_name(&self) -> String {
        let id: String = self
            .advisory
            .id
            .as_str()
            .chars()
            .map(|c| match c.to_ascii_lowercase() {
                c @ ('a'..='z' | '0'..='9' | '+' | '-') => c,
                _ => '_',
            })
            .collect();
        format!("{id}.json")
    }

    /// `{year of first release}/{file name}`.
    pub fn path(&self) -> String {
        format!("{}/{}", self.released.year(), self.file_name())
    }

    fn last_change(&self) -> Date {
        self.advisory
            .updated
            .map_or(self.released, |d| d.0.max(self.released))
    }

    /// When it last changed, as CSAF writes times.
    pub fn current_release(&self) -> String {
        timestamp(self.last_change())
    }
}

fn timestamp(day: Date) -> String {
    day.midnight()
        .assume_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Every advisory of the revision, newest release first.
pub fn advisories(revision: &Revision) -> Vec<Published<'_>> {
    let mut out: Vec<Published<'_>> = revision
        .content
        .changelog
        .iter()
        .filter_map(|entry| {
            Some(Published {
                entry,
                advisory: entry.advisory.as_ref()?,
                released: entry.date?.0,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.last_change()
            .cmp(&a.last_change())
            .then_with(|| a.advisory.id.cmp(&b.advisory.id))
    });
    out
}

/// A name as CPE 2.3 writes a vendor or product: lower case, words joined by `_`.
fn cpe_part(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_owned();
    if out.is_empty() {
        "unnamed".into()
    } else {
        out
    }
}

fn cpe(vendor: &str, product: &str, version: &str) -> String {
    format!(
        "cpe:2.3:a:{}:{}:{version}:*:*:*:*:*:*:*",
        cpe_part(vendor),
        cpe_part(product)
    )
}

/// The CSAF 2.0 security advisory.
pub fn document(revision: &Revision, published: &Published<'_>, at: &Distribution) -> Value {
    let tc = &revision.content;
    let vendor = tc.profile.name.as_str();
    let a = published.advisory;
    let product = a.product.as_str();
    let title = published.entry.title.as_str();
    let summary = published
        .entry
        .detail
        .as_ref()
        .map_or_else(|| title.to_owned(), |d| d.as_str().to_owned());
    // The product tree: a range and a fix, or one product (a service).
    let affected_id = "CSAFPID-0001";
    let fixed_id = "CSAFPID-0002";
    let fixed_branch = |fixed: &str| {
        json!({
            "category": "product_version",
            "name": fixed,
            "product": {
                "product_id": fixed_id,
                "name": format!("{vendor} {product} {fixed}"),
                "product_identification_helper": {"cpe": cpe(vendor, product, fixed)},
            },
        })
    };
    let (branches, status): (Vec<Value>, Value) = match (&a.affected, &a.fixed) {
        (Some(range), fixed) => {
            let mut branches = vec![json!({
                "category": "product_version_range",
                "name": format!("vers:generic/{range}"),
                "product": {
                    "product_id": affected_id,
                    "name": format!("{vendor} {product} {range}"),
                    "product_identification_helper": {"cpe": cpe(vendor, product, "*")},
                },
            })];
            let mut status = json!({"known_affected": [affected_id]});
            if let Some(fixed) = fixed {
                branches.push(fixed_branch(fixed.as_str()));
                status["fixed"] = json!([fixed_id]);
            }
            (branches, status)
        }
        (None, Some(fixed)) => (
            vec![fixed_branch(fixed.as_str())],
            json!({"fixed": [fixed_id]}),
        ),
        (None, None) => (Vec::new(), json!({"fixed": [affected_id]})),
    };
    let product_branch = if branches.is_empty() {
        json!({
            "category": "product_name",
            "name": product,
            "product": {
                "product_id": affected_id,
                "name": format!("{vendor} {product}"),
                "product_identification_helper": {"cpe": cpe(vendor, product, "*")},
            },
        })
    } else {
        json!({"category": "product_name", "name": product, "branches": branches})
    };
    // Remediations and scores name the products they apply to: the affected
    // range when there is one, else the fixed product.
    let concerned = if a.affected.is_some() {
        affected_id
    } else if a.fixed.is_some() {
        fixed_id
    } else {
        affected_id
    };
    let mut vulnerability = json!({
        "title": title,
        "notes": [{"category": "description", "title": "What was wrong", "text": summary}],
        "product_status": status,
        "remediations": [{
            "category": "vendor_fix",
            "details": a.remediation.as_str(),
            "date": timestamp(published.released),
            "product_ids": [concerned],
        }],
    });
    if let Some(cve) = &a.cve {
        vulnerability["cve"] = json!(cve.as_str());
    } else {
        vulnerability["ids"] =
            json!([{"system_name": format!("{vendor} advisories"), "text": a.id.as_str()}]);
    }
    let (score, severity) = a.cvss.base_score();
    if a.affected.is_some() {
        vulnerability["scores"] = json!([{
            "products": [affected_id],
            "cvss_v3": {
                "version": a.cvss.version(),
                "vectorString": a.cvss.as_str(),
                "baseScore": score,
                "baseSeverity": severity,
            },
        }]);
    } else {
        // Nothing is affected any more, and CSAF scores a fixed product's
        // environment as unaffected: the severity it had is told as its impact.
        vulnerability["threats"] = json!([{
            "category": "impact",
            "details": format!(
                "Before the fix: CVSS v{} base score {score:.1} ({severity}), {}",
                a.cvss.version(),
                a.cvss.as_str()
            ),
            "product_ids": [concerned],
        }]);
    }
    let released = timestamp(published.released);
    let mut history = vec![json!({"date": released, "number": "1", "summary": "Initial version."})];
    let mut version = "1";
    if let Some(updated) = a.updated.filter(|u| u.0 > published.released) {
        history.push(json!({"date": timestamp(updated.0), "number": "2", "summary": "Updated."}));
        version = "2";
    }
    let namespace = tc
        .profile
        .website
        .as_ref()
        .map_or_else(|| at.page.clone(), |w| w.to_string());
    let mut publisher = json!({"category": "vendor", "name": vendor, "namespace": namespace});
    if let Some(contact) = &tc.profile.security_contact {
        publisher["contact_details"] = json!(format!("mailto:{contact}"));
    }
    json!({
        "document": {
            "category": "csaf_security_advisory",
            "csaf_version": "2.0",
            "distribution": {"tlp": {"label": "WHITE"}},
            "lang": "en",
            "notes": [{"category": "summary", "title": "Summary", "text": summary}],
            "publisher": publisher,
            "references": [
                {"category": "self", "summary": "This advisory", "url": at.url(published)},
                {"category": "external", "summary": "The changelog of the trust center", "url": format!("{}#changelog", at.page)},
            ],
            "title": title,
            "tracking": {
                "current_release_date": published.current_release(),
                "generator": {
                    "engine": {"name": "Candor", "version": env!("CARGO_PKG_VERSION")},
                },
                "id": a.id.as_str(),
                "initial_release_date": released,
                "revision_history": history,
                "status": "final",
                "version": version,
            },
        },
        "product_tree": {
            "branches": [{"category": "vendor", "name": vendor, "branches": [product_branch]}],
        },
        "vulnerabilities": [vulnerability],
    })
}

/// `index.txt`: every advisory's path, one a line.
pub fn index_txt(revision: &Revision) -> String {
    advisories(revision)
        .iter()
        .map(|a| format!("{}\n", a.path()))
        .collect()
}

/// `changes.csv`: path and last change, newest first.
pub fn changes_csv(revision: &Revision) -> String {
    advisories(revision)
        .iter()
        .map(|a| format!("\"{}\",\"{}\"\n", a.path(), a.current_release()))
        .collect()
}

/// `provider-metadata.json`: who publishes, where, and with which key.
pub fn provider_metadata(revision: &Revision, at: &Distribution) -> Value {
    let tc = &revision.content;
    let vendor = tc.profile.name.as_str();
    let namespace = tc
        .profile
        .website
        .as_ref()
        .map_or_else(|| at.page.clone(), |w| w.to_string());
    let last = advisories(revision)
        .first()
        .map(|a| a.current_release())
        .unwrap_or_else(|| revision.published_at.format(&Rfc3339).unwrap_or_default());
    json!({
        "canonical_url": at.provider_metadata(),
        "distributions": [{"directory_url": at.directory()}],
        "last_updated": last,
        "list_on_CSAF_aggregators": true,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": true,
        "public_openpgp_keys": [{"fingerprint": at.key_fingerprint, "url": at.key_url}],
        "publisher": {"category": "vendor", "name": vendor, "namespace": namespace},
        "role": "csaf_provider",
    })
}
