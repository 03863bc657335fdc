//! OData query options and paging.
//!
//! - [`Query`]: `$select`, `$filter`, `$top`, `$orderby`, `$expand`, `$count` (and a few
//!   more) as a typed, validated value, plus the request headers and page cap that go with
//!   a listing.
//! - [`Page`]: one page of a collection (`value`, `@odata.nextLink`, `@odata.count`).
//! - [`PageStream`] / [`ItemStream`]: every page or every item, following
//!   `@odata.nextLink` with loop detection, holding one page at a time.

mod page;
mod query;
mod stream;

pub use page::{MAX_PAGE_ITEMS, Page};
pub(crate) use page::{page_reader, read_capped};
pub use query::{DEFAULT_MAX_PAGES, MAX_TOP, Query};
pub use stream::{ItemStream, PageStream};
