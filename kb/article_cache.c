/*
 * article_cache.c: parsed articles kept between loads, keyed by path and
 * blob id, so a restart or a reload parses only the files that changed
 * (front matter, cmark and the git object are what a load spends its time
 * on at 100,000 articles).
 *
 * The file (<git-dir>/opex/articles.cache) is written atomically after a
 * load that parsed anything. Integers are little-endian:
 *
 *   "OPEXARTC"  magic, then u32 version (CACHE_VERSION), u32 records
 *   record      u32 length of what follows, u32 checksum of it, then
 *               path, blob (40 hex), the article's fields (article_put
 *               below) and the findings its parse gave
 *   string      u32 length + bytes; NO_STRING for NULL
 *
 * Records are in strictly increasing path order. A cache is used only
 * when its header checks out, and a record only when its length, its
 * checksum and every field inside check out: anything else is a miss and
 * the file is parsed again, never an error.
 */
#define _POSIX_C_SOURCE 200809L

#include "kb/kb.h"
#include "kb/kb_int.h"
#include "core/file.h"
#include "core/limits.h"
#include "core/memory.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

#define CACHE_MAGIC "OPEXARTC"
#define CACHE_VERSION 1u
#define NO_STRING 0xFFFFFFFFu

typedef struct cache_record {
	const char *path;          /* not NUL-terminated: path_len bytes */
	uint32_t path_len;
	const unsigned char *blob; /* 40 hex digits */
	const unsigned char *body; /* the fields after the blob */
	const unsigned char *end;
} cache_record;

struct opex_kb_article_cache {
	unsigned char *data;       /* the file, mapped read-only */
	size_t size;
	cache_record *records;
	size_t count;
};

/*
 * The checksum of a record: multiply-xor over 8-byte words (FNV-1a byte
 * by byte took a tenth of a start-up at 100,000 articles). It only has to
 * catch a damaged file, not an adversary: the file is opex's own.
 */
static uint32_t record_sum(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return (uint32_t)(h ^ h >> 32);
}

/* --- reading --- */

typedef struct cursor {
	const unsigned char *p, *end;
	bool bad;
} cursor;

static uint32_t take32(cursor *c)
{
	uint32_t v;

	if (c->bad || (size_t)(c->end - c->p) < 4) {
		c->bad = true;
		return 0;
	}
	v = opex_kb_rd32(c->p);
	c->p += 4;
	return v;
}

static int64_t take64(cursor *c)
{
	uint64_t lo = take32(c), hi = take32(c);

	return (int64_t)(lo | hi << 32);
}

/* A string as written (NULL for NO_STRING); one without NUL bytes. */
static char *take_string(cursor *c)
{
	uint32_t n = take32(c);
	char *s;

	if (c->bad || n == NO_STRING)
		return NULL;
	if ((size_t)(c->end - c->p) < n || memchr(c->p, '\0', n) != NULL) {
		c->bad = true;
		return NULL;
	}
	s = opex_strndup((const char *)c->p, n);
	c->p += n;
	return s;
}

static void take_list(cursor *c, char ***items, size_t *count)
{
	uint32_t n = take32(c), i;

	*items = NULL;
	*count = 0;
	if (c->bad || n == 0)
		return;
	if (n > (uint32_t)(c->end - c->p) / 4) {
		c->bad = true;
		return;
	}
	*items = opex_calloc(n, sizeof(**items));
	for (i = 0; i < n && !c->bad; i++) {
		(*items)[i] = take_string(c);
		if ((*items)[i] == NULL)
			c->bad = true;
		else
			(*count)++;
	}
}

static void take_announcement(cursor *c, opex_kb_article *a)
{
	opex_kb_announcement *n;
	uint32_t level;

	if (take32(c) == 0 || c->bad)
		return;
	n = a->announcement = opex_calloc(1, sizeof(*n));
	take_list(c, &n->audience, &n->audience_count);
	level = take32(c);
	n->severity = level <= OPEX_KB_NOTICE_INCIDENT
		? (opex_kb_notice_level)level : OPEX_KB_NOTICE_INFO;
	c->bad |= level > OPEX_KB_NOTICE_INCIDENT;
	n->expires = take64(c);
	n->requires_ack = take32(c) != 0;
	n->ack_within = take64(c);
	take_list(c, &n->articles, &n->article_count);
	take_list(c, &n->processes, &n->process_count);
}

static void take_links(cursor *c, opex_kb_article *a)
{
	uint32_t n = take32(c), i;

	if (c->bad || n == 0)
		return;
	if (n > (uint32_t)(c->end - c->p) / 16) {
		c->bad = true;
		return;
	}
	a->links = opex_calloc(n, sizeof(*a->links));
	for (i = 0; i < n && !c->bad; i++) {
		opex_kb_link *l = &a->links[a->link_count++];

		l->target = take_string(c);
		l->path = take_string(c);
		l->leaves = take32(c) != 0;
		l->line = take32(c);
		l->col = take32(c);
		c->bad |= l->target == NULL;
	}
}

/* The findings of the record's parse, appended to `diags` when all read. */
static void take_findings(cursor *c, const char *path, opex_diag_list *diags)
{
	opex_diag_list found = OPEX_DIAG_LIST_INIT;
	uint32_t n = take32(c), i;

	for (i = 0; i < n && !c->bad; i++) {
		uint32_t severity = take32(c), line = take32(c), col = take32(c);
		char *rule = take_string(c), *message = take_string(c);

		if (!c->bad && rule != NULL && message != NULL &&
		    severity <= OPEX_SEVERITY_INFO)
			opex_diag_add(&found, (opex_severity)severity, rule, path,
				line, col, "%s", message);
		else
			c->bad = true;
		opex_free(rule);
		opex_free(message);
	}
	for (i = 0; !c->bad && i < found.count; i++)
		opex_diag_add(diags, found.items[i].severity, found.items[i].rule,
			path, found.items[i].line, found.items[i].col, "%s",
			found.items[i].message);
	opex_diag_list_release(&found);
}

static opex_kb_article *article_take(const cache_record *r,
	opex_diag_list *diags)
{
	cursor c = { r->body, r->end, false };
	opex_kb_article *a = opex_calloc(1, sizeof(*a));
	uint32_t i, fields, visibility;

	a->path = opex_strndup(r->path, r->path_len);
	a->kind = opex_kb_path_kind(a->path);
	a->channel = take_string(&c);
	a->title = take_string(&c);
	a->owner = take_string(&c);
	a->language = take_string(&c);
	a->translation_of = take_string(&c);
	a->journey = take_string(&c);
	take_list(&c, &a->markets, &a->market_count);
	take_list(&c, &a->tags, &a->tag_count);
	take_list(&c, &a->teams, &a->team_count);
	take_list(&c, &a->acknowledge, &a->acknowledge_count);
	a->review_every = take64(&c);
	visibility = take32(&c);
	c.bad |= visibility > OPEX_KB_VISIBILITY_PUBLIC;
	a->visibility = c.bad ? OPEX_KB_VISIBILITY_INTERNAL
		: (opex_kb_visibility)visibility;
	fields = take32(&c);
	c.bad |= fields != OPEX_KB_FIELD_COUNT;
	for (i = 0; i < OPEX_KB_FIELD_COUNT && !c.bad; i++)
		a->field_line[i] = take32(&c);
	a->title_line = take32(&c);
	a->has_front_matter = take32(&c) != 0;
	a->body = take_string(&c);
	a->body_len = a->body ? strlen(a->body) : 0;
	c.bad |= a->body == NULL;
	a->body_line = take32(&c);
	take_links(&c, a);
	take_announcement(&c, a);
	c.bad |= (a->kind == OPEX_KB_KIND_ANNOUNCEMENT) != (a->announcement != NULL);
	if (!c.bad)
		take_findings(&c, a->path, diags);
	if (c.bad || c.p != c.end) {
		opex_kb_article_free(a);
		return NULL;
	}
	return a;
}

static bool cache_index(opex_kb_article_cache *c)
{
	cursor cur = { c->data, c->data + c->size, false };
	uint32_t n, i;

	if (c->size < 16 || memcmp(c->data, CACHE_MAGIC, 8) != 0)
		return false;
	cur.p += 8;
	if (take32(&cur) != CACHE_VERSION)
		return false;
	n = take32(&cur);
	if (n > (c->size - 16) / 56)
		return false;
	c->records = opex_calloc(n + 1, sizeof(*c->records));
	for (i = 0; i < n; i++) {
		cache_record *r = &c->records[i];
		uint32_t len = take32(&cur), path_len;
		const unsigned char *start = cur.p;

		if (cur.bad || len > (size_t)(cur.end - cur.p) || len < 52)
			return false;
		r->end = start + len;
		cur.p += 4; /* the checksum, checked on use */
		path_len = opex_kb_rd32(cur.p);
		cur.p += 4;
		if (path_len == 0 || path_len > len - 52)
			return false;
		r->path = (const char *)cur.p;
		r->path_len = path_len;
		r->blob = cur.p + path_len;
		r->body = r->blob + 40;
		if (i > 0) {
			const cache_record *q = &c->records[i - 1];
			size_t m = q->path_len < path_len ? q->path_len : path_len;
			int cmp = memcmp(q->path, r->path, m);

			if (cmp > 0 || (cmp == 0 && q->path_len >= path_len))
				return false;
		}
		cur.p = r->end;
	}
	c->count = n;
	return cur.p == cur.end;
}

opex_kb_article_cache *opex_kb_article_cache_open(const char *path)
{
	opex_kb_article_cache *c;
	struct stat st;
	void *data;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	/* Mapped, not read: the file is hundreds of MB at 100,000 articles. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > OPEX_LIMIT_CACHE_BYTES) {
		close(fd);
		return NULL;
	}
	data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (data == MAP_FAILED)
		return NULL;
	c = opex_calloc(1, sizeof(*c));
	c->data = data;
	c->size = (size_t)st.st_size;
	if (!cache_index(c)) {
		opex_kb_article_cache_free(c);
		return NULL;
	}
	return c;
}

void opex_kb_article_cache_free(opex_kb_article_cache *c)
{
	if (c == NULL)
		return;
	munmap(c->data, c->size);
	opex_free(c->records);
	opex_free(c);
}

size_t opex_kb_article_cache_count(const opex_kb_article_cache *c)
{
	return c != NULL ? c->count : 0;
}

static int record_cmp(const cache_record *r, const char *path, size_t len)
{
	size_t m = r->path_len < len ? r->path_len : len;
	int c = memcmp(r->path, path, m);

	return c ? c : (r->path_len > len) - (r->path_len < len);
}

opex_kb_article *opex_kb_article_cache_take(const opex_kb_article_cache *c,
	size_t i, opex_diag_list *diags)
{
	const cache_record *r = &c->records[i];
	const unsigned char *sum = (const unsigned char *)r->path - 8;

	if (record_sum(sum + 4, (size_t)(r->end - sum - 4)) != opex_kb_rd32(sum))
		return NULL;
	return article_take(r, diags);
}

long opex_kb_article_cache_find(const opex_kb_article_cache *c,
	const char *path, const char *oid)
{
	size_t lo = 0, hi, len = strlen(path);

	if (c == NULL)
		return -1;
	hi = c->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = record_cmp(&c->records[mid], path, len);

		if (cmp == 0)
			return memcmp(c->records[mid].blob, oid, 40) == 0
				? (long)mid : -1;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

opex_kb_article *opex_kb_article_cache_get(const opex_kb_article_cache *c,
	const char *path, const char *oid, opex_diag_list *diags)
{
	long i = opex_kb_article_cache_find(c, path, oid);

	return i < 0 ? NULL : opex_kb_article_cache_take(c, (size_t)i, diags);
}

/* --- writing --- */

static void put_string(opex_buf *b, const char *s)
{
	if (s == NULL) {
		opex_kb_put32(b, NO_STRING);
		return;
	}
	opex_kb_put32(b, (uint32_t)strlen(s));
	opex_buf_puts(b, s);
}

static void put_list(opex_buf *b, char *const *items, size_t count)
{
	size_t i;

	opex_kb_put32(b, (uint32_t)count);
	for (i = 0; i < count; i++)
		put_string(b, items[i]);
}

static void article_put(opex_buf *b, const opex_kb_article *a)
{
	const opex_kb_announcement *n = a->announcement;
	size_t i;

	put_string(b, a->channel);
	put_string(b, a->title);
	put_string(b, a->owner);
	put_string(b, a->language);
	put_string(b, a->translation_of);
	put_string(b, a->journey);
	put_list(b, a->markets, a->market_count);
	put_list(b, a->tags, a->tag_count);
	put_list(b, a->teams, a->team_count);
	put_list(b, a->acknowledge, a->acknowledge_count);
	opex_kb_put64(b, a->review_every);
	opex_kb_put32(b, (uint32_t)a->visibility);
	opex_kb_put32(b, OPEX_KB_FIELD_COUNT);
	for (i = 0; i < OPEX_KB_FIELD_COUNT; i++)
		opex_kb_put32(b, a->field_line[i]);
	opex_kb_put32(b, a->title_line);
	opex_kb_put32(b, a->has_front_matter);
	put_string(b, a->body ? a->body : "");
	opex_kb_put32(b, a->body_line);
	opex_kb_put32(b, (uint32_t)a->link_count);
	for (i = 0; i < a->link_count; i++) {
		put_string(b, a->links[i].target);
		put_string(b, a->links[i].path);
		opex_kb_put32(b, a->links[i].leaves);
		opex_kb_put32(b, a->links[i].line);
		opex_kb_put32(b, a->links[i].col);
	}
	opex_kb_put32(b, n != NULL);
	if (n != NULL) {
		put_list(b, n->audience, n->audience_count);
		opex_kb_put32(b, (uint32_t)n->severity);
		opex_kb_put64(b, n->expires);
		opex_kb_put32(b, n->requires_ack);
		opex_kb_put64(b, n->ack_within);
		put_list(b, n->articles, n->article_count);
		put_list(b, n->processes, n->process_count);
	}
}

bool opex_kb_article_cache_write(const char *path,
	const opex_kb_cached_article *items, size_t count,
	const opex_diag_list *diags)
{
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_CACHE_BYTES);
	opex_buf rec = OPEX_BUF_INIT(OPEX_LIMIT_CACHE_BYTES);
	size_t i, k;
	bool written = false;

	opex_buf_put(&out, CACHE_MAGIC, 8);
	opex_kb_put32(&out, CACHE_VERSION);
	opex_kb_put32(&out, (uint32_t)count);
	for (i = 0; i < count && !out.failed; i++) {
		const opex_kb_cached_article *it = &items[i];

		opex_buf_clear(&rec);
		opex_kb_put32(&rec, (uint32_t)strlen(it->article->path));
		opex_buf_puts(&rec, it->article->path);
		opex_buf_put(&rec, it->oid, 40);
		article_put(&rec, it->article);
		opex_kb_put32(&rec, (uint32_t)it->diag_count);
		for (k = it->diag_first; k < it->diag_first + it->diag_count; k++) {
			const opex_diag *d = &diags->items[k];

			opex_kb_put32(&rec, (uint32_t)d->severity);
			opex_kb_put32(&rec, d->line);
			opex_kb_put32(&rec, d->col);
			put_string(&rec, d->rule);
			put_string(&rec, d->message);
		}
		if (rec.failed)
			break;
		opex_kb_put32(&out, (uint32_t)rec.len + 4);
		opex_kb_put32(&out, record_sum((const unsigned char *)rec.ptr,
			rec.len));
		opex_buf_put(&out, rec.ptr, rec.len);
	}
	if (i == count && !out.failed)
		written = opex_file_replace(path, out.ptr, out.len, NULL) == 0;
	opex_buf_release(&rec);
	opex_buf_release(&out);
	return written;
}
