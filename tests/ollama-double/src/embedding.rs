//! Deterministic embeddings by feature hashing: lexically related texts land close together.
//!
//! Written here rather than taken from a crate because the point is a tiny, fully predictable
//! function: lowercased word tokens (weight 1) and their character trigrams (weight 0.5) are
//! hashed with FNV-1a into signed buckets, and the vector is L2-normalised.

/// Weight of a whole word; trigrams make `breathing` and `breathe` neighbours.
const WORD_WEIGHT: f32 = 1.0;
const TRIGRAM_WEIGHT: f32 = 0.5;

/// The embedding of `text` in `dimensions` dimensions, L2-normalised.
///
/// The same text always gives the same vector. A text without any letter or digit gets the
/// first basis vector, so every result has unit length.
pub fn embed(text: &str, dimensions: usize) -> Vec<f32> {
    let mut vector = vec![0.0_f32; dimensions.max(1)];
    for word in words(text) {
        add(&mut vector, word.as_bytes(), WORD_WEIGHT);
        let marked: Vec<char> = format!("#{word}#").chars().collect();
        for trigram in marked.windows(3) {
            let trigram: String = trigram.iter().collect();
            add(&mut vector, trigram.as_bytes(), TRIGRAM_WEIGHT);
        }
    }
    normalise(&mut vector);
    vector
}

/// Cosine similarity of two vectors of equal length (their dot product when both are unit).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm_a = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let norm_b = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm_a == 0.0 || norm_b == 0.0 {
        0.0
    } else {
        dot / (norm_a * norm_b)
    }
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

fn add(vector: &mut [f32], feature: &[u8], weight: f32) {
    let hash = fnv1a(feature);
    let len = u64::try_from(vector.len()).unwrap_or(u64::MAX);
    let index = usize::try_from(hash % len).unwrap_or(0);
    let sign = if (hash >> 63) == 0 { 1.0 } else { -1.0 };
    vector[index] += sign * weight;
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn normalise(vector: &mut [f32]) {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 {
        vector[0] = 1.0;
        return;
    }
    for x in vector.iter_mut() {
        *x /= norm;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(v: &[f32]) -> f32 {
        v.iter().map(|x| x * x).sum::<f32>().sqrt()
    }

    #[test]
    fn related_texts_are_much_closer_than_unrelated_ones() {
        let query = embed("kettlebell swing breathing", 384);
        let related = embed("breathe during the kettlebell swing", 384);
        let unrelated = embed("sleep hygiene at night", 384);
        let close = cosine(&query, &related);
        let far = cosine(&query, &unrelated);
        assert!(close > 0.5, "related texts: cosine {close}");
        assert!(far < 0.2, "unrelated texts: cosine {far}");
        assert!(close > far + 0.4, "close {close} vs far {far}");
    }

    #[test]
    fn embeddings_are_deterministic_unit_vectors_of_the_asked_length() {
        let a = embed("Deadlift form cues", 384);
        assert_eq!(a, embed("deadlift FORM cues!", 384));
        assert_eq!(a.len(), 384);
        assert!((norm(&a) - 1.0).abs() < 1e-5);
        assert_eq!(embed("Deadlift", 16).len(), 16);
    }

    #[test]
    fn a_text_without_words_still_has_unit_length() {
        let v = embed("  ...  ", 8);
        assert!((norm(&v) - 1.0).abs() < 1e-6);
    }
}
