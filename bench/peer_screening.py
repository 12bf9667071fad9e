"""The peer of `paylake bench screening`: the same names screened against the same list, the
token similarities by DuckDB's own `jaro_winkler_similarity`, the rest in Python.

paylake hands over the listed names (`list.parquet`: position, the order it indexes them in;
entry number, entry name, the name as listed) and the names to screen (`names.parquet`: party id and
name). This script does what paylake's matcher does, written from its description, not its
code path: names to lower-case ASCII tokens (NFKD, marks dropped, a few letters folded,
apostrophes joining, legal forms and honorifics out); a screened token pairs with the list
tokens that share its first or last two letters at a Jaro-Winkler similarity of 0.82 or more
(tokens of two letters or fewer only with themselves); a listed name is scored when the
screened characters that found a similar token in it could reach the threshold; the score
pairs tokens best-first, each pair weighed by both lengths, unpaired screened tokens counting
fully against it and unpaired listed ones a third. Every party keeps its best match per entry.
It writes every hit (with polars) to `hits.parquet` in the output folder and the time of each step to
`steps.json`.

    python bench/peer_screening.py --data DATA --output DIR --min-score 0.88 --min-token-length 2
"""

import argparse
import json
import math
import pathlib
import time
import unicodedata

import duckdb
import polars

MIN_TOKEN_SIMILARITY = 0.82
UNPAIRED_LIST_TOKEN_WEIGHT = 1.0 / 3.0
NOISE_WORDS = {
    "llc", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "co", "company", "sa",
    "gmbh", "plc", "jsc", "ojsc", "cjsc", "llp", "mr", "mrs", "ms", "dr", "sheikh", "the",
}
FOLDED = {
    "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l",
    "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i",
}


def name_tokens(name):
    folded = []
    for letter in unicodedata.normalize("NFKD", name):
        if unicodedata.category(letter) in ("Mn", "Mc", "Me"):
            continue
        if letter in FOLDED:
            folded.append(FOLDED[letter])
        elif letter in "'’`":
            continue
        elif letter.isascii() and letter.isalnum():
            folded.append(letter.lower())
        else:
            folded.append(" ")
    return [token for token in "".join(folded).split() if token not in NOISE_WORDS]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True, type=pathlib.Path)
    parser.add_argument("--output", required=True, type=pathlib.Path)
    # The harness hands every peer the folder of paylake's SQL; screening runs none.
    parser.add_argument("--sql", type=pathlib.Path)
    parser.add_argument("--min-score", required=True, type=float)
    parser.add_argument("--min-token-length", required=True, type=int)
    arguments = parser.parse_args()
    arguments.output.mkdir(parents=True, exist_ok=True)
    short = arguments.min_token_length
    steps = []
    connection = duckdb.connect()

    started = time.perf_counter()
    listed = connection.execute(
        f"SELECT ent_num, entry_name, name FROM read_parquet('{arguments.data / 'list.parquet'}') ORDER BY position"
    ).fetchall()
    names = []  # (ent_num, entry_name, name, token ids), names without tokens left out
    vocabulary = {}
    postings = []
    for ent_num, entry_name, name in listed:
        tokens = []
        for token in name_tokens(name):
            if token not in vocabulary:
                vocabulary[token] = len(vocabulary)
                postings.append([])
            tokens.append(vocabulary[token])
        if not tokens:
            continue
        for token in set(tokens):
            postings[token].append(len(names))
        names.append((ent_num, entry_name, name, tokens))
    words = sorted(vocabulary, key=vocabulary.get)
    parties = connection.execute(
        f"SELECT party_id, name FROM read_parquet('{arguments.data / 'names.parquet'}')"
    ).fetchall()
    screened = [(party_id, name_tokens(name)) for party_id, name in parties]
    steps.append(["normalise names", time.perf_counter() - started])

    # Similar tokens: every distinct screened token longer than `short` against the list
    # tokens longer than `short` that share its first or its last two letters.
    started = time.perf_counter()
    long_tokens = sorted({token for _, tokens in screened for token in tokens if len(token) > short})
    connection.execute(
        "CREATE TABLE screened_tokens AS SELECT unnest(?::VARCHAR[]) AS token", [long_tokens]
    )
    list_tokens = [(token_id, token) for token_id, token in enumerate(words) if len(token) > short]
    connection.execute(
        "CREATE TABLE list_tokens AS SELECT unnest(?::INTEGER[]) AS token_id, unnest(?::VARCHAR[]) AS token",
        [[token_id for token_id, _ in list_tokens], [token for _, token in list_tokens]],
    )
    pairs = connection.execute(
        """
        WITH screened_keys AS (
            SELECT token, '^' || token[1:2] AS key FROM screened_tokens
            UNION ALL SELECT token, token[-2:] || '$' FROM screened_tokens
        ),
        list_keys AS (
            SELECT token_id, token, '^' || token[1:2] AS key FROM list_tokens
            UNION ALL SELECT token_id, token, token[-2:] || '$' FROM list_tokens
        ),
        candidates AS (
            SELECT DISTINCT s.token, l.token_id, l.token AS listed
            FROM screened_keys AS s JOIN list_keys AS l ON l.key = s.key
        )
        SELECT token, token_id, jaro_winkler_similarity(token, listed) AS similarity
        FROM candidates
        WHERE jaro_winkler_similarity(token, listed) >= ?
        """,
        [MIN_TOKEN_SIMILARITY],
    ).fetchall()
    similar = {}
    for token, token_id, similarity in pairs:
        similar.setdefault(token, {})[token_id] = similarity
    for token in {token for _, tokens in screened for token in tokens if len(token) <= short}:
        if token in vocabulary:
            similar[token] = {vocabulary[token]: 1.0}
    steps.append(["similar tokens", time.perf_counter() - started])

    started = time.perf_counter()
    hits = []
    for party_id, query in screened:
        if not query:
            continue
        query_chars = sum(len(token) for token in query)
        touched = {}
        for token in query:
            names_of_token = set()
            for token_id in similar.get(token, {}):
                names_of_token.update(postings[token_id])
            for name_id in names_of_token:
                touched[name_id] = touched.get(name_id, 0) + len(token)
        matches = []
        for name_id, matched_chars in touched.items():
            unmatched = query_chars - min(matched_chars, query_chars)
            bound = 2.0 * matched_chars / (2.0 * matched_chars + unmatched)
            if bound < arguments.min_score:
                continue
            score = pair_score(query, similar, names[name_id][3], words)
            if score >= arguments.min_score:
                matches.append((score, name_id))
        matches.sort(key=lambda match: (-match[0], match[1]))
        seen = set()
        for score, name_id in matches:
            ent_num, entry_name, name, _ = names[name_id]
            if ent_num in seen:
                continue
            seen.add(ent_num)
            hits.append((party_id, ent_num, entry_name, name, percent(score)))
    steps.append(["score and pair", time.perf_counter() - started])

    started = time.perf_counter()
    polars.DataFrame(
        hits,
        schema={
            "party_id": polars.Utf8,
            "ent_num": polars.Int64,
            "entry_name": polars.Utf8,
            "matched_name": polars.Utf8,
            "score": polars.Int64,
        },
        orient="row",
    ).write_parquet(arguments.output / "hits.parquet")
    steps.append(["write hits", time.perf_counter() - started])
    (arguments.output / "steps.json").write_text(json.dumps({"steps": steps}))


def percent(score):
    """The score in percent, halves rounded away from zero (as Rust's f64::round)."""
    hundredfold = score * 100.0
    whole = math.floor(hundredfold)
    return whole + (1 if hundredfold - whole >= 0.5 else 0)


def pair_score(query, similar, listed_tokens, words):
    """Best-first pairing of the screened tokens with the listed name's, as a weighted score."""
    pairs = []
    for query_index, token in enumerate(query):
        candidates = similar.get(token, {})
        for listed_index, listed_token in enumerate(listed_tokens):
            if listed_token in candidates:
                pairs.append((candidates[listed_token], query_index, listed_index))
    # A stable sort on the similarity alone: equal pairs keep the order they were found in.
    pairs.sort(key=lambda pair: -pair[0])
    query_used = [False] * len(query)
    listed_used = [False] * len(listed_tokens)
    paired_weight = 0.0
    total_weight = 0.0
    for similarity, query_index, listed_index in pairs:
        if query_used[query_index] or listed_used[listed_index]:
            continue
        query_used[query_index] = True
        listed_used[listed_index] = True
        length = float(len(query[query_index]) + len(words[listed_tokens[listed_index]]))
        paired_weight += similarity * length
        total_weight += length
    for index, used in enumerate(query_used):
        if not used:
            total_weight += len(query[index])
    for index, used in enumerate(listed_used):
        if not used:
            total_weight += UNPAIRED_LIST_TOKEN_WEIGHT * len(words[listed_tokens[index]])
    if total_weight == 0.0:
        return 0.0
    return paired_weight / total_weight


if __name__ == "__main__":
    main()
