//! One page of an OData collection: `{"value": […], "@odata.nextLink": …, "@odata.count": …}`.

use std::{fmt, marker::PhantomData};

use serde::{
    Deserialize, Deserializer,
    de::{self, DeserializeOwned, IgnoredAny, MapAccess},
};
use url::Url;

use crate::{
    error::{Error, Result},
    models::object::Key,
    pipeline::{BodyReader, RawResponse},
};

/// One page of a collection.
///
/// Decoded straight from the response: the items go to their typed model one by one,
/// never through an intermediate `serde_json::Value`; envelope keys other than `value`,
/// `@odata.nextLink`, `@odata.deltaLink` and `@odata.count` (e.g. `@odata.context`) are
/// skipped.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// `value`: the items of this page.
    pub items: Vec<T>,
    /// `@odata.nextLink`: where the next page is, exactly as the service wrote it (to be
    /// followed verbatim); `None` on the last page.
    pub next_link: Option<Url>,
    /// `@odata.count`: the total number of matching items, when `$count=true` was asked.
    pub count: Option<i64>,
    /// `@odata.deltaLink`: on the last page of a delta query, where to resume from.
    pub delta_link: Option<Url>,
}

impl<T> Page<T> {
    /// A page holding `items` and nothing else (e.g. for tests).
    pub fn new(items: Vec<T>) -> Self {
        Page { items, next_link: None, count: None, delta_link: None }
    }

    /// True when the service said there are no more pages.
    pub fn is_last(&self) -> bool {
        self.next_link.is_none()
    }

    /// Number of items on this page.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when this page has no items (a later page still may).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<T: DeserializeOwned> Page<T> {
    /// Decodes a page of the response to `request_url`; a relative link is resolved
    /// against the request URL.
    pub(crate) fn from_response(response: &RawResponse, request_url: &Url) -> Result<Self> {
        Self::from_envelope(response.decode()?, request_url)
    }

    /// Like [`from_response`](Self::from_response), taking the page the attempt decoded
    /// when its request was sent with `reader` (see [`page_reader`]).
    pub(crate) fn from_read_response(
        response: &mut RawResponse,
        request_url: &Url,
        reader: PageReader<T>,
    ) -> Result<Self> {
        Self::from_envelope(response.decode_read(reader)?, request_url)
    }

    fn from_envelope(envelope: Envelope<T>, request_url: &Url) -> Result<Self> {
        let resolve = |link: Option<String>, name: &str| {
            link.map(|text| {
                request_url.join(&text).map_err(|e| Error::Paging(format!("{name} is not a usable URL: {e}")))
            })
            .transpose()
        };
        Ok(Page {
            items: envelope.items,
            next_link: resolve(envelope.next_link, "@odata.nextLink")?,
            count: envelope.count,
            delta_link: resolve(envelope.delta_link, "@odata.deltaLink")?,
        })
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Reads a page from JSON; the links must be absolute URLs.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let envelope = Envelope::<T>::deserialize(deserializer)?;
        let parse = |link: Option<String>| {
            link.map(|text| {
                Url::parse(&text).map_err(|e| de::Error::custom(format_args!("bad link {text:?}: {e}")))
            })
            .transpose()
        };
        Ok(Page {
            items: envelope.items,
            next_link: parse(envelope.next_link)?,
            count: envelope.count,
            delta_link: parse(envelope.delta_link)?,
        })
    }
}

/// The most items one page may hold: ten times the largest page Graph sends
/// ([`MAX_TOP`](super::query::MAX_TOP) is 999). A page with more is refused while it is
/// read, with an [`Error::Decode`] saying so: a hostile or broken answer of millions of tiny
/// items (`{"@odata.type":"#x"}`, 20 bytes each on the wire, hundreds in memory once
/// decoded) would otherwise cost many times its size.
pub const MAX_PAGE_ITEMS: usize = 10_000;

/// Decodes a page of `T` inside the attempt that reads it (see [`BodyReader`]).
pub(crate) type PageReader<T> = BodyReader<Envelope<T>>;

/// The reader of pages of `T`.
pub(crate) fn page_reader<T: DeserializeOwned + Send + Sync + 'static>() -> PageReader<T> {
    BodyReader::new()
}

/// The collection envelope with its links as text.
pub(crate) struct Envelope<T> {
    items: Vec<T>,
    next_link: Option<String>,
    delta_link: Option<String>,
    count: Option<i64>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Envelope<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Visitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> de::Visitor<'de> for Visitor<T> {
            type Value = Envelope<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an OData collection object with a `value` array")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Envelope<T>, A::Error> {
                let mut items: Option<Vec<T>> = None;
                let mut next_link = None;
                let mut delta_link = None;
                let mut count = None;
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match &*key.0 {
                        "value" => {
                            if items.is_some() {
                                return Err(de::Error::duplicate_field("value"));
                            }
                            // `null` is read as an empty page.
                            items =
                                Some(map.next_value::<Option<Capped<T>>>()?.map(|c| c.0).unwrap_or_default());
                        }
                        "@odata.nextLink" => next_link = map.next_value::<Option<String>>()?,
                        "@odata.deltaLink" => delta_link = map.next_value::<Option<String>>()?,
                        "@odata.count" => count = map.next_value::<Option<Count>>()?.map(|c| c.0),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let items = items.ok_or_else(|| de::Error::missing_field("value"))?;
                Ok(Envelope { items, next_link, delta_link, count })
            }
        }
        deserializer.deserialize_map(Visitor(PhantomData))
    }
}

/// The `value` array, refused past [`MAX_PAGE_ITEMS`] items.
struct Capped<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Capped<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Visitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> de::Visitor<'de> for Visitor<T> {
            type Value = Capped<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "an array of at most {MAX_PAGE_ITEMS} items")
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> std::result::Result<Capped<T>, A::Error> {
                let too_long = format_args!(
                    "the page holds more than {MAX_PAGE_ITEMS} items, ten times the most Graph sends in one page"
                );
                read_capped(seq, MAX_PAGE_ITEMS, &too_long).map(Capped)
            }
        }
        deserializer.deserialize_seq(Visitor(PhantomData))
    }
}

/// Reads a sequence of at most `max` elements, refusing a longer one with `too_long` as
/// soon as it is seen, so a hostile array cannot fill memory.
pub(crate) fn read_capped<'de, A: de::SeqAccess<'de>, T: Deserialize<'de>>(
    mut seq: A,
    max: usize,
    too_long: &dyn fmt::Display,
) -> std::result::Result<Vec<T>, A::Error> {
    let mut items = Vec::new();
    while let Some(item) = seq.next_element()? {
        if items.len() == max {
            return Err(de::Error::custom(too_long));
        }
        items.push(item);
    }
    Ok(items)
}

/// `@odata.count`: a number, or a string under `IEEE754Compatible=true`.
struct Count(i64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer count")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Count, E> {
                Ok(Count(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Count, E> {
                i64::try_from(v).map(Count).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Count, E> {
                v.trim().parse().map(Count).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use bytes::Bytes;
    use reqwest::{Method, StatusCode, header::HeaderValue};

    use super::*;
    use crate::{models::DeviceConfiguration, pipeline::ApiRequestSummary};

    fn raw(body: &str) -> RawResponse {
        RawResponse {
            decoded: None,
            status: StatusCode::OK,
            body: Bytes::copy_from_slice(body.as_bytes()),
            operation_hint: ApiRequestSummary {
                client_request_id: HeaderValue::from_static("crid"),
                method: Method::GET,
                url: url::Url::parse("https://graph.microsoft.com/beta/x").unwrap(),
                sent_body: None,
                headers: Default::default(),
                redactor: Default::default(),
            },
        }
    }

    #[test]
    fn a_page_beyond_what_graph_sends_is_refused_while_read() {
        let page =
            |n: usize| format!(r##"{{"value":[{}]}}"##, vec![r##"{"@odata.type":"#x"}"##; n].join(","));
        let fits: Page<DeviceConfiguration> = serde_json::from_str(&page(MAX_PAGE_ITEMS)).unwrap();
        assert_eq!(fits.len(), MAX_PAGE_ITEMS);
        let error = raw(&page(MAX_PAGE_ITEMS + 1)).decode::<Envelope<DeviceConfiguration>>().err().unwrap();
        assert!(matches!(error, Error::Decode(_)), "{error:?}");
        assert!(
            error
                .to_string()
                .contains("the page holds more than 10000 items, ten times the most Graph sends in one page"),
            "{error}"
        );
    }

    #[test]
    fn full_envelope() {
        let body = r##"{
            "@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations",
            "@odata.count": 42,
            "@odata.nextLink": "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations?$skiptoken=a%2Bb#frag",
            "value": [
                {"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "id": "1", "displayName": "SCEP"},
                {"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "id": "2", "displayName": "W"}
            ],
            "@microsoft.graph.tips": {"ignored": [1, 2, {"deep": true}]}
        }"##;
        let request =
            Url::parse("https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations").unwrap();
        let page: Page<DeviceConfiguration> = Page::from_response(&raw(body), &request).unwrap();
        assert_eq!(page.len(), 2);
        assert_eq!(page.count, Some(42));
        assert!(!page.is_last());
        assert!(matches!(page.items[0], DeviceConfiguration::IosScepCertificate(_)));
        assert!(matches!(page.items[1], DeviceConfiguration::Other(_)));
        let next = page.next_link.unwrap();
        assert_eq!(next.query(), Some("$skiptoken=a%2Bb"), "the skip token is kept as written");
        assert_eq!(next.fragment(), Some("frag"));
    }

    #[test]
    fn minimal_and_odd_envelopes() {
        let request = Url::parse("https://graph.microsoft.com/beta/x").unwrap();
        let page: Page<serde_json::Value> = Page::from_response(&raw(r#"{"value":[]}"#), &request).unwrap();
        assert!(page.is_empty() && page.is_last() && page.count.is_none());
        let page: Page<u8> = Page::from_response(
            &raw(r#"{"value":null,"@odata.count":"7","@odata.nextLink":null}"#),
            &request,
        )
        .unwrap();
        assert!(page.is_empty() && page.is_last());
        assert_eq!(page.count, Some(7));
        // A relative link is resolved against the request.
        let page: Page<u8> = Page::from_response(
            &raw(r#"{"@odata.deltaLink":"x?$deltatoken=1","value":[1]}"#),
            &Url::parse("https://graph.microsoft.com/beta/y").unwrap(),
        )
        .unwrap();
        assert_eq!(page.delta_link.unwrap().as_str(), "https://graph.microsoft.com/beta/x?$deltatoken=1");
        // A missing `value` is a decode error naming the status.
        let err = Page::<u8>::from_response(&raw(r#"{"id":"1"}"#), &request).unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(err.to_string().contains("value"), "{err}");
    }

    #[test]
    fn public_deserialize_wants_absolute_links() {
        let page: Page<u8> = serde_json::from_str(
            r#"{"value":[1,2],"@odata.nextLink":"https://graph.microsoft.com/beta/x?p=2"}"#,
        )
        .unwrap();
        assert_eq!(page.clone().into_iter().collect::<Vec<_>>(), vec![1, 2]);
        assert!(serde_json::from_str::<Page<u8>>(r#"{"value":[],"@odata.nextLink":"relative"}"#).is_err());
    }

    thread_local! {
        static LIVE: Cell<usize> = const { Cell::new(0) };
        static PEAK: Cell<usize> = const { Cell::new(0) };
    }

    /// Counts instances alive; decoding must not create hidden copies.
    struct Counted;
    impl<'de> Deserialize<'de> for Counted {
        fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            IgnoredAny::deserialize(d)?;
            LIVE.with(|l| l.set(l.get() + 1));
            PEAK.with(|p| p.set(p.get().max(LIVE.with(Cell::get))));
            Ok(Counted)
        }
    }
    impl Drop for Counted {
        fn drop(&mut self) {
            LIVE.with(|l| l.set(l.get() - 1));
        }
    }

    #[test]
    fn items_decode_in_place() {
        let body = format!(r#"{{"value":[{}]}}"#, vec![r#"{"a":[1,{"b":2}]}"#; 100].join(","));
        let page: Page<Counted> = serde_json::from_str(&body).unwrap();
        assert_eq!(page.len(), 100);
        assert_eq!(PEAK.with(Cell::get), 100);
        drop(page);
        assert_eq!(LIVE.with(Cell::get), 0);
    }
}
