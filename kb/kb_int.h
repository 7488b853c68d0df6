/*
 * kb_int.h: functions shared inside kb/ only. Other modules include
 * "kb/kb.h"; tests reach these helpers through this header.
 */
#ifndef OPEX_KB_INT_H
#define OPEX_KB_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "kb/kb.h"

/* ---------------------------------------------------------------------
 * YAML (yaml.c)
 * ------------------------------------------------------------------- */

/**
 * The message of an error from opex_kb_yaml_parse() without its leading
 * "line N: ", for diagnostics that carry the line themselves. Borrowed.
 */
const char *opex_kb_yaml_error_text(const opex_error *err);

/* ---------------------------------------------------------------------
 * Markdown scan (markdown.c): what article.c needs from the cmark tree
 * ------------------------------------------------------------------- */

/* A link or image destination found in Markdown text. */
typedef struct opex_kb_md_link {
	char *target;       /* the destination as cmark resolved it */
	unsigned line, col; /* 1-based, in the Markdown text given to the scan */
} opex_kb_md_link;

typedef struct opex_kb_md_scan {
	char *heading;          /* plain text of the first non-empty heading */
	unsigned heading_line;  /* its line in the Markdown text; 0 if none */
	opex_kb_md_link *links; /* every link and image, in document order */
	size_t link_count, link_cap;
} opex_kb_md_scan;

#define OPEX_KB_MD_SCAN_INIT { NULL, 0, NULL, 0, 0 }

/**
 * Parse `md[0..len)` with cmark (safe defaults) and collect the text of the
 * first ATX or setext heading and every link and image destination with
 * its position. cmark gives no positions for inline nodes: the line is
 * found by searching the enclosing block's lines for the destination as
 * written, falling back to the block's first line and column. Works on any
 * bytes. Free what `out` holds with opex_kb_markdown_scan_release().
 */
void opex_kb_markdown_scan(opex_kb_md_scan *out, const char *md, size_t len);

/** Free what a scan holds and reset it to OPEX_KB_MD_SCAN_INIT. */
void opex_kb_markdown_scan_release(opex_kb_md_scan *scan);

/* ------------------------------------------------------------------- */

/* ---------------------------------------------------------------------
 * Markdown as plain text (markdown.c), for the search index
 * ------------------------------------------------------------------- */

/* A section of the plain text: the heading that opens it and where it starts. */
typedef struct opex_kb_md_section {
	char *heading;   /* plain heading text; NULL for the text before the first heading */
	size_t offset;   /* byte offset of the section's text in the plain text */
} opex_kb_md_section;

typedef struct opex_kb_md_text {
	opex_buf text;                /* the body as a reader sees it, headings excluded */
	opex_buf headings;            /* every heading's text, one per line */
	opex_kb_md_section *sections; /* in document order, offsets ascending */
	size_t section_count, section_cap;
} opex_kb_md_text;

/** Initialize `text`, able to hold up to `max` bytes of text. */
void opex_kb_md_text_init(opex_kb_md_text *text, size_t max);

/**
 * Reduce `md[0..len)` to plain text through the cmark AST: text, code and
 * image descriptions are kept; `#`, emphasis marks, link targets and raw
 * HTML are not. Blocks end with a newline and control characters become
 * spaces. Each heading starts a section. OPEX_ETOOBIG past the max.
 */
int opex_kb_markdown_plain(opex_kb_md_text *out, const char *md, size_t len,
	opex_error *err) OPEX_WARN_UNUSED;

/** Free what `text` holds and make it empty (same max). */
void opex_kb_md_text_release(opex_kb_md_text *text);

/* ---------------------------------------------------------------------
 * Search query tree (query.c), read by the index (index_sqlite.c)
 * ------------------------------------------------------------------- */

typedef enum opex_kb_qfilter_kind {
	OPEX_KB_QFILTER_LANG = 0,
	OPEX_KB_QFILTER_JOURNEY,
	OPEX_KB_QFILTER_MARKET,
	OPEX_KB_QFILTER_OWNER,
	OPEX_KB_QFILTER_TAG,
	OPEX_KB_QFILTER_STALE     /* is:stale; negated: not stale */
} opex_kb_qfilter_kind;

typedef struct opex_kb_qfilter {
	opex_kb_qfilter_kind kind;
	char *value;              /* lowercase (ASCII); NULL for is:stale */
	bool negated;
} opex_kb_qfilter;

typedef struct opex_kb_qterm {
	char *text;               /* as typed, without quotes, '-' or '*' */
	bool phrase, prefix;
} opex_kb_qterm;

/* One clause: its terms joined by OR; clauses are joined by AND. */
typedef struct opex_kb_qclause {
	opex_kb_qterm *terms;
	size_t count;
	bool negated;             /* an excluded term (never with OR) */
} opex_kb_qclause;

struct opex_kb_query {
	opex_kb_qclause *clauses;
	size_t clause_count, clause_cap;
	opex_kb_qfilter *filters;
	size_t filter_count, filter_cap;
	char **warnings;
	size_t warning_count, warning_cap;
};

/** True if the query has at least one clause that is not excluded. */
bool opex_kb_query_has_positive(const opex_kb_query *query);

/** Append the MATCH expression of the excluded clauses only, OR-ed. */
void opex_kb_query_match_excluded(opex_buf *out, const opex_kb_query *query);

/**
 * Append `s[0..len)` with a U+200B (a separator for unicode61) between
 * two adjacent CJK characters, so each is a token and a CJK word is
 * found as a phrase of its characters. Used for indexed text and queries.
 */
void opex_kb_text_cjk_split(opex_buf *out, const char *s, size_t len);

/** True if `s[0..len)` holds a CJK character (Han, kana, Hangul). */
bool opex_kb_text_has_cjk(const char *s, size_t len);

/* ---------------------------------------------------------------------
 * Repository internals (git_source.c): what history.c needs from libgit2
 * ------------------------------------------------------------------- */

struct git_repository;

/** The open libgit2 repository. Borrowed from `repo`. */
struct git_repository *opex_kb_repo_git(const opex_kb_repo *repo);

/** The resolved commit id as 20 raw bytes. Borrowed from `repo`. */
const unsigned char *opex_kb_repo_commit_raw(const opex_kb_repo *repo);

/**
 * Why libgit2 could not read an object, given the error `code` it
 * returned: "object not found", else its own message. Borrowed until the
 * next libgit2 call on this thread.
 */
const char *opex_kb_git_reason(int code);

/* A folder of the revision whose tree object cannot be read (missing or
 * corrupt): its files are not in the listing. */
typedef struct opex_kb_repo_unreadable {
	char *path;         /* "articles/cards", without a trailing '/' */
	char oid[41];       /* the folder's tree id, hex */
	char *message;      /* "cannot read git object <oid>: object not found" */
} opex_kb_repo_unreadable;

/** Number of folders left out of the listing, and folder `i` in path order. */
size_t opex_kb_repo_unreadable_count(const opex_kb_repo *repo);
const opex_kb_repo_unreadable *opex_kb_repo_unreadable_at(
	const opex_kb_repo *repo, size_t i);

/* ---------------------------------------------------------------------
 * History and handbook internals: what the search index needs to know
 * about a load that could not read everything
 * ------------------------------------------------------------------- */

/**
 * A history that knows nothing, for a revision whose history walk failed
 * (an unreadable commit or tree): every path has no change and no touch.
 * opex_kb_history_known() tells it from a history with no commits.
 */
void opex_kb_history_new_unknown(opex_kb_history **out,
	const opex_kb_repo *repo);

/** False for a history from opex_kb_history_new_unknown(). */
bool opex_kb_history_known(const opex_kb_history *history);

/**
 * The handbook files and folders whose git objects could not be read
 * (each also reported as an object-unreadable diagnostic), in path
 * order, and path `i`. Borrowed from the handbook.
 */
size_t opex_kb_handbook_unreadable_count(const opex_kb_handbook *handbook);
const char *opex_kb_handbook_unreadable(const opex_kb_handbook *handbook,
	size_t i);

/* ---------------------------------------------------------------------
 * Record chains (git_records.c): what git_remote.c needs
 * ------------------------------------------------------------------- */

/* A ref lock older than this was left by a writer that died (seconds). */
#define OPEX_KB_STALE_LOCK_SECONDS 10

struct git_oid;

/**
 * Build the record on the tip of `ref` in `git` and write its commit,
 * without moving the ref: `id` gets the commit, `tip` the commit it was
 * built on (all zero when the ref does not exist yet).
 */
int opex_kb_record_write(struct git_oid *id, struct git_oid *tip,
	struct git_repository *git, const char *ref,
	opex_kb_record_build_fn build, void *payload, const char *summary,
	const opex_kb_record_author *author, opex_error *err);

/** A short pause before retry `attempt`, different in each process (`seed`). */
void opex_kb_backoff(unsigned attempt, unsigned seed);

/** opex_kb_records_append() on an open libgit2 repository. */
int opex_kb_records_append_git(char *out, struct git_repository *git,
	const char *ref, opex_kb_record_build_fn build, void *payload,
	const char *summary, const opex_kb_record_author *author,
	opex_error *err);

#endif
