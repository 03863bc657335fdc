//! The public API against a wiremock Graph: the exact requests and the decoded values.

mod assign;
mod certificates;
mod crud;
mod paging;
mod raw;
mod references;
