/*
 * approval_record_fuzzer.c: an approval record as read back from
 * refs/opex/approvals. Whatever parses must format back to a record that
 * parses again to the same bytes (records are kept in canonical form).
 */
#include "launches/launches.h"
#include "core/limits.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	opex_launch_approval first, second;
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_buf again = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_error err = OPEX_ERROR_INIT;

	memset(&first, 0, sizeof(first));
	memset(&second, 0, sizeof(second));
	if (opex_launch_approval_parse(&first, (const char *)data, size, &err) < 0)
		goto done;
	opex_launch_approval_format(&text, &first);
	if (text.failed)
		goto done;
	if (opex_launch_approval_parse(&second, text.ptr, text.len, &err) < 0)
		abort();
	opex_launch_approval_format(&again, &second);
	if (again.failed || again.len != text.len ||
	    memcmp(again.ptr, text.ptr, text.len) != 0)
		abort();
done:
	opex_launch_approval_release(&first);
	opex_launch_approval_release(&second);
	opex_buf_release(&text);
	opex_buf_release(&again);
	return 0;
}
