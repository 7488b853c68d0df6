/*
 * launches.h: launch readiness. A launch file (launches/<path>.md) names
 * what a launch covers and its ordered gates; the check catalogue judges
 * the handbook for each gate; approvals are records on refs/opex/approvals;
 * gate evaluation puts the three together into a board. The handbook-wide
 * lint (articles, maps and launches) is assembled here, the one layer that
 * sees all three.
 *
 *   launch.c     launch files: front matter, gates, the task-list checklist
 *   lint.c       launch lint, and the handbook-wide lint of `opex lint`
 *   checks.c     the check catalogue (processes-lint, owners-known, ...)
 *   kpi_checks.c the checks that read the KPI store (kpis-within-target,
 *                capacity-covered)
 *   approvals.c  approval records: format, parse, digests, the chain
 *   records.c    appending a record to a chain (local or on the origin)
 *   gates.c      gate evaluation: checks, items, approvals, quorum
 *   acks.c       required reading: receipts on refs/opex/acks, who read
 *                what, stale receipts and what changed since
 *
 * Data flows one way: kb (files, roster, history, record chains),
 * process-maps (maps, lint) and kpi (the KPI store) -> here -> renderer
 * and server.
 * Docs: docs/internals/launches.md.
 */
#ifndef OPEX_LAUNCHES_H
#define OPEX_LAUNCHES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/error.h"
#include "core/sha256.h"
#include "kb/kb.h"
#include "process-maps/process_maps.h"

/* ---------------------------------------------------------------------
 * Launch files (launch.c)
 * ------------------------------------------------------------------- */

/* The check catalogue. */
typedef enum opex_launch_check {
	OPEX_LAUNCH_CHECK_PROCESSES_LINT = 0,
	OPEX_LAUNCH_CHECK_OWNERS_KNOWN,
	OPEX_LAUNCH_CHECK_ARTICLES_EXIST,
	OPEX_LAUNCH_CHECK_ARTICLES_VERIFIED,
	OPEX_LAUNCH_CHECK_TRANSLATIONS_COMPLETE,
	OPEX_LAUNCH_CHECK_STEPS_DOCUMENTED,
	OPEX_LAUNCH_CHECK_CHECKLIST_DONE,
	OPEX_LAUNCH_CHECK_PREVIOUS_GATES,
	OPEX_LAUNCH_CHECK_ROUTING_COVERED,
	OPEX_LAUNCH_CHECK_KPIS_WITHIN_TARGET,
	OPEX_LAUNCH_CHECK_CAPACITY_COVERED,
	OPEX_LAUNCH_CHECK_REPLIES_TRANSLATED,
	OPEX_LAUNCH_CHECK_STAKEHOLDERS_ACKNOWLEDGED,
	OPEX_LAUNCH_CHECK_COUNT
} opex_launch_check;

/** The check's name ("processes-lint"). */
const char *opex_launch_check_name(opex_launch_check check);

/** The check named `name`, or -1. */
int opex_launch_check_parse(const char *name);

/* A name in a launch file with the line it is written on. */
typedef struct opex_launch_name {
	char *name;
	unsigned line;
} opex_launch_name;

/* One term of an all_of quorum: n people of a team, or one person. */
typedef struct opex_launch_quorum_term {
	char *team;               /* NULL for a person term */
	char *person;             /* NULL for a team term */
	unsigned n;
	unsigned line;
} opex_launch_quorum_term;

typedef struct opex_launch_gate {
	char *id, *title;
	opex_launch_name *approvers;   /* people and teams */
	size_t approver_count;
	unsigned quorum;                  /* N of the approvers; 0 with terms */
	opex_launch_quorum_term *terms;       /* all_of terms */
	size_t term_count;
	opex_launch_check *checks;
	unsigned *check_lines;
	size_t check_count;
	int64_t valid_for;                /* seconds; 0: approvals never expire */
	bool independent;                 /* separation of duties (default true) */
	unsigned line;
	char *definition;                 /* canonical text, for the policy digest */
} opex_launch_gate;

/* A task-list item of the body: `- [ ] text {gate: id}`. */
typedef struct opex_launch_item {
	char *text;               /* without the box and the {gate: id} */
	char *gate;               /* NULL if the item names none */
	size_t gate_index;        /* the gate it belongs to (last gate if none) */
	bool ticked;
	unsigned line;
} opex_launch_item;

/* An entry of `capacity:`: extra contacts of a journey in some weeks. */
typedef struct opex_launch_capacity {
	char *journey;            /* NULL only when invalid */
	char *market;             /* NULL: each of the launch's markets */
	double extra;             /* extra contacts per week, 0 or more */
	int64_t *weeks;           /* starts of the ISO weeks (Monday 00:00 UTC) */
	size_t week_count;
	bool invalid;             /* reported as capacity-invalid: not usable */
	unsigned line, journey_line, market_line;
} opex_launch_capacity;

typedef struct opex_launch opex_launch;

/**
 * Parse the launch file at `path`. Problems become diagnostics with their
 * line (rules launch-invalid, check-unknown, gate-duplicate, date-invalid,
 * capacity-invalid, item-gate-unknown); what is sound is kept. Returns NULL (after a
 * diagnostic) only when the file cannot be read as a launch at all.
 */
opex_launch *opex_launch_parse(const char *path, const char *text,
	size_t len, opex_diag_list *diags);

/** Free a launch. NULL is a no-op. */
void opex_launch_free(opex_launch *launch);

const char *opex_launch_path(const opex_launch *launch);
const char *opex_launch_title(const opex_launch *launch);  /* may be NULL */
const char *opex_launch_owner(const opex_launch *launch);  /* may be NULL */
unsigned opex_launch_owner_line(const opex_launch *launch);
/* `announcement:` the announcement its markets' teams must acknowledge; NULL: none. */
const char *opex_launch_announcement(const opex_launch *launch);
unsigned opex_launch_announcement_line(const opex_launch *launch);
int64_t opex_launch_date(const opex_launch *launch);       /* 0: none */

/* Lists of names in the front matter. */
typedef enum opex_launch_list {
	OPEX_LAUNCH_PROCESSES = 0,
	OPEX_LAUNCH_ARTICLES,
	OPEX_LAUNCH_STAKEHOLDERS,
	OPEX_LAUNCH_MARKETS,
	OPEX_LAUNCH_LANGUAGES,
	OPEX_LAUNCH_LIST_COUNT
} opex_launch_list;

size_t opex_launch_list_count(const opex_launch *launch,
	opex_launch_list list);
const opex_launch_name *opex_launch_list_item(
	const opex_launch *launch, opex_launch_list list, size_t i);

size_t opex_launch_gate_count(const opex_launch *launch);
const opex_launch_gate *opex_launch_gate_at(const opex_launch *launch,
	size_t i);
/** The index of the gate with this id, or -1. */
long opex_launch_gate_find(const opex_launch *launch, const char *id);

/** The `capacity:` entries, in file order (invalid ones included). */
size_t opex_launch_capacity_count(const opex_launch *launch);
const opex_launch_capacity *opex_launch_capacity_at(const opex_launch *launch,
	size_t i);

size_t opex_launch_item_count(const opex_launch *launch);
const opex_launch_item *opex_launch_item_at(const opex_launch *launch,
	size_t i);

/**
 * The launch file with every task box unticked, as hashed into the scope
 * digest: ticking an item is evidence, not a change of what was approved.
 */
void opex_launch_normalized(opex_buf *out, const char *text, size_t len);

/* ---------------------------------------------------------------------
 * Lint (lint.c)
 * ------------------------------------------------------------------- */

/**
 * Check the launch against the handbook: processes and articles that do
 * not exist (process-missing, article-missing), people and teams not in
 * the roster (approver-unknown, person-unknown), a quorum larger than the
 * people who may approve (quorum-too-large), a capacity entry for a
 * journey the handbook does not know or a market the launch does not list
 * (capacity-invalid).
 */
void opex_launch_lint(const opex_launch *launch,
	const opex_kb_handbook *hb, opex_diag_list *diags);

/**
 * Lint every launches/<path>.md of the handbook: parse + opex_launch_lint.
 * Part of opex_launch_lint_handbook().
 */
void opex_launch_lint_files(const opex_kb_handbook *hb,
	opex_diag_list *diags);

/**
 * Lint the whole handbook, as `opex lint` does: every map with the map
 * rules and across maps (opex_pm_lint_maps), the articles and roster
 * (opex_kb_lint), every launch file (opex_launch_lint_files), then the
 * handbook's lint configuration over everything in `diags`, including what
 * was reported while the handbook loaded. Unreadable files are
 * diagnostics, never failures; returns 0.
 */
int opex_launch_lint_handbook(const opex_kb_handbook *hb,
	opex_diag_list *diags, opex_pm_lint_report *report, opex_error *err)
	OPEX_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * Approval records and their chain (approvals.c)
 * ------------------------------------------------------------------- */

/* Approval record actions. */
typedef enum opex_launch_action {
	OPEX_LAUNCH_ACTION_APPROVE = 0,
	OPEX_LAUNCH_ACTION_REJECT,
	OPEX_LAUNCH_ACTION_REVOKE,
	OPEX_LAUNCH_ACTION_WAIVE
} opex_launch_action;

/** "approve", "reject", "revoke" or "waive". */
const char *opex_launch_action_name(opex_launch_action action);

/* One parsed approval record (format in approvals.c). */
typedef struct opex_launch_approval {
	opex_launch_action action;
	char *launch, *gate, *person;
	int64_t time;
	char *revision;           /* the handbook commit the digests were taken at */
	char *prev;               /* the previous record's commit ("" for none) */
	char *scope, *policy;     /* 64 hex digits each */
	char **scope_parts;       /* "launch <path> <sha>", "map <path> <hash>", ... */
	size_t scope_part_count;
	char **approvers;         /* resolved people who could approve */
	size_t approver_count;
	char *target;             /* waive: "check:NAME" or "item:TEXT" */
	int64_t until;            /* waive: expiry (0: none) */
	char *comment;            /* NULL if none */
	/* From the chain, not the record text. */
	char commit[41];
	char *author_email;
} opex_launch_approval;

/**
 * Parse one record. OPEX_EINVALID with a message naming the field when it
 * is not a well-formed record; OPEX_ETOOBIG past OPEX_LIMIT_RECORD_BYTES.
 */
int opex_launch_approval_parse(opex_launch_approval *out, const char *text,
	size_t len, opex_error *err) OPEX_WARN_UNUSED;

/** Write a record in its canonical text form. */
void opex_launch_approval_format(opex_buf *out, const opex_launch_approval *a);

/** Free what a record holds. */
void opex_launch_approval_release(opex_launch_approval *a);

/* The digests of a gate at one revision. */
typedef struct opex_launch_digests {
	char scope[OPEX_SHA256_HEX_SIZE];
	char policy[OPEX_SHA256_HEX_SIZE];
	char **scope_parts;       /* what the scope digest covers, one line each */
	size_t scope_part_count;
	char **approvers;         /* resolved people, sorted */
	size_t approver_count;
} opex_launch_digests;

/**
 * Compute the scope and policy digests of gate `gate` of `launch` at the
 * handbook's revision (`text` is the launch file). A process map that
 * cannot be read counts by its blob id; a missing file as "missing".
 */
void opex_launch_digests_compute(opex_launch_digests *out, const opex_launch *launch,
	const char *text, size_t len, size_t gate, const opex_kb_handbook *hb);

/** Free what digests hold. */
void opex_launch_digests_release(opex_launch_digests *d);

/** The approvals ref. */
#define OPEX_LAUNCH_APPROVALS_REF "refs/opex/approvals"

/* Every record of the chain, parsed; problems kept. */
typedef struct opex_launch_approval_log {
	opex_launch_approval *items;
	size_t count, cap;
	opex_diag_list problems;  /* path: the commit id or the ref */
} opex_launch_approval_log;

/**
 * Read and parse the whole approvals chain of the handbook's repository.
 * Records that are not records (garbage, foreign objects, a broken prev
 * link) are problems, never counted. Errors: those of
 * opex_kb_records_read().
 */
int opex_launch_approval_log_read(opex_launch_approval_log *out,
	const opex_kb_handbook *hb, opex_error *err) OPEX_WARN_UNUSED;

/** Free what the log holds. */
void opex_launch_approval_log_release(opex_launch_approval_log *log);

/* ---------------------------------------------------------------------
 * Checks (checks.c) and gate evaluation (gates.c)
 * ------------------------------------------------------------------- */

/* A reason a check gives, naming a file and line. */
typedef struct opex_launch_reason {
	char *path;               /* "" for none */
	unsigned line;
	char *message;
} opex_launch_reason;

typedef enum opex_launch_check_state {
	OPEX_LAUNCH_CHECK_PASS = 0,
	OPEX_LAUNCH_CHECK_FAIL,
	OPEX_LAUNCH_CHECK_NOT_EVALUATED,
	OPEX_LAUNCH_CHECK_WAIVED
} opex_launch_check_state;

/* What an approval record amounts to now. */
typedef enum opex_launch_approval_state {
	OPEX_LAUNCH_APPROVAL_FRESH = 0,    /* counts */
	OPEX_LAUNCH_APPROVAL_STALE,        /* digests differ */
	OPEX_LAUNCH_APPROVAL_REJECTED,     /* an active reject: blocks the gate */
	OPEX_LAUNCH_APPROVAL_REVOKED,      /* withdrawn by a later revoke */
	OPEX_LAUNCH_APPROVAL_WAIVED,       /* a waiver in force */
	OPEX_LAUNCH_APPROVAL_EXPIRED,      /* past valid_for, or a waiver past until */
	OPEX_LAUNCH_APPROVAL_NOT_COUNTED   /* not an approver, owner, author of scope... */
} opex_launch_approval_state;

const char *opex_launch_approval_state_name(opex_launch_approval_state state);

typedef struct opex_launch_approval_status {
	const opex_launch_approval *record;  /* borrowed from the log */
	opex_launch_approval_state state;
	char *why;                       /* what changed, or why not counted; may be NULL */
} opex_launch_approval_status;

typedef struct opex_launch_check_result {
	opex_launch_check check;
	opex_launch_check_state state;
	opex_launch_reason *reasons;
	size_t reason_count, reason_cap;
	const opex_launch_approval *waiver;  /* the waiver in force, if WAIVED */
} opex_launch_check_result;

typedef struct opex_launch_item_status {
	const opex_launch_item *item;
	size_t number;                   /* 1-based in the checklist */
	bool done, waived;
	char ticked_commit[41];          /* "" if unknown */
	char *ticked_by;                 /* person id or author name; NULL if unknown */
	int64_t ticked_at;
} opex_launch_item_status;

typedef enum opex_launch_gate_state {
	OPEX_LAUNCH_GATE_PASSED = 0,
	OPEX_LAUNCH_GATE_PENDING,
	OPEX_LAUNCH_GATE_BLOCKED
} opex_launch_gate_state;

const char *opex_launch_gate_state_name(opex_launch_gate_state state);

typedef struct opex_launch_gate_status {
	const opex_launch_gate *gate;
	opex_launch_gate_state state;
	opex_launch_check_result *checks;
	size_t check_count;
	opex_launch_item_status *items;
	size_t item_count;
	opex_launch_approval_status *approvals;
	size_t approval_count, approval_cap;
	size_t fresh;                    /* distinct people counted */
	bool quorum_met;
	char **excluded;                 /* people who may not approve, "id: why" */
	size_t excluded_count, excluded_cap;
	char **waiting;                  /* why it has not passed, one line each */
	size_t waiting_count, waiting_cap;
	opex_launch_digests digests;
} opex_launch_gate_status;

typedef struct opex_launch_status {
	const opex_launch *launch;
	char revision[41];
	int64_t now;
	opex_launch_gate_status *gates;
	size_t gate_count;
	size_t current;                  /* first gate not passed; gate_count if all passed */
	bool passed;
	opex_diag_list problems;         /* launch lint and record problems */
} opex_launch_status;

typedef struct opex_launch_gate_options {
	int64_t now;                     /* 0: the handbook's now */
	const char *kpi_store;           /* NULL: opex_kpi_store_default_path() */
} opex_launch_gate_options;

#define OPEX_LAUNCH_GATE_OPTIONS_INIT { 0, NULL }

/**
 * Evaluate every gate of `launch` (whose file text is `text`) at the
 * handbook's revision against the approvals in `log`: checks, items with
 * who ticked them, approvals (fresh, stale with what changed, rejected,
 * revoked, waived, expired, not counted), separation of duties and quorum.
 * Gates are cumulative. Errors: those of reading history (OPEX_EIO).
 * Release `out` with opex_launch_status_release(), also after an error.
 */
int opex_launch_gate_evaluate(opex_launch_status *out,
	const opex_launch *launch, const char *text, size_t len,
	const opex_kb_handbook *hb, const opex_launch_approval_log *log,
	const opex_launch_gate_options *opts, opex_error *err) OPEX_WARN_UNUSED;

/** Free what a status holds. */
void opex_launch_status_release(opex_launch_status *status);

/**
 * Run one check of the catalogue (previous-gates and checklist-done are
 * filled in by the evaluation) as of `opts->now`, reading the KPI store at
 * `opts->kpi_store`; `opts` may be NULL (the defaults). Appends reasons.
 * The store is only opened, never created.
 */
void opex_launch_check_run(opex_launch_check_result *out, opex_launch_check check,
	const opex_launch *launch, const opex_kb_handbook *hb,
	const opex_launch_gate_options *opts);

/** Add a reason to a check result. */
void opex_launch_check_reason(opex_launch_check_result *res, const char *path,
	unsigned line, const char *fmt, ...) OPEX_PRINTF(4, 5);

/** Free what a check result holds. */
void opex_launch_check_result_release(opex_launch_check_result *res);

/** True if `person` (an id) may approve per the gate's approvers (directly or by team). */
bool opex_launch_gate_is_approver(const opex_launch_gate *gate,
	const opex_kb_roster *roster, const char *person);

/* ---------------------------------------------------------------------
 * Recording an approval (records.c)
 * ------------------------------------------------------------------- */

/**
 * Fill `out` with a record of `action` by `person` on the gate whose status
 * is `gs`, of the launch at `launch_path`, taken at handbook commit
 * `revision` and `time`: the digests and resolved approvers are copied from
 * `gs`. `comment` may be NULL or "". Target and until (waivers) are left to
 * the caller. Release with opex_launch_approval_release().
 */
void opex_launch_approval_fill(opex_launch_approval *out,
	opex_launch_action action, const char *launch_path,
	const opex_launch_gate_status *gs, const char *person,
	const char *revision, int64_t time, const char *comment);

/**
 * Append `rec` to OPEX_LAUNCH_APPROVALS_REF as `who`: on `repo` itself, or,
 * when `origin` is not NULL, on that origin of the mirror `repo`
 * (opex_kb_records_append_origin). `rec->prev` is set to the tip the record
 * lands on; concurrent appends all land. `out` (41 bytes, may be NULL)
 * receives the new commit id. Errors: those of opex_kb_records_append().
 */
int opex_launch_approval_append(char *out, opex_launch_approval *rec,
	const opex_kb_repo *repo, const char *origin, const opex_kb_person *who,
	opex_error *err) OPEX_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * Acknowledgements: required reading and its receipts (acks.c)
 * ------------------------------------------------------------------- */

/* The receipts ref. */
#define OPEX_ACK_REF "refs/opex/acks"

/* One receipt (format in acks.c): `person` read `path` as blob `blob`. */
typedef struct opex_ack_receipt {
	char *path;               /* the item: an announcement, article or map */
	char *blob;               /* the item's blob id when acknowledged */
	char *read;               /* the file read: the item or a translation of it */
	char *person;             /* roster id */
	int64_t time;
	char *revision;           /* the handbook commit it was given at */
	char *prev;               /* the previous record's commit ("" for none) */
	/* From the chain, not the record text. */
	char commit[41];
	char *author_email;
} opex_ack_receipt;

/**
 * Parse one receipt. OPEX_EINVALID with a message naming the field when it
 * is not a well-formed receipt; OPEX_ETOOBIG past OPEX_LIMIT_RECORD_BYTES.
 */
int opex_ack_receipt_parse(opex_ack_receipt *out, const char *text,
	size_t len, opex_error *err) OPEX_WARN_UNUSED;

/** Write a receipt in its canonical text form. */
void opex_ack_receipt_format(opex_buf *out, const opex_ack_receipt *r);

/** Free what a receipt holds. */
void opex_ack_receipt_release(opex_ack_receipt *r);

/* A receipt's place in the log's index: by path, person, chain order. */
typedef struct opex_ack_key {
	const char *path, *person; /* borrowed from the receipt */
	size_t index;             /* into opex_ack_log.items */
} opex_ack_key;

/* Every receipt of the chain that is a receipt, in chain order. */
typedef struct opex_ack_log {
	opex_ack_receipt *items;
	size_t count, cap;
	opex_diag_list problems;  /* records that are not counted; path: the ref */
	char tip[41];             /* the ref's tip as read; "" if none */
	opex_ack_key *by_key;     /* `count` keys, sorted */
} opex_ack_log;

#define OPEX_ACK_LOG_INIT { NULL, 0, 0, OPEX_DIAG_LIST_INIT, { 0 }, NULL }

/**
 * Bring `log` (empty, or read before from the same repository) to the
 * ref's current tip: only the records since log->tip are read, unless the
 * chain was rewritten, then all of it. Garbage, foreign objects, broken
 * prev links and records not in canonical form are problems, never
 * receipts. `*changed` (may be NULL) tells whether anything was read.
 * Errors: those of opex_kb_records_read().
 */
int opex_ack_log_refresh(opex_ack_log *log, const opex_kb_repo *repo,
	bool *changed, opex_error *err) OPEX_WARN_UNUSED;

/** Free what the log holds; it is empty afterwards. */
void opex_ack_log_release(opex_ack_log *log);

/** The newest receipt of `person` for `path`, or NULL. */
const opex_ack_receipt *opex_ack_log_find(const opex_ack_log *log,
	const char *path, const char *person);

/* What asks for reading. */
typedef enum opex_ack_kind {
	OPEX_ACK_ANNOUNCEMENT = 0,
	OPEX_ACK_ARTICLE,         /* acknowledge: [teams] */
	OPEX_ACK_PROCESS          /* acknowledge="teams" on the digraph */
} opex_ack_kind;

/** "announcement", "article", "process". */
const char *opex_ack_kind_name(opex_ack_kind kind);

/* Where a reader stands with one item. */
typedef enum opex_ack_state {
	OPEX_ACK_MISSING = 0,     /* no receipt */
	OPEX_ACK_STALE,           /* a receipt for an older text */
	OPEX_ACK_CURRENT          /* a receipt for the text as it is */
} opex_ack_state;

/** "missing", "stale", "current". */
const char *opex_ack_state_name(opex_ack_state state);

typedef struct opex_ack_reader {
	const opex_kb_person *person;      /* borrowed from the roster */
	opex_ack_state state;
	const opex_ack_receipt *receipt;   /* the newest counted, NULL if none */
	bool overdue;                      /* not current and past the item's due */
} opex_ack_reader;

/* The read share of one team of an item's audience. */
typedef struct opex_ack_team {
	const char *id;           /* a team id, or "partners" / "everyone" */
	size_t members, current, stale;
} opex_ack_team;

typedef struct opex_ack_item {
	const char *path;         /* borrowed: the item's path */
	opex_ack_kind kind;
	const char *title;        /* borrowed; the path when untitled */
	char blob[41];            /* its blob now */
	const opex_kb_article *doc; /* announcement or article; NULL for a map */
	opex_kb_notice_level severity; /* announcements; INFO otherwise */
	bool required;            /* receipts asked for (requires_ack, acknowledge) */
	bool expired;             /* an announcement past `expires` */
	int64_t changed;          /* when its text last changed (0: unknown) */
	int64_t due;              /* changed + ack_within; 0: no deadline */
	opex_ack_reader *readers; /* the audience, sorted by person id */
	size_t reader_count;
	opex_ack_team *teams;     /* one per audience entry, as written */
	size_t team_count;
	size_t current, stale, missing, overdue;
} opex_ack_item;

typedef struct opex_ack_status {
	opex_ack_item *items;     /* announcements, articles, then maps; path order */
	size_t count;
	size_t counted;           /* receipts that count (current or stale) */
	opex_diag_list problems;  /* the log's, and receipts not counted: why */
	int64_t now;
} opex_ack_status;

/**
 * Judge every item that asks for reading (announcements; articles with
 * acknowledge; the `maps` with acknowledge=, borrowed) against the
 * receipts of `log` at time `now` (0: the handbook's now). A receipt
 * counts only for a person on the roster in the item's audience, given
 * by its author (the roster email), for a blob the item had; otherwise it
 * is a problem naming the commit. Release with opex_ack_status_release().
 */
void opex_ack_evaluate(opex_ack_status *out, const opex_kb_handbook *hb,
	const opex_pm_map *const *maps, size_t map_count,
	const opex_ack_log *log, int64_t now);

/** Free what a status holds. */
void opex_ack_status_release(opex_ack_status *status);

/** The item at `path` (an item or a translation of one), or NULL. */
const opex_ack_item *opex_ack_status_find(const opex_ack_status *status,
	const opex_kb_handbook *hb, const char *path);

/** The reader `person` of `item`, or NULL when not in its audience. */
const opex_ack_reader *opex_ack_item_reader(const opex_ack_item *item,
	const char *person);

/* Why a person may not acknowledge an item now. */
typedef enum opex_ack_refusal {
	OPEX_ACK_OK = 0,
	OPEX_ACK_NOT_AUDIENCE,    /* 403 */
	OPEX_ACK_ALREADY,         /* 409: a current receipt exists */
	OPEX_ACK_EXPIRED          /* 410 */
} opex_ack_refusal;

/**
 * Whether `person` may acknowledge `item` now, and the sentence saying why
 * not into `why` (cleared first; may be NULL).
 */
opex_ack_refusal opex_ack_check(const opex_ack_item *item,
	const char *person, opex_buf *why);

/**
 * Append a receipt of `who` for `item`, having read `read` (the item's
 * path or a translation's; NULL: the item), at handbook `revision`, to
 * OPEX_ACK_REF: on `repo`, or on `origin` of a mirror, as approvals are.
 * The caller checks opex_ack_check() first. `out` (41 bytes, may be NULL)
 * receives the commit. Errors: those of opex_kb_records_append().
 */
int opex_ack_append(char *out, const opex_ack_item *item, const char *read,
	const opex_kb_repo *repo, const char *origin, const opex_kb_person *who,
	int64_t time, opex_error *err) OPEX_WARN_UNUSED;

/* One run of a word diff: words kept, added or removed. */
typedef enum opex_ack_change {
	OPEX_ACK_SAME = 0,
	OPEX_ACK_ADDED,
	OPEX_ACK_REMOVED
} opex_ack_change;

typedef struct opex_ack_diff_run {
	opex_ack_change change;
	char *text;               /* the words, separated by single spaces */
} opex_ack_diff_run;

typedef struct opex_ack_diff {
	opex_ack_diff_run *runs;
	size_t count, cap;
	size_t added, removed;    /* words */
	bool too_different;       /* past the diff's bound: shown as a rewrite */
} opex_ack_diff;

/**
 * What changed in `item` since the text `receipt` was given for: a word
 * diff of the rendered text (an article's plain text, a map's steps and
 * branches), old blob against the current one. Errors: OPEX_ENOTFOUND
 * (the old blob is gone), OPEX_EIO. Release with opex_ack_diff_release().
 */
int opex_ack_diff_since(opex_ack_diff *out, const opex_kb_handbook *hb,
	const opex_ack_item *item, const opex_ack_receipt *receipt,
	opex_error *err) OPEX_WARN_UNUSED;

void opex_ack_diff_release(opex_ack_diff *diff);

#endif
