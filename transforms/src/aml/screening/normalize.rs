//! Name normalisation for screening: diacritics to ASCII, case, punctuation, and the words that
//! say nothing about who a party is (legal forms, honorifics).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Words dropped before matching: legal forms and honorifics.
const NOISE_WORDS: [&str; 22] = [
    "llc",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "sa",
    "gmbh",
    "plc",
    "jsc",
    "ojsc",
    "cjsc",
    "llp",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sheikh",
    "the",
];

/// Letters NFKD does not decompose into ASCII.
fn fold_letter(letter: char) -> Option<&'static str> {
    Some(match letter {
        'ß' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ø' | 'Ø' => "o",
        'ł' | 'Ł' => "l",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'þ' | 'Þ' => "th",
        'ı' => "i",
        _ => return None,
    })
}

/// The tokens of a name: lower-case ASCII letters and digits, in their order, noise words out.
/// Hyphens and apostrophes join (`al-Tikriti` and `Al Tikriti` both give `al`, `tikriti`; `O'Brien`
/// gives `obrien`).
pub fn name_tokens(name: &str) -> Vec<String> {
    let mut folded = String::with_capacity(name.len());
    for letter in name.nfkd() {
        if is_combining_mark(letter) {
            continue;
        }
        if let Some(ascii) = fold_letter(letter) {
            folded.push_str(ascii);
            continue;
        }
        match letter {
            '\'' | '’' | '`' => {}
            letter if letter.is_ascii_alphanumeric() => folded.push(letter.to_ascii_lowercase()),
            _ => folded.push(' '),
        }
    }
    folded
        .split_whitespace()
        .filter(|token| !NOISE_WORDS.contains(token))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_punctuation_diacritics_and_legal_forms_go() {
        assert_eq!(
            name_tokens("AL-TIKRITI, Barzan Ibrahim"),
            ["al", "tikriti", "barzan", "ibrahim"]
        );
        assert_eq!(name_tokens("José Núñez-Gómez"), ["jose", "nunez", "gomez"]);
        assert_eq!(
            name_tokens("Straße Øresund Łódź"),
            ["strasse", "oresund", "lodz"]
        );
        assert_eq!(
            name_tokens("O'Brien Trading Co., Ltd."),
            ["obrien", "trading"]
        );
        assert!(name_tokens("  ,.- ").is_empty());
    }
}
