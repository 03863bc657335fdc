//! Streams over every page (and every item) of a collection, following `@odata.nextLink`.

use std::{
    collections::HashSet,
    fmt,
    future::Future,
    hash::{BuildHasher, RandomState},
    marker::PhantomData,
    pin::Pin,
    task::{Context, Poll, ready},
};

use futures_core::{FusedStream, Stream};
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use url::Url;

use super::{Page, Query};
use crate::{
    GraphClient,
    error::{Error, Result},
    odata::page::{PageReader, page_reader},
    pipeline::{ApiRequest, RawResponse},
};

type InFlight = Pin<Box<dyn Future<Output = Result<RawResponse>> + Send>>;

/// A stream of the pages of a collection.
///
/// - Each page is fetched only when the previous one has been taken, and the stream holds
///   no page itself: memory is one page, whatever the total.
/// - `@odata.nextLink` is followed verbatim, through the client's one send path, so every
///   page gets the origin check (a link to another host ends the stream with
///   [`Error::Origin`] and is never requested), a fresh token and the retry policy.
/// - The query's headers (e.g. `ConsistencyLevel`) go with every page unless
///   [`Query::carry_headers`] turned that off.
/// - A link that was already followed (the service looping) or more pages than
///   [`Query::max_pages`] ends the stream with [`Error::Paging`]. To stay small, the
///   stream remembers a 64-bit keyed hash of each link, not the link: 8 bytes per page read
///   (plus the hash set's overhead), bounded by the page cap.
/// - After an error the stream ends; [`next_link`](Self::next_link) then says which page
///   failed, so a listing can be resumed from there.
///
/// The stream is `Unpin` and `Send`: use it with `futures_util::StreamExt::next` directly
/// or move it into a task.
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<T> {
    client: GraphClient,
    /// The next page to fetch (or, after a failure, the page that failed).
    next: Option<Url>,
    in_flight: Option<(Url, InFlight)>,
    headers: HeaderMap,
    carry_headers: bool,
    pending_error: Option<Error>,
    seen: HashSet<u64>,
    hasher: RandomState,
    pages_read: usize,
    max_pages: usize,
    delta_link: Option<Url>,
    count: Option<i64>,
    done: bool,
    /// Decodes each page inside the attempt that reads it, when the item type allows.
    reader: Option<PageReader<T>>,
    _item: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream")
            .field("next", &self.next.as_ref().map(Url::path))
            .field("in_flight", &self.in_flight.is_some())
            .field("pages_read", &self.pages_read)
            .field("max_pages", &self.max_pages)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

// No field is structurally pinned.
impl<T> Unpin for PageStream<T> {}

impl<T> PageStream<T> {
    /// A stream starting at `first` (a URL with the query options already applied).
    pub(crate) fn new(client: GraphClient, first: Result<Url>, query: &Query) -> Self {
        let (next, pending_error) = match query.validate().and(first) {
            Ok(url) => (Some(url), None),
            Err(e) => (None, Some(e)),
        };
        PageStream {
            client,
            next,
            in_flight: None,
            headers: query.headers().clone(),
            carry_headers: query.carries_headers(),
            pending_error,
            seen: HashSet::new(),
            hasher: RandomState::new(),
            pages_read: 0,
            max_pages: query.page_limit(),
            delta_link: None,
            count: None,
            done: false,
            reader: None,
            _item: PhantomData,
        }
    }

    /// The link of the next page to fetch; after an error, the link of the page that
    /// failed (resume with it later); `None` once the last page was read.
    pub fn next_link(&self) -> Option<&Url> {
        self.in_flight.as_ref().map(|(url, _)| url).or(self.next.as_ref())
    }

    /// Pages read so far.
    pub fn pages_read(&self) -> usize {
        self.pages_read
    }

    /// `@odata.deltaLink` of the last page, once it was read.
    pub fn delta_link(&self) -> Option<&Url> {
        self.delta_link.as_ref()
    }

    /// The latest `@odata.count` seen (with `$count=true`).
    pub fn count(&self) -> Option<i64> {
        self.count
    }

    /// A stream of the items instead of the pages.
    pub fn items(self) -> ItemStream<T> {
        ItemStream { pages: self, current: Vec::new().into_iter() }
    }

    fn fail(&mut self, error: Error) -> Poll<Option<Result<Page<T>>>> {
        self.done = true;
        Poll::Ready(Some(Err(error)))
    }

    /// Starts the request for `url`, after the loop and cap checks.
    fn start(&mut self, url: Url) -> std::result::Result<(), Error> {
        if self.pages_read >= self.max_pages {
            let error = Error::Paging(format!(
                "read {} pages and the listing goes on; raise Query::max_pages to read further",
                self.pages_read
            ));
            self.next = Some(url);
            return Err(error);
        }
        if !self.seen.insert(self.hasher.hash_one(url.as_str())) {
            let error = Error::Paging(format!(
                "@odata.nextLink after page {} repeats a link already followed ({}); the service is looping",
                self.pages_read,
                url.path()
            ));
            self.next = Some(url);
            return Err(error);
        }
        let mut request = ApiRequest::get(url.clone());
        if let Some(reader) = self.reader {
            request = request.reading(reader);
        }
        if self.pages_read == 0 || self.carry_headers {
            request.headers = self.headers.clone();
        }
        let client = self.client.clone();
        let future: InFlight = Box::pin(async move { client.send(request).await });
        self.in_flight = Some((url, future));
        Ok(())
    }
}

impl<T: DeserializeOwned + Send + Sync + 'static> PageStream<T> {
    /// Has each page decoded by the attempt that reads it: parsed once, and a page whose
    /// body is cut short is fetched again (see `BodyReader`).
    pub(crate) fn decoded_in_attempt(mut self) -> Self {
        self.reader = Some(page_reader());
        self
    }
}

impl<T: DeserializeOwned> Stream for PageStream<T> {
    type Item = Result<Page<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some((_, future)) = &mut this.in_flight {
                let outcome = ready!(future.as_mut().poll(cx));
                let Some((url, _)) = this.in_flight.take() else { unreachable!("checked above") };
                let page = outcome.and_then(|mut response| match this.reader {
                    Some(reader) => Page::from_read_response(&mut response, &url, reader),
                    None => Page::<T>::from_response(&response, &url),
                });
                return match page {
                    Ok(page) => {
                        this.pages_read += 1;
                        this.next = page.next_link.clone();
                        if page.delta_link.is_some() {
                            this.delta_link = page.delta_link.clone();
                        }
                        if page.count.is_some() {
                            this.count = page.count;
                        }
                        Poll::Ready(Some(Ok(page)))
                    }
                    Err(error) => {
                        this.next = Some(url);
                        this.fail(error)
                    }
                };
            }
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(error) = this.pending_error.take() {
                return this.fail(error);
            }
            let Some(url) = this.next.take() else {
                this.done = true;
                return Poll::Ready(None);
            };
            if let Err(error) = this.start(url) {
                return this.fail(error);
            }
        }
    }
}

impl<T: DeserializeOwned> FusedStream for PageStream<T> {
    fn is_terminated(&self) -> bool {
        self.done && self.in_flight.is_none()
    }
}

/// A stream of the items of a collection, page after page (see [`PageStream`]).
///
/// It holds at most the rest of one page: an item is moved out when it is yielded, and the
/// next page is fetched only when the current one is used up.
#[must_use = "streams do nothing unless polled"]
pub struct ItemStream<T> {
    pages: PageStream<T>,
    current: std::vec::IntoIter<T>,
}

impl<T> fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream")
            .field("pages", &self.pages)
            .field("page_remaining", &self.current.len())
            .finish()
    }
}

// No field is structurally pinned.
impl<T> Unpin for ItemStream<T> {}

impl<T> ItemStream<T> {
    /// The page stream underneath (next link, pages read, count, delta link).
    pub fn pages(&self) -> &PageStream<T> {
        &self.pages
    }

    /// Items of the current page not yielded yet.
    pub fn page_remaining(&self) -> usize {
        self.current.len()
    }
}

impl<T: DeserializeOwned> ItemStream<T> {
    /// Reads every item into a `Vec` (for collections known to be small).
    ///
    /// # Errors
    /// The first error of the stream.
    pub async fn collect_all(mut self) -> Result<Vec<T>> {
        let mut all = Vec::new();
        while let Some(item) = futures_util::StreamExt::next(&mut self).await {
            all.push(item?);
        }
        Ok(all)
    }
}

impl<T: DeserializeOwned> Stream for ItemStream<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            // Release the used-up page's buffer before fetching the next one.
            this.current = Vec::new().into_iter();
            match ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.current = page.items.into_iter(),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let upper = if self.pages.is_terminated() { Some(self.current.len()) } else { None };
        (self.current.len(), upper)
    }
}

impl<T: DeserializeOwned> FusedStream for ItemStream<T> {
    fn is_terminated(&self) -> bool {
        self.current.len() == 0 && self.pages.is_terminated()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::DeviceConfiguration;

    fn assert_send<T: Send>() {}

    #[test]
    fn streams_are_send() {
        assert_send::<PageStream<DeviceConfiguration>>();
        assert_send::<ItemStream<DeviceConfiguration>>();
    }

    #[tokio::test]
    async fn an_invalid_query_is_the_first_item_then_the_end() {
        let client = GraphClient::builder().bearer_token("t").build().unwrap();
        let url = client.url("x");
        let mut stream = PageStream::<u8>::new(client, url, &Query::new().top(0));
        assert!(matches!(
            futures_util::StreamExt::next(&mut stream).await,
            Some(Err(Error::InvalidArgument { what: "query", .. }))
        ));
        assert!(futures_util::StreamExt::next(&mut stream).await.is_none());
        assert!(stream.is_terminated());
    }
}
