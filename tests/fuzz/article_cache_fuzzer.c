/*
 * article_cache_fuzzer.c: the article cache file as found on disk (it may
 * be truncated, damaged or foreign): opening it and taking each record
 * must never crash, and what it gives must be a sound article.
 */
#define _POSIX_C_SOURCE 200809L

#include "kb/kb.h"
#include "kb/kb_int.h"
#include "core/file.h"
#include "core/limits.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/opex-fuzz-cache-XXXXXX";
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_article_cache *cache;
	int fd = mkstemp(path);
	size_t i, n;

	if (fd < 0)
		return 0;
	close(fd);
	if (opex_file_replace(path, (const char *)data, size, NULL) < 0)
		goto done;
	cache = opex_kb_article_cache_open(path);
	n = opex_kb_article_cache_count(cache);
	for (i = 0; i < n; i++) {
		opex_kb_article *a = opex_kb_article_cache_take(cache, i, &diags);

		if (a == NULL)
			continue;
		if (a->path == NULL || a->body == NULL ||
		    strlen(a->body) != a->body_len ||
		    (a->kind == OPEX_KB_KIND_ANNOUNCEMENT) != (a->announcement != NULL))
			abort();
		opex_kb_article_free(a);
	}
	opex_kb_article_cache_free(cache);
done:
	opex_diag_list_release(&diags);
	unlink(path);
	return 0;
}
