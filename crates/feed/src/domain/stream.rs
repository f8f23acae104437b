//! A session's stream, as the buyer page shows it (docs/streams.md): an HLS playlist the page
//! plays itself, or a link to the platform the show runs on. The page may load media only from
//! the origins the deployment lists (`media_origins`, [`MediaOrigins`]), which its
//! Content-Security-Policy names (the server's `web::live_page_csp`); so an HLS stream is accepted only from one of them, and a
//! link only over https (the page opens it, it never loads it).

use serde::{Deserialize, Serialize};
use url::Url;
use utoipa::ToSchema;

use crate::domain::error::{Error, Result};

/// The longest stream URL accepted, in bytes.
pub const MAX_URL_BYTES: usize = 2048;

/// What a stream is, and so what the buyer page does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StreamKind {
    /// An HLS playlist (`.m3u8`) the buyer page plays, muted until the buyer turns the sound on.
    Hls,
    /// A page on the platform the show streams on, which the buyer page links.
    Link,
}

impl StreamKind {
    /// As the `sessions.stream_kind` column keeps it.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamKind::Hls => "hls",
            StreamKind::Link => "link",
        }
    }

    /// From the column (its CHECK allows these two only).
    pub fn parse(s: &str) -> Option<StreamKind> {
        match s {
            "hls" => Some(StreamKind::Hls),
            "link" => Some(StreamKind::Link),
            _ => None,
        }
    }
}

/// Read as a string, then matched: a number or an object where the kind goes is a wrong value
/// (422 `invalid`) like any other, not a syntax error as serde_json's enum reading makes it.
impl<'de> Deserialize<'de> for StreamKind {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        StreamKind::parse(&text).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&text), &"hls or link")
        })
    }
}

/// A session's stream: what `kind` it is and its URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Stream {
    pub kind: StreamKind,
    /// The playlist's or the page's URL, as the host gave it (normalized: `Url`'s form).
    pub url: String,
}

/// The body of `PUT /api/v1/sessions/{id}/stream`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStream {
    pub kind: StreamKind,
    /// `https://…`; for `hls`, on one of the deployment's media origins. At most 2,048 bytes.
    pub url: String,
}

/// The origins (scheme, host, port) the buyer page may load a stream from: the
/// `media_origins` setting, parsed. Empty by default: no HLS stream is accepted until the
/// deployment names where its streams come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaOrigins {
    origins: Vec<String>,
}

impl MediaOrigins {
    /// Each entry must be an origin: `https://host[:port]` (or `http://` for a media server the
    /// deployment names on purpose, a studio's LAN), nothing after the host but an optional
    /// `/`. The first that is not says why.
    pub fn parse(entries: &[String]) -> std::result::Result<MediaOrigins, String> {
        let mut origins: Vec<String> = Vec::new();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let why = |reason: &str| format!("media_origins: '{entry}' {reason}");
            let url = Url::parse(entry).map_err(|e| why(&format!("is not a URL ({e})")))?;
            if !matches!(url.scheme(), "https" | "http") {
                return Err(why("must be an https:// (or http://) origin"));
            }
            if url.host_str().is_none() {
                return Err(why("has no host"));
            }
            if !url.username().is_empty() || url.password().is_some() {
                return Err(why("must not carry a user or password"));
            }
            if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
                return Err(why(
                    "must be an origin only (scheme, host, port), without a path",
                ));
            }
            let origin = url.origin().ascii_serialization();
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        Ok(MediaOrigins { origins })
    }

    /// The origins, as the CSP names them (`https://media.example.com`, with a port only when
    /// it is not the scheme's own).
    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    /// Whether `url`'s origin is one of them.
    pub fn allows(&self, url: &Url) -> bool {
        let origin = url.origin().ascii_serialization();
        self.origins.contains(&origin)
    }
}

/// Checks a stream a host sets: the URL parses, is at most [`MAX_URL_BYTES`] as given and as
/// kept, carries no user or password; an `hls` URL's origin is one of `origins` (422
/// `stream_origin_not_allowed` otherwise: the buyer page could not load it), a `link` is https.
/// The stream as it is kept.
pub fn check(body: &NewStream, origins: &MediaOrigins) -> Result<Stream> {
    let kind = body.kind;
    let raw = body.url.trim();
    if raw.is_empty() {
        return Err(Error::invalid("url", "must not be empty"));
    }
    if raw.len() > MAX_URL_BYTES {
        return Err(Error::invalid(
            "url",
            format!("must be at most {MAX_URL_BYTES} bytes"),
        ));
    }
    let url = Url::parse(raw).map_err(|e| Error::invalid("url", format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(Error::invalid("url", "must be an https:// URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid("url", "must not carry a user or password"));
    }
    // Normalizing percent-encodes what needs it (and writes a non-ASCII host in punycode):
    // the URL kept must fit the bound too.
    let url_text = url.to_string();
    if url_text.len() > MAX_URL_BYTES {
        return Err(Error::invalid(
            "url",
            format!("must be at most {MAX_URL_BYTES} bytes once percent-encoded"),
        ));
    }
    if kind == StreamKind::Hls {
        if !origins.allows(&url) {
            let listed = if origins.origins().is_empty() {
                "none is configured (the media_origins setting)".to_owned()
            } else {
                format!("the configured ones are {}", origins.origins().join(", "))
            };
            return Err(Error::Unprocessable {
                code: "stream_origin_not_allowed",
                message: format!(
                    "the buyer page may play streams only from the deployment's media origins; \
                     '{}' is not one of them ({listed})",
                    url.origin().ascii_serialization()
                ),
            });
        }
    } else if url.scheme() != "https" {
        return Err(Error::invalid("url", "a link must be an https:// URL"));
    }
    Ok(Stream {
        kind,
        url: url_text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(list: &[&str]) -> MediaOrigins {
        MediaOrigins::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("origins")
    }

    fn stream(kind: &str, url: &str) -> NewStream {
        NewStream {
            kind: StreamKind::parse(kind).expect("a kind"),
            url: url.into(),
        }
    }

    #[test]
    fn a_kind_is_a_string_of_the_two() {
        let kind = |json: &str| serde_json::from_str::<StreamKind>(json);
        assert_eq!(kind("\"hls\"").expect("hls"), StreamKind::Hls);
        assert_eq!(kind("\"link\"").expect("link"), StreamKind::Link);
        for bad in ["\"HLS\"", "\"rtmp\"", "1", "{}", "null"] {
            let e = kind(bad).expect_err(bad);
            assert!(e.is_data(), "{bad}: a wrong value, not a syntax error: {e}");
        }
        assert_eq!(
            serde_json::to_string(&StreamKind::Hls).expect("json"),
            "\"hls\""
        );
    }

    #[test]
    fn origins_are_origins_only() {
        let o = origins(&["https://media.example.com/", "http://10.0.0.5:8088", " "]);
        assert_eq!(
            o.origins(),
            ["https://media.example.com", "http://10.0.0.5:8088"]
        );
        for bad in [
            "media.example.com",
            "ftp://media.example.com",
            "https://media.example.com/live",
            "https://u:p@media.example.com",
            "https://media.example.com/?a=1",
            "data:text/plain,x",
        ] {
            assert!(MediaOrigins::parse(&[bad.to_string()]).is_err(), "{bad}");
        }
        // The scheme's own port is the origin without it.
        assert_eq!(
            origins(&["https://media.example.com:443"]).origins(),
            ["https://media.example.com"]
        );
    }

    #[test]
    fn hls_only_from_the_listed_origins_links_only_over_https() {
        let o = origins(&["https://media.example.com"]);
        let ok =
            check(&stream("hls", "https://media.example.com/live/7.m3u8"), &o).expect("listed");
        assert_eq!(ok.kind, StreamKind::Hls);
        assert_eq!(ok.url, "https://media.example.com/live/7.m3u8");
        let refused = |kind: &str, url: &str, o: &MediaOrigins| {
            check(&stream(kind, url), o).expect_err("refused").code()
        };
        assert_eq!(
            refused("hls", "https://other.example.com/7.m3u8", &o),
            "stream_origin_not_allowed"
        );
        assert_eq!(
            refused("hls", "https://media.example.com:8443/7.m3u8", &o),
            "stream_origin_not_allowed"
        );
        assert_eq!(
            refused("hls", "http://media.example.com/7.m3u8", &o),
            "stream_origin_not_allowed"
        );
        assert_eq!(
            refused(
                "hls",
                "https://media.example.com/7.m3u8",
                &MediaOrigins::default()
            ),
            "stream_origin_not_allowed"
        );
        let link = check(&stream("link", "https://live.douyin.com/123"), &o).expect("https");
        assert_eq!(link.url, "https://live.douyin.com/123");
        for (kind, url) in [
            ("link", "http://live.douyin.com/123"),
            ("link", "javascript:alert(1)"),
            ("link", "data:text/html,hi"),
            ("link", "https://user:pw@live.douyin.com/"),
            ("link", ""),
            ("link", "not a url"),
        ] {
            assert_eq!(refused(kind, url, &o), "invalid", "{kind} {url}");
        }
        let long = format!("https://live.douyin.com/{}", "a".repeat(MAX_URL_BYTES));
        assert_eq!(refused("link", &long, &o), "invalid");
        // Short as given, too long once percent-encoded (each `й` is 6 bytes then).
        let encoded = format!("https://live.douyin.com/{}", "й".repeat(400));
        assert!(encoded.len() <= MAX_URL_BYTES);
        assert_eq!(refused("link", &encoded, &o), "invalid");
        let fits = check(&stream("link", "https://live.douyin.com/эфир"), &o).expect("fits");
        assert_eq!(fits.url, "https://live.douyin.com/%D1%8D%D1%84%D0%B8%D1%80");
    }
}
