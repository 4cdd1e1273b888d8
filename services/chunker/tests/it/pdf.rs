//! PDFs built by the shared fixture (`tests/shared/pdf_fixture.rs`): text comes out by page and chunks keep their page; scans,
//! junk, truncated and encrypted-looking files are typed errors, never panics.

use coachai_chunker::pdf::{PdfError, pages};
use coachai_chunker::{Format, Location, chunk_bytes, sniff};

use crate::pdf_fixture::pdf;
#[test]
fn text_on_pages_one_to_three_keeps_its_page_numbers() {
    let bytes = pdf(&[
        Some("Breathing: exhale at the top of every swing."),
        Some("Grip: hook the handle, do not squeeze."),
        Some("Rest: two minutes between heavy sets."),
    ]);
    assert_eq!(sniff(&bytes), Some(Format::Pdf));
    let got = pages(&bytes).unwrap();
    let numbers: Vec<u32> = got.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert!(got[1].1.contains("hook the handle"), "{got:?}");
    let chunks = chunk_bytes(Format::Pdf, &bytes, &crate::small()).unwrap();
    let grip = chunks.iter().find(|c| c.text.contains("Grip")).unwrap();
    assert_eq!(grip.location, Location::Page { page: 2 });
}

#[test]
fn pages_without_text_are_skipped_and_a_scan_is_refused_with_a_reason() {
    let mixed = pages(&pdf(&[None, Some("Only the second page speaks.")])).unwrap();
    assert_eq!(mixed.len(), 1);
    assert_eq!(mixed[0].0, 2);
    let scan = pdf(&[None, None]);
    assert_eq!(pages(&scan), Err(PdfError::NoText));
    let refusal = chunk_bytes(Format::Pdf, &scan, &crate::small()).unwrap_err();
    assert!(refusal.to_string().contains("no text layer"), "{refusal}");
}

#[test]
fn junk_and_truncated_files_are_unreadable_not_a_panic() {
    assert_eq!(
        pages(b"%PDF-1.7\n this is not a pdf at all"),
        Err(PdfError::Unreadable)
    );
    assert_eq!(pages(&[0u8; 2048]), Err(PdfError::Unreadable));
    let whole = pdf(&[Some("Soon to be cut short.")]);
    for cut in [10, whole.len() / 3, whole.len() / 2] {
        assert!(pages(&whole[..cut]).is_err(), "cut at {cut}");
    }
}
