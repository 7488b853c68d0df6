/* articles.c: the article list, for people (text) and programs (JSON). */
#include "renderer/renderer_int.h"
#include "core/time.h"


#include "core/banned.h"

static const char *state_name(const opex_kb_article *a)
{
	if (a->stale && a->outdated)
		return "stale,outdated";
	if (a->stale)
		return "stale";
	if (a->outdated)
		return "outdated";
	return "ok";
}

void opex_render_articles_text(opex_buf *out, const opex_kb_handbook *hb)
{
	size_t i, n = opex_kb_handbook_article_count(hb);

	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);
		char when[16] = "never";

		if (a->verified)
			opex_time_format_date(when, sizeof(when), a->verified_at);
		opex_buf_printf(out, "%s\t%s\t%s\t%s\t%s\t%s\n", a->path,
			a->language ? a->language : "-",
			a->owner ? a->owner : "-", when, state_name(a),
			a->title ? a->title : "(untitled)");
	}
}

static json_t *string_list(char **items, size_t count)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < count; i++)
		json_array_append_new(list, opex_render_json_text(items[i]));
	return list;
}

static json_t *date_or_null(int64_t t, bool known)
{
	char when[32];

	if (!known)
		return json_null();
	opex_time_format_iso(when, sizeof(when), t);
	return json_string(when);
}

static json_t *article_json(const opex_kb_article *a)
{
	static const char *const visibility[] = { "internal", "partners", "public" };
	json_t *o = json_object(), *change = json_null();

	if (a->last_change)
		change = json_pack("{s:s, s:o, s:o, s:o}",
			"commit", a->last_change->id,
			"author", opex_render_json_text(a->last_change->author_name),
			"email", opex_render_json_text(a->last_change->author_email),
			"time", date_or_null(a->last_change->time, true));
	json_object_set_new(o, "path", opex_render_json_text(a->path));
	json_object_set_new(o, "type", json_string(a->kind == OPEX_KB_KIND_REPLY
		? "reply" : "article"));
	if (a->channel)
		json_object_set_new(o, "channel", opex_render_json_text(a->channel));
	json_object_set_new(o, "title", opex_render_json_text(a->title));
	json_object_set_new(o, "language", opex_render_json_text(a->language));
	json_object_set_new(o, "owner", opex_render_json_text(a->owner));
	json_object_set_new(o, "translation_of", opex_render_json_text(a->translation_of));
	json_object_set_new(o, "journey", opex_render_json_text(a->journey));
	json_object_set_new(o, "markets", string_list(a->markets, a->market_count));
	json_object_set_new(o, "tags", string_list(a->tags, a->tag_count));
	json_object_set_new(o, "teams", string_list(a->teams, a->team_count));
	json_object_set_new(o, "visibility",
		json_string(visibility[a->visibility]));
	json_object_set_new(o, "last_change", change ? change : json_null());
	json_object_set_new(o, "verified_at",
		date_or_null(a->verified_at, a->verified != NULL));
	json_object_set_new(o, "stale", json_boolean(a->stale));
	json_object_set_new(o, "outdated", json_boolean(a->outdated));
	return o;
}

int opex_render_articles_json(opex_buf *out, const opex_kb_handbook *hb,
	opex_error *err)
{
	json_t *root = json_object(), *list = json_array();
	size_t i, n = opex_kb_handbook_article_count(hb);

	for (i = 0; i < n; i++)
		json_array_append_new(list,
			article_json(opex_kb_handbook_article(hb, i)));
	json_object_set_new(root, "revision",
		json_string(opex_kb_repo_commit(opex_kb_handbook_repo(hb))));
	json_object_set_new(root, "articles", list);
	return opex_render_json_emit(out, root, "the article list", err);
}
