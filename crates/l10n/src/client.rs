//! Messages for a browser: the pages' strings (`page-*`, `console-*`) of one locale, each taken
//! along the locale's fallback chain like [`L10n::message`] takes it, handed over as Fluent
//! source so that the page formats them itself (variables, plural variants) with the same
//! rules. Grouped by the locale each message came from, because a fallen-back message must be
//! formatted with its own locale's plural rules (a Kazakh page showing a Russian fallback picks
//! Russian's `few`).

use fluent_syntax::ast;
use serde::Serialize;

use crate::render::L10n;
use crate::{fallback_chain, normalize_locale};

/// The Fluent source of the messages one locale of a chain supplies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientResource {
    /// The locale the messages come from (the asked one, or a link of its fallback chain).
    pub locale: &'static str,
    /// The messages as FTL, one entry each, in English's order.
    pub ftl: String,
}

/// The messages a page needs in one locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientMessages {
    /// The asked locale, normalised.
    pub locale: &'static str,
    /// Its fallback chain, starting with itself.
    pub chain: &'static [&'static str],
    /// Every message id, and the locale it was taken from.
    pub messages: std::collections::BTreeMap<String, &'static str>,
    /// The FTL source per locale that supplied at least one message, in chain order.
    pub resources: Vec<ClientResource>,
}

impl L10n {
    /// The messages of English whose ids start with one of `prefixes`, in `locale` (any tag
    /// [`normalize_locale`] accepts; `None` when Silkstream does not speak it), each taken from
    /// the first locale of the fallback chain that has it.
    pub fn client_messages(&self, locale: &str, prefixes: &[&str]) -> Option<ClientMessages> {
        let locale = normalize_locale(locale)?;
        let chain = fallback_chain(locale);
        let mut messages = std::collections::BTreeMap::new();
        let mut bodies: Vec<Vec<ast::Entry<&str>>> = vec![Vec::new(); chain.len()];
        let wanted = self
            .english_ids
            .iter()
            .filter(|id| prefixes.iter().any(|p| id.starts_with(p)));
        for id in wanted {
            let found = chain.iter().enumerate().find_map(|(i, candidate)| {
                let message = self.bundle(candidate)?.get_message(id)?;
                Some((i, message))
            });
            let Some((i, message)) = found else {
                continue;
            };
            let attributes = message
                .attributes()
                .map(|a| ast::Attribute {
                    id: ast::Identifier { name: a.id() },
                    value: a.value().clone(),
                })
                .collect();
            bodies[i].push(ast::Entry::Message(ast::Message {
                id: ast::Identifier { name: id.as_str() },
                value: message.value().cloned(),
                attributes,
                comment: None,
            }));
            messages.insert(id.clone(), chain[i]);
        }
        let resources = chain
            .iter()
            .zip(bodies)
            .filter(|(_, body)| !body.is_empty())
            .map(|(locale, body)| ClientResource {
                locale,
                ftl: fluent_syntax::serializer::serialize(&ast::Resource { body }),
            })
            .collect();
        Some(ClientMessages {
            locale,
            chain,
            messages,
            resources,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Kazakh page gets Kazakh where Kazakh has the message, and the chain's next link
    /// (Russian, then English) where it does not; the FTL parses back to the same ids.
    #[test]
    fn messages_follow_the_fallback_chain() {
        let l10n = L10n::embedded().expect("the shipped locales load");
        let english = l10n
            .client_messages("en", &["stock-", "countdown-"])
            .expect("en is supported");
        assert!(english.messages.contains_key("stock-left"));
        assert!(english.messages.values().all(|l| *l == "en"));
        assert_eq!(english.resources.len(), 1);
        let kk = l10n
            .client_messages("kk-KZ", &["stock-"])
            .expect("kk is supported");
        assert_eq!(kk.locale, "kk");
        assert_eq!(kk.messages.get("stock-left"), Some(&"kk"));
        let ftl = &kk.resources[0].ftl;
        let parsed = fluent_syntax::parser::parse(ftl.as_str()).expect("valid FTL");
        let ids: Vec<&str> = parsed
            .body
            .iter()
            .filter_map(|e| match e {
                ast::Entry::Message(m) => Some(m.id.name),
                _ => None,
            })
            .collect();
        assert_eq!(ids, vec!["stock-left", "stock-sold-out"]);
        assert!(ftl.contains("stock-left = { $count } дана қалды"), "{ftl}");
        let ru = l10n.client_messages("ru", &["countdown-"]).expect("ru");
        assert!(
            ru.resources[0].ftl.contains("[few]"),
            "{}",
            ru.resources[0].ftl
        );
        assert!(l10n.client_messages("xx", &["stock-"]).is_none());
    }
}
