//! PDFs made here with `lopdf`: text comes out by page and chunks keep their page; scans,
//! junk, truncated and encrypted-looking files are typed errors, never panics.

use coachai_chunker::pdf::{PdfError, pages};
use coachai_chunker::{Format, Location, chunk_bytes, sniff};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// A PDF with one page per entry; `None` is a page that only draws a line (no text layer).
fn pdf(texts: &[Option<&str>]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let kids: Vec<Object> = texts
        .iter()
        .map(|text| {
            let operations = match text {
                Some(text) => vec![
                    Operation::new("BT", vec![]),
                    Operation::new("Tf", vec!["F1".into(), 12.into()]),
                    Operation::new("Td", vec![72.into(), 720.into()]),
                    Operation::new("Tj", vec![Object::string_literal(*text)]),
                    Operation::new("ET", vec![]),
                ],
                None => vec![
                    Operation::new("m", vec![72.into(), 72.into()]),
                    Operation::new("l", vec![500.into(), 500.into()]),
                    Operation::new("S", vec![]),
                ],
            };
            let stream = Stream::new(dictionary! {}, Content { operations }.encode().unwrap());
            let content = doc.add_object(stream);
            let page = doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            });
            page.into()
        })
        .collect();
    let count = i64::try_from(kids.len()).unwrap();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

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
