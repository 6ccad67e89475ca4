// Package analysis turns text into the terms of Confide's archive index and a
// query word into the terms that must find it.
//
// Contract:
//   - Segmentation: a word is a run of letters, digits and combining marks;
//     an apostrophe between two letters stays inside the word ("don't").
//     Everything else separates words. This is simpler than UAX #29 but
//     equal to it for Cyrillic and Latin prose, the archive's scripts.
//   - Folding: Unicode lower case, ё→е (Russian texts write both), and the
//     combining acute accent of Russian dictionaries dropped.
//   - Language is decided per word by its script, never assumed: Cyrillic
//     words take the Snowball Russian stemmer, Latin words the Snowball
//     English (porter2) stemmer, others are kept folded. Mixed-language text
//     therefore needs no setting; DetectLanguage names a document's main
//     language for filters and facets.
//   - Every word yields two terms at the same position: its stem and its
//     exact folded form prefixed by ExactPrefix, so stemmed search, =exact
//     search and phrases all run on one index.
//   - Indexing many texts: a Cache remembers the folded form and stem of
//     the words it has seen (a bounded number), and its Tokenize gives
//     exactly Tokenize's tokens.
//   - Query side: QueryStems returns the stems a bare query word must match.
//     Snowball is not a lemmatiser ("архив"→"арх" but "архивы"→"архив"), so
//     the word's own inflections are generated and their stems added when
//     they are consistent with the word (see inflect.go).
package analysis
