/*
 * kb.h: the handbook as data.
 *
 * A handbook is a git repository read at one revision, never its work tree:
 *
 *   opex.yaml          settings: languages, review_every, markets
 *   people.yaml        roster: people (id, name, email, teams) and teams
 *   articles/<path>.md    YAML front matter + CommonMark body
 *   processes/<path>.dot  process maps (read by process-maps/)
 *   launches/<path>.md    launch-readiness definitions (read by process-maps/)
 *   replies/<path>.md     quick texts: articles of kind reply
 *   announcements/<path>.md  news and incidents: articles of kind announcement
 *
 * Layers inside kb, each with one adapter file per library:
 *
 *   git_source.c  libgit2   repository, revision, tree listing, blobs
 *   history.c     libgit2   last change and verifications per path (one walk)
 *   yaml.c        libyaml   YAML documents as a small node tree
 *   markdown.c    cmark     headings, links, HTML, plain text for search
 *   roster.c, settings.c, article.c, handbook.c, lint.c: plain C on top
 *
 * Problems with individual files never fail a load: they become diagnostics
 * (core/diag.h) and the rest of the handbook is still read. Only problems
 * with the repository itself (not a repository, unknown revision, empty
 * repository) fail with an error.
 */
#ifndef OPEX_KB_H
#define OPEX_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/error.h"
#include "core/str.h"

/* ---------------------------------------------------------------------
 * Repository (git_source.c)
 * ------------------------------------------------------------------- */

typedef struct opex_kb_repo opex_kb_repo;

typedef enum opex_kb_entry_kind {
	OPEX_KB_ENTRY_FILE = 0,   /* a blob, executable or not */
	OPEX_KB_ENTRY_SYMLINK,    /* a symbolic link: never followed */
	OPEX_KB_ENTRY_SUBMODULE   /* a gitlink: its content is elsewhere */
} opex_kb_entry_kind;

typedef struct opex_kb_entry {
	const char *path;       /* "articles/cards/lost-card.md" */
	char oid[41];           /* blob (or gitlink commit) id, hex */
	opex_kb_entry_kind kind;
} opex_kb_entry;

/**
 * Open the repository at `path` (a work tree, its .git folder or a bare
 * repository) and resolve `rev` (NULL means "HEAD") to a commit, listing its
 * tree. Errors: OPEX_ENOTFOUND (not a repository, unknown revision),
 * OPEX_EINVALID (empty repository, revision not a commit).
 */
int opex_kb_repo_open(opex_kb_repo **out, const char *path, const char *rev,
	opex_error *err) OPEX_WARN_UNUSED;

/**
 * opex_kb_repo_open() without listing the tree (opex_kb_repo_count() is
 * 0): enough for the commit, the git folder, blobs and changed paths, at
 * a cost that does not grow with the handbook.
 */
int opex_kb_repo_open_unlisted(opex_kb_repo **out, const char *path,
	const char *rev, opex_error *err) OPEX_WARN_UNUSED;

/**
 * opex_kb_repo_open() listing only `paths` (those the tree holds as a
 * file, link or submodule) and the settings and roster every handbook
 * reads: what an update of a few changed articles needs, at a cost that
 * does not grow with the handbook. Such a repository is partial
 * (opex_kb_repo_partial()): a handbook loaded from it holds only those
 * articles and writes no cache. A folder on the way to a path that
 * cannot be read is OPEX_EIO (a whole listing reports it and goes on).
 */
int opex_kb_repo_open_only(opex_kb_repo **out, const char *path,
	const char *rev, const char *const *paths, size_t count,
	opex_error *err) OPEX_WARN_UNUSED;

/** True for a repository opened with opex_kb_repo_open_only(). */
bool opex_kb_repo_partial(const opex_kb_repo *repo);

/**
 * The commit id (40 hex digits and a NUL) that `rev` (NULL: HEAD) names
 * in the repository at `path`, without listing its tree: a cheap check
 * for a new revision. Errors: those of opex_kb_repo_open().
 */
int opex_kb_repo_resolve(char out[41], const char *path, const char *rev,
	opex_error *err) OPEX_WARN_UNUSED;

/** Close the repository. NULL is a no-op. */
void opex_kb_repo_free(opex_kb_repo *repo);

/** The resolved commit id (40 hex digits). */
const char *opex_kb_repo_commit(const opex_kb_repo *repo);

/** The git directory, where derived caches live ("<git-dir>/opex/"). */
const char *opex_kb_repo_git_dir(const opex_kb_repo *repo);

/** Number of entries in the revision's tree (files, links, gitlinks). */
size_t opex_kb_repo_count(const opex_kb_repo *repo);

/** Entry `i`, in strcmp order of path. Borrowed from `repo`. */
const opex_kb_entry *opex_kb_repo_entry(const opex_kb_repo *repo, size_t i);

/** The entry at `path`, or NULL if the tree has none. */
const opex_kb_entry *opex_kb_repo_find(const opex_kb_repo *repo,
	const char *path);

/**
 * Read the blob at `path` into `out` (cleared first). Errors:
 * OPEX_ENOTFOUND (not in the tree), OPEX_EINVALID (a symlink or submodule),
 * OPEX_ETOOBIG (larger than out->max: checked before reading), OPEX_EIO.
 */
int opex_kb_repo_read(opex_buf *out, const opex_kb_repo *repo,
	const char *path, opex_error *err) OPEX_WARN_UNUSED;

/**
 * The paths whose entry differs between commit `from` (40 hex digits) and
 * the repository's revision: added, changed, removed or changed in kind,
 * in strcmp order, as `*count` new strings (free them with
 * opex_strings_free). Trees are compared by id, so a folder that did not
 * change costs nothing however large it is. Errors: OPEX_ENOTFOUND (`from`
 * is not a commit of this repository), OPEX_EIO (an object of either tree
 * cannot be read); the caller then compares the whole listing instead.
 */
int opex_kb_repo_changed_paths(char ***out, size_t *count,
	const opex_kb_repo *repo, const char *from, opex_error *err) OPEX_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * History (history.c): who changed and who verified each path
 * ------------------------------------------------------------------- */

typedef struct opex_kb_commit {
	char id[41];
	char *author_name;
	char *author_email;
	int64_t time;             /* author time, seconds since the epoch */
	char **verified_by;       /* values of "Verified-by:" trailers */
	size_t verified_by_count;
} opex_kb_commit;

typedef struct opex_kb_history opex_kb_history;

typedef struct opex_kb_history_options {
	/* NULL: "<git-dir>/opex/history.cache"; "": no cache at all. */
	const char *cache_path;
} opex_kb_history_options;

#define OPEX_KB_HISTORY_OPTIONS_INIT { NULL }

/**
 * Attribute every path of the repository's revision: its last change and,
 * per author email and per Verified-by value, the newest commit touching
 * it. One walk of the history comparing trees by id; with a cache that
 * holds an ancestor of the revision, only the new commits are walked. A
 * cache that cannot be read or written is ignored, never fatal.
 */
int opex_kb_history_load(opex_kb_history **out, const opex_kb_repo *repo,
	const opex_kb_history_options *opts, opex_error *err) OPEX_WARN_UNUSED;

/** Free the history. NULL is a no-op. */
void opex_kb_history_free(opex_kb_history *history);

/** The newest commit that changed `path`, or NULL if it is not at the revision. */
const opex_kb_commit *opex_kb_history_last_change(
	const opex_kb_history *history, const char *path);

/**
 * The commits that touched `path`, newest first, keeping for each author
 * email and each Verified-by value only the newest: enough to answer "when
 * did this person last change or verify it". `i` < the count.
 */
size_t opex_kb_history_touch_count(const opex_kb_history *history,
	const char *path);
const opex_kb_commit *opex_kb_history_touch(const opex_kb_history *history,
	const char *path, size_t i);

/** Number of commits walked by the last load (0 when the cache was current). */
size_t opex_kb_history_walked(const opex_kb_history *history);

/**
 * False for a history whose walk failed (an unreadable commit or tree):
 * it knows no change and no touch of any path, so nothing is stale.
 */
bool opex_kb_history_known(const opex_kb_history *history);

/* ---------------------------------------------------------------------
 * YAML (yaml.c): a document as a tree with line numbers
 * ------------------------------------------------------------------- */

typedef enum opex_kb_yaml_type {
	OPEX_KB_YAML_SCALAR = 0,
	OPEX_KB_YAML_SEQUENCE,
	OPEX_KB_YAML_MAPPING
} opex_kb_yaml_type;

typedef struct opex_kb_yaml_node opex_kb_yaml_node;
struct opex_kb_yaml_node {
	opex_kb_yaml_type type;
	unsigned line, col;       /* 1-based, in the file (not the snippet) */
	char *value;              /* SCALAR: NUL-terminated text */
	size_t len;               /* SCALAR: length of value */
	bool plain;               /* SCALAR: unquoted (so `null`, `~` mean null) */
	opex_kb_yaml_node **items; /* SEQUENCE: items; MAPPING: values */
	opex_kb_yaml_node **keys;  /* MAPPING: keys (always scalars) */
	size_t count;
};

/**
 * Parse one YAML document of `len` bytes whose first line is line
 * `first_line` of its file. Aliases and anchors are refused (no alias
 * bombs), as are tags on collections, mapping keys that are not scalars,
 * duplicate keys, nesting deeper than OPEX_LIMIT_NESTING and more than
 * OPEX_LIMIT_YAML_NODES nodes. An empty document gives a NULL `*out` and
 * returns 0. On error, `*err_line` (if not NULL) receives the line.
 */
int opex_kb_yaml_parse(opex_kb_yaml_node **out, unsigned *err_line,
	const char *text, size_t len, unsigned first_line, opex_error *err)
	OPEX_WARN_UNUSED;

/** Free a tree from opex_kb_yaml_parse(). NULL is a no-op. */
void opex_kb_yaml_free(opex_kb_yaml_node *node);

/** The value of `key` in a MAPPING node, or NULL. */
const opex_kb_yaml_node *opex_kb_yaml_get(const opex_kb_yaml_node *map,
	const char *key);

/* ---------------------------------------------------------------------
 * Markdown (markdown.c, the cmark adapter)
 * ------------------------------------------------------------------- */

typedef struct opex_kb_link {
	char *target;    /* as written: "../cards/lost-card.md#freeze" */
	char *path;      /* resolved handbook path; NULL if not a relative link */
	bool leaves;     /* a relative link that leaves the handbook ("../../..") */
	unsigned line, col; /* where the link is, in the file */
} opex_kb_link;

/**
 * Render CommonMark to HTML the safe way: raw HTML is omitted and
 * `javascript:`, `vbscript:`, `file:` and `data:` (except images) link
 * targets are dropped. Appends to `out`; OPEX_ETOOBIG past out->max.
 */
int opex_kb_markdown_to_html(opex_buf *out, const char *md, size_t len,
	opex_error *err) OPEX_WARN_UNUSED;

/* A section of the plain text: the heading that opens it and where it starts. */
typedef struct opex_kb_md_section {
	char *heading;   /* plain heading text; NULL for the text before the first heading */
	size_t offset;   /* byte offset of the section's text in the plain text */
} opex_kb_md_section;

typedef struct opex_kb_md_text {
	opex_buf text;                /* the body as a reader sees it, headings excluded */
	opex_buf headings;            /* every heading's text, one per line */
	opex_kb_md_section *sections; /* in document order, offsets ascending */
	size_t section_count, section_cap;
} opex_kb_md_text;

/** Initialize `text`, able to hold up to `max` bytes of text. */
void opex_kb_md_text_init(opex_kb_md_text *text, size_t max);

/**
 * Reduce `md[0..len)` to plain text through the cmark AST: text, code and
 * image descriptions are kept; `#`, emphasis marks, link targets and raw
 * HTML are not. Blocks end with a newline and control characters become
 * spaces. Each heading starts a section. OPEX_ETOOBIG past the max.
 */
int opex_kb_markdown_plain(opex_kb_md_text *out, const char *md, size_t len,
	opex_error *err) OPEX_WARN_UNUSED;

/** Free what `text` holds and make it empty (same max). */
void opex_kb_md_text_release(opex_kb_md_text *text);

/* ---------------------------------------------------------------------
 * Roster (roster.c) and settings (settings.c)
 * ------------------------------------------------------------------- */

typedef struct opex_kb_person {
	char *id, *name, *email;
	char **teams;
	size_t team_count;
	unsigned line;
} opex_kb_person;

/*
 * A team. Routing fields are all optional: a team with a `tier` takes
 * contacts; its empty markets, languages, journeys or channels mean "any".
 */
typedef struct opex_kb_team {
	char *id, *name;               /* name: the id when none is given */
	char **markets, **languages, **journeys, **channels;
	size_t market_count, language_count, journey_count, channel_count;
	char **lanes;                  /* map roles it works besides its id */
	size_t lane_count;
	unsigned tier;                 /* 1 (first line), 2...; 0: takes no contacts */
	bool partner;                  /* an external partner centre */
	double fte;                    /* full-time equivalents; 0: not given */
	char *escalates_to;            /* a team id, or NULL */
	char *contact;                 /* queue, address or number; NULL if none */
	unsigned line, escalates_line;
} opex_kb_team;

typedef struct opex_kb_roster {
	opex_kb_person *people;
	size_t person_count;
	/* people[] sorted by id, for opex_kb_roster_person(); NULL while
	 * parsing (the lookup then reads people[] in order) */
	const struct opex_kb_person **by_id;
	opex_kb_team *teams;
	size_t team_count;
} opex_kb_roster;

/**
 * Parse `people.yaml` text. Every problem becomes a diagnostic on `path`
 * (rules roster-invalid, person-duplicate) and the entries that are sound
 * are kept: a broken roster gives a partial or empty one, never a failure.
 */
void opex_kb_roster_parse(opex_kb_roster *out, const char *path,
	const char *text, size_t len, opex_diag_list *diags);

/** Free what the roster holds. */
void opex_kb_roster_release(opex_kb_roster *roster);

/** The person with this id, or NULL. */
const opex_kb_person *opex_kb_roster_person(const opex_kb_roster *roster,
	const char *id);

/** The person with this email (ASCII case-insensitive), or NULL. */
const opex_kb_person *opex_kb_roster_person_by_email(
	const opex_kb_roster *roster, const char *email);

/** The team with this id, or NULL. */
const opex_kb_team *opex_kb_roster_team(const opex_kb_roster *roster,
	const char *id);

/* ---------------------------------------------------------------------
 * Routing (routing.c): which team takes a contact, and where it escalates
 * ------------------------------------------------------------------- */

#define OPEX_KB_ROUTE_CHAIN_MAX 16

typedef struct opex_kb_route {
	const opex_kb_team *team;      /* the tier-1 team that takes it; NULL: a gap */
	size_t candidates;             /* tier-1 teams that cover it */
	const opex_kb_team *chain[OPEX_KB_ROUTE_CHAIN_MAX]; /* its escalations, in order */
	size_t chain_count;
	bool cycles;                   /* the chain comes back to a team in it */
} opex_kb_route;

/** True if `team` works map steps of `role`: its id, or one of its lanes. */
bool opex_kb_team_works(const opex_kb_team *team, const char *role);

/**
 * True if `team` covers contacts of `journey`, `market` and `language`
 * (each may be NULL: any), as routing judges it: a team that lists none of
 * a kind covers every value of it. The team's tier is not looked at.
 */
bool opex_kb_team_covers(const opex_kb_team *team, const char *journey,
	const char *market, const char *language);

/** True if some team works `role` (see opex_kb_team_works). */
bool opex_kb_roster_works(const opex_kb_roster *roster, const char *role);

/** True if the roster has a routing directory (a team with a tier). */
bool opex_kb_routing_used(const opex_kb_roster *roster);

/**
 * Route a contact of `journey`, `market` and `language` (each may be NULL:
 * any) to the tier-1 team that covers all three, preferring the one that
 * names the most of them (then roster order), and follow escalates_to
 * from there. Teams are borrowed from the roster.
 */
void opex_kb_route_find(opex_kb_route *out, const opex_kb_roster *roster,
	const char *journey, const char *market, const char *language);

typedef struct opex_kb_settings {
	char **languages;          /* empty: any valid BCP 47 tag */
	size_t language_count;
	char **markets;
	size_t market_count;
	int64_t review_every;      /* seconds; default 180 days */
	char **journeys;           /* what routing must cover; empty: the articles' */
	size_t journey_count;
	struct opex_kb_market_language {
		char *market, *language;
		unsigned line;
	} *market_languages;       /* the languages each market is served in */
	size_t market_language_count;
	unsigned routing_min_people; /* routing-thin below this; default 2 */
	double capacity_hours_per_fte_week; /* productive hours; default 30 */
	char **reply_placeholders; /* placeholders besides opex's own */
	size_t reply_placeholder_count;
} opex_kb_settings;

/**
 * Default settings (no languages, markets or journeys, review_every 180d,
 * routing_min_people 2, capacity_hours_per_fte_week 30).
 */
void opex_kb_settings_init(opex_kb_settings *settings);

/** Parse `opex.yaml` into `settings`; problems become diagnostics (settings-invalid). */
void opex_kb_settings_parse(opex_kb_settings *settings, const char *path,
	const char *text, size_t len, opex_diag_list *diags);

/** Free what the settings hold. */
void opex_kb_settings_release(opex_kb_settings *settings);

/** True if `tag` is a well-formed BCP 47 language tag ("en", "fr-CA", "zh-Hant"). */
bool opex_kb_language_valid(const char *tag);

/* ---------------------------------------------------------------------
 * Articles (article.c)
 * ------------------------------------------------------------------- */

typedef enum opex_kb_visibility {
	OPEX_KB_VISIBILITY_INTERNAL = 0,
	OPEX_KB_VISIBILITY_PARTNERS,
	OPEX_KB_VISIBILITY_PUBLIC
} opex_kb_visibility;

/* Front-matter fields, to find the line each was written on. */
typedef enum opex_kb_field {
	OPEX_KB_FIELD_TITLE = 0,
	OPEX_KB_FIELD_OWNER,
	OPEX_KB_FIELD_LANGUAGE,
	OPEX_KB_FIELD_TRANSLATION_OF,
	OPEX_KB_FIELD_MARKETS,
	OPEX_KB_FIELD_JOURNEY,
	OPEX_KB_FIELD_TAGS,
	OPEX_KB_FIELD_REVIEW_EVERY,
	OPEX_KB_FIELD_VISIBILITY,
	OPEX_KB_FIELD_TEAMS,
	OPEX_KB_FIELD_CHANNEL,
	OPEX_KB_FIELD_ACKNOWLEDGE,
	OPEX_KB_FIELD_AUDIENCE,
	OPEX_KB_FIELD_SEVERITY,
	OPEX_KB_FIELD_EXPIRES,
	OPEX_KB_FIELD_REQUIRES_ACK,
	OPEX_KB_FIELD_ACK_WITHIN,
	OPEX_KB_FIELD_ARTICLES,
	OPEX_KB_FIELD_PROCESSES,
	OPEX_KB_FIELD_COUNT
} opex_kb_field;

/* What a Markdown file of the handbook is: by its folder. */
typedef enum opex_kb_kind {
	OPEX_KB_KIND_ARTICLE = 0,  /* articles/ ... .md */
	OPEX_KB_KIND_REPLY,        /* replies/ ... .md: a quick text agents paste */
	OPEX_KB_KIND_ANNOUNCEMENT  /* announcements/ ... .md: news, incidents */
} opex_kb_kind;

/* How much an announcement matters (its front matter `severity`). */
typedef enum opex_kb_notice_level {
	OPEX_KB_NOTICE_INFO = 0,
	OPEX_KB_NOTICE_IMPORTANT,
	OPEX_KB_NOTICE_INCIDENT
} opex_kb_notice_level;

/*
 * The front matter only announcements have. An empty audience, or one
 * naming `everyone`, is every person on the roster; `partners` is the
 * people of partner teams; any other name is a team id.
 */
typedef struct opex_kb_announcement {
	char **audience;
	size_t audience_count;
	opex_kb_notice_level severity;
	int64_t expires;         /* the first second past its `expires` day; 0: never */
	bool requires_ack;
	int64_t ack_within;      /* seconds readers have to acknowledge; 0: no deadline */
	char **articles, **processes; /* what it links, as written */
	size_t article_count, process_count;
} opex_kb_announcement;

/* The channel a reply is written for (its front matter `channel`). */
typedef enum opex_kb_channel {
	OPEX_KB_CHANNEL_NONE = 0,  /* not given, or not one of these */
	OPEX_KB_CHANNEL_EMAIL,
	OPEX_KB_CHANNEL_CHAT,
	OPEX_KB_CHANNEL_PHONE,     /* a script read to the customer */
	OPEX_KB_CHANNEL_SOCIAL
} opex_kb_channel;

typedef struct opex_kb_article {
	char *path;
	opex_kb_kind kind;       /* from the folder: articles/ or replies/ */
	char *channel;           /* channel: as written; NULL if absent */
	char *title;             /* front matter, else first heading, else NULL */
	char *owner, *language, *translation_of, *journey; /* NULL if absent */
	char **markets, **tags, **teams;
	size_t market_count, tag_count, team_count;
	int64_t review_every;    /* seconds; 0: the handbook default */
	opex_kb_visibility visibility;
	unsigned field_line[OPEX_KB_FIELD_COUNT]; /* 0: field absent */
	unsigned title_line;     /* where the title came from */
	bool has_front_matter;
	char *body;              /* Markdown after the front matter */
	size_t body_len;
	unsigned body_line;      /* line of the body's first line in the file */
	opex_kb_link *links;
	size_t link_count;
	char **acknowledge;      /* teams that must acknowledge every change */
	size_t acknowledge_count;
	opex_kb_announcement *announcement; /* kind ANNOUNCEMENT only, else NULL */

	/* Derived from history by the handbook (0 / NULL / false if unknown). */
	const opex_kb_commit *last_change;
	const opex_kb_commit *verified;  /* newest change or Verified-by by the owner */
	int64_t verified_at;
	bool stale;              /* verified_at older than review_every */
	bool outdated;           /* a translation whose source changed since */
} opex_kb_article;

/**
 * Parse an article file. Problems become diagnostics on `path` with their
 * line (rules file-unreadable, front-matter-invalid). Returns the article,
 * or NULL when the file cannot be read as an article at all (binary,
 * invalid UTF-8, front matter never closed or not a mapping); a field of
 * the wrong type is reported and left unset, the article is still kept.
 */
opex_kb_article *opex_kb_article_parse(const char *path, const char *text,
	size_t len, opex_diag_list *diags);

/** Free an article. NULL is a no-op. */
void opex_kb_article_free(opex_kb_article *article);

/** What the handbook file at `path` is, by its folder (replies/: a reply, announcements/: an announcement). */
opex_kb_kind opex_kb_path_kind(const char *path);

/* ---------------------------------------------------------------------
 * Replies (replies.c): quick texts, their channels and placeholders
 * ------------------------------------------------------------------- */

/** The channel named `name` ("email", "chat", "phone", "social"), or NONE. */
opex_kb_channel opex_kb_channel_parse(const char *name);

/** "email", "chat", "phone", "social"; "" for NONE. */
const char *opex_kb_channel_name(opex_kb_channel channel);

/** The most characters a reply of `channel` may have; 0: no limit. */
size_t opex_kb_channel_max_chars(opex_kb_channel channel);

/**
 * The text an agent pastes: the reply's body as written, without the
 * blank lines and spaces around it. Borrowed from `reply`.
 */
opex_str opex_kb_reply_text(const opex_kb_article *reply);

/* A placeholder such as {{customer.first_name}} in a reply's text. */
typedef struct opex_kb_placeholder {
	char *name;               /* "customer.first_name", blanks trimmed */
	unsigned line, col;       /* 1-based, in the text scanned */
	size_t offset, len;       /* the bytes from "{{" to "}}" */
} opex_kb_placeholder;

typedef struct opex_kb_placeholders {
	opex_kb_placeholder *items; /* in text order, repeats kept */
	size_t count, cap;
	unsigned unclosed_line, unclosed_col; /* a "{{" never closed; 0: none */
	bool truncated;           /* more than OPEX_LIMIT_PLACEHOLDERS: the rest not read */
} opex_kb_placeholders;

#define OPEX_KB_PLACEHOLDERS_INIT { NULL, 0, 0, 0, 0, false }

/**
 * Find every `{{ name }}` in `text[0..len)`. A name that is not letters,
 * digits, '_' and '.' is kept as written, for the caller to call unknown.
 * A "{{" with no "}}" on its line is recorded as unclosed and ends the
 * scan. Works on any bytes. Release with opex_kb_placeholders_release().
 */
void opex_kb_placeholders_scan(opex_kb_placeholders *out, const char *text,
	size_t len);

/** Free what `p` holds; it is empty afterwards. */
void opex_kb_placeholders_release(opex_kb_placeholders *p);

/**
 * Zendesk's placeholder for opex's `name` ("case.id" -> "ticket.id"), or
 * with `to_zendesk` false opex's for Zendesk's; NULL when there is none.
 */
const char *opex_kb_placeholder_zendesk(const char *name, bool to_zendesk);

/**
 * Append `text` with each placeholder opex knows renamed to Zendesk's (or
 * back, with `to_zendesk` false); the others are left as written.
 */
void opex_kb_placeholders_map(opex_buf *out, opex_str text, bool to_zendesk);

/**
 * True if `name` is a placeholder opex knows (customer.*, case.*,
 * agent.*: see replies.c) or one of the settings' reply_placeholders.
 */
bool opex_kb_placeholder_known(const opex_kb_settings *settings,
	const char *name);

/* ---------------------------------------------------------------------
 * Helpdesk macros (macros.c, the jansson adapter): replies from a
 * Zendesk macro export, so that edits made there come back to git
 * ------------------------------------------------------------------- */

typedef struct opex_kb_macro {
	size_t index;             /* 1-based, in the file's list */
	char *title;              /* the macro's title */
	char *path;               /* "replies/….md" from "opex: PATH" in its
	                             description; NULL if it has none */
	char *text;               /* its comment, placeholders in opex's names */
} opex_kb_macro;

typedef struct opex_kb_macro_list {
	opex_kb_macro *items;
	size_t count, cap;
} opex_kb_macro_list;

#define OPEX_KB_MACRO_LIST_INIT { NULL, 0, 0 }

/**
 * Read a Zendesk macro export: {"macros": [...]}, {"macro": {...}} or a
 * list, as GET /api/v2/macros and `opex replies export` write them. A
 * macro's text is its `comment_value` action (a string, or a list whose
 * last item is one). A macro that cannot be read (no title, no text,
 * HTML only, a path that is not a clean replies/….md) is a diagnostic
 * on `file` (rule macro-invalid) naming its index and title, and is
 * skipped. Errors: OPEX_EINVALID when the file is not JSON or not a macro
 * export at all (the message names the file and line), OPEX_ETOOBIG
 * past OPEX_LIMIT_FILE_BYTES.
 */
int opex_kb_macros_parse(opex_kb_macro_list *out, const char *file,
	const char *text, size_t len, opex_diag_list *diags, opex_error *err)
	OPEX_WARN_UNUSED;

/** Free what a macro list holds; it is empty afterwards. */
void opex_kb_macro_list_release(opex_kb_macro_list *list);

/**
 * Append the reply file `file_text` with its body replaced by `text` (and
 * a final newline): the front matter is kept byte for byte. A file with
 * no front matter becomes `text`.
 */
void opex_kb_reply_with_text(opex_buf *out, const char *file_text,
	size_t len, const char *text);

/* ---------------------------------------------------------------------
 * Handbook (handbook.c): everything above, joined
 * ------------------------------------------------------------------- */

typedef struct opex_kb_handbook opex_kb_handbook;

/** Whether to read the article at `path` (blob `oid`): see `want` below. */
typedef bool (*opex_kb_article_want_fn)(const char *path, const char *oid,
	void *payload);

typedef struct opex_kb_handbook_options {
	const char *rev;           /* NULL: HEAD */
	const char *history_cache; /* as opex_kb_history_options.cache_path */
	int64_t now;               /* 0: the current time */
	/* NULL: read every article. Else only those it accepts (the search
	 * index asks for the changed ones); the others are left out. */
	opex_kb_article_want_fn want;
	void *want_payload;
	/* Keep parsed articles in <git-dir>/opex/articles.cache, by path and
	 * blob, so the next load parses only what changed. */
	bool article_cache;
} opex_kb_handbook_options;

#define OPEX_KB_HANDBOOK_OPTIONS_INIT { NULL, NULL, 0, NULL, NULL, false }

/**
 * Load the handbook at `path`: open the revision, read settings, roster and
 * every article, attribute history and derive verification, staleness and
 * outdated translations. Per-file problems go to `diags`; only repository
 * failures (see opex_kb_repo_open) return an error.
 */
int opex_kb_handbook_load(opex_kb_handbook **out, const char *path,
	const opex_kb_handbook_options *opts, opex_diag_list *diags,
	opex_error *err) OPEX_WARN_UNUSED;

/**
 * The same from a repository already open at its revision (`opts->rev` is
 * not used), which the handbook takes: it is freed with the handbook. Per-
 * file problems go to `diags`; nothing else can fail.
 */
void opex_kb_handbook_load_repo(opex_kb_handbook **out, opex_kb_repo *repo,
	const opex_kb_handbook_options *opts, opex_diag_list *diags);

/** Free the handbook. NULL is a no-op. */
void opex_kb_handbook_free(opex_kb_handbook *handbook);

const opex_kb_repo *opex_kb_handbook_repo(const opex_kb_handbook *handbook);
const opex_kb_history *opex_kb_handbook_history(const opex_kb_handbook *handbook);
const opex_kb_roster *opex_kb_handbook_roster(const opex_kb_handbook *handbook);
const opex_kb_settings *opex_kb_handbook_settings(const opex_kb_handbook *handbook);
int64_t opex_kb_handbook_now(const opex_kb_handbook *handbook);

/**
 * Number of articles read, and article `i` in path order. Replies are
 * articles of kind OPEX_KB_KIND_REPLY (under replies/, after articles/).
 */
size_t opex_kb_handbook_article_count(const opex_kb_handbook *handbook);
const opex_kb_article *opex_kb_handbook_article(
	const opex_kb_handbook *handbook, size_t i);

/** How many articles the load parsed (the others came from the article cache). */
size_t opex_kb_handbook_parsed(const opex_kb_handbook *handbook);

/**
 * The replies: the run of articles `*first` .. `*first` + count - 1 (they
 * sort after articles/), found without a scan. Returns the count.
 */
size_t opex_kb_handbook_replies(const opex_kb_handbook *handbook,
	size_t *first);

/** The article at `path`, or NULL. */
const opex_kb_article *opex_kb_handbook_find(const opex_kb_handbook *handbook,
	const char *path);

/**
 * The language of `a`: its own, else the handbook's first, else "en".
 */
const char *opex_kb_article_language(const opex_kb_article *a,
	const opex_kb_settings *settings);

/**
 * The articles (or replies) whose translation_of is `source`, in path
 * order: `*out` is borrowed from the handbook. Returns how many.
 */
size_t opex_kb_handbook_translations(const opex_kb_article *const **out,
	const opex_kb_handbook *handbook, const char *source);

/**
 * The variant of `source` in `language` (ASCII case-insensitive): the
 * source itself when it is in that language, else one of its
 * translations, else NULL.
 */
const opex_kb_article *opex_kb_handbook_translation(
	const opex_kb_handbook *handbook, const opex_kb_article *source,
	const char *language);

/**
 * The handbook files and folders whose git objects could not be read
 * (each also reported as an object-unreadable diagnostic), in path
 * order, and path `i`. Borrowed from the handbook.
 */
size_t opex_kb_handbook_unreadable_count(const opex_kb_handbook *handbook);
const char *opex_kb_handbook_unreadable(const opex_kb_handbook *handbook,
	size_t i);

/**
 * Check articles and roster against each other and the tree: title-missing,
 * owner-missing, owner-unknown, language-invalid, translation-source-missing,
 * link-broken, review-overdue, translation-outdated.
 */
void opex_kb_lint(const opex_kb_handbook *handbook, opex_diag_list *diags);

/**
 * The journeys routing must cover: opex.yaml's `journeys`, else those the
 * articles name (sorted, each once). `*out` is an array of borrowed
 * strings, freed with opex_free(). Returns its length.
 */
size_t opex_kb_routing_journeys(const char ***out,
	const opex_kb_handbook *handbook);

/**
 * The routing rules (routing.c): escalation-unknown, escalation-cycle,
 * and, when the roster has a routing directory, routing-gap and
 * routing-thin. Part of opex_kb_lint().
 */
void opex_kb_routing_lint(const opex_kb_handbook *handbook,
	opex_diag_list *diags);

/**
 * The handbook languages `source` (a reply) has no variant in: of
 * opex.yaml's languages, those its markets are served in (market_languages;
 * all of them when either is not given). `*out` holds borrowed strings;
 * free the array with opex_free(). Returns its length.
 */
size_t opex_kb_reply_missing_languages(const char ***out,
	const opex_kb_handbook *handbook, const opex_kb_article *source);

/**
 * The reply rules: reply-channel-invalid, reply-placeholder-unknown,
 * reply-placeholder-unclosed, reply-placeholders-differ, reply-too-long,
 * reply-language-missing. Part of opex_kb_lint().
 */
void opex_kb_replies_lint(const opex_kb_handbook *handbook,
	opex_diag_list *diags);

/* ---------------------------------------------------------------------
 * Announcements and required reading (announcements.c)
 * ------------------------------------------------------------------- */

/** "info", "important", "incident". */
const char *opex_kb_notice_level_name(opex_kb_notice_level level);

/** The level named `name`; false if it is none of them. */
bool opex_kb_notice_level_parse(opex_kb_notice_level *out, const char *name);

#define OPEX_KB_AUDIENCE_EVERYONE "everyone"
#define OPEX_KB_AUDIENCE_PARTNERS "partners"

/**
 * True if `person` is in `audience` (team ids, `everyone`, `partners`;
 * an empty audience is everyone).
 */
bool opex_kb_audience_has(const opex_kb_roster *roster,
	char *const *audience, size_t count, const opex_kb_person *person);

/** True if `person` is in one audience entry: a team id, `everyone`, `partners`. */
bool opex_kb_audience_entry_has(const opex_kb_roster *roster,
	const char *entry, const opex_kb_person *person);

/** True if the announcement has expired at `now`. */
bool opex_kb_announcement_expired(const opex_kb_article *a, int64_t now);

/**
 * The announcements: the run of articles `*first` .. `*first` + count - 1
 * (they sort before articles/), found without a scan. Returns the count.
 */
size_t opex_kb_handbook_announcements(const opex_kb_handbook *handbook,
	size_t *first);

/**
 * The announcement rules: audience-unknown, announcement-expired,
 * announcement-link-missing, acknowledge-unknown (an article's teams).
 * Part of opex_kb_lint().
 */
void opex_kb_announcements_lint(const opex_kb_handbook *handbook,
	opex_diag_list *diags);

/* ---------------------------------------------------------------------
 * Records on a ref and per-path logs (git_records.c): launch approvals,
 * acknowledgements
 * ------------------------------------------------------------------- */

/* One commit of a record chain, oldest first in opex_kb_record_chain. */
typedef struct opex_kb_record {
	char commit[41];
	char *content;            /* the record blob, NUL-terminated; NULL if none */
	size_t len;
	char *author_name, *author_email;
	int64_t time;             /* committer time, seconds since the epoch */
	char *problem;            /* NULL, or why this commit holds no record */
} opex_kb_record;

typedef struct opex_kb_record_chain {
	opex_kb_record *records;
	size_t count, cap;
	char tip[41];             /* "" when the ref does not exist */
	char *problem;            /* NULL, or why the ref itself is unusable */
} opex_kb_record_chain;

#define OPEX_KB_RECORD_CHAIN_INIT { NULL, 0, 0, { 0 }, NULL }

/* The file that holds the record in each commit's tree. */
#define OPEX_KB_RECORD_FILE "record"

/**
 * Read the chain of commits on `ref` (e.g. "refs/opex/approvals"), oldest
 * first, following first parents. A commit without a readable record
 * file, a merge, or a ref that points at something other than a commit is
 * reported in `problem` fields and never fails the read. A missing ref is
 * an empty chain. Errors: OPEX_EIO (the repository cannot be read),
 * OPEX_ETOOBIG (more than OPEX_LIMIT_RECORDS commits). Release `out`
 * with opex_kb_record_chain_release(), also after an error.
 */
int opex_kb_records_read(opex_kb_record_chain *out, const opex_kb_repo *repo,
	const char *ref, opex_error *err) OPEX_WARN_UNUSED;

/**
 * opex_kb_records_read(), reading only the records newer than the commit
 * `since` (a tip read before): then `*whole` is false and the first
 * record's parent is `since`. When `since` is NULL or "", or no longer on
 * the chain (it was rewritten), the whole chain is read and `*whole` is
 * true. The ref still at `since` gives no records.
 */
int opex_kb_records_read_since(opex_kb_record_chain *out,
	const opex_kb_repo *repo, const char *ref, const char *since,
	bool *whole, opex_error *err) OPEX_WARN_UNUSED;

/** Free what a chain holds; it is empty afterwards. */
void opex_kb_record_chain_release(opex_kb_record_chain *chain);

/**
 * Builds the record to append on top of `parent` (40 hex digits, "" for
 * the first record). Called again with the new tip when another writer
 * won the race. Returns 0 or a negative OPEX_E* code (then nothing is
 * written).
 */
typedef int (*opex_kb_record_build_fn)(opex_buf *out, const char *parent,
	void *payload);

typedef struct opex_kb_record_author {
	const char *name, *email;
	int64_t time;             /* 0: now */
} opex_kb_record_author;

/**
 * Append one record commit to `ref`: a commit whose tree holds only
 * OPEX_KB_RECORD_FILE, with `summary` as its message, parented on the
 * current tip. The ref is moved with compare-and-swap; when another writer
 * moved it first, the record is rebuilt on the new tip and the update is
 * retried, so concurrent appends all land and nothing is rewritten.
 * `out` (41 bytes, may be NULL) receives the new commit id. Errors:
 * OPEX_EINVALID (the ref points at something other than a commit), what
 * `build` returns, OPEX_EIO.
 */
int opex_kb_records_append(char *out, const opex_kb_repo *repo,
	const char *ref, opex_kb_record_build_fn build, void *payload,
	const char *summary, const opex_kb_record_author *author,
	opex_error *err) OPEX_WARN_UNUSED;

/**
 * The git `user.email` in effect for the repository (its config, then the
 * global and system ones) into `out`. OPEX_ENOTFOUND when none is set.
 */
int opex_kb_repo_user_email(opex_buf *out, const opex_kb_repo *repo,
	opex_error *err) OPEX_WARN_UNUSED;

/** Read the blob with id `oid` (40 hex digits) into `out` (cleared first). */
int opex_kb_repo_read_blob(opex_buf *out, const opex_kb_repo *repo,
	const char *oid, opex_error *err) OPEX_WARN_UNUSED;

/* A commit that changed one of the paths given to opex_kb_path_log_read(). */
typedef struct opex_kb_path_change {
	char commit[41];
	char *author_name, *author_email;
	int64_t time;             /* author time */
	size_t path;              /* index into the paths given */
	char blob[41];            /* the path's blob after the commit; "" if removed */
} opex_kb_path_change;

typedef struct opex_kb_path_log {
	opex_kb_path_change *changes;  /* newest first */
	size_t count, cap;
	bool truncated;                /* stopped at OPEX_LIMIT_PATH_LOG_COMMITS */
} opex_kb_path_log;

#define OPEX_KB_PATH_LOG_INIT { NULL, 0, 0, false }

/**
 * List the commits reachable from the repository's revision, but not from
 * `since` (a commit id, or NULL for all), that changed any of `paths`
 * (compared with every parent: a commit that leaves a path as one of its
 * parents had it is not a change), newest first. Release with
 * opex_kb_path_log_release(), also after an error.
 */
int opex_kb_path_log_read(opex_kb_path_log *out, const opex_kb_repo *repo,
	const char *const *paths, size_t path_count, const char *since,
	opex_error *err) OPEX_WARN_UNUSED;

/** Free what a path log holds; it is empty afterwards. */
void opex_kb_path_log_release(opex_kb_path_log *log);

/* ---------------------------------------------------------------------
 * Replicas (git_remote.c): a bare mirror of an origin repository, and
 * records appended on the origin
 * ------------------------------------------------------------------- */

/**
 * Make the repository at `path` a mirror of `origin` (a path, file://,
 * git://, http(s):// or ssh:// URL): a bare repository is created there
 * if nothing exists yet; then every branch, every tag and every ref under
 * refs/opex/ is fetched, replacing what the mirror had, and HEAD follows
 * the origin's default branch. `*changed` (may be NULL) tells whether a
 * ref moved. Errors: OPEX_EINVALID (`path` exists and is not a git
 * repository), OPEX_EIO (the origin cannot be reached or read), each
 * naming the origin.
 */
int opex_kb_mirror_fetch(const char *path, const char *origin, bool *changed,
	opex_error *err) OPEX_WARN_UNUSED;

/**
 * opex_kb_records_append() on the origin of a mirror: the record is built
 * on the origin's tip of `ref` and the origin's ref is moved with
 * compare-and-swap (a local origin is updated in place; a remote one by a
 * push that the origin refuses when its ref moved since the fetch), then
 * the mirror's `ref` is brought to the origin's. When another writer won
 * the race, the record is rebuilt on the new tip and sent again, so
 * records appended at the same moment through different mirrors all land.
 * Errors: those of opex_kb_records_append(), and OPEX_EIO naming the
 * origin when it cannot be reached (then nothing was recorded).
 */
int opex_kb_records_append_origin(char *out, const opex_kb_repo *repo,
	const char *origin, const char *ref, opex_kb_record_build_fn build,
	void *payload, const char *summary,
	const opex_kb_record_author *author, opex_error *err) OPEX_WARN_UNUSED;

#endif
