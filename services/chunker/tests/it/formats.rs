//! Each format from a fixture with known structure: the chunks' locations are the right heading
//! path, page or time span, and the JSON is what the API shows.

use coachai_chunker::{
    Chunk, ChunkOptions, Format, Location, chunk_bytes, chunk_markdown, chunk_pages, chunk_srt,
    chunk_text, chunk_vtt, sniff,
};

use super::small;

fn headings(path: &[&str]) -> Location {
    Location::Headings {
        heading_path: path.iter().map(|s| s.to_string()).collect(),
    }
}

fn span(start: &str, end: &str) -> Location {
    Location::Span {
        start: start.into(),
        end: end.into(),
    }
}

fn locations(chunks: &[Chunk]) -> Vec<Location> {
    chunks.iter().map(|c| c.location.clone()).collect()
}

const GUIDE: &str = "Intro before any heading.\n\n\
# Strength Guide\n\nWhy strength matters.\n\n\
## Squats\n\nKeep your back straight.\n\n\
```sh\n# not a heading, a shell comment\n\necho still code\n```\n\n\
### Depth\n\nHips below knees.\n\n\
## Deadlifts ##\n\nHinge at the hips.\n\n\
# Nutrition\n\nEat protein.\n";

#[test]
fn markdown_chunks_carry_the_path_of_nested_headings() {
    let chunks = chunk_markdown(GUIDE, &ChunkOptions::default());
    assert_eq!(
        locations(&chunks),
        vec![
            headings(&[]),
            headings(&["Strength Guide"]),
            headings(&["Strength Guide", "Squats"]),
            headings(&["Strength Guide", "Squats", "Depth"]),
            headings(&["Strength Guide", "Deadlifts"]),
            headings(&["Nutrition"]),
        ]
    );
    assert!(chunks[2].text.starts_with("Keep your back straight."));
    assert!(
        chunks[2]
            .text
            .contains("# not a heading, a shell comment\n\necho still code")
    );
    assert_eq!(chunks[3].text, "Hips below knees.");
}

#[test]
fn markdown_chunks_never_span_two_sections_even_when_both_would_fit() {
    let chunks = chunk_markdown("# A\n\none\n\n# B\n\ntwo", &ChunkOptions::default());
    let texts: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, vec!["one", "two"]);
}

#[test]
fn pages_one_to_three_are_chunked_page_by_page() {
    let pages: Vec<(u32, String)> = (1..=3)
        .map(|n| {
            (
                n,
                format!("Page {n} opens here.\n\n{}", "Training notes. ".repeat(12)),
            )
        })
        .collect();
    let chunks = chunk_pages(&pages, &small());
    assert!(chunks.len() >= 6, "every page is longer than one chunk");
    for chunk in &chunks {
        let Location::Page { page } = chunk.location else {
            panic!("a page chunk is located by its page: {chunk:?}");
        };
        assert!(!chunk.text.contains(&format!("Page {}", page + 1)));
    }
    let first_of_page = |n: u32| {
        chunks
            .iter()
            .find(|c| c.location == Location::Page { page: n })
    };
    for n in 1..=3 {
        let first = first_of_page(n).expect("each page has chunks");
        assert!(
            first.text.starts_with(&format!("Page {n} opens here.")),
            "{first:?}"
        );
        assert_eq!(first.overlap_chars, 0, "no overlap is carried across pages");
    }
}

const VTT: &str = "\u{feff}WEBVTT - coaching session\n\n\
NOTE recorded live\nsecond note line\n\n\
intro\n00:14:05.250 --> 00:14:09.900 align:start position:10%\n<v Coach>Welcome back, everyone.</v>\n\n\
00:14:10.000 --> 00:14:30.000\nToday we train <i>legs</i>.\n\n\
15:31.000 --> 15:40.999\nA new topic &amp; a really long cue that goes on for a while so it fills the chunk.\n";

#[test]
fn vtt_cues_are_merged_into_chunks_spanning_their_cue_times() {
    let chunks = chunk_vtt(VTT, &small()).expect("valid WebVTT");
    assert_eq!(
        chunks[0].text,
        "Welcome back, everyone. Today we train legs."
    );
    assert_eq!(chunks[0].location, span("00:14:05", "00:14:30"));
    let last = chunks.last().expect("chunks");
    assert_eq!(last.location, span("00:15:31", "00:15:40"));
    assert!(last.text.ends_with(
        "A new topic & a really long cue that goes on for a while so it fills the chunk."
    ));
}

const SRT: &str = "1\r\n00:00:01,000 --> 00:00:04,500\r\n<i>First</i> line\r\nof cue one\r\n\r\n\
2\r\n00:00:05,000 --> 00:00:09,000\r\nCue two.\r\n\r\n\
3\r\n01:02:03,000 --> 01:02:07,999\r\nAn hour later.\r\n";

#[test]
fn srt_cues_keep_their_times_in_the_chunk_span() {
    let opts = ChunkOptions::new(64, 0).expect("valid options");
    let chunks = chunk_srt(SRT, &opts).expect("valid SRT");
    let texts: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, vec!["First line of cue one Cue two. An hour later."]);
    assert_eq!(chunks[0].location, span("00:00:01", "01:02:07"));
    let spread = chunk_srt(&SRT.replace("Cue two.", &"word ".repeat(12)), &opts).expect("SRT");
    assert_eq!(
        locations(&spread),
        vec![
            span("00:00:01", "00:00:04"),
            span("00:00:05", "00:00:09"),
            span("01:02:03", "01:02:07")
        ]
    );
}

#[test]
fn locations_serialise_as_the_api_shows_them() {
    let json = |l: Location| serde_json::to_string(&l).expect("json");
    assert_eq!(
        json(headings(&["Title", "Section"])),
        r#"{"heading_path":["Title","Section"]}"#
    );
    assert_eq!(json(Location::Page { page: 3 }), r#"{"page":3}"#);
    assert_eq!(
        json(span("00:14:05", "00:15:10")),
        r#"{"start":"00:14:05","end":"00:15:10"}"#
    );
    let chunk = &chunk_text("Hello.", &ChunkOptions::default())[0];
    assert_eq!(
        serde_json::to_value(chunk).expect("json"),
        serde_json::json!({"index": 0, "text": "Hello.", "location": {"heading_path": []}})
    );
    let back: Location = serde_json::from_str(r#"{"page":3}"#).expect("location");
    assert_eq!(back, Location::Page { page: 3 });
}

#[test]
fn the_format_is_decided_from_content_not_the_name() {
    assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), Some(Format::Pdf));
    assert_eq!(sniff(VTT.as_bytes()), Some(Format::Vtt));
    assert_eq!(sniff(SRT.as_bytes()), Some(Format::Srt));
    assert_eq!(sniff(GUIDE.as_bytes()), Some(Format::Markdown));
    assert_eq!(
        sniff(b"Just a note.\n\n#hashtag is not a heading"),
        Some(Format::Text)
    );
    assert_eq!(sniff(b"1\nnot a timing line"), Some(Format::Text));
}

#[test]
fn binary_junk_and_empty_files_have_no_format() {
    assert_eq!(sniff(b"\x7fELF\x02\x01\x01\x00\x00"), None);
    assert_eq!(sniff(b"\x89PNG\r\n\x1a\n"), None);
    assert_eq!(sniff(b""), None);
    assert_eq!(sniff(b" \n\t\n"), None);
}

#[test]
fn chunk_bytes_routes_each_format_and_refuses_a_pdf_it_cannot_read() {
    let opts = ChunkOptions::default();
    let vtt = chunk_bytes(Format::Vtt, VTT.as_bytes(), &opts).expect("vtt");
    assert_eq!(vtt[0].location, span("00:14:05", "00:15:40"));
    assert!(chunk_bytes(Format::Pdf, b"%PDF-1.7", &opts).is_err());
    assert!(chunk_bytes(Format::Text, b"caf\xff", &opts).is_err());
}

#[test]
fn a_long_paragraph_is_cut_at_sentences_and_the_next_chunk_repeats_the_tail() {
    let text = "Warm up for ten minutes before lifting. ".repeat(8);
    let chunks = chunk_text(&text, &small());
    assert!(chunks.len() > 2);
    for pair in chunks.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        assert!(after.overlap_chars > 0, "{after:?}");
        let carried: String = after.text.chars().take(after.overlap_chars).collect();
        assert!(
            before.text.ends_with(carried.trim()),
            "{carried:?} ends {before:?}"
        );
        assert!(
            before.text.ends_with('.'),
            "cut after a sentence: {before:?}"
        );
        assert!(after.text.chars().count() <= 120);
    }
}
