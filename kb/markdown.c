/*
 * markdown.c: the cmark-gfm adapter, the only file that calls cmark-gfm.
 *
 * Dialect. GitHub-flavoured Markdown: CommonMark plus the extensions
 * table, strikethrough (~~x~~), autolink (www.x and bare URLs) and tasklist
 * (- [ ] / - [x]), attached to every parser. Plain text (for search and
 * snippets) reads a table cell by cell, a row per line, never as pipes.
 *
 * Safety. cmark-gfm is always run with CMARK_OPT_DEFAULT and never with
 * CMARK_OPT_UNSAFE. Since cmark 0.29 (cmark-gfm 0.29.0.gfm.6 here) that means:
 *
 *   raw HTML blocks and inline HTML   replaced by "<!-- raw HTML omitted -->"
 *   javascript:, vbscript:, file:     href/src left empty
 *   data: (except data:image/png,
 *          gif, jpeg, webp)           href/src left empty
 *
 * tests/kb/check_markdown.c checks every line of this table against the
 * installed cmark, so an upgrade that changes it fails the build.
 *
 * Nesting. What we rely on in cmark rather than limiting ourselves:
 *   - the block parser keeps open containers in a linked list, not on the C
 *     stack, so 10,000 nested blockquotes or list items cost memory, not stack;
 *   - emphasis and bracket matching use delimiter stacks (linear or
 *     bounded work: cmark's pathological tests cover `*` and `[` nesting);
 *   - rendering, freeing and our own walks use cmark_iter or loops, never
 *     recursion (cmark's S_free_nodes; the HTML renderer is an iterator).
 * Input longer than MAX_INPUT (cmark counts in int) is refused.
 *
 * Positions. cmark records source positions for blocks only. A link's line
 * and column are found by searching the lines of its enclosing block for
 * the destination as written; links come in source order, so the search
 * continues after the previous match of the same block. A destination not
 * found as written (entities, reference definitions) gets the block's
 * first line and column. The work per block is bounded by a budget
 * proportional to the block's size, so hostile input stays linear.
 */
#include "kb/kb_int.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <pthread.h>
#include <string.h>

#include "core/banned.h"

#define MAX_INPUT ((size_t)1 << 30)

static const char *const extension_names[] = {
	"table", "strikethrough", "autolink", "tasklist"
};

/*
 * cmark-gfm keeps its extensions in a process-wide registry that must be
 * filled once before any parser uses it; pthread_once makes that safe
 * from server threads.
 */
static pthread_once_t extensions_once = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static bool is_block(cmark_node_type t)
{
	return (t & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK;
}

static bool type_is(cmark_node *node, const char *name)
{
	return strcmp(cmark_node_get_type_string(node), name) == 0;
}

/* A parser with the GFM extensions attached; free with cmark_parser_free. */
static cmark_parser *gfm_parser(void)
{
	cmark_parser *parser;
	size_t i;

	pthread_once(&extensions_once, register_extensions);
	parser = cmark_parser_new(CMARK_OPT_DEFAULT);
	for (i = 0; i < sizeof(extension_names) / sizeof(extension_names[0]); i++) {
		cmark_syntax_extension *ext = cmark_find_syntax_extension(extension_names[i]);

		if (ext == NULL)
			OPEX_BUG("cmark-gfm has no extension the build expects");
		cmark_parser_attach_syntax_extension(parser, ext);
	}
	return parser;
}

/* Parse `md[0..len)` as GFM; the tree is freed with cmark_node_free. */
static cmark_node *gfm_parse(cmark_parser *parser, const char *md, size_t len)
{
	cmark_parser_feed(parser, md, len);
	return cmark_parser_finish(parser);
}

int opex_kb_markdown_to_html(opex_buf *out, const char *md, size_t len,
	opex_error *err)
{
	cmark_mem *mem = cmark_get_default_mem_allocator();
	cmark_parser *parser = NULL;
	cmark_node *doc = NULL;
	char *html = NULL;
	int error = 0;

	if (len > MAX_INPUT) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"markdown is larger than %zu bytes", MAX_INPUT);
		goto done;
	}
	parser = gfm_parser();
	doc = gfm_parse(parser, md ? md : "", md ? len : 0);
	html = cmark_render_html(doc, CMARK_OPT_DEFAULT,
		cmark_parser_get_syntax_extensions(parser));
	opex_buf_put(out, html, strlen(html));
	if (out->failed)
		error = opex_error_set(err, OPEX_ETOOBIG,
			"rendered HTML is larger than %zu bytes", out->max);

done:
	if (html)
		mem->free(html);
	if (doc)
		cmark_node_free(doc);
	if (parser)
		cmark_parser_free(parser);
	return error;
}

/* Where line starts are, found by walking forward (CR, LF and CRLF end a line, as in cmark). */
typedef struct cursor {
	const char *text;
	size_t len;
	unsigned line;  /* the line that starts at `off` */
	size_t off;
} cursor;

static size_t next_line(const char *text, size_t len, size_t off)
{
	while (off < len && text[off] != '\n' && text[off] != '\r')
		off++;
	if (off < len && text[off] == '\r') {
		off++;
		if (off < len && text[off] == '\n')
			off++;
	} else if (off < len) {
		off++;
	}
	return off;
}

/* Offset of the start of `line` (1-based), or the text's length if past it. */
static size_t line_offset(cursor *c, unsigned line)
{
	if (line < c->line) {
		c->line = 1;
		c->off = 0;
	}
	while (c->line < line && c->off < c->len) {
		c->off = next_line(c->text, c->len, c->off);
		c->line++;
	}
	return c->line == line ? c->off : c->len;
}

/* Find `needle` in text[from..to); returns its offset or `to`. */
static size_t find(const char *text, size_t from, size_t to, const char *needle,
	size_t n)
{
	const char *p;

	while (from < to && to - from >= n) {
		p = memchr(text + from, needle[0], to - from - n + 1);
		if (p == NULL)
			return to;
		from = (size_t)(p - text);
		if (memcmp(p, needle, n) == 0)
			return from;
		from++;
	}
	return to;
}

/* The search state within the current block. */
typedef struct block_state {
	cmark_node *block;
	size_t start, end;   /* byte range of the block's lines */
	size_t pos;          /* search from here */
	unsigned pos_line;   /* line at pos */
	size_t pos_line_off; /* offset where pos_line starts */
	size_t budget;       /* bytes of searching left */
} block_state;

static cmark_node *enclosing_block(cmark_node *node)
{
	while (node) {
		cmark_node_type t = cmark_node_get_type(node);

		if (is_block(t) && cmark_node_get_start_line(node) > 0)
			return node;
		node = cmark_node_parent(node);
	}
	return NULL;
}

static void locate(opex_kb_md_link *link, cursor *c, block_state *bs,
	cmark_node *node)
{
	cmark_node *block = enclosing_block(node);
	size_t n = strlen(link->target), at, i;
	int start_line, start_col, end_line;

	link->line = 1;
	link->col = 1;
	if (block == NULL)
		return;
	start_line = cmark_node_get_start_line(block);
	start_col = cmark_node_get_start_column(block);
	end_line = cmark_node_get_end_line(block);
	link->line = (unsigned)start_line;
	link->col = start_col > 0 ? (unsigned)start_col : 1;
	if (block != bs->block) {
		bs->block = block;
		bs->start = line_offset(c, (unsigned)start_line);
		bs->end = end_line >= start_line ?
			line_offset(c, (unsigned)end_line + 1) : bs->start;
		bs->pos = bs->start;
		bs->pos_line = (unsigned)start_line;
		bs->pos_line_off = bs->start;
		bs->budget = 4 * (bs->end - bs->start) + 4096;
	}
	if (n == 0 || bs->budget == 0)
		return;
	at = find(c->text, bs->pos, bs->end, link->target, n);
	bs->budget = bs->budget > at - bs->pos ? bs->budget - (at - bs->pos) : 0;
	if (at >= bs->end)
		return;
	/* Count line ends from the previous match to this one. */
	for (i = bs->pos; i < at; i++) {
		char ch = c->text[i];

		if (ch == '\n' || (ch == '\r' && (i + 1 >= c->len ||
						   c->text[i + 1] != '\n'))) {
			bs->pos_line++;
			bs->pos_line_off = i + 1;
		}
	}
	bs->pos = at + n;
	link->line = bs->pos_line;
	link->col = (unsigned)(at - bs->pos_line_off) + 1;
}

static char *heading_text(cmark_node *heading)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	cmark_iter *it = cmark_iter_new(heading);
	cmark_event_type ev;
	opex_str trimmed;
	char *result = NULL;

	for (;;) {
		cmark_node *node;
		const char *lit;

		ev = cmark_iter_next(it);
		if (ev == CMARK_EVENT_DONE)
			break;
		if (ev != CMARK_EVENT_ENTER)
			continue;
		node = cmark_iter_get_node(it);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			lit = cmark_node_get_literal(node);
			if (lit)
				opex_buf_puts(&text, lit);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			opex_buf_putc(&text, ' ');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	trimmed = opex_str_trim(opex_str_from(text.ptr));
	if (trimmed.len > 0)
		result = opex_strndup(trimmed.ptr, trimmed.len);
	opex_buf_release(&text);
	return result;
}

static void add_link(opex_kb_md_scan *out, cursor *c, block_state *bs,
	cmark_node *node)
{
	const char *url = cmark_node_get_url(node);
	opex_kb_md_link *link;

	if (url == NULL || *url == '\0')
		return;
	opex_array_grow((void **)&out->links, &out->link_cap,
		out->link_count + 1, sizeof(*out->links));
	link = &out->links[out->link_count++];
	link->target = opex_strdup(url);
	locate(link, c, bs, node);
}

void opex_kb_markdown_scan(opex_kb_md_scan *out, const char *md, size_t len)
{
	cursor c = { md, len, 1, 0 };
	block_state bs;
	cmark_parser *parser = NULL;
	cmark_node *doc = NULL;
	cmark_iter *it = NULL;
	cmark_event_type ev;

	memset(out, 0, sizeof(*out));
	memset(&bs, 0, sizeof(bs));
	if (md == NULL || len > MAX_INPUT)
		goto done;
	parser = gfm_parser();
	doc = gfm_parse(parser, md, len);
	it = cmark_iter_new(doc);
	for (;;) {
		cmark_node *node;

		ev = cmark_iter_next(it);
		if (ev == CMARK_EVENT_DONE)
			break;
		if (ev != CMARK_EVENT_ENTER)
			continue;
		node = cmark_iter_get_node(it);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_HEADING:
			if (out->heading == NULL) {
				out->heading = heading_text(node);
				if (out->heading)
					out->heading_line = (unsigned)
						cmark_node_get_start_line(node);
			}
			break;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			add_link(out, &c, &bs, node);
			break;
		default:
			break;
		}
	}

done:
	if (it)
		cmark_iter_free(it);
	if (doc)
		cmark_node_free(doc);
	if (parser)
		cmark_parser_free(parser);
}

void opex_kb_markdown_scan_release(opex_kb_md_scan *scan)
{
	size_t i;

	for (i = 0; i < scan->link_count; i++)
		opex_free(scan->links[i].target);
	opex_free(scan->links);
	opex_free(scan->heading);
	memset(scan, 0, sizeof(*scan));
}

/* ---------------------------------------------------------------------
 * Plain text for the search index
 *
 *   node                         what goes into the plain text
 *   ---------------------------  ------------------------------------
 *   text, code, code block       the literal (control bytes -> space)
 *   softbreak, linebreak         one space
 *   end of a block               one newline
 *   heading                      starts a section; its text goes to
 *                                `headings`, not to the body text
 *   raw HTML (block, inline)     nothing
 *   link, image                  their text only, never the target
 * ------------------------------------------------------------------- */

void opex_kb_md_text_init(opex_kb_md_text *text, size_t max)
{
	memset(text, 0, sizeof(*text));
	opex_buf_init(&text->text, max);
	opex_buf_init(&text->headings, max);
}

void opex_kb_md_text_release(opex_kb_md_text *text)
{
	size_t i;

	for (i = 0; i < text->section_count; i++)
		opex_free(text->sections[i].heading);
	opex_free(text->sections);
	text->sections = NULL;
	text->section_count = text->section_cap = 0;
	opex_buf_release(&text->text);
	opex_buf_release(&text->headings);
}

/* Append `s` with control bytes (other than newline) turned into spaces. */
static void put_clean(opex_buf *out, const char *s)
{
	size_t start = 0, i;

	for (i = 0; s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 && ch != '\n') {
			opex_buf_put(out, s + start, i - start);
			opex_buf_putc(out, ' ');
			start = i + 1;
		}
	}
	opex_buf_put(out, s + start, i - start);
}

static void end_block(opex_buf *out)
{
	if (out->len > 0 && out->ptr[out->len - 1] != '\n')
		opex_buf_putc(out, '\n');
}

static void add_section(opex_kb_md_text *out, char *heading)
{
	opex_kb_md_section *s;

	opex_array_grow((void **)&out->sections, &out->section_cap,
		out->section_count + 1, sizeof(*out->sections));
	s = &out->sections[out->section_count++];
	s->heading = heading;
	s->offset = out->text.len;
}

int opex_kb_markdown_plain(opex_kb_md_text *out, const char *md, size_t len,
	opex_error *err)
{
	cmark_parser *parser = NULL;
	cmark_node *doc = NULL;
	cmark_iter *it = NULL;
	cmark_event_type ev;
	int error = 0;

	if (len > MAX_INPUT) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"markdown is larger than %zu bytes", MAX_INPUT);
		goto done;
	}
	parser = gfm_parser();
	doc = gfm_parse(parser, md ? md : "", md ? len : 0);
	it = cmark_iter_new(doc);
	for (;;) {
		cmark_node *node;
		const char *lit;
		char *heading;

		ev = cmark_iter_next(it);
		if (ev == CMARK_EVENT_DONE)
			break;
		node = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_EXIT) {
			/* A table reads cell by cell: a space after each, a row per line. */
			if (type_is(node, "table_cell"))
				opex_buf_putc(&out->text, ' ');
			else if (is_block(cmark_node_get_type(node)))
				end_block(&out->text);
			continue;
		}
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_HEADING:
			end_block(&out->text);
			heading = heading_text(node);
			if (heading) {
				put_clean(&out->headings, heading);
				opex_buf_putc(&out->headings, '\n');
			}
			add_section(out, heading);
			cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
			break;
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			lit = cmark_node_get_literal(node);
			if (lit)
				put_clean(&out->text, lit);
			break;
		case CMARK_NODE_CODE_BLOCK:
			lit = cmark_node_get_literal(node);
			if (lit)
				put_clean(&out->text, lit);
			end_block(&out->text);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			opex_buf_putc(&out->text, ' ');
			break;
		default:
			break;
		}
	}
	if (out->text.failed || out->headings.failed)
		error = opex_error_set(err, OPEX_ETOOBIG,
			"plain text is larger than %zu bytes", out->text.max);

done:
	if (it)
		cmark_iter_free(it);
	if (doc)
		cmark_node_free(doc);
	if (parser)
		cmark_parser_free(parser);
	return error;
}
