//! The Markdown authors may use in their own text: paragraphs, lists, emphasis,
//! links, code, quotes. Rendered by walking pulldown-cmark's events with an
//! allow-list, so raw HTML is shown as text, links go only to https: and
//! mailto:, and nothing carries a style or script (the CSP stays strict).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

pub(crate) fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

fn safe_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("mailto:")
}

/// HTML for `text`: safe to insert into a page as is.
pub fn to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    // Whether each open link was rendered as <a> (closing tags must match).
    let mut links: Vec<bool> = Vec::new();
    for event in Parser::new_ext(text, Options::empty()) {
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => out.push_str("<p>"),
                Tag::Heading { .. } => out.push_str("<p><strong>"),
                Tag::BlockQuote(_) => out.push_str("<blockquote>"),
                Tag::CodeBlock(_) => out.push_str("<pre><code>"),
                Tag::List(Some(1)) => out.push_str("<ol>\n"),
                Tag::List(Some(start)) => out.push_str(&format!("<ol start=\"{start}\">\n")),
                Tag::List(None) => out.push_str("<ul>\n"),
                Tag::Item => out.push_str("<li>"),
                Tag::Emphasis => out.push_str("<em>"),
                Tag::Strong => out.push_str("<strong>"),
                Tag::Link { dest_url, .. } => {
                    let ok = safe_link(&dest_url);
                    if ok {
                        out.push_str("<a href=\"");
                        escape(&dest_url, &mut out);
                        out.push_str("\">");
                    }
                    links.push(ok);
                }
                // Images, tables and the rest: their text still shows.
                _ => {}
            },
            Event::End(end) => match end {
                TagEnd::Paragraph => out.push_str("</p>\n"),
                TagEnd::Heading(_) => out.push_str("</strong></p>\n"),
                TagEnd::BlockQuote(_) => out.push_str("</blockquote>\n"),
                TagEnd::CodeBlock => out.push_str("</code></pre>\n"),
                TagEnd::List(true) => out.push_str("</ol>\n"),
                TagEnd::List(false) => out.push_str("</ul>\n"),
                TagEnd::Item => out.push_str("</li>\n"),
                TagEnd::Emphasis => out.push_str("</em>"),
                TagEnd::Strong => out.push_str("</strong>"),
                TagEnd::Link if links.pop().unwrap_or(false) => out.push_str("</a>"),
                _ => {}
            },
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                escape(&text, &mut out);
            }
            Event::Code(code) => {
                out.push_str("<code>");
                escape(&code, &mut out);
                out.push_str("</code>");
            }
            Event::SoftBreak => out.push('\n'),
            Event::HardBreak => out.push_str("<br>\n"),
            Event::Rule => out.push_str("<hr>\n"),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn the_allowed_subset_renders() {
        assert_eq!(
            to_html("One *two* **three**.\n\n- a\n- [b](https://example.com/b)\n"),
            "<p>One <em>two</em> <strong>three</strong>.</p>\n<ul>\n<li>a</li>\n<li><a href=\"https://example.com/b\">b</a></li>\n</ul>\n"
        );
    }

    #[test]
    fn html_scripts_and_unsafe_links_do_not_get_through() {
        let html = to_html(
            "<script>alert(1)</script>\n\nx <img src=x onerror=alert(1)> [y](javascript:alert(1)) \
             ![z](https://evil.example/z.png) <span style=\"color:red\">s</span>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<span"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains(">y<") || html.contains(" y "), "{html}");
        assert!(html.contains('z'), "the alt text stays: {html}");
    }
}
