/*
 * ingest.c: export rows -> cases and events in the store. A file is one
 * transaction: a file with any bad row writes nothing, and every bad row
 * is a kpi-row-invalid error at FILE:LINE.
 */
#include "kpi/kpi_int.h"
#include "core/memory.h"
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define FUTURE_SLACK 86400

typedef struct ingest {
	const kpi_source *src;
	opex_kpi_store *store;
	const char *path;
	int64_t now;
	opex_kpi_ingest_stats *stats;
	opex_diag_list *diags;
	opex_error *err;
	long col[KPI_F_COUNT];       /* CSV: column index, -1: none */
	long *filter_col;
	bool header_seen;
	char **owned;                /* strings made for the current row */
	size_t owned_count, owned_cap;
} ingest;

void opex_kpi_ingest_stats_init(opex_kpi_ingest_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	opex_buf_init(&stats->unknown, OPEX_LIMIT_KPI_RECORD_BYTES);
}

void opex_kpi_ingest_stats_release(opex_kpi_ingest_stats *stats)
{
	opex_buf_release(&stats->unknown);
}

static int qlen(size_t len)
{
	return len > 64 ? 64 : (int)len;
}

static void row_error(ingest *in, unsigned line, const char *fmt, ...)
	OPEX_PRINTF(3, 4);

static void row_error(ingest *in, unsigned line, const char *fmt, ...)
{
	va_list ap;

	in->stats->bad++;
	if (in->stats->bad > OPEX_LIMIT_KPI_ROW_ERRORS)
		return;
	va_start(ap, fmt);
	opex_diag_vadd(in->diags, OPEX_SEVERITY_ERROR, KPI_RULE_ROW, in->path,
		line, 0, fmt, ap);
	va_end(ap);
}

static const char *own(ingest *in, const char *s, size_t len)
{
	char *copy = opex_strndup(s, len);

	opex_array_grow((void **)&in->owned, &in->owned_cap,
		in->owned_count + 1, sizeof(char *));
	in->owned[in->owned_count++] = copy;
	return copy;
}

static void free_owned(ingest *in)
{
	size_t i;

	for (i = 0; i < in->owned_count; i++)
		opex_free(in->owned[i]);
	in->owned_count = 0;
}

/* The value of column `name` in the record; false if it has none. */
static bool column(const ingest *in, const kpi_record *rec, int f,
	const char *name, long idx, opex_str *out)
{
	size_t i;

	(void)f;
	out->ptr = NULL;
	out->len = 0;
	if (name == NULL)
		return false;
	if (rec->names == NULL) {
		if (idx < 0 || (size_t)idx >= rec->count)
			return false;
		*out = opex_str_trim(rec->fields[idx]);
		return out->len > 0;
	}
	(void)in;
	for (i = 0; i < rec->count; i++)
		if (strcmp(rec->names[i], name) == 0) {
			*out = opex_str_trim(rec->fields[i]);
			return out->len > 0;
		}
	return false;
}

/* The field's value after values: mapping; NULL when absent or mapped to null. */
static const char *field(ingest *in, const kpi_record *rec, kpi_field f)
{
	const kpi_source *s = in->src;
	const kpi_pair *p;
	opex_str v;

	if (!column(in, rec, (int)f, s->columns[f], in->col[f], &v)) {
		if (s->tag_prefix[f] != NULL &&
		    column(in, rec, KPI_F_TAGS, s->columns[KPI_F_TAGS],
			in->col[KPI_F_TAGS], &v)) {
			size_t plen = strlen(s->tag_prefix[f]), i = 0;

			while (i < v.len) {
				size_t j = i;

				while (j < v.len && v.ptr[j] != ' ' && v.ptr[j] != ',')
					j++;
				if (j - i > plen &&
				    memcmp(v.ptr + i, s->tag_prefix[f], plen) == 0) {
					v.ptr += i + plen;
					v.len = j - i - plen;
					goto mapped;
				}
				i = j + 1;
			}
		}
		return NULL;
	}
mapped:
	p = kpi_pairs_find(&s->values[f], v.ptr, v.len);
	if (p != NULL)
		return p->value;
	return own(in, v.ptr, v.len);
}

static bool parse_number(const char *s, double *out)
{
	char *end = NULL;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || v != v)
		return false;
	*out = v;
	return true;
}

static bool parse_time(ingest *in, const kpi_record *rec, kpi_field f,
	int64_t *out, bool *bad)
{
	const char *v = field(in, rec, f), *why = NULL;

	*out = 0;
	if (v == NULL)
		return false;
	if (kpi_time_parse(out, v, strlen(v), in->src->time_kind,
			in->src->time_pattern, in->src->tz_offset, &why) < 0) {
		row_error(in, rec->line, "%s '%.*s' is %s", in->src->columns[f],
			qlen(strlen(v)), v, why);
		*bad = true;
		return false;
	}
	if (*out < 0) {
		row_error(in, rec->line, "%s '%.*s' is before 1970",
			in->src->columns[f], qlen(strlen(v)), v);
		*bad = true;
		return false;
	}
	if (*out > in->now + FUTURE_SLACK) {
		row_error(in, rec->line, "%s '%.*s' is in the future",
			in->src->columns[f], qlen(strlen(v)), v);
		*bad = true;
		return false;
	}
	return true;
}

static void minutes(ingest *in, const kpi_record *rec, kpi_field f,
	int64_t base, int64_t *out, bool *bad)
{
	const char *v = field(in, rec, f);
	double m;

	if (v == NULL || *out != 0)
		return;
	if (!parse_number(v, &m) || m < 0 || m > 1e9) {
		row_error(in, rec->line, "%s '%.*s' is not a number of minutes",
			in->src->columns[f], qlen(strlen(v)), v);
		*bad = true;
		return;
	}
	*out = base + (int64_t)(m * 60.0);
}

static int64_t count_field(ingest *in, const kpi_record *rec, kpi_field f,
	bool *bad)
{
	const char *v = field(in, rec, f);
	double n;

	if (v == NULL)
		return -1;
	if (!parse_number(v, &n) || n < 0 || n > 1e9) {
		row_error(in, rec->line, "%s '%.*s' is not a count",
			in->src->columns[f], qlen(strlen(v)), v);
		*bad = true;
		return -1;
	}
	return (int64_t)n;
}

/* Handle time in seconds from handle_seconds, else handle_minutes; -1: none. */
static int64_t handle_time(ingest *in, const kpi_record *rec, bool *bad)
{
	static const kpi_field fields[2] = { KPI_F_HANDLE_SEC, KPI_F_HANDLE_MIN };
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *v = field(in, rec, fields[i]);
		double n;

		if (v == NULL)
			continue;
		if (!parse_number(v, &n) || n < 0 || n > 1e9) {
			row_error(in, rec->line, "%s '%.*s' is not a handle time",
				in->src->columns[fields[i]], qlen(strlen(v)), v);
			*bad = true;
			return -1;
		}
		return (int64_t)(i == 0 ? n : n * 60.0);
	}
	return -1;
}

static bool automated(const kpi_source *s, const char *team)
{
	size_t i;

	for (i = 0; team != NULL && i < s->automated_count; i++)
		if (strcmp(s->automated[i], team) == 0)
			return true;
	return false;
}

static int header(ingest *in, const kpi_record *rec)
{
	const kpi_source *s = in->src;
	size_t i, f;

	in->header_seen = true;
	for (f = 0; f < KPI_F_COUNT; f++) {
		in->col[f] = -1;
		if (s->columns[f] == NULL)
			continue;
		for (i = 0; i < rec->count; i++)
			if (opex_str_eq(opex_str_trim(rec->fields[i]), s->columns[f]))
				in->col[f] = (long)i;
		if (in->col[f] < 0)
			return opex_error_set(in->err, OPEX_ENOTFOUND,
				"%s:%u: error: the header has no column '%s' (mapped to %s by source '%s')",
				in->path, rec->line, s->columns[f],
				kpi_field_name((kpi_field)f), s->name ? s->name : "");
	}
	in->filter_col = opex_calloc(s->filter.count + 1, sizeof(long));
	for (f = 0; f < s->filter.count; f++) {
		in->filter_col[f] = -1;
		for (i = 0; i < rec->count; i++)
			if (opex_str_eq(opex_str_trim(rec->fields[i]), s->filter.items[f].key))
				in->filter_col[f] = (long)i;
		if (in->filter_col[f] < 0)
			return opex_error_set(in->err, OPEX_ENOTFOUND,
				"%s:%u: error: the header has no column '%s' (named by filter: of source '%s')",
				in->path, rec->line, s->filter.items[f].key,
				s->name ? s->name : "");
	}
	for (i = 0; i < rec->count; i++) {
		bool used = false;

		for (f = 0; f < KPI_F_COUNT; f++)
			used = used || in->col[f] == (long)i;
		for (f = 0; f < s->filter.count; f++)
			used = used || in->filter_col[f] == (long)i;
		if (used)
			continue;
		if (in->stats->unknown.len)
			opex_buf_puts(&in->stats->unknown, ", ");
		opex_buf_put(&in->stats->unknown, rec->fields[i].ptr,
			rec->fields[i].len);
	}
	return 0;
}

static bool filtered_out(ingest *in, const kpi_record *rec)
{
	const kpi_source *s = in->src;
	size_t k;

	for (k = 0; k < s->filter.count; k++) {
		opex_str v;
		const char *want = s->filter.items[k].value;

		column(in, rec, -1, s->filter.items[k].key, in->filter_col ?
			in->filter_col[k] : -1, &v);
		if (want == NULL ? v.len != 0 : !opex_str_eq(v, want))
			return true;
	}
	return false;
}

static int on_record(const kpi_record *rec, void *payload)
{
	ingest *in = payload;
	const kpi_source *s = in->src;
	static const kpi_field dims[KPI_ROW_DIMS] = { KPI_F_MARKET,
		KPI_F_JOURNEY, KPI_F_TEAM, KPI_F_CHANNEL, KPI_F_LANGUAGE };
	const char *case_id, *process = NULL, *step = NULL, *req;
	const char *dimv[KPI_ROW_DIMS];
	unsigned char hash[32];
	bool bad = false, changed = false;
	int error = 0;
	size_t i;

	if (rec->error != NULL) {
		if (rec->header)
			return opex_error_set(in->err, OPEX_EINVALID,
				"%s:%u: error: the header row: %s", in->path,
				rec->line, rec->error);
		in->stats->rows++;
		row_error(in, rec->line, "%s", rec->error);
		return 0;
	}
	if (rec->header)
		return header(in, rec);
	if (filtered_out(in, rec)) {
		in->stats->filtered++;
		return 0;
	}
	in->stats->rows++;
	case_id = field(in, rec, KPI_F_CASE);
	if (case_id == NULL) {
		row_error(in, rec->line, "the case id (%s) is empty", s->columns[KPI_F_CASE]);
		goto done;
	}
	for (i = 0; i < KPI_ROW_DIMS; i++)
		dimv[i] = field(in, rec, dims[i]);
	if (s->process != NULL)
		process = s->process;
	if (s->processes_field >= 0) {
		const char *v = field(in, rec, (kpi_field)s->processes_field);
		const kpi_pair *p = v ? kpi_pairs_find(&s->processes, v, strlen(v)) : NULL;

		if (p != NULL)
			process = p->value;
	}
	if (process == NULL)
		process = field(in, rec, KPI_F_PROCESS);
	if (s->steps_field >= 0 || s->steps.count > 0) {
		int sf = s->steps_field >= 0 ? s->steps_field :
			(s->shape == KPI_SHAPE_EVENTS ? KPI_F_ACTIVITY : KPI_F_STATUS);
		const char *v = field(in, rec, (kpi_field)sf);

		if (v != NULL) {
			const kpi_pair *p = kpi_pairs_find(&s->steps, v, strlen(v));

			if (p == NULL) {
				row_error(in, rec->line,
					"%s '%.*s' is mapped to no node (add it to steps: map: of source '%s', or map it to null)",
					s->columns[sf] ? s->columns[sf] : kpi_field_name((kpi_field)sf),
					qlen(strlen(v)), v, s->name ? s->name : "");
				bad = true;
			} else {
				step = p->value;
			}
		}
	}
	req = field(in, rec, KPI_F_REQUESTER);
	if (req != NULL && in->store != NULL)
		kpi_store_hash_requester(hash, in->store, req, strlen(req));
	if (s->shape == KPI_SHAPE_TICKETS) {
		kpi_case_row row;
		const char *v;
		double csat;

		memset(&row, 0, sizeof(row));
		row.case_id = case_id;
		row.process = process;
		row.step = step;
		row.status = field(in, rec, KPI_F_STATUS);
		memcpy(row.dims, dimv, sizeof(dimv));
		row.requester = req != NULL && in->store != NULL ? hash : NULL;
		if (!parse_time(in, rec, KPI_F_CREATED, &row.created, &bad) && !bad) {
			row_error(in, rec->line, "the creation time (%s) is empty",
				s->columns[KPI_F_CREATED]);
			goto done;
		}
		parse_time(in, rec, KPI_F_FIRST_REPLY, &row.first_reply, &bad);
		if (!parse_time(in, rec, KPI_F_SOLVED, &row.solved, &bad))
			parse_time(in, rec, KPI_F_CLOSED, &row.solved, &bad);
		minutes(in, rec, KPI_F_FIRST_REPLY_MIN, row.created, &row.first_reply, &bad);
		minutes(in, rec, KPI_F_RESOLUTION_MIN, row.created, &row.solved, &bad);
		if (!bad && row.solved != 0 && row.solved < row.created) {
			row_error(in, rec->line, "the case ends (%lld) before it starts (%lld)",
				(long long)row.solved, (long long)row.created);
			bad = true;
		}
		if (!bad && row.first_reply != 0 && row.first_reply < row.created) {
			row_error(in, rec->line, "the first reply comes before the case starts");
			bad = true;
		}
		row.reopens = count_field(in, rec, KPI_F_REOPENS, &bad);
		row.replies = count_field(in, rec, KPI_F_REPLIES, &bad);
		row.handle = handle_time(in, rec, &bad);
		row.csat = -1;
		v = field(in, rec, KPI_F_CSAT);
		if (v != NULL) {
			if (!parse_number(v, &csat) || csat < 0 || csat > 100) {
				row_error(in, rec->line, "%s '%.*s' is not a score",
					s->columns[KPI_F_CSAT], qlen(strlen(v)), v);
				bad = true;
			} else {
				row.csat = csat;
			}
		}
		row.escalated = (int)count_field(in, rec, KPI_F_ESCALATED, &bad);
		row.automated = automated(s, dimv[2]);
		if (bad || in->stats->bad > 0)
			goto done;
		if (in->store != NULL)
			error = kpi_store_put_case(in->store, &row, &changed, in->err);
		else
			changed = true;
	} else {
		kpi_event_row row;

		memset(&row, 0, sizeof(row));
		row.case_id = case_id;
		row.process = process;
		row.step = step;
		row.activity = field(in, rec, KPI_F_ACTIVITY);
		if (row.activity == NULL)
			row.activity = "";
		memcpy(row.dims, dimv, sizeof(dimv));
		row.requester = req != NULL && in->store != NULL ? hash : NULL;
		if (!parse_time(in, rec, KPI_F_AT, &row.at, &bad) && !bad) {
			row_error(in, rec->line, "the event time (%s) is empty",
				s->columns[KPI_F_AT]);
			goto done;
		}
		row.automated = automated(s, dimv[2]);
		if (bad || in->stats->bad > 0)
			goto done;
		if (in->store != NULL)
			error = kpi_store_put_event(in->store, &row, &changed, in->err);
		else
			changed = true;
	}
	if (changed)
		in->stats->added++;
done:
	free_owned(in);
	return error;
}

static int run(opex_kpi_ingest_stats *stats, opex_kpi_store *store,
	const opex_kpi_mapping *mapping, const char *path,
	const kpi_reader_input *input, int64_t now, opex_diag_list *diags,
	opex_error *err)
{
	ingest in;
	kpi_format format;
	bool began = false;
	size_t plen = strlen(path);
	int error = 0;

	memset(&in, 0, sizeof(in));
	in.src = kpi_mapping_source_for(mapping, path);
	if (in.src == NULL) {
		error = opex_error_set(err, OPEX_ENOTFOUND,
			"'%s': no kpi source's files: pattern matches this file", path);
		goto done;
	}
	snprintf(stats->source, sizeof(stats->source), "%s",
		in.src->name ? in.src->name : "");
	in.store = store;
	in.path = path;
	in.now = now;
	in.stats = stats;
	in.diags = diags;
	in.err = err;
	format = in.src->format;
	if (format == KPI_FORMAT_AUTO)
		format = (plen > 6 && strcmp(path + plen - 6, ".jsonl") == 0) ||
			(plen > 7 && strcmp(path + plen - 7, ".ndjson") == 0) ?
			KPI_FORMAT_JSONL : KPI_FORMAT_CSV;
	if (format == KPI_FORMAT_JSONL)
		in.header_seen = true;
	if (store != NULL) {
		error = kpi_store_begin(store, err);
		if (error < 0)
			goto done;
		began = true;
	}
	error = kpi_reader_run(input, path, format, in.src->delimiter,
		on_record, &in, err);
	if (error < 0)
		goto done;
	if (!in.header_seen) {
		error = opex_error_set(err, OPEX_EINVALID, "'%s' is empty: it has no header row", path);
		goto done;
	}
	if (stats->bad > 0) {
		error = opex_error_set(err, OPEX_EINVALID,
			"'%s': %zu bad row%s, nothing was loaded", path, stats->bad,
			stats->bad == 1 ? "" : "s");
		goto done;
	}
	if (began) {
		error = kpi_store_commit(store, err);
		began = error < 0;
	}
done:
	if (began)
		kpi_store_rollback(store);
	free_owned(&in);
	opex_free(in.owned);
	opex_free(in.filter_col);
	return error;
}

int opex_kpi_ingest_buffer(opex_kpi_ingest_stats *stats,
	opex_kpi_store *store, const opex_kpi_mapping *mapping,
	const char *path, const char *data, size_t len, int64_t now,
	opex_diag_list *diags, opex_error *err)
{
	kpi_reader_input input = { NULL, data, len };

	return run(stats, store, mapping, path, &input, now, diags, err);
}

int opex_kpi_ingest_file(opex_kpi_ingest_stats *stats,
	opex_kpi_store *store, const opex_kpi_mapping *mapping,
	const char *path, int64_t now, opex_diag_list *diags, opex_error *err)
{
	kpi_reader_input input = { NULL, NULL, 0 };
	int error;

	input.file = fopen(path, "rb");
	if (input.file == NULL)
		return opex_error_set(err, OPEX_EIO, "cannot open '%s'", path);
	error = run(stats, store, mapping, path, &input, now, diags, err);
	fclose(input.file);
	return error;
}
