//! Who publishes the page: the profile, the NDA readers accept, promises, the FAQ
//! and the witnesses that cosign its log.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::types::{
    BrandCss, Colour, Day, Email, HttpsUrl, Key, Locale, PngLogo, SvgLogo, Text, TimeZoneName,
    WitnessKey, WitnessUrl,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tagline: Option<Text>,
    /// One or two paragraphs that open the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overview: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<HttpsUrl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_contact: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub general_contact: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_url: Option<HttpsUrl>,
    /// Regions customers can choose for their data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_residency: Option<Text>,
    /// The click-through NDA readers accept before downloading an `nda` document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nda: Option<NdaTerms>,
    /// How to get questions answered that the page does not (questionnaires, a DPA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questions: Option<Text>,
    /// Leave out the computed coverage percentages (the counts stay).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hide_coverage_percentages: bool,
    /// The company's own look: accent colour and logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding: Option<Branding>,
    /// The page's languages, the default first (`en`, `de`, `fr`). Any text
    /// may then be a map of locale → text; the default is required in each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locales: Vec<Locale>,
    /// The company's time zone (IANA, e.g. `Europe/Berlin`): the admin pages
    /// give times in it. Default UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<TimeZoneName>,
}

/// The company's look on its page. Colours must keep text readable (WCAG AA,
/// 4.5:1) on the page's backgrounds; the logo is drawing only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// Links, buttons and highlights in light mode, `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent: Option<Colour>,
    /// The same in dark mode (default: `accent`, if it is readable there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent_dark: Option<Colour>,
    /// The logo as inline SVG (served as `/{org}/logo.svg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_svg: Option<SvgLogo>,
    /// The logo as a PNG file in base64 (served as `/{org}/logo.png`); one
    /// logo, SVG or PNG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_png: Option<PngLogo>,
    /// What the logo shows, for readers who cannot see it (required with a logo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_alt: Option<Text>,
    /// Custom CSS (shapes and type only), added to `/{org}/brand.css`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub css: Option<BrandCss>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NdaTerms {
    /// Recorded with every acceptance, so a change of terms is a new version.
    pub version: Text,
    pub terms: Text,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Promise {
    pub title: Text,
    pub body: Text,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqEntry {
    pub question: Text,
    pub answer: Text,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Key>,
}

/// A witness the org submits its log's checkpoints to (C2SP tlog-witness): it
/// cosigns each checkpoint only if it extends every one it cosigned before, so
/// readers who require its cosignature cannot be shown a fork or an old
/// checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Witness {
    /// Who runs it, for readers.
    pub name: Text,
    /// Its submission prefix (`add-checkpoint` is under it).
    pub url: WitnessUrl,
    /// Its cosignature verifier key, which readers give to `candor watch --witness`.
    pub key: WitnessKey,
}
