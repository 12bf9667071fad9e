//! Token-wise Jaro-Winkler matching of a name against the list, in the manner of moov-io's
//! watchman: tokens are paired best-first regardless of order, and the score weighs each pair by
//! its length. Tokens of the screened name left unpaired count fully against the score; tokens
//! of the listed name left unpaired count a third, because customers often give fewer names
//! than a list records (middle names, patronymics).
//!
//! An index makes this fast: each list token is filed under its first two and its last two
//! letters, so a screened token is compared only with list tokens that share either end (a typo
//! rarely touches both), and a listed name is scored only when its matched tokens could reach
//! the threshold.

use std::collections::HashMap;

/// Maps keyed by short tokens, hashed with foldhash: screening looks a token up several times
/// per name screened, and SipHash's resistance to flooding buys nothing over list tokens.
type TokenMap<V> = HashMap<String, V, foldhash::fast::RandomState>;
use std::sync::Arc;

use strsim::jaro_winkler;

use super::normalize::name_tokens;

/// Token pairs below this similarity do not pair.
const MIN_TOKEN_SIMILARITY: f64 = 0.82;
/// How much an unpaired token of the listed name counts against the score.
const UNPAIRED_LIST_TOKEN_WEIGHT: f64 = 1.0 / 3.0;

/// A name on the list: an entry's primary name or one of its aliases.
#[derive(Debug, Clone)]
pub struct ListedName {
    pub ent_num: i64,
    pub entry_name: String,
    /// The name as listed (primary or alias).
    pub name: String,
    /// `primary`, or the alias type (aka, fka, nka).
    pub name_type: String,
    pub program: String,
    tokens: Vec<u32>,
}

/// One match of a screened name.
#[derive(Debug, Clone)]
pub struct Match {
    pub listed: usize,
    /// 0.0 to 1.0.
    pub score: f64,
}

/// Runs `screen_chunk` over `items` split across the machine's threads, each with its own
/// token cache, and returns what the chunks gave, in their order.
pub fn on_threads<T: Sync, R: Send>(
    items: &[T],
    screen_chunk: impl Fn(&[T], &mut TokenCache) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let chunk = items.len().div_ceil(threads).max(1);
    let screen_chunk = &screen_chunk;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || screen_chunk(part, &mut TokenCache::default())))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a screening thread does not panic"))
            .collect()
    })
}

/// The list, indexed for screening.
pub struct ScreeningIndex {
    names: Vec<ListedName>,
    vocabulary: Vec<String>,
    token_ids: TokenMap<u32>,
    /// List token ids by their first two and last two letters.
    buckets: TokenMap<Vec<u32>>,
    /// Listed names holding each token.
    postings: Vec<Vec<u32>>,
    min_token_length: usize,
}

/// A listed name before indexing.
#[derive(Debug, Clone)]
pub struct ListedNameInput {
    pub ent_num: i64,
    pub entry_name: String,
    pub name: String,
    pub name_type: String,
    pub program: String,
    /// `individual`, `vessel`, `aircraft`, or empty for an entity.
    pub sdn_type: String,
}

impl ScreeningIndex {
    pub fn build(inputs: Vec<ListedNameInput>, min_token_length: usize) -> Self {
        let mut index = ScreeningIndex {
            names: Vec::with_capacity(inputs.len()),
            vocabulary: Vec::new(),
            token_ids: TokenMap::default(),
            buckets: TokenMap::default(),
            postings: Vec::new(),
            min_token_length,
        };
        for input in inputs {
            let tokens: Vec<u32> = name_tokens(&input.name)
                .into_iter()
                .map(|token| index.token_id(token))
                .collect();
            if tokens.is_empty() {
                continue;
            }
            let name_id = index.names.len() as u32;
            let mut distinct = tokens.clone();
            distinct.sort_unstable();
            distinct.dedup();
            for token in distinct {
                index.postings[token as usize].push(name_id);
            }
            index.names.push(ListedName {
                ent_num: input.ent_num,
                entry_name: input.entry_name,
                name: input.name,
                name_type: input.name_type,
                program: input.program,
                tokens,
            });
        }
        index
    }

    fn token_id(&mut self, token: String) -> u32 {
        if let Some(id) = self.token_ids.get(&token) {
            return *id;
        }
        let id = self.vocabulary.len() as u32;
        for key in bucket_keys(&token) {
            self.buckets.entry(key).or_default().push(id);
        }
        self.token_ids.insert(token.clone(), id);
        self.vocabulary.push(token);
        self.postings.push(Vec::new());
        id
    }

    pub fn listed(&self, index: usize) -> &ListedName {
        &self.names[index]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// List tokens similar to `token`, with their similarity.
    fn similar_tokens(&self, token: &str) -> Vec<(u32, f64)> {
        if token.len() <= self.min_token_length {
            return self
                .token_ids
                .get(token)
                .map(|id| vec![(*id, 1.0)])
                .unwrap_or_default();
        }
        let mut found: Vec<(u32, f64)> = Vec::new();
        for key in bucket_keys(token) {
            let Some(candidates) = self.buckets.get(&key) else {
                continue;
            };
            for &candidate in candidates {
                if found.iter().any(|(id, _)| *id == candidate) {
                    continue;
                }
                let listed = &self.vocabulary[candidate as usize];
                if listed.len() <= self.min_token_length {
                    continue;
                }
                let similarity = jaro_winkler(token, listed);
                if similarity >= MIN_TOKEN_SIMILARITY {
                    found.push((candidate, similarity));
                }
            }
        }
        found
    }

    /// Every listed name the screened name matches at `min_score` or more, best first.
    pub fn screen(&self, name: &str, min_score: f64, cache: &mut TokenCache) -> Vec<Match> {
        let tokens = name_tokens(name);
        let query: Vec<&str> = tokens.iter().map(String::as_str).collect();
        self.screen_tokens(&query, min_score, cache)
    }

    /// As [`Self::screen`], for a name already normalised: its tokens (as `name_tokens` gives
    /// them) joined by single spaces, as screening's cache keys names.
    pub fn screen_normalised(
        &self,
        normalised: &str,
        min_score: f64,
        cache: &mut TokenCache,
    ) -> Vec<Match> {
        let query: Vec<&str> = normalised
            .split(' ')
            .filter(|token| !token.is_empty())
            .collect();
        self.screen_tokens(&query, min_score, cache)
    }

    fn screen_tokens(&self, query: &[&str], min_score: f64, cache: &mut TokenCache) -> Vec<Match> {
        if query.is_empty() {
            return Vec::new();
        }
        let query_chars: usize = query.iter().map(|token| token.len()).sum();
        // For every listed name touched, the query characters that found a similar token in it,
        // counted in the cache's dense arrays (a hash map per name screened cost a fifth of the
        // time); each query token counts once per name.
        cache.prepare(self.names.len());
        let mut similar: Vec<Arc<[(u32, f64)]>> = Vec::with_capacity(query.len());
        for (position, token) in query.iter().enumerate() {
            // Shared with the cache, not copied: most tokens of a run repeat.
            let matches = match cache.entries.get(*token) {
                Some(matches) => Arc::clone(matches),
                None => {
                    let matches: Arc<[(u32, f64)]> = self.similar_tokens(token).into();
                    cache
                        .entries
                        .insert(token.to_string(), Arc::clone(&matches));
                    matches
                }
            };
            for (id, _) in matches.iter() {
                for &name_id in &self.postings[*id as usize] {
                    cache.count(name_id, position as u32, token.len());
                }
            }
            similar.push(matches);
        }
        let mut matches = Vec::new();
        for name_id in cache.touched.drain(..) {
            let matched_chars = std::mem::take(&mut cache.matched_chars[name_id as usize]);
            cache.last_token[name_id as usize] = u32::MAX;
            // Best case: every matched token pairs perfectly with one as long as itself.
            let unmatched = (query_chars - matched_chars.min(query_chars)) as f64;
            let bound = 2.0 * matched_chars as f64 / (2.0 * matched_chars as f64 + unmatched);
            if bound < min_score {
                continue;
            }
            let score = self.pair_score(query, &similar, &self.names[name_id as usize]);
            if score >= min_score {
                matches.push(Match {
                    listed: name_id as usize,
                    score,
                });
            }
        }
        matches.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.listed.cmp(&b.listed)));
        matches
    }

    /// Best-first pairing of the screened tokens with the listed name's tokens.
    fn pair_score(
        &self,
        query: &[&str],
        similar: &[Arc<[(u32, f64)]>],
        listed: &ListedName,
    ) -> f64 {
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for (query_index, candidates) in similar.iter().enumerate() {
            for (listed_index, token) in listed.tokens.iter().enumerate() {
                if let Some((_, similarity)) = candidates.iter().find(|(id, _)| id == token) {
                    pairs.push((*similarity, query_index, listed_index));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut query_used = vec![false; query.len()];
        let mut listed_used = vec![false; listed.tokens.len()];
        let mut paired_weight = 0.0;
        let mut total_weight = 0.0;
        for (similarity, query_index, listed_index) in pairs {
            if query_used[query_index] || listed_used[listed_index] {
                continue;
            }
            query_used[query_index] = true;
            listed_used[listed_index] = true;
            let length = (query[query_index].len()
                + self.vocabulary[listed.tokens[listed_index] as usize].len())
                as f64;
            paired_weight += similarity * length;
            total_weight += length;
        }
        for (index, used) in query_used.iter().enumerate() {
            if !used {
                total_weight += query[index].len() as f64;
            }
        }
        for (index, used) in listed_used.iter().enumerate() {
            if !used {
                total_weight += UNPAIRED_LIST_TOKEN_WEIGHT
                    * self.vocabulary[listed.tokens[index] as usize].len() as f64;
            }
        }
        if total_weight == 0.0 {
            return 0.0;
        }
        paired_weight / total_weight
    }
}

/// Similar list tokens of screened tokens already seen; one per screening thread.
#[derive(Default)]
pub struct TokenCache {
    entries: TokenMap<Arc<[(u32, f64)]>>,
    /// Per listed name, the query characters matched so far (zero between names screened).
    matched_chars: Vec<usize>,
    /// Per listed name, the query token that last counted for it (`u32::MAX`: none).
    last_token: Vec<u32>,
    /// The listed names counted for the name being screened.
    touched: Vec<u32>,
}

impl TokenCache {
    /// Sizes the counters for an index of `names` listed names.
    fn prepare(&mut self, names: usize) {
        if self.matched_chars.len() != names {
            self.matched_chars = vec![0; names];
            self.last_token = vec![u32::MAX; names];
            self.touched.clear();
        }
        debug_assert!(
            self.touched.is_empty(),
            "the last name's counts were drained"
        );
    }

    /// Counts `characters` of query token `token` for listed name `name_id`, once per token.
    fn count(&mut self, name_id: u32, token: u32, characters: usize) {
        let index = name_id as usize;
        if self.last_token[index] == token {
            return;
        }
        if self.last_token[index] == u32::MAX {
            self.touched.push(name_id);
        }
        self.last_token[index] = token;
        self.matched_chars[index] += characters;
    }
}

fn bucket_keys(token: &str) -> Vec<String> {
    let characters: Vec<char> = token.chars().collect();
    if characters.len() < 2 {
        return vec![format!("^{token}")];
    }
    let head: String = characters[..2].iter().collect();
    let tail: String = characters[characters.len() - 2..].iter().collect();
    vec![format!("^{head}"), format!("{tail}$")]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> ScreeningIndex {
        let listed = |ent_num, name: &str| ListedNameInput {
            ent_num,
            entry_name: name.to_string(),
            name: name.to_string(),
            name_type: "primary".into(),
            program: "SDGT".into(),
            sdn_type: "individual".into(),
        };
        ScreeningIndex::build(
            vec![
                listed(1, "ABDUL, Hamid Karim"),
                listed(2, "AL-TIKRITI, Barzan Ibrahim Hasan"),
                listed(3, "BANCO NACIONAL DE CUBA"),
            ],
            2,
        )
    }

    fn best(index: &ScreeningIndex, name: &str) -> Option<(i64, f64)> {
        index
            .screen(name, 0.0, &mut TokenCache::default())
            .first()
            .map(|found| (index.listed(found.listed).ent_num, found.score))
    }

    #[test]
    fn reordered_typo_and_dropped_names_still_match() {
        let index = index();
        assert_eq!(best(&index, "Hamid Karim Abdul"), Some((1, 1.0)));
        let (ent, typo) = best(&index, "Hammid Karim Abdul").unwrap();
        assert!(ent == 1 && typo > 0.95, "{typo}");
        let (ent, dropped) = best(&index, "Hamid Abdul").unwrap();
        assert!(ent == 1 && dropped > 0.9, "{dropped}");
        let (ent, transliterated) = best(&index, "Barzan Ibraheem al-Tikriti").unwrap();
        assert!(ent == 2 && transliterated > 0.88, "{transliterated}");
    }

    #[test]
    fn other_names_score_low() {
        let index = index();
        let score = best(&index, "Hannah Schmidt")
            .map(|(_, score)| score)
            .unwrap_or(0.0);
        assert!(score < 0.6, "{score}");
        let score = best(&index, "Karim Benzema")
            .map(|(_, score)| score)
            .unwrap_or(0.0);
        assert!(score < 0.88, "{score}");
    }
}
