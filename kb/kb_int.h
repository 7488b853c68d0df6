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
 * Repository internals (git_source.c): what history.c needs from libgit2
 * ------------------------------------------------------------------- */

struct git_repository;

/** The open libgit2 repository. Borrowed from `repo`. */
struct git_repository *opex_kb_repo_git(const opex_kb_repo *repo);

/** The resolved commit id as 20 raw bytes. Borrowed from `repo`. */
const unsigned char *opex_kb_repo_commit_raw(const opex_kb_repo *repo);

#endif
