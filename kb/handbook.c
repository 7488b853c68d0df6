/*
 * handbook.c: the handbook at one revision, everything in kb joined.
 *
 * Load order: repository -> opex.yaml -> people.yaml -> every article ->
 * history -> derived states. Derived per article:
 *
 *   last_change   newest commit changing the file
 *   verified      newest commit touching it authored by the owner (roster
 *                 email or name) or carrying "Verified-by: <owner>" (id,
 *                 email or name)
 *   stale         never verified, or verified longer ago than review_every
 *   outdated      a translation whose source changed in a newer commit
 *
 * A file that cannot be read is a diagnostic, never a failed load. So is a
 * git object that cannot be read (missing or corrupt), rule
 * object-unreadable, naming the object:
 *
 *   object               diagnostic path    then
 *   a file's blob        the file           the file is left out
 *   a folder's tree      the folder         its files are left out
 *   a commit or tree     "" (the handbook)  the history is unknown: no last
 *   in the history                          change, verified, stale or
 *                                           outdated for any article
 *
 * Only the served commit and its root tree are required (see
 * opex_kb_repo_open).
 */
#include "kb/kb.h"
#include "kb/kb_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/str.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

#define ARTICLES_DIR "articles"
#define REPLIES_DIR "replies"
#define ANNOUNCEMENTS_DIR "announcements"
#define RULE_OBJECT "object-unreadable"

struct opex_kb_handbook {
	opex_kb_repo *repo;
	opex_kb_history *history;
	opex_kb_settings settings;
	opex_kb_roster roster;
	opex_kb_article **articles; /* articles, then replies: sorted by path */
	size_t parsed;             /* articles parsed, not taken from the cache */
	size_t article_count, article_cap;
	opex_kb_article **translations; /* those with translation_of, by it */
	size_t translation_count;
	char **unreadable;         /* files and folders with unreadable objects */
	size_t unreadable_count, unreadable_cap;
	int64_t now;
};

/* Folders and files whose entries must be plain files. */
static bool is_handbook_path(const char *path)
{
	return opex_path_under(path, ARTICLES_DIR) ||
	       opex_path_under(path, REPLIES_DIR) ||
	       opex_path_under(path, ANNOUNCEMENTS_DIR) ||
	       opex_path_under(path, "processes") ||
	       opex_path_under(path, "launches") ||
	       strcmp(path, OPEX_KB_SETTINGS_PATH) == 0 ||
	       strcmp(path, OPEX_KB_ROSTER_PATH) == 0;
}

/* Folders that hold handbook files: worth a diagnostic when unreadable. */
static bool is_handbook_folder(const char *path)
{
	return strcmp(path, ARTICLES_DIR) == 0 ||
	       strcmp(path, REPLIES_DIR) == 0 ||
	       strcmp(path, "processes") == 0 ||
	       strcmp(path, "launches") == 0 ||
	       strcmp(path, ".opex") == 0 ||
	       is_handbook_path(path);
}

static void add_unreadable(opex_kb_handbook *hb, const char *path)
{
	opex_array_grow((void **)&hb->unreadable, &hb->unreadable_cap,
		hb->unreadable_count + 1, sizeof(*hb->unreadable));
	hb->unreadable[hb->unreadable_count++] = opex_strdup(path);
}

/*
 * Read a handbook file into `buf`. Problems become a diagnostic:
 * object-unreadable when its git object cannot be read (OPEX_EIO, the
 * message names the object), else file-unreadable. Returns 0 when `buf`
 * holds the file.
 */
static int read_file(opex_buf *buf, opex_kb_handbook *hb, const char *path,
	opex_diag_list *diags)
{
	opex_error err = OPEX_ERROR_INIT;
	int error = opex_kb_repo_read(buf, hb->repo, path, &err);

	if (error == OPEX_EIO)
		add_unreadable(hb, path);
	if (error < 0)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR,
			error == OPEX_EIO ? RULE_OBJECT : "file-unreadable",
			path, 0, 0, "%s", err.message);
	return error;
}

/* Folders of the tree that could not be read were left out: say which. */
static void report_folders(opex_kb_handbook *hb, opex_diag_list *diags)
{
	size_t i, n = opex_kb_repo_unreadable_count(hb->repo);

	for (i = 0; i < n; i++) {
		const opex_kb_repo_unreadable *u =
			opex_kb_repo_unreadable_at(hb->repo, i);

		if (!is_handbook_folder(u->path))
			continue;
		add_unreadable(hb, u->path);
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE_OBJECT, u->path,
			0, 0, "%s; its files are left out", u->message);
	}
}

/*
 * Attribute history. A walk that fails (an unreadable commit or tree deep
 * in the history) is one diagnostic; the history is then unknown rather
 * than the load failed.
 */
static void load_history(opex_kb_handbook *hb,
	const opex_kb_handbook_options *opts, opex_diag_list *diags)
{
	opex_kb_history_options hopts = OPEX_KB_HISTORY_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;

	hopts.cache_path = opts->history_cache;
	if (opex_kb_history_load(&hb->history, hb->repo, &hopts, &err) == 0)
		return;
	opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE_OBJECT, "", 0, 0,
		"%s; last changes, verification, staleness and outdated translations are unknown",
		err.message);
	opex_kb_history_new_unknown(&hb->history, hb->repo);
}

static void load_settings(opex_kb_handbook *hb, opex_diag_list *diags)
{
	opex_buf buf = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);

	if (opex_kb_repo_find(hb->repo, OPEX_KB_SETTINGS_PATH) == NULL)
		return;
	if (read_file(&buf, hb, OPEX_KB_SETTINGS_PATH, diags) == 0)
		opex_kb_settings_parse(&hb->settings, OPEX_KB_SETTINGS_PATH, buf.ptr,
			buf.len, diags);
	opex_buf_release(&buf);
}

static void load_roster(opex_kb_handbook *hb, opex_diag_list *diags)
{
	opex_buf buf = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);

	if (opex_kb_repo_find(hb->repo, OPEX_KB_ROSTER_PATH) == NULL) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "roster-invalid",
			OPEX_KB_ROSTER_PATH, 0, 0,
			"the handbook has no roster: owners cannot be checked");
		return;
	}
	if (read_file(&buf, hb, OPEX_KB_ROSTER_PATH, diags) == 0)
		opex_kb_roster_parse(&hb->roster, OPEX_KB_ROSTER_PATH, buf.ptr, buf.len,
			diags);
	opex_buf_release(&buf);
}

static void check_entry_kind(const opex_kb_entry *entry, opex_diag_list *diags)
{
	if (entry->kind == OPEX_KB_ENTRY_FILE || !is_handbook_path(entry->path))
		return;
	opex_diag_add(diags, OPEX_SEVERITY_ERROR, "file-unreadable",
		entry->path, 0, 0, "%s",
		entry->kind == OPEX_KB_ENTRY_SYMLINK
			? "symbolic link in the handbook: links are not followed"
			: "submodule in the handbook: its content is not in this repository");
}

static bool cache_worth_rewriting(size_t articles, size_t hits, size_t held)
{
	return (articles - hits) * 64 > articles || (held - hits) * 64 > held;
}

/* An article file of the tree, and where its article comes from. */
typedef struct article_slot {
	const opex_kb_entry *entry;
	long record;                    /* in the article cache; -1: parse */
	opex_kb_article *article;
	size_t diag_first, diag_count;  /* its findings, in its taker's list */
	opex_diag_list own;             /* a parsed one's findings, until moved */
} article_slot;

/* Cached articles are taken on two threads past this many. */
#define TAKE_IN_PARALLEL 2048

typedef struct take_job {
	const opex_kb_article_cache *cache;
	article_slot *slots;
	size_t from, to;
	opex_diag_list diags;
} take_job;

/* Take the cached articles of slots [from, to); a damaged record becomes
 * a parse. Only the cache is read, so two jobs run at once. */
static void *take_slots(void *payload)
{
	take_job *job = payload;
	size_t i;

	for (i = job->from; i < job->to; i++) {
		article_slot *slot = &job->slots[i];

		if (slot->record < 0)
			continue;
		slot->diag_first = job->diags.count;
		slot->article = opex_kb_article_cache_take(job->cache,
			(size_t)slot->record, &job->diags);
		slot->diag_count = job->diags.count - slot->diag_first;
		if (slot->article == NULL)
			slot->record = -1;
	}
	return NULL;
}

/* Take what the cache holds, on a second thread for half of a large
 * handbook, and move the findings to `diags`, each article's together. */
static void take_cached(article_slot *slots, size_t count,
	const opex_kb_article_cache *cache, opex_diag_list *diags)
{
	take_job jobs[2] = {
		{ cache, slots, 0, count / 2, OPEX_DIAG_LIST_INIT },
		{ cache, slots, count / 2, count, OPEX_DIAG_LIST_INIT },
	};
	pthread_t thread;
	size_t j, i, offset;
	bool threaded = false;

	if (count < TAKE_IN_PARALLEL || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		jobs[0].to = count;
		jobs[1].from = count;
	} else {
		threaded = pthread_create(&thread, NULL, take_slots, &jobs[1]) == 0;
	}
	take_slots(&jobs[0]);
	if (threaded)
		pthread_join(thread, NULL);
	else
		take_slots(&jobs[1]);
	for (j = 0; j < 2; j++) {
		offset = diags->count;
		for (i = jobs[j].from; i < jobs[j].to; i++)
			slots[i].diag_first += offset;
		opex_diag_list_append(diags, &jobs[j].diags);
	}
}

/*
 * What the cache does not hold is read here, PARSE_CHUNK files at a time,
 * and parsed on a second thread while the next chunk is read: git objects
 * are read on this thread only, and parsing touches nothing shared.
 */
#define PARSE_CHUNK 256

typedef struct parse_chunk {
	article_slot *slots[PARSE_CHUNK];
	opex_buf bodies[PARSE_CHUNK];
	bool readable[PARSE_CHUNK];
	size_t count;
} parse_chunk;

static void *parse_chunk_run(void *payload)
{
	parse_chunk *chunk = payload;
	size_t i;

	for (i = 0; i < chunk->count; i++)
		if (chunk->readable[i])
			chunk->slots[i]->article = opex_kb_article_parse(
				chunk->slots[i]->entry->path, chunk->bodies[i].ptr,
				chunk->bodies[i].len, &chunk->slots[i]->own);
	return NULL;
}

/* Read the next chunk's files from slots[*next..count); returns how many read. */
static size_t read_chunk(opex_kb_handbook *hb, parse_chunk *chunk,
	article_slot *slots, size_t *next, size_t count)
{
	size_t readable = 0;

	chunk->count = 0;
	while (*next < count && chunk->count < PARSE_CHUNK) {
		article_slot *slot = &slots[(*next)++];
		size_t k;

		if (slot->record >= 0)
			continue;
		k = chunk->count++;
		chunk->slots[k] = slot;
		chunk->readable[k] = read_file(&chunk->bodies[k], hb,
			slot->entry->path, &slot->own) == 0;
		readable += chunk->readable[k];
	}
	return readable;
}

static void parse_missing(opex_kb_handbook *hb, article_slot *slots,
	size_t count)
{
	parse_chunk *chunks = opex_calloc(2, sizeof(*chunks));
	size_t i, next = 0, misses = 0;
	bool threads = sysconf(_SC_NPROCESSORS_ONLN) >= 2;
	int cur = 0;

	for (i = 0; i < count; i++)
		misses += slots[i].record < 0;
	if (misses == 0)
		goto done;
	for (i = 0; i < PARSE_CHUNK; i++) {
		opex_buf_init(&chunks[0].bodies[i], OPEX_LIMIT_FILE_BYTES);
		opex_buf_init(&chunks[1].bodies[i], OPEX_LIMIT_FILE_BYTES);
	}
	hb->parsed += read_chunk(hb, &chunks[cur], slots, &next, count);
	while (chunks[cur].count > 0) {
		pthread_t thread;
		bool threaded = threads && next < count &&
			pthread_create(&thread, NULL, parse_chunk_run,
				&chunks[cur]) == 0;

		if (!threaded)
			parse_chunk_run(&chunks[cur]);
		hb->parsed += read_chunk(hb, &chunks[cur ^ 1], slots, &next, count);
		if (threaded)
			pthread_join(thread, NULL);
		cur ^= 1;
	}
	for (i = 0; i < PARSE_CHUNK; i++) {
		opex_buf_release(&chunks[0].bodies[i]);
		opex_buf_release(&chunks[1].bodies[i]);
	}
done:
	opex_free(chunks);
}

static void load_articles(opex_kb_handbook *hb,
	const opex_kb_handbook_options *opts, opex_diag_list *diags)
{
	size_t i, n = opex_kb_repo_count(hb->repo), hits = 0, count = 0, cap = 0;
	char *cache_path = opts->article_cache
		? opex_kb_cache_path(hb->repo, "articles.cache") : NULL;
	opex_kb_article_cache *cache = cache_path
		? opex_kb_article_cache_open(cache_path) : NULL;
	opex_kb_cached_article *kept = NULL;
	article_slot *slots = NULL;

	for (i = 0; i < n; i++) {
		const opex_kb_entry *entry = opex_kb_repo_entry(hb->repo, i);

		check_entry_kind(entry, diags);
		if (entry->kind != OPEX_KB_ENTRY_FILE ||
		    !(opex_path_under(entry->path, ARTICLES_DIR) ||
		      opex_path_under(entry->path, REPLIES_DIR) ||
		      opex_path_under(entry->path, ANNOUNCEMENTS_DIR)) ||
		    !opex_path_has_suffix(entry->path, ".md"))
			continue;
		if (opts->want && !opts->want(entry->path, entry->oid,
				opts->want_payload))
			continue;
		opex_array_grow((void **)&slots, &cap, count + 1, sizeof(*slots));
		slots[count++] = (article_slot){ entry,
			opex_kb_article_cache_find(cache, entry->path, entry->oid),
			NULL, 0, 0, OPEX_DIAG_LIST_INIT };
	}
	take_cached(slots, count, cache, diags);
	parse_missing(hb, slots, count);
	/* The findings of what was parsed follow the cached ones, in tree order. */
	for (i = 0; i < count; i++) {
		article_slot *slot = &slots[i];

		if (slot->record >= 0) {
			hits++;
			continue;
		}
		slot->diag_first = diags->count;
		slot->diag_count = slot->own.count;
		opex_diag_list_append(diags, &slot->own);
	}
	hb->articles = opex_calloc(count + 1, sizeof(*hb->articles));
	hb->article_cap = count + 1;
	kept = opex_calloc(count + 1, sizeof(*kept));
	for (i = 0; i < count; i++) {
		if (slots[i].article == NULL)
			continue;
		kept[hb->article_count] = (opex_kb_cached_article){
			slots[i].article, slots[i].entry->oid,
			slots[i].diag_first, slots[i].diag_count };
		hb->articles[hb->article_count++] = slots[i].article;
	}
	/* Rewrite it when it misses or holds more than one article in 64: a
	 * miss costs one parse, a rewrite the whole file (150 MB at 100,000
	 * articles), so a commit of a few articles does not rewrite it. One
	 * that cannot be written only makes the next load slower. */
	if (cache_path != NULL && opts->want == NULL &&
	    !opex_kb_repo_partial(hb->repo) &&
	    (cache == NULL ||
	     cache_worth_rewriting(hb->article_count, hits,
		opex_kb_article_cache_count(cache))))
		(void)opex_kb_article_cache_write(cache_path, kept,
			hb->article_count, diags);
	opex_kb_article_cache_free(cache);
	opex_free(kept);
	opex_free(slots);
	opex_free(cache_path);
}

static int by_translation_of(const void *x, const void *y)
{
	const opex_kb_article *a = *(opex_kb_article *const *)x;
	const opex_kb_article *b = *(opex_kb_article *const *)y;
	int c = strcmp(a->translation_of, b->translation_of);

	return c ? c : strcmp(a->path, b->path);
}

/* Translations by source, so that no lookup scans the handbook. */
static void index_translations(opex_kb_handbook *hb)
{
	size_t i, n = 0;

	for (i = 0; i < hb->article_count; i++)
		n += hb->articles[i]->translation_of != NULL;
	if (n == 0)
		return;
	hb->translations = opex_calloc(n, sizeof(*hb->translations));
	for (i = 0; i < hb->article_count; i++)
		if (hb->articles[i]->translation_of != NULL)
			hb->translations[hb->translation_count++] = hb->articles[i];
	qsort(hb->translations, n, sizeof(*hb->translations), by_translation_of);
}

static bool same_text(const char *a, const char *b)
{
	return a && b && *a && opex_strcasecmp(a, b) == 0;
}

/* Did `commit` come from, or get verified by, `person`? */
static bool commit_verifies(const opex_kb_commit *commit,
	const opex_kb_person *person)
{
	size_t i;

	if (same_text(commit->author_email, person->email) ||
	    same_text(commit->author_name, person->name))
		return true;
	for (i = 0; i < commit->verified_by_count; i++) {
		const char *v = commit->verified_by[i];

		if (same_text(v, person->id) || same_text(v, person->email) ||
		    same_text(v, person->name))
			return true;
		/* "Maria Santos <maria@example.com>", as git writes people */
		if (person->email && strstr(v, person->email) != NULL)
			return true;
	}
	return false;
}

static void derive_verification(opex_kb_handbook *hb, opex_kb_article *a)
{
	const opex_kb_person *owner = NULL;
	int64_t interval;
	size_t i, n;

	a->last_change = opex_kb_history_last_change(hb->history, a->path);
	if (a->owner)
		owner = opex_kb_roster_person(&hb->roster, a->owner);
	if (owner) {
		n = opex_kb_history_touch_count(hb->history, a->path);
		for (i = 0; i < n; i++) {
			const opex_kb_commit *c =
				opex_kb_history_touch(hb->history, a->path, i);

			if (commit_verifies(c, owner)) {
				a->verified = c;
				a->verified_at = c->time;
				break;
			}
		}
	}
	interval = a->review_every ? a->review_every : hb->settings.review_every;
	/* An announcement is not reviewed: it expires. */
	a->stale = a->kind != OPEX_KB_KIND_ANNOUNCEMENT &&
		(a->verified == NULL || hb->now - a->verified_at > interval);
}

static void derive_outdated(opex_kb_handbook *hb, opex_kb_article *a)
{
	const opex_kb_article *source;

	if (a->translation_of == NULL)
		return;
	source = opex_kb_handbook_find(hb, a->translation_of);
	if (source == NULL || source == a || source->last_change == NULL ||
	    a->last_change == NULL)
		return;
	a->outdated = source->last_change->time > a->last_change->time;
}

int opex_kb_handbook_load(opex_kb_handbook **out, const char *path,
	const opex_kb_handbook_options *opts, opex_diag_list *diags,
	opex_error *err)
{
	opex_kb_repo *repo = NULL;
	int error = opex_kb_repo_open(&repo, path, opts ? opts->rev : NULL, err);

	*out = NULL;
	if (error < 0)
		return error;
	opex_kb_handbook_load_repo(out, repo, opts, diags);
	return 0;
}

void opex_kb_handbook_load_repo(opex_kb_handbook **out, opex_kb_repo *repo,
	const opex_kb_handbook_options *opts, opex_diag_list *diags)
{
	opex_kb_handbook_options defaults = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_kb_handbook *hb = opex_calloc(1, sizeof(*hb));
	size_t i;

	if (opts == NULL)
		opts = &defaults;
	opex_kb_settings_init(&hb->settings);
	hb->now = opts->now ? opts->now : (int64_t)time(NULL);
	hb->repo = repo;
	report_folders(hb, diags);
	load_settings(hb, diags);
	load_roster(hb, diags);
	load_articles(hb, opts, diags);
	index_translations(hb);
	load_history(hb, opts, diags);
	/* An unknown history leaves every derived state unknown (0 / NULL / false). */
	if (opex_kb_history_known(hb->history)) {
		for (i = 0; i < hb->article_count; i++)
			derive_verification(hb, hb->articles[i]);
		for (i = 0; i < hb->article_count; i++)
			derive_outdated(hb, hb->articles[i]);
	}
	*out = hb;
}

void opex_kb_handbook_free(opex_kb_handbook *hb)
{
	size_t i;

	if (hb == NULL)
		return;
	for (i = 0; i < hb->article_count; i++)
		opex_kb_article_free(hb->articles[i]);
	opex_free(hb->articles);
	opex_free(hb->translations);
	for (i = 0; i < hb->unreadable_count; i++)
		opex_free(hb->unreadable[i]);
	opex_free(hb->unreadable);
	opex_kb_roster_release(&hb->roster);
	opex_kb_settings_release(&hb->settings);
	opex_kb_history_free(hb->history);
	opex_kb_repo_free(hb->repo);
	opex_free(hb);
}

const opex_kb_repo *opex_kb_handbook_repo(const opex_kb_handbook *hb)
{
	return hb->repo;
}

const opex_kb_history *opex_kb_handbook_history(const opex_kb_handbook *hb)
{
	return hb->history;
}

const opex_kb_roster *opex_kb_handbook_roster(const opex_kb_handbook *hb)
{
	return &hb->roster;
}

const opex_kb_settings *opex_kb_handbook_settings(const opex_kb_handbook *hb)
{
	return &hb->settings;
}

int64_t opex_kb_handbook_now(const opex_kb_handbook *hb)
{
	return hb->now;
}

size_t opex_kb_handbook_article_count(const opex_kb_handbook *hb)
{
	return hb->article_count;
}

const opex_kb_article *opex_kb_handbook_article(const opex_kb_handbook *hb,
	size_t i)
{
	return i < hb->article_count ? hb->articles[i] : NULL;
}

/* The run of articles of `kind`, whose paths all start with `dir`. */
static size_t kind_run(const opex_kb_handbook *hb, const char *dir,
	opex_kb_kind kind, size_t *first)
{
	size_t lo = 0, hi = hb->article_count, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(hb->articles[mid]->path, dir) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < hb->article_count &&
	     hb->articles[end]->kind == kind; end++)
		;
	*first = lo;
	return end - lo;
}

size_t opex_kb_handbook_parsed(const opex_kb_handbook *hb)
{
	return hb->parsed;
}

size_t opex_kb_handbook_replies(const opex_kb_handbook *hb, size_t *first)
{
	return kind_run(hb, REPLIES_DIR "/", OPEX_KB_KIND_REPLY, first);
}

size_t opex_kb_handbook_announcements(const opex_kb_handbook *hb,
	size_t *first)
{
	return kind_run(hb, ANNOUNCEMENTS_DIR "/", OPEX_KB_KIND_ANNOUNCEMENT,
		first);
}

const opex_kb_article *opex_kb_handbook_find(const opex_kb_handbook *hb,
	const char *path)
{
	size_t lo = 0, hi = hb->article_count;

	/* articles were read in tree order, which is strcmp order */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(hb->articles[mid]->path, path);

		if (c == 0)
			return hb->articles[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *opex_kb_article_language(const opex_kb_article *a,
	const opex_kb_settings *settings)
{
	if (a->language != NULL)
		return a->language;
	return settings->language_count ? settings->languages[0] : "en";
}

size_t opex_kb_handbook_translations(const opex_kb_article *const **out,
	const opex_kb_handbook *hb, const char *source)
{
	size_t lo = 0, hi = hb->translation_count, first;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(hb->translations[mid]->translation_of, source) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < hb->translation_count &&
	       strcmp(hb->translations[lo]->translation_of, source) == 0)
		lo++;
	*out = (const opex_kb_article *const *)hb->translations + first;
	return lo - first;
}

const opex_kb_article *opex_kb_handbook_translation(
	const opex_kb_handbook *hb, const opex_kb_article *source,
	const char *language)
{
	const opex_kb_article *const *list;
	size_t i, n;

	if (opex_strcasecmp(opex_kb_article_language(source, &hb->settings),
			language) == 0)
		return source;
	n = opex_kb_handbook_translations(&list, hb, source->path);
	for (i = 0; i < n; i++)
		if (opex_strcasecmp(opex_kb_article_language(list[i],
				&hb->settings), language) == 0)
			return list[i];
	return NULL;
}

size_t opex_kb_handbook_unreadable_count(const opex_kb_handbook *hb)
{
	return hb->unreadable_count;
}

const char *opex_kb_handbook_unreadable(const opex_kb_handbook *hb, size_t i)
{
	if (i >= hb->unreadable_count)
		OPEX_BUG("unreadable path index out of range");
	return hb->unreadable[i];
}
