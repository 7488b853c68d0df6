/*
 * mapping.c: the `kpi:` section of opex.yaml (or the whole of
 * .opex/kpi.yaml): which export columns are which fields, how to read
 * times, which values are which nodes of which maps.
 *
 *   key            value
 *   age_buckets    [1, 7, 15]: lower bounds in days of the open-age buckets
 *   sources        a list; each: name, files, shape (tickets|events), format
 *                  (csv|jsonl), delimiter, time_format, time_zone, process,
 *                  filter, columns, tags, values, steps, automated_teams,
 *                  processes (see README "KPI mapping")
 *
 * Every problem is a kpi-mapping-invalid error naming file and line.
 */
#include "kpi/kpi_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/text.h"
#include "process-maps/process_maps.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char *const field_names[KPI_F_COUNT] = {
	"case", "created", "first_reply", "first_reply_minutes", "solved",
	"closed", "resolution_minutes", "status", "team", "market", "journey",
	"language", "channel", "tags", "requester", "reopens", "replies",
	"csat", "escalated", "at", "activity", "process", "handle_minutes",
	"handle_seconds"
};

static const char *const source_keys[] = {
	"name", "files", "shape", "format", "delimiter", "time_format",
	"time_zone", "process", "filter", "columns", "tags", "values", "steps",
	"automated_teams", "processes"
};

const char *kpi_field_name(kpi_field f)
{
	return (unsigned)f < KPI_F_COUNT ? field_names[f] : "?";
}

int kpi_field_parse(const char *name)
{
	size_t i;

	for (i = 0; i < KPI_F_COUNT; i++)
		if (strcmp(field_names[i], name) == 0)
			return (int)i;
	return -1;
}

typedef struct parse_ctx {
	const char *path;
	opex_diag_list *diags;
	size_t errors;
} parse_ctx;

static void problem(parse_ctx *ctx, unsigned line, const char *fmt, ...)
	OPEX_PRINTF(3, 4);

static void problem(parse_ctx *ctx, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	opex_diag_vadd(ctx->diags, OPEX_SEVERITY_ERROR, KPI_RULE_MAPPING,
		ctx->path, line, 0, fmt, ap);
	va_end(ap);
	ctx->errors++;
}

static int qlen(const char *s)
{
	return (int)opex_text_clip(s, 64);
}

static bool is_null(const opex_kb_yaml_node *v)
{
	return v->type == OPEX_KB_YAML_SCALAR && v->plain &&
		(v->len == 0 || strcmp(v->value, "null") == 0 ||
		 strcmp(v->value, "~") == 0);
}

static const char *scalar(parse_ctx *ctx, const opex_kb_yaml_node *v,
	const char *what)
{
	if (v->type != OPEX_KB_YAML_SCALAR) {
		problem(ctx, v->line, "%s must be a single value", what);
		return NULL;
	}
	return v->value;
}

const kpi_pair *kpi_pairs_find(const kpi_pairs *pairs, const char *key,
	size_t len)
{
	size_t i;

	for (i = 0; i < pairs->count; i++)
		if (strlen(pairs->items[i].key) == len &&
		    memcmp(pairs->items[i].key, key, len) == 0)
			return &pairs->items[i];
	return NULL;
}

static void pairs_release(kpi_pairs *p)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		opex_free(p->items[i].key);
		opex_free(p->items[i].value);
	}
	opex_free(p->items);
	p->items = NULL;
	p->count = p->cap = 0;
}

static void read_pairs(parse_ctx *ctx, kpi_pairs *out,
	const opex_kb_yaml_node *v, const char *what)
{
	size_t i;

	if (v->type != OPEX_KB_YAML_MAPPING) {
		problem(ctx, v->line, "%s must be a mapping of value: value", what);
		return;
	}
	for (i = 0; i < v->count; i++) {
		const opex_kb_yaml_node *val = v->items[i];
		kpi_pair *p;

		if (val->type != OPEX_KB_YAML_SCALAR) {
			problem(ctx, val->line, "%s: '%.*s' must map to a single value",
				what, qlen(v->keys[i]->value), v->keys[i]->value);
			continue;
		}
		opex_array_grow((void **)&out->items, &out->cap, out->count + 1,
			sizeof(*out->items));
		p = &out->items[out->count++];
		p->key = opex_strdup(v->keys[i]->value);
		p->value = is_null(val) ? NULL : opex_strdup(val->value);
		p->line = v->keys[i]->line;
	}
}

static void read_source(parse_ctx *ctx, kpi_source *s,
	const opex_kb_yaml_node *node)
{
	const opex_kb_yaml_node *v;
	const char *text;
	size_t i, k;

	s->line = node->line;
	s->steps_field = -1;
	s->processes_field = -1;
	if (node->type != OPEX_KB_YAML_MAPPING) {
		problem(ctx, node->line, "a source must be a mapping");
		return;
	}
	for (i = 0; i < node->count; i++) {
		const char *key = node->keys[i]->value;
		bool known = false;

		for (k = 0; k < sizeof(source_keys) / sizeof(source_keys[0]); k++)
			known = known || strcmp(source_keys[k], key) == 0;
		if (!known)
			problem(ctx, node->keys[i]->line,
				"unknown key '%.*s' in a kpi source", qlen(key), key);
	}
	v = opex_kb_yaml_get(node, "name");
	text = v ? scalar(ctx, v, "name") : NULL;
	if (text == NULL || text[0] == '\0') {
		if (v == NULL)
			problem(ctx, node->line, "a kpi source needs a name");
	} else {
		s->name = opex_strdup(text);
	}
	v = opex_kb_yaml_get(node, "files");
	text = v ? scalar(ctx, v, "files") : NULL;
	s->files = opex_strdup(text ? text : "*");
	v = opex_kb_yaml_get(node, "shape");
	if (v != NULL && (text = scalar(ctx, v, "shape")) != NULL) {
		if (strcmp(text, "events") == 0)
			s->shape = KPI_SHAPE_EVENTS;
		else if (strcmp(text, "tickets") != 0)
			problem(ctx, v->line, "shape '%.*s' is neither tickets nor events",
				qlen(text), text);
	}
	v = opex_kb_yaml_get(node, "format");
	if (v != NULL && (text = scalar(ctx, v, "format")) != NULL) {
		if (strcmp(text, "csv") == 0)
			s->format = KPI_FORMAT_CSV;
		else if (strcmp(text, "jsonl") == 0 || strcmp(text, "ndjson") == 0)
			s->format = KPI_FORMAT_JSONL;
		else
			problem(ctx, v->line, "format '%.*s' is neither csv nor jsonl",
				qlen(text), text);
	}
	v = opex_kb_yaml_get(node, "delimiter");
	if (v != NULL && (text = scalar(ctx, v, "delimiter")) != NULL) {
		if (strcmp(text, "auto") == 0)
			s->delimiter = 0;
		else if (strcmp(text, ",") == 0 || strcmp(text, ";") == 0 ||
			 strcmp(text, "\t") == 0 || strcmp(text, "|") == 0)
			s->delimiter = text[0];
		else
			problem(ctx, v->line, "delimiter '%.*s' is not one of ',', ';', tab, '|' or auto",
				qlen(text), text);
	}
	v = opex_kb_yaml_get(node, "time_format");
	if (v != NULL && (text = scalar(ctx, v, "time_format")) != NULL) {
		if (strcmp(text, "iso8601") == 0)
			s->time_kind = KPI_TIME_ISO8601;
		else if (strcmp(text, "epoch") == 0)
			s->time_kind = KPI_TIME_EPOCH;
		else if (strcmp(text, "epoch_ms") == 0)
			s->time_kind = KPI_TIME_EPOCH_MS;
		else if (strchr(text, '%') != NULL) {
			s->time_kind = KPI_TIME_PATTERN;
			s->time_pattern = opex_strdup(text);
		} else
			problem(ctx, v->line, "time_format '%.*s' is not iso8601, epoch, epoch_ms or a %%Y-%%m-%%d pattern",
				qlen(text), text);
	}
	v = opex_kb_yaml_get(node, "time_zone");
	if (v != NULL && (text = scalar(ctx, v, "time_zone")) != NULL &&
	    kpi_tz_parse(&s->tz_offset, text) < 0)
		problem(ctx, v->line, "time_zone '%.*s' is not a fixed offset such as \"+01:00\" or \"Z\" (zone names are not supported)",
			qlen(text), text);
	v = opex_kb_yaml_get(node, "process");
	if (v != NULL && (text = scalar(ctx, v, "process")) != NULL)
		s->process = opex_strdup(text);
	v = opex_kb_yaml_get(node, "filter");
	if (v != NULL)
		read_pairs(ctx, &s->filter, v, "filter");
	v = opex_kb_yaml_get(node, "columns");
	if (v == NULL || v->type != OPEX_KB_YAML_MAPPING) {
		problem(ctx, v ? v->line : node->line,
			"a kpi source needs columns: a mapping of field: column");
	} else {
		for (i = 0; i < v->count; i++) {
			const char *key = v->keys[i]->value;
			int f = kpi_field_parse(key);

			if (f < 0) {
				problem(ctx, v->keys[i]->line,
					"unknown field '%.*s' in columns", qlen(key), key);
				continue;
			}
			text = scalar(ctx, v->items[i], key);
			if (text == NULL)
				continue;
			s->columns[f] = opex_strdup(text);
			s->column_lines[f] = v->keys[i]->line;
		}
		if (s->columns[KPI_F_CASE] == NULL)
			problem(ctx, v->line, "columns has no 'case': which column holds the case id");
		if (s->shape == KPI_SHAPE_TICKETS && s->columns[KPI_F_CREATED] == NULL)
			problem(ctx, v->line, "a tickets source needs a 'created' column");
		if (s->shape == KPI_SHAPE_EVENTS && s->columns[KPI_F_AT] == NULL)
			problem(ctx, v->line, "an events source needs an 'at' column");
	}
	v = opex_kb_yaml_get(node, "tags");
	if (v != NULL && v->type == OPEX_KB_YAML_MAPPING) {
		for (i = 0; i < v->count; i++) {
			int f = kpi_field_parse(v->keys[i]->value);

			if (f != KPI_F_MARKET && f != KPI_F_JOURNEY &&
			    f != KPI_F_LANGUAGE && f != KPI_F_CHANNEL &&
			    f != KPI_F_TEAM) {
				problem(ctx, v->keys[i]->line,
					"tags: '%.*s' is not market, journey, language, channel or team",
					qlen(v->keys[i]->value), v->keys[i]->value);
				continue;
			}
			text = scalar(ctx, v->items[i], "a tag prefix");
			if (text != NULL)
				s->tag_prefix[f] = opex_strdup(text);
		}
	} else if (v != NULL) {
		problem(ctx, v->line, "tags must be a mapping of field: prefix");
	}
	v = opex_kb_yaml_get(node, "values");
	if (v != NULL && v->type == OPEX_KB_YAML_MAPPING) {
		for (i = 0; i < v->count; i++) {
			int f = kpi_field_parse(v->keys[i]->value);

			if (f < 0) {
				problem(ctx, v->keys[i]->line, "values: unknown field '%.*s'",
					qlen(v->keys[i]->value), v->keys[i]->value);
				continue;
			}
			read_pairs(ctx, &s->values[f], v->items[i], "values");
		}
	} else if (v != NULL) {
		problem(ctx, v->line, "values must be a mapping of field: {value: value}");
	}
	v = opex_kb_yaml_get(node, "steps");
	if (v != NULL && v->type == OPEX_KB_YAML_MAPPING) {
		const opex_kb_yaml_node *f = opex_kb_yaml_get(v, "field");
		const opex_kb_yaml_node *m = opex_kb_yaml_get(v, "map");

		text = f ? scalar(ctx, f, "steps field") : NULL;
		s->steps_field = text ? kpi_field_parse(text) :
			(s->shape == KPI_SHAPE_EVENTS ? KPI_F_ACTIVITY : KPI_F_STATUS);
		if (s->steps_field < 0)
			problem(ctx, f->line, "steps field '%.*s' is not a field",
				qlen(text), text);
		if (m == NULL)
			problem(ctx, v->line, "steps needs map: {value: node}");
		else
			read_pairs(ctx, &s->steps, m, "steps map");
		for (i = 0; i < v->count; i++)
			if (strcmp(v->keys[i]->value, "field") != 0 &&
			    strcmp(v->keys[i]->value, "map") != 0)
				problem(ctx, v->keys[i]->line, "unknown key '%.*s' in steps",
					qlen(v->keys[i]->value), v->keys[i]->value);
	} else if (v != NULL) {
		problem(ctx, v->line, "steps must be a mapping with field and map");
	}
	v = opex_kb_yaml_get(node, "automated_teams");
	if (v != NULL && v->type == OPEX_KB_YAML_SEQUENCE) {
		s->automated = opex_calloc(v->count + 1, sizeof(char *));
		for (i = 0; i < v->count; i++) {
			text = scalar(ctx, v->items[i], "a team");
			if (text != NULL)
				s->automated[s->automated_count++] = opex_strdup(text);
		}
	} else if (v != NULL) {
		problem(ctx, v->line, "automated_teams must be a list");
	}
	v = opex_kb_yaml_get(node, "processes");
	if (v != NULL && v->type == OPEX_KB_YAML_MAPPING) {
		const opex_kb_yaml_node *f = opex_kb_yaml_get(v, "field");
		const opex_kb_yaml_node *m = opex_kb_yaml_get(v, "map");

		text = f ? scalar(ctx, f, "processes field") : NULL;
		s->processes_field = text ? kpi_field_parse(text) : -1;
		if (s->processes_field < 0)
			problem(ctx, f ? f->line : v->line,
				"processes needs field: the field whose value picks the map");
		if (m == NULL)
			problem(ctx, v->line, "processes needs map: {value: processes/x.dot}");
		else
			read_pairs(ctx, &s->processes, m, "processes map");
	} else if (v != NULL) {
		problem(ctx, v->line, "processes must be a mapping with field and map");
	}
	if (s->process == NULL && s->processes_field < 0 &&
	    s->columns[KPI_F_PROCESS] == NULL)
		problem(ctx, node->line, "source '%.*s' names no process: give process: or processes:",
			qlen(s->name ? s->name : ""), s->name ? s->name : "");
}

static void source_release(kpi_source *s)
{
	size_t i;

	opex_free(s->name);
	opex_free(s->files);
	opex_free(s->time_pattern);
	opex_free(s->process);
	pairs_release(&s->filter);
	for (i = 0; i < KPI_F_COUNT; i++) {
		opex_free(s->columns[i]);
		opex_free(s->tag_prefix[i]);
		pairs_release(&s->values[i]);
	}
	pairs_release(&s->steps);
	for (i = 0; i < s->automated_count; i++)
		opex_free(s->automated[i]);
	opex_free(s->automated);
	pairs_release(&s->processes);
}

void opex_kpi_mapping_free(opex_kpi_mapping *mapping)
{
	size_t i;

	if (mapping == NULL)
		return;
	for (i = 0; i < mapping->source_count; i++)
		source_release(&mapping->sources[i]);
	for (i = 0; i < mapping->process_count; i++)
		opex_free(mapping->processes[i]);
	opex_free(mapping->processes);
	opex_free(mapping->sources);
	opex_free(mapping->path);
	opex_free(mapping);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_process(opex_kpi_mapping *m, size_t *cap, const char *path)
{
	size_t i;

	if (path == NULL)
		return;
	for (i = 0; i < m->process_count; i++)
		if (strcmp(m->processes[i], path) == 0)
			return;
	opex_array_grow((void **)&m->processes, cap, m->process_count + 1,
		sizeof(char *));
	m->processes[m->process_count++] = opex_strdup(path);
}

static void read_buckets(parse_ctx *ctx, opex_kpi_mapping *m,
	const opex_kb_yaml_node *v)
{
	size_t i;

	if (v->type != OPEX_KB_YAML_SEQUENCE || v->count == 0 ||
	    v->count > OPEX_KPI_AGE_BUCKETS_MAX) {
		problem(ctx, v->line, "age_buckets must be a list of 1 to %u day counts",
			(unsigned)OPEX_KPI_AGE_BUCKETS_MAX);
		return;
	}
	for (i = 0; i < v->count; i++) {
		const opex_kb_yaml_node *it = v->items[i];
		char *end = NULL;
		unsigned long d;

		if (it->type != OPEX_KB_YAML_SCALAR)
			goto bad;
		d = strtoul(it->value, &end, 10);
		if (end == it->value || *end != '\0' || d > 36500 ||
		    (i > 0 && d <= m->age_buckets[i - 1]))
			goto bad;
		m->age_buckets[i] = (unsigned)d;
		continue;
	bad:
		problem(ctx, it->line, "age_buckets: each bound is a whole number of days, larger than the one before");
		m->age_bucket_count = 0;
		return;
	}
	m->age_bucket_count = v->count;
}

int opex_kpi_mapping_parse(opex_kpi_mapping **out, const char *path,
	const char *text, size_t len, opex_diag_list *diags, opex_error *err)
{
	opex_kb_yaml_node *doc = NULL;
	const opex_kb_yaml_node *root, *v;
	opex_kpi_mapping *m = NULL;
	parse_ctx ctx = { path, diags, 0 };
	opex_error yerr = OPEX_ERROR_INIT;
	unsigned line = 0;
	size_t i, cap = 0;
	int error = 0;

	*out = NULL;
	if (opex_kb_yaml_parse(&doc, &line, text, len, 1, &yerr) < 0) {
		problem(&ctx, line, "%s", yerr.message);
		error = opex_error_set(err, OPEX_EINVALID, "'%s' is not valid YAML", path);
		goto done;
	}
	root = doc ? opex_kb_yaml_get(doc, "kpi") : NULL;
	if (root == NULL && doc != NULL && opex_kb_yaml_get(doc, "sources") != NULL)
		root = doc;
	if (root == NULL) {
		error = opex_error_set(err, OPEX_ENOTFOUND, "'%s' has no kpi mapping", path);
		goto done;
	}
	m = opex_calloc(1, sizeof(*m));
	m->path = opex_strdup(path);
	m->age_buckets[0] = 1;
	m->age_buckets[1] = 7;
	m->age_buckets[2] = 15;
	m->age_bucket_count = 3;
	if (root->type != OPEX_KB_YAML_MAPPING) {
		problem(&ctx, root->line, "kpi must be a mapping with sources");
		goto check;
	}
	for (i = 0; i < root->count; i++)
		if (strcmp(root->keys[i]->value, "sources") != 0 &&
		    strcmp(root->keys[i]->value, "age_buckets") != 0)
			problem(&ctx, root->keys[i]->line, "unknown key '%.*s' in kpi",
				qlen(root->keys[i]->value), root->keys[i]->value);
	v = opex_kb_yaml_get(root, "age_buckets");
	if (v != NULL)
		read_buckets(&ctx, m, v);
	if (m->age_bucket_count == 0) {
		m->age_buckets[0] = 1;
		m->age_buckets[1] = 7;
		m->age_buckets[2] = 15;
		m->age_bucket_count = 3;
	}
	v = opex_kb_yaml_get(root, "sources");
	if (v == NULL || v->type != OPEX_KB_YAML_SEQUENCE || v->count == 0 ||
	    v->count > OPEX_LIMIT_KPI_SOURCES) {
		problem(&ctx, v ? v->line : root->line,
			"kpi needs sources: a list of 1 to %u sources",
			(unsigned)OPEX_LIMIT_KPI_SOURCES);
		goto check;
	}
	m->sources = opex_calloc(v->count, sizeof(*m->sources));
	for (i = 0; i < v->count; i++) {
		kpi_source *s = &m->sources[m->source_count++];
		size_t k;

		read_source(&ctx, s, v->items[i]);
		for (k = 0; s->name && k + 1 < m->source_count; k++)
			if (m->sources[k].name && strcmp(m->sources[k].name, s->name) == 0)
				problem(&ctx, s->line, "source name '%.*s' is used twice",
					qlen(s->name), s->name);
		add_process(m, &cap, s->process);
		for (k = 0; k < s->processes.count; k++)
			add_process(m, &cap, s->processes.items[k].value);
	}
	if (m->process_count > 1)
		qsort(m->processes, m->process_count, sizeof(char *), cmp_str);
check:
	if (ctx.errors > 0)
		error = opex_error_set(err, OPEX_EINVALID,
			"'%s': the kpi mapping has %zu error%s", path, ctx.errors,
			ctx.errors == 1 ? "" : "s");
done:
	opex_kb_yaml_free(doc);
	if (error < 0)
		opex_kpi_mapping_free(m);
	else
		*out = m;
	return error;
}

/* Each step value must name a node of every map the source may feed. */
static void check_maps(parse_ctx *ctx, const opex_kpi_mapping *m,
	const opex_kb_repo *repo)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_pm_map **maps = opex_calloc(m->process_count + 1, sizeof(*maps));
	size_t i, k, p;

	for (i = 0; i < m->process_count; i++) {
		opex_diag_list ignored = OPEX_DIAG_LIST_INIT;
		opex_error e = OPEX_ERROR_INIT;

		if (opex_kb_repo_read(&text, repo, m->processes[i], &e) < 0 ||
		    opex_pm_map_load(&maps[i], m->processes[i], text.ptr, text.len,
			&ignored, &e) < 0)
			maps[i] = NULL;
		opex_diag_list_release(&ignored);
	}
	for (i = 0; i < m->source_count; i++) {
		const kpi_source *s = &m->sources[i];

		for (p = 0; p < m->process_count; p++) {
			bool feeds = s->process && strcmp(s->process, m->processes[p]) == 0;
			unsigned line = s->line;

			for (k = 0; k < s->processes.count; k++)
				if (s->processes.items[k].value &&
				    strcmp(s->processes.items[k].value, m->processes[p]) == 0) {
					feeds = true;
					line = s->processes.items[k].line;
				}
			if (!feeds)
				continue;
			if (maps[p] == NULL) {
				problem(ctx, line, "process '%.*s' has no map that loads in this revision",
					qlen(m->processes[p]), m->processes[p]);
				continue;
			}
			for (k = 0; k < s->steps.count; k++) {
				const kpi_pair *pr = &s->steps.items[k];

				if (pr->value != NULL && opex_pm_map_find(maps[p], pr->value) < 0)
					problem(ctx, pr->line, "step '%.*s' maps to node '%.*s', which is not in '%.*s'",
						qlen(pr->key), pr->key, qlen(pr->value), pr->value,
						qlen(m->processes[p]), m->processes[p]);
			}
		}
	}
	for (i = 0; i < m->process_count; i++)
		opex_pm_map_free(maps[i]);
	opex_free(maps);
	opex_buf_release(&text);
}

int opex_kpi_mapping_load(opex_kpi_mapping **out, const opex_kb_repo *repo,
	opex_diag_list *diags, opex_error *err)
{
	static const char *const files[] = { "opex.yaml", ".opex/kpi.yaml" };
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_kpi_mapping *m = NULL;
	int error = OPEX_ENOTFOUND;
	size_t i;

	*out = NULL;
	for (i = 0; i < 2 && error == OPEX_ENOTFOUND; i++) {
		opex_error e = OPEX_ERROR_INIT;

		if (opex_kb_repo_find(repo, files[i]) == NULL)
			continue;
		error = opex_kb_repo_read(&text, repo, files[i], err);
		if (error < 0)
			goto done;
		error = opex_kpi_mapping_parse(&m, files[i], text.ptr, text.len,
			diags, &e);
		if (error < 0 && error != OPEX_ENOTFOUND) {
			if (err != NULL)
				*err = e;
			goto done;
		}
	}
	if (error == OPEX_ENOTFOUND) {
		error = opex_error_set(err, OPEX_ENOTFOUND,
			"no kpi mapping: neither opex.yaml (kpi:) nor .opex/kpi.yaml has one");
		goto done;
	}
	{
		parse_ctx ctx = { m->path, diags, 0 };

		check_maps(&ctx, m, repo);
		if (ctx.errors > 0)
			error = opex_error_set(err, OPEX_EINVALID,
				"'%s': the kpi mapping names %zu node%s or map%s that do not exist",
				m->path, ctx.errors, ctx.errors == 1 ? "" : "s",
				ctx.errors == 1 ? "" : "s");
	}
done:
	opex_buf_release(&text);
	if (error < 0)
		opex_kpi_mapping_free(m);
	else
		*out = m;
	return error;
}

size_t opex_kpi_mapping_process_count(const opex_kpi_mapping *mapping)
{
	return mapping->process_count;
}

const char *opex_kpi_mapping_process(const opex_kpi_mapping *mapping,
	size_t i)
{
	return i < mapping->process_count ? mapping->processes[i] : NULL;
}

const kpi_source *kpi_mapping_source_for(const opex_kpi_mapping *mapping,
	const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i < mapping->source_count; i++)
		if (mapping->sources[i].files &&
		    fnmatch(mapping->sources[i].files, base, 0) == 0)
			return &mapping->sources[i];
	return NULL;
}
