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
 * History internals (history.c, handbook.c)
 * ------------------------------------------------------------------- */

/**
 * A history that knows nothing, for a revision whose history walk failed
 * (an unreadable commit or tree): every path has no change and no touch.
 * opex_kb_history_known() tells it from a history with no commits.
 */
void opex_kb_history_new_unknown(opex_kb_history **out,
	const opex_kb_repo *repo);



/* ---------------------------------------------------------------------
 * Caches (history_cache.c, article_cache.c)
 * ------------------------------------------------------------------- */

/**
 * "<git-dir>/opex/NAME", the folder made if need be; NULL when it cannot
 * be. Free with opex_free().
 */
char *opex_kb_cache_path(const opex_kb_repo *repo, const char *name);

/* Little-endian integers, as the cache files store them. */
uint32_t opex_kb_rd32(const unsigned char *p);
int64_t opex_kb_rd64(const unsigned char *p);
void opex_kb_put32(opex_buf *b, uint32_t v);
void opex_kb_put64(opex_buf *b, int64_t v);

/* Parsed articles kept between loads, by path and blob id. */
typedef struct opex_kb_article_cache opex_kb_article_cache;

/** Read the cache at `path`; NULL when there is none or it is unusable. */
opex_kb_article_cache *opex_kb_article_cache_open(const char *path);

void opex_kb_article_cache_free(opex_kb_article_cache *cache);

/** How many articles the cache holds. */
size_t opex_kb_article_cache_count(const opex_kb_article_cache *cache);

/** The record of `path` at blob `oid`, or -1. */
long opex_kb_article_cache_find(const opex_kb_article_cache *cache,
	const char *path, const char *oid);

/**
 * Record `i` (< the count) as an article, as opex_kb_article_cache_get().
 * The cache is only read: threads may take records of one cache at once.
 */
opex_kb_article *opex_kb_article_cache_take(const opex_kb_article_cache *cache,
	size_t i, opex_diag_list *diags);

/**
 * The article at `path`, blob `oid`, as it parsed, its parse findings
 * appended to `diags`; NULL (nothing appended) when the cache has no
 * sound record of that blob at that path.
 */
opex_kb_article *opex_kb_article_cache_get(const opex_kb_article_cache *cache,
	const char *path, const char *oid, opex_diag_list *diags);

/* An article to write, with its blob and the run of `diags` its parse gave. */
typedef struct opex_kb_cached_article {
	const opex_kb_article *article;
	const char *oid;
	size_t diag_first, diag_count;
} opex_kb_cached_article;

/**
 * Replace the cache at `path` with `items` (in path order). False when it
 * could not be written: then the next load only parses more.
 */
bool opex_kb_article_cache_write(const char *path,
	const opex_kb_cached_article *items, size_t count,
	const opex_diag_list *diags);

/* ---------------------------------------------------------------------
 * Record chains (git_records.c): what git_remote.c needs
 * ------------------------------------------------------------------- */

/* A ref lock older than this was left by a writer that died (seconds). */
#define OPEX_KB_STALE_LOCK_SECONDS 10

/* The handbook's settings and roster, read by every load. */
#define OPEX_KB_SETTINGS_PATH "opex.yaml"
#define OPEX_KB_ROSTER_PATH "people.yaml"

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
