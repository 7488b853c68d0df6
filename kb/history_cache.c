/*
 * history_cache.c: the cache of a history walk, keyed by commit, so that a
 * later load walks only the commits since.
 *
 * The cache (default <git-dir>/opex/history.cache) is written atomically
 * after each walk. All integers are little-endian:
 *
 *   offset  size      field
 *   0       8         magic "OPEXHIST"
 *   8       4         version (CACHE_VERSION)
 *   12      20        tip: the commit the cache describes (raw id)
 *   32      4         C  commits
 *   36      4         P  paths
 *   40      4         T  touches
 *   44      4         V  Verified-by values
 *   48      4         S  bytes of strings
 *   52      C * 44    commit: id[20], author time i64, name u32, email u32,
 *                     first Verified-by u32, Verified-by count u32
 *   ...     V * 4     Verified-by value (string offset)
 *   ...     P * 12    path: string offset u32, first touch u32, count u32;
 *                     paths in strictly increasing strcmp order
 *   ...     T * 4     touch: commit index, newest first per path
 *   ...     S         strings, each NUL-terminated; offsets point here
 *   end     4         checksum of every byte before it (cache_checksum)
 *
 * A cache is trusted only if every field checks out; anything else (a
 * missing, truncated, corrupt or foreign file) means a cold walk.
 */
#define _POSIX_C_SOURCE 200809L

#include "kb/kb.h"
#include "kb/kb_int.h"
#include "kb/history_int.h"
#include "core/limits.h"
#include "core/memory.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/banned.h"

#define CACHE_VERSION 2u
#define CACHE_HEADER 52u
#define CACHE_COMMIT 44u
#define CACHE_PATH 12u

/* Little-endian integers of the caches. */
uint32_t opex_kb_rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24;
}

int64_t opex_kb_rd64(const unsigned char *p)
{
	uint64_t v = (uint64_t)opex_kb_rd32(p) | (uint64_t)opex_kb_rd32(p + 4) << 32;

	return (int64_t)v;
}

void opex_kb_put32(opex_buf *b, uint32_t v)
{
	unsigned char p[4];

	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
	opex_buf_put(b, p, sizeof(p));
}

void opex_kb_put64(opex_buf *b, int64_t v)
{
	uint64_t u = (uint64_t)v;

	opex_kb_put32(b, (uint32_t)u);
	opex_kb_put32(b, (uint32_t)(u >> 32));
}

void opex_kb_history_cache_release(opex_kb_history_cache *c)
{
	if (c->data != NULL)
		munmap(c->data, c->size);
	memset(c, 0, sizeof(*c));
}

/*
 * The checksum: FNV-1a over little-endian 64-bit words (then the last
 * bytes one by one), folded to 32 bits. A byte at a time read the 7 MB
 * cache of 100,000 paths in 20 ms; a word at a time takes a few.
 */
static uint32_t cache_checksum(const unsigned char *p, size_t len)
{
	uint64_t h = 14695981039346656037u;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		h ^= (uint64_t)opex_kb_rd64(p + i);
		h *= 1099511628211u;
	}
	for (; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211u;
	}
	return (uint32_t)(h ^ h >> 32);
}

/* Check every field of the cache in c->data; false if anything is off. */
static bool cache_parse(opex_kb_history_cache *c)
{
	const unsigned char *d = c->data;
	uint64_t need;
	uint32_t prev = NONE;

	if (c->size < CACHE_HEADER + 4 || memcmp(d, "OPEXHIST", 8) != 0 ||
	    opex_kb_rd32(d + 8) != CACHE_VERSION)
		return false;
	if (cache_checksum(d, c->size - 4) != opex_kb_rd32(d + c->size - 4))
		return false;
	c->tip = d + 12;
	c->commits = opex_kb_rd32(d + 32);
	c->paths = opex_kb_rd32(d + 36);
	c->touches = opex_kb_rd32(d + 40);
	c->vbs = opex_kb_rd32(d + 44);
	c->strings = opex_kb_rd32(d + 48);
	need = (uint64_t)CACHE_HEADER + (uint64_t)c->commits * CACHE_COMMIT +
		(uint64_t)c->vbs * 4 + (uint64_t)c->paths * CACHE_PATH +
		(uint64_t)c->touches * 4 + c->strings + 4;
	if (need != c->size || c->strings == 0)
		return false;
	c->commit_at = d + CACHE_HEADER;
	c->vb_at = c->commit_at + (size_t)c->commits * CACHE_COMMIT;
	c->path_at = c->vb_at + (size_t)c->vbs * 4;
	c->touch_at = c->path_at + (size_t)c->paths * CACHE_PATH;
	c->string_at = (const char *)(c->touch_at + (size_t)c->touches * 4);
	if (c->string_at[c->strings - 1] != '\0')
		return false;
	for (uint32_t i = 0; i < c->commits; i++) {
		const unsigned char *e = c->commit_at + (size_t)i * CACHE_COMMIT;
		uint64_t first = opex_kb_rd32(e + 36), count = opex_kb_rd32(e + 40);

		if (opex_kb_rd32(e + 28) >= c->strings || opex_kb_rd32(e + 32) >= c->strings ||
		    first + count > c->vbs)
			return false;
	}
	for (uint32_t i = 0; i < c->vbs; i++)
		if (opex_kb_rd32(c->vb_at + (size_t)i * 4) >= c->strings)
			return false;
	for (uint32_t i = 0; i < c->touches; i++)
		if (opex_kb_rd32(c->touch_at + (size_t)i * 4) >= c->commits)
			return false;
	for (uint32_t i = 0; i < c->paths; i++) {
		const unsigned char *e = c->path_at + (size_t)i * CACHE_PATH;
		uint32_t off = opex_kb_rd32(e);
		uint64_t first = opex_kb_rd32(e + 4), count = opex_kb_rd32(e + 8);

		if (off >= c->strings || first + count > c->touches)
			return false;
		if (prev != NONE && strcmp(c->string_at + prev,
			c->string_at + off) >= 0)
			return false;
		prev = off;
	}
	return true;
}

/* Read and check the cache at `path`; c->data is NULL if unusable. */
void opex_kb_history_cache_read(opex_kb_history_cache *c, const char *path)
{
	FILE *f = NULL;
	struct stat st;

	memset(c, 0, sizeof(*c));
	f = fopen(path, "rb");
	if (f == NULL)
		goto done;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || (uint64_t)st.st_size > OPEX_LIMIT_CACHE_BYTES)
		goto done;
	/* Mapped, not copied: a load reads what it merges. */
	c->data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
		fileno(f), 0);
	if (c->data == MAP_FAILED) {
		c->data = NULL;
		goto done;
	}
	c->size = (size_t)st.st_size;
	if (!cache_parse(c))
		opex_kb_history_cache_release(c);
done:
	if (f != NULL)
		fclose(f);
}

static uint32_t cache_import(opex_kb_history *h, const opex_kb_history_cache *c,
	uint32_t *map, uint32_t ci)
{
	const unsigned char *e;
	uint32_t first, count, nc;

	if (map[ci] != NONE)
		return map[ci];
	e = c->commit_at + (size_t)ci * CACHE_COMMIT;
	nc = opex_kb_history_commit_add(h, e, c->string_at + opex_kb_rd32(e + 28),
		c->string_at + opex_kb_rd32(e + 32), opex_kb_rd64(e + 20));
	first = opex_kb_rd32(e + 36);
	count = opex_kb_rd32(e + 40);
	for (uint32_t i = 0; i < count; i++) {
		const char *v = c->string_at + opex_kb_rd32(c->vb_at +
			(size_t)(first + i) * 4);

		opex_kb_history_commit_add_verified(h, nc, v, strlen(v));
	}
	map[ci] = nc;
	return nc;
}

/*
 * Append the cached touches of every path at the revision after those the
 * walk found; `live` (NULL: every path) says which paths the new commits
 * follow into the cached tip.
 */
void opex_kb_history_cache_merge(opex_kb_history *h, const opex_kb_history_cache *c,
	const liveset *live)
{
	uint32_t *map = opex_malloc((c->commits ? c->commits : 1) *
		sizeof(*map));
	size_t i = 0, j = 0;

	for (uint32_t k = 0; k < c->commits; k++)
		map[k] = NONE;
	while (i < h->path_count && j < c->paths) {
		const unsigned char *e = c->path_at + j * CACHE_PATH;
		int cmp = strcmp(h->paths[i], c->string_at + opex_kb_rd32(e));

		if (cmp < 0) {
			i++;
			continue;
		}
		if (cmp > 0) {
			j++;
			continue;
		}
		if (live == NULL || opex_kb_liveset_has(live, (uint32_t)i)) {
			uint32_t first = opex_kb_rd32(e + 4), count = opex_kb_rd32(e + 8);

			for (uint32_t t = 0; t < count; t++) {
				uint32_t ci = opex_kb_rd32(c->touch_at +
					(size_t)(first + t) * 4);

				opex_kb_history_touch_add(h, (uint32_t)i,
					cache_import(h, c, map, ci));
			}
		}
		i++;
		j++;
	}
	opex_free(map);
}

static uint32_t put_string(opex_buf *strings, const char *s)
{
	uint32_t off = (uint32_t)strings->len;

	opex_buf_put(strings, s, strlen(s) + 1);
	return off;
}

/* Write the history as the cache at `path`, atomically; failures are ignored. */
void opex_kb_history_cache_write(const opex_kb_history *h, const char *path)
{
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_CACHE_BYTES);
	opex_buf strings = OPEX_BUF_INIT(OPEX_LIMIT_CACHE_BYTES);
	uint32_t *map = opex_malloc((h->commit_count ? h->commit_count : 1) *
		sizeof(*map));
	uint32_t *offs = opex_malloc((h->commit_count ? h->commit_count : 1) *
		2 * sizeof(*offs));
	uint32_t *voffs = opex_malloc((h->vb_count ? h->vb_count : 1) *
		sizeof(*voffs));
	uint32_t *poffs = opex_malloc((h->path_count ? h->path_count : 1) *
		sizeof(*poffs));
	uint32_t used = 0, vbs = 0;
	char *tmp = NULL;
	size_t tmp_len, written = 0;
	int fd = -1;

	for (size_t i = 0; i < h->commit_count; i++)
		map[i] = NONE;
	for (size_t t = 0; t < h->touch_total; t++)
		map[h->touches[t]] = 0;
	opex_buf_putc(&strings, '\0');
	for (size_t i = 0; i < h->commit_count; i++) {
		const opex_kb_commit *c = &h->commits[i];

		if (map[i] == NONE)
			continue;
		map[i] = used++;
		offs[2 * i] = put_string(&strings, c->author_name);
		offs[2 * i + 1] = put_string(&strings, c->author_email);
		for (size_t v = 0; v < c->verified_by_count; v++)
			voffs[h->meta[i].vb_first + v] =
				put_string(&strings, c->verified_by[v]);
		vbs += (uint32_t)c->verified_by_count;
	}
	for (size_t p = 0; p < h->path_count; p++)
		poffs[p] = put_string(&strings, h->paths[p]);
	if (strings.failed)
		goto done;

	opex_buf_put(&out, "OPEXHIST", 8);
	opex_kb_put32(&out, CACHE_VERSION);
	opex_buf_put(&out, h->tip, GIT_OID_RAWSZ);
	opex_kb_put32(&out, used);
	opex_kb_put32(&out, (uint32_t)h->path_count);
	opex_kb_put32(&out, (uint32_t)h->touch_total);
	opex_kb_put32(&out, vbs);
	opex_kb_put32(&out, (uint32_t)strings.len);
	for (size_t i = 0, vb = 0; i < h->commit_count; i++) {
		const opex_kb_commit *c = &h->commits[i];

		if (map[i] == NONE)
			continue;
		opex_buf_put(&out, h->meta[i].raw, GIT_OID_RAWSZ);
		opex_kb_put64(&out, c->time);
		opex_kb_put32(&out, offs[2 * i]);
		opex_kb_put32(&out, offs[2 * i + 1]);
		opex_kb_put32(&out, (uint32_t)vb);
		opex_kb_put32(&out, (uint32_t)c->verified_by_count);
		vb += c->verified_by_count;
	}
	for (size_t i = 0; i < h->commit_count; i++) {
		if (map[i] == NONE)
			continue;
		for (size_t v = 0; v < h->commits[i].verified_by_count; v++)
			opex_kb_put32(&out, voffs[h->meta[i].vb_first + v]);
	}
	for (size_t p = 0; p < h->path_count; p++) {
		opex_kb_put32(&out, poffs[p]);
		opex_kb_put32(&out, h->touch_first[p]);
		opex_kb_put32(&out, h->touch_count[p]);
	}
	for (size_t t = 0; t < h->touch_total; t++)
		opex_kb_put32(&out, map[h->touches[t]]);
	opex_buf_put(&out, strings.ptr, strings.len);
	if (out.failed)
		goto done;
	opex_kb_put32(&out, cache_checksum((const unsigned char *)out.ptr, out.len));
	if (out.failed)
		goto done;

	tmp_len = strlen(path) + 8;
	tmp = opex_malloc(tmp_len);
	snprintf(tmp, tmp_len, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		goto done;
	while (written < out.len) {
		ssize_t n = write(fd, out.ptr + written, out.len - written);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		written += (size_t)n;
	}
	if (close(fd) != 0 || written != out.len ||
	    rename(tmp, path) != 0)
		unlink(tmp);
	fd = -1;
done:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	opex_free(tmp);
	opex_free(map);
	opex_free(offs);
	opex_free(voffs);
	opex_free(poffs);
	opex_buf_release(&strings);
	opex_buf_release(&out);
}
