//! Names to measure screening with: variants of listed individuals as customers would give them
//! (a typo, a dropped name, the order changed, another transliteration), and names of people
//! who are not listed. Seeded, so the same seed gives the same names.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::normalize::name_tokens;
use super::ListedNameInput;

pub const VARIANT_KINDS: [&str; 4] = ["typo", "dropped_token", "swapped_tokens", "transliteration"];

/// Spelling pairs seen between transliterations of the same name.
const TRANSLITERATIONS: [(&str, &str); 14] = [
    ("mohammed", "muhammad"),
    ("muhammad", "mohamed"),
    ("mohammad", "mohamad"),
    ("ahmed", "ahmad"),
    ("hussein", "husayn"),
    ("ou", "u"),
    ("kh", "h"),
    ("ee", "i"),
    ("sh", "ch"),
    ("ph", "f"),
    ("yev", "ev"),
    ("iy", "y"),
    ("q", "k"),
    ("dj", "j"),
];

const FIRST_NAMES: [&str; 40] = [
    "James", "Mary", "Robert", "Patricia", "Michael", "Linda", "David", "Susan", "Daniel", "Karen",
    "Wei", "Li", "Hiroshi", "Yuki", "Priya", "Arjun", "Olga", "Dmitri", "Ana", "Joao", "Lucia",
    "Mateo", "Fatima", "Omar", "Aisha", "Yusuf", "Leila", "Tariq", "Chinedu", "Amara", "Kwame",
    "Zainab", "Sven", "Ingrid", "Pierre", "Camille", "Giulia", "Marco", "Hannah", "Noah",
];
const LAST_NAMES: [&str; 40] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Wang",
    "Zhang",
    "Tanaka",
    "Suzuki",
    "Sharma",
    "Iyer",
    "Ivanova",
    "Sokolov",
    "Silva",
    "Pereira",
    "Fernandez",
    "Castillo",
    "Haddad",
    "Mansour",
    "Khalil",
    "Nasser",
    "Saleh",
    "Aziz",
    "Okonkwo",
    "Mensah",
    "Diallo",
    "Adeyemi",
    "Lindqvist",
    "Berg",
    "Dubois",
    "Laurent",
    "Rossi",
    "Ricci",
    "Becker",
    "Weber",
];

/// A name to screen and the entry it should match, if any.
#[derive(Debug, Clone)]
pub struct ProbeName {
    pub name: String,
    /// The variant kind, or `unlisted`.
    pub kind: &'static str,
    pub expected_ent_num: Option<i64>,
}

/// `count` variants of listed individuals' primary names, the kinds in turn.
pub fn listed_variants(listed: &[ListedNameInput], count: usize, seed: u64) -> Vec<ProbeName> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let candidates: Vec<&ListedNameInput> = listed
        .iter()
        .filter(|name| name.name_type == "primary" && name.sdn_type == "individual")
        .filter(|name| name_tokens(&name.name).len() >= 2)
        .collect();
    let mut probes = Vec::with_capacity(count);
    let mut attempts = 0;
    while probes.len() < count && !candidates.is_empty() && attempts < count * 20 {
        attempts += 1;
        let listed = candidates
            .choose(&mut rng)
            .expect("candidates is not empty");
        let kind = VARIANT_KINDS[probes.len() % VARIANT_KINDS.len()];
        let Some(name) = variant(&listed.name, kind, &mut rng) else {
            continue;
        };
        probes.push(ProbeName {
            name,
            kind,
            expected_ent_num: Some(listed.ent_num),
        });
    }
    probes
}

/// The tokens of every listed name, sorted: a generated name with the same tokens is listed.
fn listed_token_sets(listed: &[ListedNameInput]) -> std::collections::HashSet<Vec<String>> {
    listed
        .iter()
        .map(|name| {
            let mut tokens = name_tokens(&name.name);
            tokens.sort();
            tokens
        })
        .collect()
}

/// `count` names of people drawn from common first and last names of many countries, none of
/// them written as a listed name is.
pub fn unlisted_names(listed: &[ListedNameInput], count: usize, seed: u64) -> Vec<ProbeName> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let listed_token_sets = listed_token_sets(listed);
    let mut names = Vec::with_capacity(count);
    while names.len() < count {
        let first = FIRST_NAMES.choose(&mut rng).expect("names");
        let last = LAST_NAMES.choose(&mut rng).expect("names");
        let name = if rng.random_bool(0.3) {
            let middle = FIRST_NAMES.choose(&mut rng).expect("names");
            format!("{first} {middle} {last}")
        } else {
            format!("{first} {last}")
        };
        let mut tokens = name_tokens(&name);
        tokens.sort();
        if listed_token_sets.contains(&tokens) {
            continue;
        }
        names.push(ProbeName {
            name,
            kind: "unlisted",
            expected_ent_num: None,
        });
    }
    names
}

/// `count` distinct names of people on no list, of four tokens (two given names and two
/// surnames, as Spanish and Portuguese names have): a population as large as a processor's
/// customers and counterparties, where [`unlisted_names`] repeats its few combinations.
pub fn distinct_unlisted_names(listed: &[ListedNameInput], count: usize, seed: u64) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let listed_token_sets = listed_token_sets(listed);
    let combinations = FIRST_NAMES.len().pow(2) * LAST_NAMES.len().pow(2);
    debug_assert!(
        count <= combinations / 2,
        "sampling needs room to find new names"
    );
    let mut seen = std::collections::HashSet::with_capacity(count);
    let mut names = Vec::with_capacity(count);
    while names.len() < count {
        let pick = |rng: &mut ChaCha8Rng, from: &[&'static str]| *from.choose(rng).expect("names");
        let name = format!(
            "{} {} {} {}",
            pick(&mut rng, &FIRST_NAMES),
            pick(&mut rng, &FIRST_NAMES),
            pick(&mut rng, &LAST_NAMES),
            pick(&mut rng, &LAST_NAMES)
        );
        let mut tokens = name_tokens(&name);
        tokens.sort();
        if listed_token_sets.contains(&tokens) || !seen.insert(name.clone()) {
            continue;
        }
        names.push(name);
    }
    names
}

fn variant(listed_name: &str, kind: &str, rng: &mut ChaCha8Rng) -> Option<String> {
    // "LAST, First Middle" as the customer writes it: "First Middle Last".
    let (last, given) = listed_name.split_once(", ").unwrap_or((listed_name, ""));
    let mut tokens: Vec<String> = given
        .split_whitespace()
        .chain(last.split_whitespace())
        .map(|token| token.to_lowercase())
        .collect();
    if tokens.len() < 2 {
        return None;
    }
    match kind {
        "typo" => {
            let index = rng.random_range(0..tokens.len());
            let mut letters: Vec<char> = tokens[index].chars().collect();
            if letters.len() < 4 {
                return None;
            }
            let at = rng.random_range(1..letters.len() - 1);
            match rng.random_range(0..3) {
                0 => letters.insert(at, letters[at]),
                1 => {
                    letters.remove(at);
                }
                _ => letters.swap(at, at + 1),
            }
            tokens[index] = letters.into_iter().collect();
        }
        "dropped_token" => {
            if tokens.len() < 3 {
                return None;
            }
            // A middle name: neither the first given name nor the family name.
            let index = rng.random_range(1..tokens.len() - 1);
            tokens.remove(index);
        }
        "swapped_tokens" => tokens.rotate_left(1),
        _ => {
            let joined = tokens.join(" ");
            let (from, to) = TRANSLITERATIONS
                .iter()
                .flat_map(|(a, b)| [(*a, *b), (*b, *a)])
                .find(|(from, _)| joined.contains(from))?;
            return Some(joined.replacen(from, to, 1));
        }
    }
    Some(tokens.join(" "))
}
