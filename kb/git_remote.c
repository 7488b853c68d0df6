/*
 * git_remote.c: replicas. A replica serves a bare mirror of an origin
 * repository, kept current with libgit2 fetches, and appends its records
 * (launch approvals) on the origin, so that every replica sees them all.
 *
 *   mirror fetch   connect -> the origin's HEAD -> download the mirror's
 *                  refspecs -> move the refs (forced: the origin is the
 *                  truth) -> point HEAD where the origin's points
 *   append         local origin:  open it and append there with the
 *                                 compare-and-swap of a local append
 *                  remote origin: fetch the ref -> build the record on its
 *                                 tip -> push it, not forced, from a
 *                                 per-process ref; refused -> again
 *                  then fetch the ref into the mirror
 *
 * A push is a compare-and-swap: libgit2 refuses to push what is not a
 * fast-forward of the ref it just fetched, and the receiving git refuses
 * the update when the ref no longer has the old value the push names.
 * libgit2's local transport writes the ref without that second check,
 * which is why an origin on this machine is written directly instead.
 *
 * Every libgit2 error is turned into an opex_error naming the origin.
 */
#define _POSIX_C_SOURCE 200809L /* getpid */

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

/* Pushes refused because another replica got there first, before giving up. */
#define PUSH_ATTEMPTS 64

static const char *git_message(void)
{
	const git_error *e = git_error_last();

	return e != NULL && e->message != NULL ? e->message : "unknown error";
}

/*
 * True if `origin` names a repository on this machine (a path or a
 * file:// URL); `path` gets its path. "host:path" is ssh, as for git.
 */
static bool local_origin(opex_buf *path, const char *origin)
{
	const char *colon = strchr(origin, ':');
	const char *slash = strchr(origin, '/');

	if (strncmp(origin, "file://", 7) == 0) {
		opex_buf_puts(path, origin + 7);
		return true;
	}
	if (strstr(origin, "://") != NULL ||
	    (colon != NULL && (slash == NULL || colon < slash)))
		return false;
	opex_buf_puts(path, origin);
	return true;
}

/*
 * An in-memory remote for `origin`. url.*.insteadOf is not applied: the
 * origin is used as given, and libgit2 1.5 leaks memory on every config
 * entry its insteadOf pattern fails to match (20 KB per fetch here).
 */
static int open_remote(git_remote **out, git_repository *git,
	const char *origin)
{
	git_remote_create_options opts;

	git_remote_create_options_init(&opts, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	opts.repository = git;
	opts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF |
		GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	return git_remote_create_with_opts(out, origin, &opts);
}

static int note_update(const char *refname, const git_oid *a,
	const git_oid *b, void *payload)
{
	(void)refname;
	(void)a;
	(void)b;
	*(bool *)payload = true;
	return 0;
}

/*
 * Fetch `specs` from `origin` into `git`. With `head`, also point HEAD at
 * the origin's default branch (when it has one).
 */
static int fetch(git_repository *git, const char *origin, char **specs,
	size_t spec_count, bool head, bool *changed, opex_error *err)
{
	git_remote *remote = NULL;
	git_remote_callbacks cb;
	git_fetch_options fo;
	git_strarray refspecs;
	git_buf branch = { NULL, 0, 0 };
	bool moved = false;
	int error;

	/* The libgit2 INIT macros leave fields out (-Wmissing-field-initializers). */
	git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	refspecs.strings = specs;
	refspecs.count = spec_count;
	cb.update_tips = note_update;
	cb.payload = &moved;
	fo.callbacks = cb;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	error = open_remote(&remote, git, origin);
	if (error == 0)
		error = git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb,
			NULL, NULL);
	if (error == 0)
		error = git_remote_download(remote, &refspecs, &fo);
	if (error == 0)
		error = git_remote_update_tips(remote, &cb, 0,
			GIT_REMOTE_DOWNLOAD_TAGS_NONE, "opex: fetch from origin");
	if (error == 0 && head &&
	    git_remote_default_branch(&branch, remote) == 0) {
		git_reference *current = NULL;

		/* Only when it differs: set_head rewrites HEAD every time. */
		if (git_reference_lookup(&current, git, "HEAD") < 0 ||
		    git_reference_type(current) != GIT_REFERENCE_SYMBOLIC ||
		    strcmp(git_reference_symbolic_target(current), branch.ptr) != 0) {
			error = git_repository_set_head(git, branch.ptr);
			moved = true;
		}
		git_reference_free(current);
	}
	if (error < 0)
		error = opex_error_set(err, OPEX_EIO,
			"cannot fetch from origin '%s': %s", origin, git_message());
	if (changed != NULL)
		*changed = moved;
	git_buf_dispose(&branch);
	if (remote != NULL)
		git_remote_disconnect(remote);
	git_remote_free(remote);
	return error;
}

/* Open the mirror at `path`, creating a bare repository if nothing is there. */
static int open_mirror(git_repository **git, const char *path,
	opex_error *err)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (git_repository_init(git, path, 1) < 0)
			return opex_error_set(err, OPEX_EIO,
				"cannot create the mirror '%s': %s", path,
				git_message());
		return 0;
	}
	if (git_repository_open_ext(git, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
		NULL) < 0)
		return opex_error_set(err, OPEX_EINVALID,
			"'%s' exists and is not a git repository: %s", path,
			git_message());
	return 0;
}

int opex_kb_mirror_fetch(const char *path, const char *origin, bool *changed,
	opex_error *err)
{
	/* What a mirror holds: branches, tags and opex's refs (approvals). */
	char heads[] = "+refs/heads/*:refs/heads/*";
	char tags[] = "+refs/tags/*:refs/tags/*";
	char own[] = "+refs/opex/*:refs/opex/*";
	char *specs[] = { heads, tags, own };
	git_repository *git = NULL;
	int error;

	opex_buf local = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	struct stat st;

	if (changed != NULL)
		*changed = false;
	/* libgit2 calls a path that is not there an "unsupported URL protocol". */
	if (local_origin(&local, origin) && stat(local.ptr, &st) != 0) {
		opex_buf_release(&local);
		return opex_error_set(err, OPEX_EIO,
			"cannot fetch from origin '%s': no such repository", origin);
	}
	opex_buf_release(&local);
	git_libgit2_init();
	error = open_mirror(&git, path, err);
	if (error == 0)
		error = fetch(git, origin, specs, 3, true, changed, err);
	git_repository_free(git);
	git_libgit2_shutdown();
	return error;
}

/* Collects the origin's answer to each pushed ref: NULL status is success. */
static int note_push_status(const char *refname, const char *status,
	void *payload)
{
	(void)refname;
	if (status != NULL)
		*(bool *)payload = true;
	return 0;
}

/*
 * Push commit `id` to `ref` on `origin`, not forced: 1 when the origin
 * refused it because its ref moved (try again), 0 when it landed.
 */
static int push_once(git_repository *git, const char *origin, const char *ref,
	const git_oid *id, opex_error *err)
{
	opex_buf outgoing = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	opex_buf spec = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	git_remote_callbacks cb;
	git_push_options po;
	git_remote *remote = NULL;
	git_reference *tmp = NULL;
	git_strarray refspecs;
	char *specs[1];
	bool refused = false;
	int error;

	git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	/* libgit2 pushes from a ref; this one is never fetched or shown. */
	opex_buf_printf(&outgoing, "refs/opex-outgoing/%ld", (long)getpid());
	opex_buf_printf(&spec, "%s:%s", outgoing.ptr, ref);
	specs[0] = spec.ptr;
	refspecs.strings = specs;
	refspecs.count = 1;
	cb.push_update_reference = note_push_status;
	cb.payload = &refused;
	po.callbacks = cb;
	error = git_reference_create(&tmp, git, outgoing.ptr, id, 1,
		"opex: record to push");
	if (error == 0)
		error = open_remote(&remote, git, origin);
	if (error == 0)
		error = git_remote_push(remote, &refspecs, &po);
	if (error == GIT_ENONFASTFORWARD || (error == 0 && refused))
		error = 1;
	else if (error < 0)
		error = opex_error_set(err, OPEX_EIO,
			"cannot push to origin '%s': %s", origin, git_message());
	if (tmp != NULL)
		git_reference_delete(tmp);
	git_reference_free(tmp);
	git_remote_free(remote);
	opex_buf_release(&spec);
	opex_buf_release(&outgoing);
	return error;
}

static int append_remote(char *out, git_repository *git, const char *origin,
	const char *ref, opex_kb_record_build_fn build, void *payload,
	const char *summary, const opex_kb_record_author *author,
	opex_error *err)
{
	opex_buf spec = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	char *specs[1];
	unsigned attempt, seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	git_oid id, tip;
	int error = 0;

	opex_buf_printf(&spec, "+%s:%s", ref, ref);
	specs[0] = spec.ptr;
	for (attempt = 0; attempt < PUSH_ATTEMPTS; attempt++) {
		error = fetch(git, origin, specs, 1, false, NULL, err);
		if (error == 0)
			error = opex_kb_record_write(&id, &tip, git, ref, build,
				payload, summary, author, err);
		if (error == 0)
			error = push_once(git, origin, ref, &id, err);
		if (error <= 0)
			break;
		opex_kb_backoff(attempt, seed);
	}
	if (error > 0)
		error = opex_error_set(err, OPEX_EIO,
			"cannot push to origin '%s': '%s' kept moving for %d attempts",
			origin, ref, PUSH_ATTEMPTS);
	if (error == 0) {
		git_oid_tostr(out, 41, &id);
		/* The mirror catches up at its next fetch if this one fails. */
		if (fetch(git, origin, specs, 1, false, NULL, NULL) < 0)
			git_error_clear();
	}
	opex_buf_release(&spec);
	return error;
}

static int append_local(char *out, git_repository *git, const char *origin,
	const char *path, const char *ref, opex_kb_record_build_fn build,
	void *payload, const char *summary, const opex_kb_record_author *author,
	opex_error *err)
{
	opex_buf spec = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	git_repository *og = NULL;
	char *specs[1];
	int error;

	if (git_repository_open_ext(&og, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
		NULL) < 0)
		return opex_error_set(err, OPEX_EIO,
			"cannot open origin '%s': %s", origin, git_message());
	error = opex_kb_records_append_git(out, og, ref, build, payload,
		summary, author, err);
	git_repository_free(og);
	if (error < 0)
		return error;
	opex_buf_printf(&spec, "+%s:%s", ref, ref);
	specs[0] = spec.ptr;
	if (fetch(git, origin, specs, 1, false, NULL, NULL) < 0)
		git_error_clear();
	opex_buf_release(&spec);
	return 0;
}

int opex_kb_records_append_origin(char *out, const opex_kb_repo *repo,
	const char *origin, const char *ref, opex_kb_record_build_fn build,
	void *payload, const char *summary,
	const opex_kb_record_author *author, opex_error *err)
{
	opex_buf path = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	git_repository *git = opex_kb_repo_git(repo);
	char id[41] = "";
	int error;

	if (local_origin(&path, origin))
		error = append_local(id, git, origin, path.ptr, ref, build,
			payload, summary, author, err);
	else
		error = append_remote(id, git, origin, ref, build, payload,
			summary, author, err);
	if (out != NULL)
		memcpy(out, id, sizeof(id));
	opex_buf_release(&path);
	return error;
}
