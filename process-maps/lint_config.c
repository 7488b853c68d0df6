/*
 * lint_config.c: the handbook's lint configuration, and the rule catalogue.
 *
 * `.opex/lint.yaml` (or, without it, the `lint:` section of `opex.yaml`):
 *
 *   rules:
 *     step-without-article: off   # error | warning | info | off
 *     owner-is-champion: error
 *
 * It applies to every diagnostic `opex lint` reports: map rules, article
 * rules and the problems found while loading. Unknown rules and severities
 * are lint-config-invalid warnings (with a suggestion) and are ignored.
 */
#include "process-maps/process_maps_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define RULE "lint-config-invalid"
#define LINT_YAML ".opex/lint.yaml"
#define SETTINGS_YAML "opex.yaml"
#define OFF (-1)
#define QUOTE_MAX 64

/* Every rule id opex reports, sorted (strcmp) for bsearch. */
const char *const opex_pm_rule_ids[] = {
	"article-missing", "champion-missing", "champion-unknown", "dead-end",
	"decision-edge-duplicate-label", "decision-edge-unlabeled",
	"decision-needs-branches", "dot-syntax", "duplicate-edge",
	"duplicate-node-declaration", "end-labels-not-distinct", "end-required",
	"escalation-cycle", "escalation-unknown", "file-unreadable",
	"front-matter-invalid", "implicit-split", "invalid-kind", "kpi-target-invalid",
	"label-missing",
	"lane-role-unknown", "language-invalid", "link-broken",
	"lint-config-invalid", "loop-without-exit", "no-implicit-end",
	"no-implicit-start", "object-unreadable", "orphan-article",
	"owner-is-champion", "owner-missing", "owner-unknown",
	"partner-article-hidden", "person-duplicate",
	"reply-channel-invalid", "reply-language-missing", "reply-missing",
	"reply-placeholder-unclosed", "reply-placeholder-unknown",
	"reply-placeholders-differ", "reply-too-long", "review-by-invalid",
	"review-overdue", "roster-invalid", "routing-gap", "routing-thin",
	"settings-invalid", "single-start", "start-required",
	"step-without-article", "subprocess-cycle", "subprocess-missing",
	"suppression-invalid", "title-missing", "translation-outdated",
	"translation-source-missing", "unknown-attribute", "unreachable-node"
};

const size_t opex_pm_rule_id_count =
	sizeof(opex_pm_rule_ids) / sizeof(opex_pm_rule_ids[0]);

typedef struct setting {
	char *rule;
	int severity;      /* opex_severity, or OFF */
} setting;

struct opex_pm_lint_config {
	setting *items;
	size_t count, cap;
};

static int cmp_rule(const void *key, const void *item)
{
	return strcmp(key, *(const char *const *)item);
}

bool opex_pm_rule_known(const char *rule)
{
	return bsearch(rule, opex_pm_rule_ids, opex_pm_rule_id_count,
		sizeof(opex_pm_rule_ids[0]), cmp_rule) != NULL;
}

static int quote_len(const char *s)
{
	size_t n = strlen(s);

	return n > QUOTE_MAX ? QUOTE_MAX : (int)n;
}

static void read_rules(opex_pm_lint_config *config, const char *path,
	const opex_kb_yaml_node *rules, opex_diag_list *diags)
{
	size_t i;

	if (rules->type != OPEX_KB_YAML_MAPPING) {
		opex_diag_add(diags, OPEX_SEVERITY_WARNING, RULE, path,
			rules->line, rules->col,
			"'rules' must map rule ids to error, warning, info or off");
		return;
	}
	for (i = 0; i < rules->count; i++) {
		const opex_kb_yaml_node *key = rules->keys[i], *v = rules->items[i];
		int severity;

		if (!opex_pm_rule_known(key->value)) {
			const char *near = opex_text_closest(key->value, key->len,
				opex_pm_rule_ids, opex_pm_rule_id_count, 3);

			opex_diag_add(diags, OPEX_SEVERITY_WARNING, RULE, path,
				key->line, key->col, "unknown rule '%.*s'%s%s%s",
				quote_len(key->value), key->value,
				near ? " (did you mean '" : "", near ? near : "",
				near ? "'?)" : "");
			continue;
		}
		if (v->type != OPEX_KB_YAML_SCALAR) {
			opex_diag_add(diags, OPEX_SEVERITY_WARNING, RULE, path,
				v->line, v->col,
				"rule '%s' needs error, warning, info or off",
				key->value);
			continue;
		}
		severity = strcmp(v->value, "off") == 0 ? OFF
			: opex_severity_parse(v->value);
		if (severity == -1 && strcmp(v->value, "off") != 0) {
			opex_diag_add(diags, OPEX_SEVERITY_WARNING, RULE, path,
				v->line, v->col,
				"severity '%.*s' of rule '%s' is not error, warning, info or off",
				quote_len(v->value), v->value, key->value);
			continue;
		}
		opex_array_grow((void **)&config->items, &config->cap,
			config->count + 1, sizeof(*config->items));
		config->items[config->count].rule = opex_strdup(key->value);
		config->items[config->count].severity = severity;
		config->count++;
	}
}

void opex_pm_lint_config_parse(opex_pm_lint_config **out, const char *path,
	const char *text, size_t len, bool lint_section, opex_diag_list *diags)
{
	opex_pm_lint_config *config = opex_calloc(1, sizeof(*config));
	opex_kb_yaml_node *doc = NULL;
	const opex_kb_yaml_node *section, *rules;
	opex_error err = OPEX_ERROR_INIT;
	unsigned line = 0;
	size_t i;

	*out = config;
	if (opex_kb_yaml_parse(&doc, &line, text, len, 1, &err) < 0) {
		/* opex.yaml's syntax is reported by the settings loader. */
		if (!lint_section)
			opex_diag_add(diags, OPEX_SEVERITY_WARNING, RULE, path,
				line, line ? 1 : 0, "%s", err.message);
		goto done;
	}
	if (doc == NULL)
		goto done;
	if (doc->type != OPEX_KB_YAML_MAPPING) {
		opex_diag_add(diags, OPEX_SEVERITY_WARNING, RULE, path, doc->line,
			doc->col, "the lint configuration must be a mapping");
		goto done;
	}
	section = lint_section ? opex_kb_yaml_get(doc, "lint") : doc;
	if (section == NULL)
		goto done;
	if (section->type != OPEX_KB_YAML_MAPPING) {
		opex_diag_add(diags, OPEX_SEVERITY_WARNING, RULE, path,
			section->line, section->col,
			"'lint' must be a mapping with 'rules'");
		goto done;
	}
	for (i = 0; i < section->count; i++)
		if (strcmp(section->keys[i]->value, "rules") != 0)
			opex_diag_add(diags, OPEX_SEVERITY_WARNING, RULE, path,
				section->keys[i]->line, section->keys[i]->col,
				"unknown lint setting '%.*s' (expected 'rules')",
				quote_len(section->keys[i]->value),
				section->keys[i]->value);
	rules = opex_kb_yaml_get(section, "rules");
	if (rules != NULL)
		read_rules(config, path, rules, diags);
done:
	opex_kb_yaml_free(doc);
}

void opex_pm_lint_config_load(opex_pm_lint_config **out,
	const opex_kb_repo *repo, opex_diag_list *diags)
{
	opex_buf buf = OPEX_BUF_INIT(OPEX_LIMIT_FRONT_MATTER_BYTES * 4);
	opex_error err = OPEX_ERROR_INIT;
	const char *path = LINT_YAML;
	bool section = false;

	*out = NULL;
	if (opex_kb_repo_find(repo, LINT_YAML) == NULL) {
		path = SETTINGS_YAML;
		section = true;
		if (opex_kb_repo_find(repo, SETTINGS_YAML) == NULL)
			goto empty;
	}
	if (opex_kb_repo_read(&buf, repo, path, &err) < 0) {
		if (!section)
			opex_diag_add(diags, OPEX_SEVERITY_WARNING, RULE, path, 0,
				0, "%s", err.message);
		goto empty;
	}
	opex_pm_lint_config_parse(out, path, buf.ptr, buf.len, section, diags);
	goto done;
empty:
	*out = opex_calloc(1, sizeof(**out));
done:
	opex_buf_release(&buf);
}

void opex_pm_lint_config_free(opex_pm_lint_config *config)
{
	size_t i;

	if (config == NULL)
		return;
	for (i = 0; i < config->count; i++)
		opex_free(config->items[i].rule);
	opex_free(config->items);
	opex_free(config);
}

void opex_pm_lint_config_apply(const opex_pm_lint_config *config,
	opex_diag_list *diags)
{
	size_t i, k, keep = 0;

	if (config == NULL || config->count == 0)
		return;
	for (i = 0; i < diags->count; i++) {
		opex_diag *d = &diags->items[i];
		int severity = (int)d->severity;

		/* The last setting for a rule wins, as in YAML readers. */
		for (k = 0; k < config->count; k++)
			if (strcmp(config->items[k].rule, d->rule) == 0)
				severity = config->items[k].severity;
		if (severity == OFF) {
			opex_free(d->path);
			opex_free(d->rule);
			opex_free(d->message);
			continue;
		}
		d->severity = (opex_severity)severity;
		diags->items[keep++] = *d;
	}
	diags->count = keep;
}
