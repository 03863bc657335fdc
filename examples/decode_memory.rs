//! Peak heap memory of decoding one big `deviceConfigurations` page, next to the page's size.
//!
//! ```sh
//! cargo run --release --example decode_memory            # both shapes, ~63 MB each
//! cargo run --release --example decode_memory -- 16      # ~16 MB pages instead
//! ```
//!
//! Two pages are generated in memory, then decoded as `Page<DeviceConfiguration>` the way
//! the client does (`from_str` on the whole body) while a counting allocator records the
//! peak of live heap bytes:
//! - `tiny_unmodelled`: many small objects of types the crate does not model
//!   (`windows10GeneralConfiguration`, …) with a few unknown properties each, as many as a
//!   page may hold ([`MAX_PAGE_ITEMS`]; the page is smaller than the target then);
//! - `unknown_array`: one object whose unknown property is a single huge array of numbers;
//! - `hostile_tiny`: millions of `{"@odata.type":"#x"}`, refused once past
//!   [`MAX_PAGE_ITEMS`] (the line then says `refused`, with the peak of the refusal).
//!
//! Each line prints the page's bytes, the peak heap bytes the decode added on top of the
//! page itself, the ratio of the two, and the bytes still held by the decoded page.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    fmt::Write as _,
    sync::atomic::{AtomicUsize, Ordering},
};

use intune_graph::{Page, models::DeviceConfiguration, odata::MAX_PAGE_ITEMS};

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only the counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                let live =
                    LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A page of small objects of unmodelled types, about `target` bytes.
fn tiny_unmodelled_page(target: usize) -> String {
    const TYPES: [&str; 3] = [
        "windows10GeneralConfiguration",
        "windowsHealthMonitoringConfiguration",
        "androidGeneralDeviceConfiguration",
    ];
    let mut page = String::with_capacity(target + 4096);
    page.push_str(r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations","value":["#);
    let mut i = 0usize;
    while page.len() < target && i < MAX_PAGE_ITEMS {
        if i > 0 {
            page.push(',');
        }
        write!(
            page,
            r##"{{"@odata.type":"#microsoft.graph.{}","id":"{i:08x}","displayName":"Device {i}","passwordRequired":true,"passwordMinimumLength":{},"scanType":"userDefined"}}"##,
            TYPES[i % TYPES.len()],
            4 + i % 12
        )
        .unwrap();
        i += 1;
    }
    page.push_str("]}");
    page
}

/// A page of one unmodelled object whose unknown property is one huge array of numbers.
fn unknown_array_page(target: usize) -> String {
    let mut page = String::with_capacity(target + 4096);
    page.push_str(r##"{"value":[{"@odata.type":"#microsoft.graph.windows10CustomConfiguration","id":"big","displayName":"Big","samples":["##);
    let mut i = 0usize;
    while page.len() < target {
        if i > 0 {
            page.push(',');
        }
        write!(page, "{}", (i * 7919) % 100_000).unwrap();
        i += 1;
    }
    page.push_str("]}]}");
    page
}

/// A page of tiny objects of an unknown type, about `target` bytes: what no service sends.
fn hostile_tiny_page(target: usize) -> String {
    let mut page = String::with_capacity(target + 64);
    page.push_str(r#"{"value":["#);
    while page.len() < target {
        page.push_str(r##"{"@odata.type":"#x"},"##);
    }
    page.push_str(r##"{"@odata.type":"#x"}]}"##);
    page
}

/// Decodes `page` and prints its line.
fn measure(name: &str, page: &str) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let decoded: Page<DeviceConfiguration> = match serde_json::from_str(page) {
        Ok(decoded) => decoded,
        Err(error) => {
            let peak = PEAK.load(Ordering::Relaxed) - before;
            println!(
                "MEM shape={name} refused page_bytes={} peak_decode_bytes={peak} peak_ratio={:.2} error={error:?}",
                page.len(),
                peak as f64 / page.len() as f64,
            );
            return;
        }
    };
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let held = LIVE.load(Ordering::Relaxed) - before;
    let bytes = page.len();
    println!(
        "MEM shape={name} items={} page_bytes={bytes} peak_decode_bytes={peak} peak_ratio={:.2} held_bytes={held} held_ratio={:.2}",
        decoded.len(),
        peak as f64 / bytes as f64,
        held as f64 / bytes as f64,
    );
    drop(decoded);
}

fn main() {
    let megabytes: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(63);
    let target = megabytes * 1_000_000;
    let page = tiny_unmodelled_page(target);
    measure("tiny_unmodelled", &page);
    drop(page);
    let page = unknown_array_page(target);
    measure("unknown_array", &page);
    drop(page);
    let page = hostile_tiny_page(target);
    measure("hostile_tiny", &page);
}
