/*
 * Typo-tolerant word matching for catalog search, used when the FTS5 index
 * finds nothing ("strnger" -> "Stranger"). Pure functions, thread-safe.
 */
#ifndef SV_BACKEND_FUZZY_H
#define SV_BACKEND_FUZZY_H

#include <stddef.h>

/* Optimal-string-alignment distance (insertions, deletions, substitutions,
 * adjacent transpositions) between two byte strings, ASCII case folded.
 * Words longer than 64 bytes are compared on their first 64. */
int sv__edit_distance(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Scores `text` against the search `query`: every query word (split on
 * anything not a letter or digit) must be close to some word of text, or to
 * the start of one (a word being typed). The allowed distance grows with the
 * query word: 0 up to 3 letters, 1 up to 5, 2 beyond.
 * Returns the summed distance (0 is best), or -1 when some word matches
 * nothing (or the query has no words).
 */
int sv__fuzzy_score(const char *query, const char *text);

#endif
