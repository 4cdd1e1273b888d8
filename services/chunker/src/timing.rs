//! Cue timing lines (`00:01:02.500 --> 00:01:05.000 align:start`, `MM:SS.mmm`, SRT's
//! `00:01:02,500`) and cue text cleanup (tags such as `<v Speaker>` removed, basic entities
//! decoded). Overflowing or malformed numbers are errors, never panics.

use crate::transcript::TranscriptError;

/// `(start_ms, end_ms)` of a timing line; anything after the end timestamp (cue settings, SRT
/// coordinates) is ignored.
pub(crate) fn parse_timing(line: &str, line_no: usize) -> Result<(u64, u64), TranscriptError> {
    let (left, right) = line.split_once("-->").unwrap_or((line, ""));
    let start = left.trim();
    let end = right.split_whitespace().next().unwrap_or_default();
    let bad = |value: &str| TranscriptError::BadTimestamp {
        line: line_no,
        value: value.chars().take(40).collect(),
    };
    let start_ms = timestamp_ms(start).ok_or_else(|| bad(start))?;
    let end_ms = timestamp_ms(end).ok_or_else(|| bad(end))?;
    if end_ms < start_ms {
        return Err(TranscriptError::EndBeforeStart { line: line_no });
    }
    Ok((start_ms, end_ms))
}

/// Milliseconds of `[H+:]MM:SS(.|,)mmm`; minutes and seconds below 60, three-digit fraction.
pub(crate) fn timestamp_ms(value: &str) -> Option<u64> {
    let (clock, fraction) = value.rsplit_once(['.', ','])?;
    let millis = digits(fraction).filter(|_| fraction.len() == 3)?;
    let mut parts = clock.rsplit(':');
    let seconds = two_digits(parts.next()?)?;
    let minutes = two_digits(parts.next()?)?;
    let hours = match parts.next() {
        Some(h) => digits(h)?,
        None => 0,
    };
    if parts.next().is_some() || seconds >= 60 || minutes >= 60 {
        return None;
    }
    hours
        .checked_mul(3_600_000)?
        .checked_add(minutes * 60_000 + seconds * 1000 + millis)
}

fn two_digits(part: &str) -> Option<u64> {
    digits(part).filter(|_| part.len() == 2)
}

fn digits(part: &str) -> Option<u64> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// The text of a cue's lines: joined by spaces, `<...>` tags removed (a `<` with no closing `>`
/// is kept as text), `&amp; &lt; &gt; &nbsp; &quot; &apos;` decoded, trimmed.
pub(crate) fn cue_text(lines: &[&str]) -> String {
    let mut text = String::new();
    for line in lines {
        let stripped = strip_tags(line);
        let stripped = stripped.trim();
        if stripped.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(stripped);
    }
    decode_entities(&text)
}

fn strip_tags(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        out.push_str(&rest[..open]);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_every_accepted_form_are_read_to_the_millisecond() {
        assert_eq!(timestamp_ms("00:01:02.500"), Some(62_500));
        assert_eq!(timestamp_ms("01:02.500"), Some(62_500));
        assert_eq!(timestamp_ms("00:01:02,500"), Some(62_500));
        assert_eq!(timestamp_ms("120:00:00.000"), Some(432_000_000));
    }

    #[test]
    fn malformed_or_overflowing_timestamps_are_refused() {
        for bad in [
            "1:02.500",
            "00:61:00.000",
            "00:00:60.000",
            "00:00:01.5",
            "x",
            "",
            "::.000",
        ] {
            assert_eq!(timestamp_ms(bad), None, "{bad}");
        }
        assert_eq!(timestamp_ms("99999999999999999999:00:00.000"), None);
        assert_eq!(timestamp_ms("9999999999999999:00:00.000"), None);
    }

    #[test]
    fn cue_settings_after_the_end_are_ignored() {
        assert_eq!(
            parse_timing("00:00:01.000 --> 00:00:04.250 align:start line:0%", 3),
            Ok((1000, 4250))
        );
    }

    #[test]
    fn voice_tags_are_stripped_and_entities_decoded() {
        assert_eq!(
            cue_text(&["<v Coach>Keep <b>going</b></v>", "a &lt; b &amp;&amp; c"]),
            "Keep going a < b && c"
        );
    }
}
