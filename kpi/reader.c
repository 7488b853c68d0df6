/*
 * reader.c: records of an export, CSV (libcsv, the only libcsv caller) or
 * JSON lines (jansson), each with the physical line it starts on.
 *
 * The input is fed one physical line at a time, so a record's line is
 * known and no line is held past OPEX_LIMIT_KPI_RECORD_BYTES: a 1 GB line
 * fails after 1 MiB has been read, without allocating the rest.
 */
#include "kpi/kpi_int.h"
#include "core/memory.h"

#include <csv.h>
#include <jansson.h>
#include <string.h>

#include "core/banned.h"

#define CHUNK (64u * 1024u)

typedef struct reader {
	const char *path;
	kpi_record_fn fn;
	void *payload;
	opex_error *err;
	opex_buf rec;             /* field bytes, each followed by a NUL */
	size_t *offs;             /* field start in rec */
	size_t *lens;
	size_t nfields, cap;
	bool too_many;
	unsigned line, start_line;
	bool header_done;
	int stop;
	/* JSON lines */
	bool json;
	opex_buf jline;
} reader;

static void on_field(void *s, size_t len, void *data)
{
	reader *r = data;

	if (r->nfields >= OPEX_LIMIT_KPI_COLUMNS) {
		r->too_many = true;
		return;
	}
	opex_array_grow((void **)&r->offs, &r->cap, r->nfields + 1,
		sizeof(*r->offs));
	r->lens = opex_realloc(r->lens, r->cap * sizeof(*r->lens));
	r->offs[r->nfields] = r->rec.len;
	r->lens[r->nfields] = len;
	if (len > 0)
		opex_buf_put(&r->rec, s, len);
	opex_buf_putc(&r->rec, 0);
	r->nfields++;
}

static int deliver(reader *r, opex_str *fields, const char *const *names,
	size_t count, const char *error)
{
	kpi_record rec;

	rec.fields = fields;
	rec.names = names;
	rec.count = count;
	rec.line = r->start_line;
	rec.header = !r->json && !r->header_done;
	rec.error = error;
	r->header_done = true;
	return r->fn(&rec, r->payload);
}

static void on_record(int c, void *data)
{
	reader *r = data;
	opex_str *fields = NULL;
	const char *error = NULL;
	size_t i;

	(void)c;
	if (r->stop < 0)
		goto done;
	if (r->rec.failed)
		error = "the record is too long";
	else if (r->too_many)
		error = "the record has too many columns";
	for (i = 0; i < r->nfields && error == NULL; i++)
		if (opex_text_has_nul(r->rec.ptr + r->offs[i], r->lens[i]))
			error = "the record holds a NUL byte";
	for (i = 0; i < r->nfields && error == NULL; i++)
		if (!opex_utf8_valid(r->rec.ptr + r->offs[i], r->lens[i], NULL))
			error = "the record is not valid UTF-8";
	if (error == NULL) {
		fields = opex_calloc(r->nfields + 1, sizeof(*fields));
		for (i = 0; i < r->nfields; i++) {
			fields[i].ptr = r->rec.ptr + r->offs[i];
			fields[i].len = r->lens[i];
		}
	}
	r->stop = deliver(r, fields, NULL, error ? 0 : r->nfields, error);
	opex_free(fields);
done:
	opex_buf_clear(&r->rec);
	r->nfields = 0;
	r->too_many = false;
}

static int space_only(unsigned char c)
{
	return c == ' ';
}

static char sniff(const char *p, size_t len)
{
	size_t comma = 0, semi = 0, tab = 0, i;
	bool quoted = false;

	for (i = 0; i < len && p[i] != '\n'; i++) {
		if (p[i] == '"')
			quoted = !quoted;
		else if (!quoted && p[i] == ',')
			comma++;
		else if (!quoted && p[i] == ';')
			semi++;
		else if (!quoted && p[i] == '\t')
			tab++;
	}
	if (tab > comma && tab > semi)
		return '\t';
	return semi > comma ? ';' : ',';
}

static int json_line(reader *r, const char *p, size_t len)
{
	json_t *obj = NULL;
	json_error_t jerr;
	opex_str *fields = NULL;
	const char **names = NULL;
	char **texts = NULL;
	const char *key;
	json_t *v;
	size_t n = 0, i, count;
	int status = 0;

	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' '))
		len--;
	if (len == 0)
		return 0;
	if (memchr(p, 0, len) != NULL)
		return deliver(r, NULL, NULL, 0,
			"the record holds a NUL byte");
	if (!opex_utf8_valid(p, len, NULL))
		return deliver(r, NULL, NULL, 0,
			"the record is not valid UTF-8");
	obj = json_loadb(p, len, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL || !json_is_object(obj)) {
		status = deliver(r, NULL, NULL, 0,
			"the line is not a JSON object");
		goto done;
	}
	count = json_object_size(obj);
	if (count > OPEX_LIMIT_KPI_COLUMNS) {
		status = deliver(r, NULL, NULL, 0,
			"the record has too many columns");
		goto done;
	}
	fields = opex_calloc(count + 1, sizeof(*fields));
	names = opex_calloc(count + 1, sizeof(*names));
	texts = opex_calloc(count + 1, sizeof(*texts));
	json_object_foreach(obj, key, v) {
		opex_buf t = OPEX_BUF_INIT(OPEX_LIMIT_KPI_RECORD_BYTES);

		if (json_is_string(v)) {
			opex_buf_put(&t, json_string_value(v), json_string_length(v));
		} else if (json_is_integer(v)) {
			opex_buf_printf(&t, "%lld", (long long)json_integer_value(v));
		} else if (json_is_real(v)) {
			opex_buf_printf(&t, "%.17g", json_real_value(v));
		} else if (json_is_true(v) || json_is_false(v)) {
			opex_buf_puts(&t, json_is_true(v) ? "true" : "false");
		} else if (json_is_array(v)) {
			size_t k;
			json_t *it;

			json_array_foreach(v, k, it)
				if (json_is_string(it)) {
					if (t.len)
						opex_buf_putc(&t, ' ');
					opex_buf_puts(&t, json_string_value(it));
				}
		} else {
			opex_buf_release(&t);
			continue; /* null, objects: no value */
		}
		names[n] = key;
		texts[n] = opex_buf_detach(&t, &fields[n].len);
		fields[n].ptr = texts[n];
		n++;
	}
	status = deliver(r, fields, names, n, NULL);
done:
	for (i = 0; i < n; i++)
		opex_free(texts[i]);
	opex_free(texts);
	opex_free((void *)names);
	opex_free(fields);
	json_decref(obj);
	return status;
}

static int too_long(reader *r, const char *what)
{
	return opex_error_set(r->err, OPEX_ETOOBIG,
		"%s:%u: error: %s is longer than %u bytes", r->path, r->line, what,
		(unsigned)OPEX_LIMIT_KPI_RECORD_BYTES);
}

int kpi_reader_run(const kpi_reader_input *in, const char *path,
	kpi_format format, char delimiter, kpi_record_fn fn, void *payload,
	opex_error *err)
{
	struct csv_parser csv;
	reader r;
	char *chunk = NULL;
	size_t line_len = 0, mem_pos = 0;
	bool first = true, csv_ready = false;
	int error = 0;

	memset(&r, 0, sizeof(r));
	r.path = path;
	r.fn = fn;
	r.payload = payload;
	r.err = err;
	r.line = 1;
	r.start_line = 1;
	r.json = format == KPI_FORMAT_JSONL;
	opex_buf_init(&r.rec, OPEX_LIMIT_KPI_RECORD_BYTES);
	opex_buf_init(&r.jline, OPEX_LIMIT_KPI_RECORD_BYTES);
	if (format != KPI_FORMAT_JSONL) {
		if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI) != 0) {
			error = opex_error_set(err, OPEX_ERROR, "cannot start the CSV parser for '%s'", path);
			goto done;
		}
		csv_ready = true;
		csv_set_realloc_func(&csv, opex_realloc);
		csv_set_free_func(&csv, opex_free);
		csv_set_space_func(&csv, space_only);
	}
	if (in->file != NULL)
		chunk = opex_malloc(CHUNK);
	for (;;) {
		const char *p;
		size_t n, pos = 0;

		if (in->file != NULL) {
			n = fread(chunk, 1, CHUNK, in->file);
			if (n == 0 && ferror(in->file)) {
				error = opex_error_set(err, OPEX_EIO, "cannot read '%s'", path);
				goto done;
			}
			p = chunk;
		} else {
			n = in->len - mem_pos < CHUNK ? in->len - mem_pos : CHUNK;
			p = in->data + mem_pos;
			mem_pos += n;
		}
		if (n == 0)
			break;
		if (first) {
			first = false;
			if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
				pos = 3;
			if (csv_ready)
				csv_set_delim(&csv, (unsigned char)(delimiter ? delimiter :
					sniff(p + pos, n - pos)));
		}
		while (pos < n) {
			const char *nl = memchr(p + pos, '\n', n - pos);
			size_t seg = nl ? (size_t)(nl - (p + pos)) + 1 : n - pos;

			line_len += seg;
			if (line_len > OPEX_LIMIT_KPI_RECORD_BYTES + 1) {
				error = too_long(&r, "the line");
				goto done;
			}
			if (csv_ready) {
				if (csv.pstate == 0 && r.nfields == 0)
					r.start_line = r.line;
				if (csv_parse(&csv, p + pos, seg, on_field, on_record, &r) != seg) {
					error = opex_error_set(err, OPEX_EINVALID,
						"%s:%u: error: malformed CSV (%s)", path, r.line,
						csv_strerror(csv_error(&csv)));
					goto done;
				}
				if (r.rec.len + csv.entry_pos > OPEX_LIMIT_KPI_RECORD_BYTES) {
					error = too_long(&r, "the record");
					goto done;
				}
			} else {
				opex_buf_put(&r.jline, p + pos, seg);
				if (nl != NULL) {
					r.start_line = r.line;
					r.stop = json_line(&r, r.jline.ptr,
						r.jline.len - 1);
					opex_buf_clear(&r.jline);
				}
			}
			if (r.stop < 0) {
				error = r.stop;
				goto done;
			}
			pos += seg;
			if (nl != NULL) {
				r.line++;
				line_len = 0;
			}
		}
	}
	if (csv_ready) {
		if (csv.pstate == 0 && r.nfields == 0)
			r.start_line = r.line;
		if (csv_fini(&csv, on_field, on_record, &r) != 0) {
			error = opex_error_set(err, OPEX_EINVALID,
				"%s:%u: error: a quoted field is not closed at the end of the file",
				path, r.start_line);
			goto done;
		}
	} else if (r.jline.len > 0) {
		r.start_line = r.line;
		r.stop = json_line(&r, r.jline.ptr, r.jline.len);
	}
	if (r.stop < 0)
		error = r.stop;
done:
	if (csv_ready)
		csv_free(&csv);
	opex_free(chunk);
	opex_free(r.offs);
	opex_free(r.lens);
	opex_buf_release(&r.rec);
	opex_buf_release(&r.jline);
	return error;
}
