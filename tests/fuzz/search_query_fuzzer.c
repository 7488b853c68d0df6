/*
 * search_query_fuzzer.c: a search query from end to end: parsed into a
 * query tree, translated into an FTS5 MATCH expression and SQL filters,
 * and run on an in-memory index. Any input that parses must run without
 * an FTS5 syntax error or an SQL error; any other outcome aborts.
 */
#include "kb/kb.h"
#include "search/search.h"
#include "core/buf.h"
#include "core/limits.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	opex_search_options so = OPEX_SEARCH_OPTIONS_INIT;
	opex_search_result r;
	opex_buf match = OPEX_BUF_INIT(64 * 1024);
	opex_search_index *ix = NULL;
	opex_search_query *q = NULL;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = opex_search_query_parse(&q, (const char *)data, size, NULL);
	if (rc < 0) {
		if (q != NULL || (rc != OPEX_EINVALID && rc != OPEX_ETOOBIG))
			abort();
		goto done;
	}
	if (size > OPEX_LIMIT_QUERY_BYTES)
		abort();
	opex_search_query_match(&match, q);
	if (match.failed)
		abort();
	if (opex_search_index_open(&ix, ":memory:", NULL) < 0)
		abort();
	so.limit = 3;
	if (opex_search_run(&r, ix, q, &so, NULL) < 0 || r.total != 0)
		abort();
done:
	opex_search_result_release(&r);
	opex_search_index_free(ix);
	opex_search_query_free(q);
	opex_buf_release(&match);
	return 0;
}
