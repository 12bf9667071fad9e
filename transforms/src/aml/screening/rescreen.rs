//! Screening that keeps what it found: every distinct name (its normalised tokens) is screened
//! once per list version, and a new publication is screened against only the entries it added
//! or changed. An entry's fingerprint digests what screening reads of it (its names, their
//! types, its program), so a publication that reprints an entry unchanged costs nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::matcher::{on_threads, ListedNameInput, ScreeningIndex};
use super::normalize::name_tokens;
use crate::aml::alerts::stable_hex_id;

/// One entry a name matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedHit {
    pub ent_num: i64,
    pub fingerprint: String,
    pub entry_name: String,
    pub matched_name: String,
    pub matched_name_type: String,
    pub program: String,
    /// Percent, 0 to 100.
    pub score: i64,
}

/// What every name screened so far matched, under one list version.
#[derive(Debug, Clone, Default)]
pub struct ScreeningCache {
    /// The publication and the screening settings the hits hold for; empty before any.
    pub screened_against: String,
    /// Each entry's fingerprint in that version.
    pub fingerprints: BTreeMap<i64, String>,
    /// Hits by name key; a key with no hits was screened and matched nothing.
    pub hits: HashMap<String, Vec<CachedHit>>,
}

/// What bringing the cache to a list version did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rescreen {
    pub entries_added: usize,
    pub entries_changed: usize,
    pub entries_removed: usize,
    /// Names screened again against the added and changed entries.
    pub names_rescreened: usize,
}

/// The key a name is cached under: its tokens as screening sees them.
pub fn name_key(name: &str) -> String {
    name_tokens(name).join(" ")
}

/// Each entry's fingerprint: its names with their types, in a fixed order, and its program.
pub fn entry_fingerprints(names: &[ListedNameInput]) -> BTreeMap<i64, String> {
    let mut parts: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for name in names {
        let entry = parts.entry(name.ent_num).or_default();
        entry.insert(format!("program\t{}", name.program));
        entry.insert(format!("name\t{}\t{}", name.name_type, name.name));
    }
    parts
        .into_iter()
        .map(|(ent_num, parts)| {
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            (ent_num, stable_hex_id(&parts, 8))
        })
        .collect()
}

impl ScreeningCache {
    /// Brings the cache to the list `names` of version `screened_against`: hits on entries the
    /// list removed or changed are dropped, and every cached name is screened against the
    /// entries it added or changed. Names not yet cached are left to [`Self::screen_new`].
    pub fn move_to_version(
        &mut self,
        names: &[ListedNameInput],
        screened_against: &str,
        min_token_length: usize,
        min_score: f64,
    ) -> Rescreen {
        if self.screened_against == screened_against {
            return Rescreen::default();
        }
        let fingerprints = entry_fingerprints(names);
        let changed: BTreeSet<i64> = fingerprints
            .iter()
            .filter(|(ent_num, fingerprint)| self.fingerprints.get(ent_num) != Some(*fingerprint))
            .map(|(ent_num, _)| *ent_num)
            .collect();
        let removed: BTreeSet<i64> = self
            .fingerprints
            .keys()
            .filter(|ent_num| !fingerprints.contains_key(ent_num))
            .copied()
            .collect();
        let added = changed
            .iter()
            .filter(|ent_num| !self.fingerprints.contains_key(ent_num))
            .count();
        let summary = Rescreen {
            entries_added: added,
            entries_changed: changed.len() - added,
            entries_removed: removed.len(),
            names_rescreened: self.hits.len(),
        };
        for hits in self.hits.values_mut() {
            hits.retain(|hit| !changed.contains(&hit.ent_num) && !removed.contains(&hit.ent_num));
        }
        let changed_names: Vec<ListedNameInput> = names
            .iter()
            .filter(|name| changed.contains(&name.ent_num))
            .cloned()
            .collect();
        self.fingerprints = fingerprints;
        self.screened_against = screened_against.to_string();
        if !changed_names.is_empty() && !self.hits.is_empty() {
            let index = ScreeningIndex::build(changed_names, min_token_length);
            // Borrowed, not copied: a year of counterparties is a million keys, few of which hit.
            let keys: Vec<&str> = self.hits.keys().map(String::as_str).collect();
            let found = self.screen_keys(&index, &keys, min_score);
            for (key, found) in found {
                let hits = self.hits.entry(key).or_default();
                hits.extend(found);
                hits.sort_by_key(|hit| (-hit.score, hit.ent_num));
            }
        }
        summary
    }

    /// The keys of `keys` not cached yet, each once, in order; an empty key (a name of noise
    /// words only) is never screened.
    pub fn unseen_keys<'a>(&self, keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        keys.into_iter()
            .filter(|key| !key.is_empty() && !self.hits.contains_key(*key))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Screens the name keys not yet cached against the whole list `index` and caches what
    /// they matched. Returns the keys screened.
    pub fn screen_new(
        &mut self,
        index: &ScreeningIndex,
        keys: impl IntoIterator<Item = String>,
        min_score: f64,
    ) -> Vec<String> {
        let keys: Vec<String> = keys.into_iter().collect();
        let new_keys = self.unseen_keys(keys.iter().map(String::as_str));
        let keys: Vec<&str> = new_keys.iter().map(String::as_str).collect();
        let found = self.screen_keys(index, &keys, min_score);
        for key in &new_keys {
            self.hits.entry(key.clone()).or_default();
        }
        for (key, hits) in found {
            self.hits.insert(key, hits);
        }
        new_keys
    }

    /// Each key's best match per entry, on as many threads as the machine has.
    fn screen_keys(
        &self,
        index: &ScreeningIndex,
        keys: &[&str],
        min_score: f64,
    ) -> Vec<(String, Vec<CachedHit>)> {
        let fingerprints = &self.fingerprints;
        on_threads(keys, |part, cache| {
            let mut found = Vec::new();
            for key in part {
                let mut hits: Vec<CachedHit> = Vec::new();
                for matched in index.screen_normalised(key, min_score, cache) {
                    let listed = index.listed(matched.listed);
                    if hits.iter().any(|hit| hit.ent_num == listed.ent_num) {
                        continue;
                    }
                    hits.push(CachedHit {
                        ent_num: listed.ent_num,
                        fingerprint: fingerprints
                            .get(&listed.ent_num)
                            .cloned()
                            .unwrap_or_default(),
                        entry_name: listed.entry_name.clone(),
                        matched_name: listed.name.clone(),
                        matched_name_type: listed.name_type.clone(),
                        program: listed.program.clone(),
                        score: (matched.score * 100.0).round() as i64,
                    });
                }
                if !hits.is_empty() {
                    found.push((key.to_string(), hits));
                }
            }
            found
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(ent_num: i64, name: &str, name_type: &str, program: &str) -> ListedNameInput {
        ListedNameInput {
            ent_num,
            entry_name: name.to_string(),
            name: name.to_string(),
            name_type: name_type.to_string(),
            program: program.to_string(),
            sdn_type: "individual".to_string(),
        }
    }

    fn full_screen(names: &[ListedNameInput], version: &str, keys: &[&str]) -> ScreeningCache {
        let mut cache = ScreeningCache::default();
        cache.move_to_version(names, version, 2, 0.88);
        let index = ScreeningIndex::build(names.to_vec(), 2);
        cache.screen_new(&index, keys.iter().map(|key| name_key(key)), 0.88);
        cache
    }

    #[test]
    fn a_new_publication_rescreens_only_its_changes_and_ends_where_a_full_screen_ends() {
        let first = vec![
            listed(1, "Hamid Karim Abdul", "primary", "SDGT"),
            listed(2, "Olga Petrova Ivanova", "primary", "RUSSIA-EO14024"),
            listed(3, "Juan Carlos Mendez", "primary", "SDNTK"),
        ];
        let keys = [
            "Hamid Karim Abdul",
            "Olga Ivanova",
            "Maria Lopez Garcia",
            "Juan Mendez",
        ];
        let mut cache = full_screen(&first, "v1", &keys);
        assert_eq!(cache.hits[&name_key("Hamid Karim Abdul")][0].ent_num, 1);
        assert!(cache.hits[&name_key("Maria Lopez Garcia")].is_empty());

        // v2: entry 2 removed, entry 3's program changed, entry 4 added with an alias.
        let second = vec![
            listed(1, "Hamid Karim Abdul", "primary", "SDGT"),
            listed(
                3,
                "Juan Carlos Mendez",
                "primary",
                "SDNTK] [ILLICIT-DRUGS-EO14059",
            ),
            listed(4, "Maria Lopez", "primary", "SDGT"),
            listed(4, "Maria Lopez Garcia", "aka", "SDGT"),
        ];
        let summary = cache.move_to_version(&second, "v2", 2, 0.88);
        assert_eq!(
            summary,
            Rescreen {
                entries_added: 1,
                entries_changed: 1,
                entries_removed: 1,
                names_rescreened: 4,
            }
        );
        let rescreened = full_screen(&second, "v2", &keys);
        for key in keys {
            let key = name_key(key);
            assert_eq!(cache.hits[&key], rescreened.hits[&key], "{key}");
        }
        assert!(cache.hits[&name_key("Olga Ivanova")].is_empty());
        assert_eq!(cache.hits[&name_key("Maria Lopez Garcia")][0].ent_num, 4);
        let juan = &cache.hits[&name_key("Juan Mendez")][0];
        assert_eq!(juan.fingerprint, rescreened.fingerprints[&3]);
        assert_ne!(
            juan.fingerprint,
            full_screen(&first, "v1", &[]).fingerprints[&3]
        );
    }

    #[test]
    fn the_same_version_screens_only_names_not_seen() {
        let names = vec![listed(1, "Hamid Karim Abdul", "primary", "SDGT")];
        let mut cache = full_screen(&names, "v1", &["Hamid Karim Abdul"]);
        let index = ScreeningIndex::build(names.clone(), 2);
        let screened = cache.screen_new(
            &index,
            ["Hamid Karim Abdul", "Abdul Hamid Karim", ""].map(name_key),
            0.88,
        );
        assert_eq!(screened, [name_key("Abdul Hamid Karim")]);
        assert_eq!(
            cache.move_to_version(&names, "v1", 2, 0.88),
            Rescreen::default()
        );
    }
}
