//! Malformed transcripts are typed errors naming what and where, never panics.

use coachai_chunker::{ChunkOptions, OptionsError, TranscriptError, chunk_srt, chunk_vtt};

use super::small;

#[test]
fn a_vtt_without_its_header_is_refused() {
    let err = chunk_vtt("00:00:01.000 --> 00:00:02.000\nhi\n", &small());
    assert_eq!(err, Err(TranscriptError::MissingHeader));
    assert_eq!(chunk_vtt("", &small()), Err(TranscriptError::MissingHeader));
    assert_eq!(
        chunk_vtt("WEBVTTX\n", &small()),
        Err(TranscriptError::MissingHeader)
    );
}

#[test]
fn a_transcript_without_cues_is_refused() {
    assert_eq!(
        chunk_vtt("WEBVTT\n\nNOTE only a note\n", &small()),
        Err(TranscriptError::NoCues)
    );
    assert_eq!(chunk_srt("", &small()), Err(TranscriptError::NoCues));
    let empty_cue = "1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n";
    assert_eq!(chunk_srt(empty_cue, &small()), Err(TranscriptError::NoCues));
}

#[test]
fn a_bad_timestamp_is_reported_with_its_line() {
    let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n\n00:00:03.000 --> 00:00:4.000\nbad\n";
    assert_eq!(
        chunk_vtt(vtt, &small()),
        Err(TranscriptError::BadTimestamp {
            line: 6,
            value: "00:00:4.000".into()
        })
    );
    let srt = "1\n00:00:01.000 --> 00:00:02,000\nok\n\n2\n00:99:00,000 --> 01:00:00,000\nbad\n";
    let err = chunk_srt(srt, &small()).expect_err("minutes above 59");
    assert_eq!(err.to_string(), "line 6: bad timestamp \"00:99:00,000\"");
}

#[test]
fn a_cue_without_a_timing_line_is_reported_with_its_line() {
    let srt = "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\njust text\nmore text\n";
    assert_eq!(
        chunk_srt(srt, &small()),
        Err(TranscriptError::MissingTiming { line: 5 })
    );
}

#[test]
fn a_cue_ending_before_it_starts_is_refused() {
    let vtt = "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nbackwards\n";
    assert_eq!(
        chunk_vtt(vtt, &small()),
        Err(TranscriptError::EndBeforeStart { line: 3 })
    );
}

#[test]
fn invalid_options_say_what_to_fix() {
    let err = ChunkOptions::new(1200, 900).expect_err("overlap too large");
    assert_eq!(
        err,
        OptionsError::OverlapTooLarge {
            limit: 600,
            got: 900
        }
    );
    assert_eq!(
        err.to_string(),
        "overlap_chars must be at most half of max_chars (600), got 900"
    );
}
