//! Properties over generated and arbitrary input: chunks are never empty or untrimmed, never
//! longer than `max_chars` (overlap included), numbered `0..n`, their new text keeps every
//! non-whitespace character of the input in order, and nothing panics on arbitrary input.

use coachai_chunker::{
    Chunk, ChunkOptions, Format, Location, chunk_bytes, chunk_markdown, chunk_pages, chunk_text,
    parse_srt, parse_vtt, sniff,
};
use proptest::prelude::*;

fn options() -> impl Strategy<Value = ChunkOptions> {
    (64usize..400)
        .prop_flat_map(|max| (Just(max), 0..=max / 2))
        .prop_map(|(max, overlap)| ChunkOptions::new(max, overlap).expect("valid by construction"))
}

/// Prose with sentences, paragraph breaks, multi-byte characters and over-long words.
fn prose() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        6 => "[a-zé漢]{1,12}",
        4 => Just(" ".to_string()),
        2 => Just(". ".to_string()),
        1 => Just("\n\n".to_string()),
        1 => Just("\n \t\n".to_string()),
        1 => "[a-z]{60,700}",
    ];
    prop::collection::vec(token, 0..300).prop_map(|t| t.concat())
}

fn non_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The shape promises every chunker keeps; returns the non-whitespace of the new text.
fn check_shape(chunks: &[Chunk], opts: &ChunkOptions) -> Result<String, TestCaseError> {
    let mut covered = String::new();
    for (i, chunk) in chunks.iter().enumerate() {
        prop_assert_eq!(chunk.index, i);
        prop_assert!(!chunk.text.is_empty());
        prop_assert_eq!(chunk.text.trim(), chunk.text.as_str());
        let chars = chunk.text.chars().count();
        prop_assert!(
            chars <= opts.max_chars(),
            "{} chars > {}",
            chars,
            opts.max_chars()
        );
        prop_assert!(
            !chunk.new_text().trim().is_empty(),
            "every chunk brings new text"
        );
        covered.push_str(&non_whitespace(chunk.new_text()));
    }
    Ok(covered)
}

proptest! {
    #[test]
    fn text_chunks_keep_their_shape_and_cover_the_input(text in prose(), opts in options()) {
        let chunks = chunk_text(&text, &opts);
        prop_assert_eq!(check_shape(&chunks, &opts)?, non_whitespace(&text));
    }

    #[test]
    fn arbitrary_strings_are_chunked_without_loss(text in any::<String>(), opts in options()) {
        let chunks = chunk_text(&text, &opts);
        prop_assert_eq!(check_shape(&chunks, &opts)?, non_whitespace(&text));
    }

    #[test]
    fn markdown_chunks_cover_every_body_under_its_heading_path(
        sections in prop::collection::vec((1usize..=4, prose()), 0..8),
        opts in options(),
    ) {
        let (mut doc, mut open) = (String::new(), Vec::<(usize, String)>::new());
        let mut expected = Vec::new();
        for (i, (level, body)) in sections.iter().enumerate() {
            doc.push_str(&format!("{} Section {i}\n\n{body}\n\n", "#".repeat(*level)));
            open.retain(|(l, _)| l < level);
            open.push((*level, format!("Section {i}")));
            let path: Vec<String> = open.iter().map(|(_, t)| t.clone()).collect();
            expected.push((Location::Headings { heading_path: path }, body));
        }
        let chunks = chunk_markdown(&doc, &opts);
        let bodies: String = sections.iter().map(|(_, b)| b.as_str()).collect();
        prop_assert_eq!(check_shape(&chunks, &opts)?, non_whitespace(&bodies));
        for (location, body) in expected {
            let under: String = chunks
                .iter()
                .filter(|c| c.location == location)
                .map(|c| non_whitespace(c.new_text()))
                .collect();
            prop_assert_eq!(under, non_whitespace(body), "under {:?}", location);
        }
    }

    #[test]
    fn page_chunks_stay_on_their_page_in_order(
        pages in prop::collection::vec(prose(), 0..6),
        opts in options(),
    ) {
        let numbered: Vec<(u32, String)> = (1u32..).zip(pages.iter().cloned()).collect();
        let chunks = chunk_pages(&numbered, &opts);
        prop_assert_eq!(check_shape(&chunks, &opts)?, non_whitespace(&pages.concat()));
        for (n, text) in &numbered {
            let on_page: String = chunks
                .iter()
                .filter(|c| c.location == Location::Page { page: *n })
                .map(|c| non_whitespace(c.new_text()))
                .collect();
            prop_assert_eq!(on_page, non_whitespace(text));
        }
    }

    #[test]
    fn generated_transcripts_round_trip_through_vtt_and_srt(
        cues in prop::collection::vec((0u64..5_000_000, 0u64..60_000, "[a-z]{1,9}( [a-z]{1,9}){0,30}"), 1..40),
        opts in options(),
    ) {
        let mut at = 0;
        let (mut vtt, mut srt) = ("WEBVTT\n\n".to_string(), String::new());
        let mut expected = Vec::new();
        for (i, (gap, len, text)) in cues.iter().enumerate() {
            let (start, end) = (at + gap, at + gap + len);
            at = end;
            vtt.push_str(&format!("{} --> {} line:0\n<v A>{text}</v>\n\n", stamp(start, '.'), stamp(end, '.')));
            srt.push_str(&format!("{}\n{} --> {}\n{text}\n\n", i + 1, stamp(start, ','), stamp(end, ',')));
            expected.push((start, end, text.clone()));
        }
        let parsed = parse_vtt(&vtt).expect("generated WebVTT parses");
        let got: Vec<_> = parsed.iter().map(|c| (c.start_ms, c.end_ms, c.text.clone())).collect();
        prop_assert_eq!(&got, &expected);
        prop_assert_eq!(parse_srt(&srt).expect("generated SRT parses"), parsed);
        prop_assert_eq!(sniff(vtt.as_bytes()), Some(Format::Vtt));
        prop_assert_eq!(sniff(srt.as_bytes()), Some(Format::Srt));
        let chunks = chunk_bytes(Format::Vtt, vtt.as_bytes(), &opts).expect("chunks");
        let all_text: String = expected.iter().map(|e| e.2.as_str()).collect();
        prop_assert_eq!(check_shape(&chunks, &opts)?, non_whitespace(&all_text));
        let mut previous_start = String::new();
        for chunk in &chunks {
            let Location::Span { start, end } = &chunk.location else {
                return Err(TestCaseError::fail("transcript chunks are located by spans"));
            };
            prop_assert!(start.len() == 8 && end.len() == 8 && start <= end);
            prop_assert!(*start >= previous_start, "spans follow the media");
            previous_start.clone_from(start);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_sniffing_or_chunking(bytes in any::<Vec<u8>>(), opts in options()) {
        if let Some(format) = sniff(&bytes) {
            let _ = chunk_bytes(format, &bytes, &opts);
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = (parse_vtt(&text), parse_srt(&text), chunk_markdown(&text, &opts));
    }

    #[test]
    fn arbitrary_transcript_like_text_never_panics(
        text in "(WEBVTT\n\n)?([0-9:.,]{0,14} --> [0-9:.,]{0,14}( [a-z:%]{0,8})?\n[<>&a-z ]{0,20}\n\n|NOTE x\n\n|[0-9]{1,3}\n){0,12}",
    ) {
        let _ = (parse_vtt(&text), parse_srt(&text), sniff(text.as_bytes()));
    }
}

fn stamp(ms: u64, decimal: char) -> String {
    let s = ms / 1000;
    format!(
        "{:02}:{:02}:{:02}{decimal}{:03}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms % 1000
    )
}
