/*
 * git_records.c: append-only record chains on a ref, and per-path logs,
 * through libgit2 (the launch approvals of process-maps/approvals.c).
 *
 * A chain is a line of commits on one ref (refs/opex/approvals), each
 * with exactly one parent (the previous record) except the first:
 *
 *   commit field   content
 *   tree           one file, OPEX_KB_RECORD_FILE ("record"): the record text
 *   parent         the previous record's commit (none for the first)
 *   author         the person's name and email as given by the writer
 *   message        a one-line summary ("approve go-live of launches/x.md by maria")
 *
 * Appending never rewrites: the new commit is parented on the tip read,
 * and the ref moves only if it still points there (compare-and-swap with
 * git_reference_create_matching); otherwise the tip is re-read, the record
 * rebuilt on it and the update retried. Reading follows first parents from
 * the tip and reports, without failing, anything that is not a record.
 *
 * Every libgit2 error is turned into an opex_error here.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep, getpid */

#include "kb/kb.h"
#include "kb/kb_int.h"
#include "core/limits.h"
#include "core/memory.h"

#include <git2.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

/* Attempts before an append gives up on a ref that keeps moving. */
#define APPEND_ATTEMPTS 10000

static const char *git_message(void)
{
	const git_error *e = git_error_last();

	return e != NULL && e->message != NULL ? e->message : "unknown error";
}

static void record_release(opex_kb_record *r)
{
	opex_free(r->content);
	opex_free(r->author_name);
	opex_free(r->author_email);
	opex_free(r->problem);
}

void opex_kb_record_chain_release(opex_kb_record_chain *chain)
{
	size_t i;

	for (i = 0; i < chain->count; i++)
		record_release(&chain->records[i]);
	opex_free(chain->records);
	opex_free(chain->problem);
	memset(chain, 0, sizeof(*chain));
}

static char *problem_dup(const char *prefix, const char *arg)
{
	opex_buf b = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);

	opex_buf_puts(&b, prefix);
	opex_buf_puts(&b, arg);
	return opex_buf_detach(&b, NULL);
}

/* Fill `r` from one commit: its author and its record blob. */
static void read_record(opex_kb_record *r, git_repository *git,
	const git_commit *commit)
{
	const git_signature *sig = git_commit_author(commit);
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	git_object_size_t size;

	git_oid_tostr(r->commit, sizeof(r->commit), git_commit_id(commit));
	r->author_name = opex_strdup(sig && sig->name ? sig->name : "");
	r->author_email = opex_strdup(sig && sig->email ? sig->email : "");
	r->time = (int64_t)git_commit_time(commit);
	if (git_commit_parentcount(commit) > 1) {
		r->problem = opex_strdup("a merge commit: records are never merged");
		goto done;
	}
	if (git_commit_tree(&tree, commit) < 0) {
		r->problem = problem_dup("its tree cannot be read: ",
			git_message());
		goto done;
	}
	if (git_tree_entrycount(tree) != 1 ||
	    git_tree_entry_byname(tree, OPEX_KB_RECORD_FILE) == NULL) {
		r->problem = opex_strdup("not a record: its tree must hold only a file named '"
			OPEX_KB_RECORD_FILE "'");
		goto done;
	}
	if (git_tree_entry_bypath(&te, tree, OPEX_KB_RECORD_FILE) < 0 ||
	    git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
		r->problem = opex_strdup("not a record: '" OPEX_KB_RECORD_FILE
			"' is not a file");
		goto done;
	}
	if (git_blob_lookup(&blob, git, git_tree_entry_id(te)) < 0) {
		r->problem = problem_dup("its record cannot be read: ",
			git_message());
		goto done;
	}
	size = git_blob_rawsize(blob);
	if (size > OPEX_LIMIT_RECORD_BYTES) {
		r->problem = problem_dup("record larger than ", "64 KiB");
		goto done;
	}
	r->len = (size_t)size;
	r->content = opex_strndup(git_blob_rawcontent(blob), r->len);
done:
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
}

int opex_kb_records_read(opex_kb_record_chain *out, const opex_kb_repo *repo,
	const char *ref, opex_error *err)
{
	bool whole;

	return opex_kb_records_read_since(out, repo, ref, NULL, &whole, err);
}

int opex_kb_records_read_since(opex_kb_record_chain *out,
	const opex_kb_repo *repo, const char *ref, const char *since,
	bool *whole, opex_error *err)
{
	git_repository *git = opex_kb_repo_git(repo);
	git_reference *r = NULL;
	git_object *obj = NULL;
	git_commit *commit = NULL, *parent = NULL;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	*whole = true;
	error = git_reference_lookup(&r, git, ref);
	if (error == GIT_ENOTFOUND) {
		error = 0;
		goto done;
	}
	if (error < 0) {
		error = opex_error_set(err, OPEX_EIO, "cannot read '%s': %s", ref,
			git_message());
		goto done;
	}
	error = git_reference_peel(&obj, r, GIT_OBJECT_ANY);
	if (error < 0) {
		out->problem = problem_dup("cannot resolve ", ref);
		error = 0;
		goto done;
	}
	git_oid_tostr(out->tip, sizeof(out->tip), git_object_id(obj));
	if (git_object_type(obj) != GIT_OBJECT_COMMIT) {
		opex_buf b = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);

		opex_buf_printf(&b, "'%s' points at a %s (%s), not a commit: nothing on it is counted",
			ref, git_object_type2string(git_object_type(obj)), out->tip);
		out->problem = opex_buf_detach(&b, NULL);
		error = 0;
		goto done;
	}
	commit = (git_commit *)obj;
	obj = NULL;
	while (commit != NULL) {
		char id[41];

		git_oid_tostr(id, sizeof(id), git_commit_id(commit));
		if (since != NULL && since[0] != '\0' && strcmp(id, since) == 0) {
			*whole = false;
			break;
		}
		if (out->count >= OPEX_LIMIT_RECORDS) {
			error = opex_error_set(err, OPEX_ETOOBIG,
				"'%s' holds more than %u records", ref,
				OPEX_LIMIT_RECORDS);
			goto done;
		}
		opex_array_grow((void **)&out->records, &out->cap,
			out->count + 1, sizeof(*out->records));
		memset(&out->records[out->count], 0, sizeof(*out->records));
		read_record(&out->records[out->count++], git, commit);
		parent = NULL;
		if (git_commit_parentcount(commit) > 0 &&
		    git_commit_parent(&parent, commit, 0) < 0) {
			error = opex_error_set(err, OPEX_EIO,
				"cannot read the parent of %s on '%s': %s",
				out->records[out->count - 1].commit, ref,
				git_message());
			goto done;
		}
		git_commit_free(commit);
		commit = parent;
	}
	/* Oldest first. */
	for (i = 0; i < out->count / 2; i++) {
		opex_kb_record t = out->records[i];

		out->records[i] = out->records[out->count - 1 - i];
		out->records[out->count - 1 - i] = t;
	}
	error = 0;
done:
	git_commit_free(commit);
	git_object_free(obj);
	git_reference_free(r);
	return error;
}

/* Write the record as a blob, a one-file tree and a commit on `parent`. */
static int write_commit(git_oid *out, git_repository *git, const opex_buf *rec,
	const git_commit *parent, const char *summary,
	const opex_kb_record_author *author, opex_error *err)
{
	git_treebuilder *tb = NULL;
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	git_oid blob_id, tree_id;
	const git_commit *parents[1];
	int64_t when = author->time ? author->time : (int64_t)time(NULL);
	int error;

	parents[0] = parent;
	error = git_blob_create_from_buffer(&blob_id, git, rec->ptr, rec->len);
	if (error == 0)
		error = git_treebuilder_new(&tb, git, NULL);
	if (error == 0)
		error = git_treebuilder_insert(NULL, tb, OPEX_KB_RECORD_FILE,
			&blob_id, GIT_FILEMODE_BLOB);
	if (error == 0)
		error = git_treebuilder_write(&tree_id, tb);
	if (error == 0)
		error = git_tree_lookup(&tree, git, &tree_id);
	if (error == 0)
		error = git_signature_new(&sig, author->name, author->email,
			(git_time_t)when, 0);
	if (error == 0)
		error = git_commit_create(out, git, NULL, sig, sig, NULL, summary,
			tree, parent ? 1 : 0, parents);
	if (error < 0)
		error = opex_error_set(err, OPEX_EIO,
			"cannot write the record commit: %s", git_message());
	git_signature_free(sig);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	return error;
}

void opex_kb_backoff(unsigned attempt, unsigned seed)
{
	struct timespec ts;
	unsigned spread = attempt < 8 ? (1u << attempt) : 256u;

	ts.tv_sec = 0;
	ts.tv_nsec = (long)(((seed * 2654435761u + attempt * 40503u) % spread) + 1u) *
		100000L;
	nanosleep(&ts, NULL);
}

/*
 * A lock file a writer left behind when it was killed: ref locks are held
 * for the moment of a rename, so one this old has no live owner. Removing
 * it lets appends go on after a crash instead of failing until someone
 * deletes it by hand (git's own answer).
 */
static bool remove_stale_lock(git_repository *git, const char *ref)
{
	static const char *const suffixes[] = { "", "packed-refs" };
	opex_buf path = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	bool removed = false;
	struct stat st;
	size_t i;

	for (i = 0; i < 2; i++) {
		opex_buf_clear(&path);
		opex_buf_printf(&path, "%s%s.lock", git_repository_commondir(git),
			i == 0 ? ref : suffixes[i]);
		if (!path.failed && stat(path.ptr, &st) == 0 &&
		    time(NULL) - st.st_mtime > OPEX_KB_STALE_LOCK_SECONDS &&
		    unlink(path.ptr) == 0)
			removed = true;
	}
	opex_buf_release(&path);
	return removed;
}

int opex_kb_records_append(char *out, const opex_kb_repo *repo,
	const char *ref, opex_kb_record_build_fn build, void *payload,
	const char *summary, const opex_kb_record_author *author,
	opex_error *err)
{
	return opex_kb_records_append_git(out, opex_kb_repo_git(repo), ref,
		build, payload, summary, author, err);
}

int opex_kb_record_write(struct git_oid *id, struct git_oid *tip_id,
	struct git_repository *git, const char *ref,
	opex_kb_record_build_fn build, void *payload, const char *summary,
	const opex_kb_record_author *author, opex_error *err)
{
	opex_buf rec = OPEX_BUF_INIT(OPEX_LIMIT_RECORD_BYTES);
	git_reference *r = NULL;
	git_object *tip = NULL;
	char parent_hex[41] = "";
	int error;

	memset(tip_id, 0, sizeof(*tip_id));
	error = git_reference_lookup(&r, git, ref);
	if (error < 0 && error != GIT_ENOTFOUND) {
		error = opex_error_set(err, OPEX_EIO, "cannot read '%s': %s", ref,
			git_message());
		goto done;
	}
	if (r != NULL) {
		error = git_reference_peel(&tip, r, GIT_OBJECT_ANY);
		if (error < 0 || git_object_type(tip) != GIT_OBJECT_COMMIT) {
			error = opex_error_set(err, OPEX_EINVALID,
				"'%s' does not point at a commit: refusing to write on it",
				ref);
			goto done;
		}
		git_oid_cpy(tip_id, git_object_id(tip));
		git_oid_tostr(parent_hex, sizeof(parent_hex), tip_id);
	}
	error = build(&rec, parent_hex, payload);
	if (error < 0)
		goto done;
	if (rec.failed) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"record larger than %u bytes", OPEX_LIMIT_RECORD_BYTES);
		goto done;
	}
	error = write_commit(id, git, &rec, (const git_commit *)tip, summary,
		author, err);
done:
	git_object_free(tip);
	git_reference_free(r);
	opex_buf_release(&rec);
	return error;
}

int opex_kb_records_append_git(char *out, struct git_repository *git,
	const char *ref, opex_kb_record_build_fn build, void *payload,
	const char *summary, const opex_kb_record_author *author,
	opex_error *err)
{
	git_reference *moved = NULL;
	git_oid id, tip;
	unsigned attempt, seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	int error = 0;

	if (out != NULL)
		out[0] = '\0';
	for (attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
		error = opex_kb_record_write(&id, &tip, git, ref, build, payload,
			summary, author, err);
		if (error < 0)
			return error;
		/*
		 * A zero tip means "the ref must not exist yet", checked under
		 * the ref's lock; git_reference_create without force checks
		 * before taking the lock, so two first records could both land.
		 */
		error = git_reference_create_matching(&moved, git, ref, &id, 1,
			&tip, summary);
		git_reference_free(moved);
		moved = NULL;
		if (error == 0) {
			if (out != NULL)
				git_oid_tostr(out, 41, &id);
			return 0;
		}
		if (error == GIT_ELOCKED && remove_stale_lock(git, ref))
			continue;
		if (error != GIT_EMODIFIED && error != GIT_EEXISTS &&
		    error != GIT_ELOCKED)
			return opex_error_set(err, OPEX_EIO, "cannot update '%s': %s",
				ref, git_message());
		opex_kb_backoff(attempt, seed);
	}
	return opex_error_set(err, OPEX_EIO,
		"cannot update '%s': it kept moving for %d attempts", ref,
		APPEND_ATTEMPTS);
}

int opex_kb_repo_user_email(opex_buf *out, const opex_kb_repo *repo,
	opex_error *err)
{
	git_config *cfg = NULL, *snap = NULL;
	const char *email = NULL;
	int error;

	opex_buf_clear(out);
	error = git_repository_config(&cfg, opex_kb_repo_git(repo));
	if (error == 0)
		error = git_config_snapshot(&snap, cfg);
	if (error < 0) {
		error = opex_error_set(err, OPEX_EIO,
			"cannot read the git configuration: %s", git_message());
		goto done;
	}
	error = git_config_get_string(&email, snap, "user.email");
	if (error < 0 || email == NULL || email[0] == '\0') {
		error = opex_error_set(err, OPEX_ENOTFOUND,
			"no git user.email is set");
		goto done;
	}
	opex_buf_puts(out, email);
	error = 0;
done:
	git_config_free(snap);
	git_config_free(cfg);
	return error;
}

int opex_kb_repo_read_blob(opex_buf *out, const opex_kb_repo *repo,
	const char *oid, opex_error *err)
{
	git_blob *blob = NULL;
	git_oid id;
	git_object_size_t size;
	int error;

	opex_buf_clear(out);
	if (git_oid_fromstr(&id, oid) < 0) {
		error = opex_error_set(err, OPEX_EINVALID, "'%s' is not an object id",
			oid);
		goto done;
	}
	error = git_blob_lookup(&blob, opex_kb_repo_git(repo), &id);
	if (error < 0) {
		error = opex_error_set(err, OPEX_ENOTFOUND, "cannot read blob %s: %s",
			oid, git_message());
		goto done;
	}
	size = git_blob_rawsize(blob);
	if (size > out->max) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"blob %s is larger than %zu bytes", oid, out->max);
		goto done;
	}
	opex_buf_put(out, git_blob_rawcontent(blob), (size_t)size);
	error = 0;
done:
	git_blob_free(blob);
	return error;
}

void opex_kb_path_log_release(opex_kb_path_log *log)
{
	size_t i;

	for (i = 0; i < log->count; i++) {
		opex_free(log->changes[i].author_name);
		opex_free(log->changes[i].author_email);
	}
	opex_free(log->changes);
	memset(log, 0, sizeof(*log));
}

/* The id of `path` in `tree`, or false when it has none. */
static bool entry_id(git_oid *out, git_tree *tree, const char *path)
{
	git_tree_entry *te = NULL;
	bool found = false;

	if (tree != NULL && git_tree_entry_bypath(&te, tree, path) == 0) {
		git_oid_cpy(out, git_tree_entry_id(te));
		found = true;
	}
	git_tree_entry_free(te);
	return found;
}

/* True if `path` differs between `tree` and every parent of `commit`. */
static bool path_changed(git_commit *commit, git_tree *tree, const char *path)
{
	git_oid mine, theirs;
	bool have = entry_id(&mine, tree, path);
	unsigned i, n = git_commit_parentcount(commit);

	if (n == 0)
		return have;
	for (i = 0; i < n; i++) {
		git_commit *p = NULL;
		git_tree *pt = NULL;
		bool same;

		if (git_commit_parent(&p, commit, i) < 0 ||
		    git_commit_tree(&pt, p) < 0) {
			git_commit_free(p);
			continue;
		}
		if (entry_id(&theirs, pt, path))
			same = have && git_oid_equal(&mine, &theirs);
		else
			same = !have;
		git_tree_free(pt);
		git_commit_free(p);
		if (same)
			return false;
	}
	return true;
}

int opex_kb_path_log_read(opex_kb_path_log *out, const opex_kb_repo *repo,
	const char *const *paths, size_t path_count, const char *since,
	opex_error *err)
{
	git_repository *git = opex_kb_repo_git(repo);
	git_revwalk *rw = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_oid oid, hide;
	size_t walked = 0, i;
	int error;

	memset(out, 0, sizeof(*out));
	git_oid_fromraw(&oid, opex_kb_repo_commit_raw(repo));
	error = git_revwalk_new(&rw, git);
	if (error == 0)
		error = git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	if (error == 0)
		error = git_revwalk_push(rw, &oid);
	if (error == 0 && since != NULL && since[0] != '\0' &&
	    git_oid_fromstr(&hide, since) == 0)
		error = git_revwalk_hide(rw, &hide);
	if (error < 0) {
		error = opex_error_set(err, OPEX_EIO, "cannot walk the history: %s",
			git_message());
		goto done;
	}
	while (git_revwalk_next(&oid, rw) == 0) {
		const git_signature *sig;

		if (++walked > OPEX_LIMIT_PATH_LOG_COMMITS) {
			out->truncated = true;
			break;
		}
		error = git_commit_lookup(&commit, git, &oid);
		if (error == 0)
			error = git_commit_tree(&tree, commit);
		if (error < 0) {
			error = opex_error_set(err, OPEX_EIO, "cannot read commit: %s",
				git_message());
			goto done;
		}
		sig = git_commit_author(commit);
		for (i = 0; i < path_count; i++) {
			opex_kb_path_change *c;
			git_oid blob;

			if (!path_changed(commit, tree, paths[i]))
				continue;
			opex_array_grow((void **)&out->changes, &out->cap,
				out->count + 1, sizeof(*out->changes));
			c = &out->changes[out->count++];
			memset(c, 0, sizeof(*c));
			git_oid_tostr(c->commit, sizeof(c->commit), &oid);
			c->author_name = opex_strdup(sig && sig->name ? sig->name : "");
			c->author_email = opex_strdup(sig && sig->email ? sig->email : "");
			c->time = sig ? (int64_t)sig->when.time : 0;
			c->path = i;
			if (entry_id(&blob, tree, paths[i]))
				git_oid_tostr(c->blob, sizeof(c->blob), &blob);
		}
		git_tree_free(tree);
		tree = NULL;
		git_commit_free(commit);
		commit = NULL;
	}
	error = 0;
done:
	git_tree_free(tree);
	git_commit_free(commit);
	git_revwalk_free(rw);
	return error;
}
