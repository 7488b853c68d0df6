/*
 * records.c: what approval and acknowledgement records share (field
 * checks, appending to a chain here or on the origin), and recording an
 * approval. The record is filled from the gate's
 * status (the digests at the revision the person saw) and appended to
 * refs/opex/approvals through kb's record chain, on this repository or on
 * the origin of a mirror. The one path both `opex launch approve` and the
 * server take.
 */
#include "launches/launches.h"
#include "launches/launches_int.h"
#include "core/limits.h"
#include "core/memory.h"

#include <string.h>

#include "core/banned.h"

bool opex_launch_is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool opex_launch_is_word(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ')
			return false;
	return n > 0;
}

int opex_launch_record_append(char *out, const opex_kb_repo *repo,
	const char *origin, const char *ref, opex_kb_record_build_fn build,
	void *payload, const char *summary, const opex_kb_person *who,
	int64_t time, opex_error *err)
{
	opex_kb_record_author author;

	author.name = who->name != NULL ? who->name : who->id;
	author.email = who->email != NULL ? who->email : "";
	author.time = time;
	if (origin != NULL)
		return opex_kb_records_append_origin(out, repo, origin, ref,
			build, payload, summary, &author, err);
	return opex_kb_records_append(out, repo, ref, build, payload, summary,
		&author, err);
}

static char **strings_dup(char *const *src, size_t count, size_t *out_count)
{
	char **dst = opex_calloc(count + 1, sizeof(char *));
	size_t i;

	for (i = 0; i < count; i++)
		dst[i] = opex_strdup(src[i]);
	*out_count = count;
	return dst;
}

void opex_launch_approval_fill(opex_launch_approval *out,
	opex_launch_action action, const char *launch_path,
	const opex_launch_gate_status *gs, const char *person,
	const char *revision, int64_t time, const char *comment)
{
	memset(out, 0, sizeof(*out));
	out->action = action;
	out->launch = opex_strdup(launch_path);
	out->gate = opex_strdup(gs->gate->id);
	out->person = opex_strdup(person);
	out->time = time;
	out->revision = opex_strdup(revision);
	out->scope = opex_strdup(gs->digests.scope);
	out->policy = opex_strdup(gs->digests.policy);
	out->scope_parts = strings_dup(gs->digests.scope_parts,
		gs->digests.scope_part_count, &out->scope_part_count);
	out->approvers = strings_dup(gs->digests.approvers,
		gs->digests.approver_count, &out->approver_count);
	if (comment != NULL && comment[0] != '\0')
		out->comment = opex_strdup(comment);
}

/* opex_kb_record_build_fn: the record, chained on the tip it lands on. */
static int build_record(opex_buf *out, const char *parent, void *payload)
{
	opex_launch_approval *rec = payload;

	opex_free(rec->prev);
	rec->prev = opex_strdup(parent);
	opex_launch_approval_format(out, rec);
	return 0;
}

int opex_launch_approval_append(char *out, opex_launch_approval *rec,
	const opex_kb_repo *repo, const char *origin, const opex_kb_person *who,
	opex_error *err)
{
	opex_buf summary = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	int error;

	opex_buf_printf(&summary, "%s %s of %s by %s",
		opex_launch_action_name(rec->action), rec->gate, rec->launch,
		rec->person);
	error = opex_launch_record_append(out, repo, origin,
		OPEX_LAUNCH_APPROVALS_REF, build_record, rec, summary.ptr, who,
		rec->time, err);
	opex_buf_release(&summary);
	return error;
}
