/*
 * git_source.c: the handbook repository read through libgit2.
 *
 * Opening resolves one revision to a commit and lists its tree once, with
 * every path spelled out, sorted by strcmp so that lookups are a binary
 * search. Nothing here reads the work tree: a work tree repository and a
 * bare one behave the same.
 *
 *   entry kind   git file mode        read by opex_kb_repo_read
 *   FILE         100644, 100755       yes
 *   SYMLINK      120000               no (never followed)
 *   SUBMODULE    160000 (gitlink)     no (its content is elsewhere)
 *
 * A folder whose tree object cannot be read (missing or corrupt) is left
 * out of the listing and kept as an unreadable folder, with its id and the
 * reason, for the handbook to report; only the root tree is required. A
 * file whose blob cannot be read fails opex_kb_repo_read() with OPEX_EIO
 * and a message naming the object:
 *
 *   cannot read git object 3f2a...: object not found
 *
 * Every libgit2 error is turned into an opex_error here, with the message
 * from git_error_last() when it adds something.
 */
#include "kb/kb.h"
#include "kb/kb_int.h"
#include "core/limits.h"
#include "core/memory.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

struct opex_kb_repo {
	git_repository *git;
	git_oid commit_oid;
	char commit[GIT_OID_HEXSZ + 1];
	char *git_dir;
	opex_kb_entry *entries;
	size_t count, cap;
	char *paths;          /* every path, NUL-terminated, back to back */
	size_t paths_len, paths_cap;
	opex_kb_repo_unreadable *unreadable; /* folders left out, in path order */
	size_t unreadable_count, unreadable_cap;
	bool libgit2_up;
	bool partial;         /* listed only some paths: opex_kb_repo_open_only() */
};

/* A folder still to list: its tree id and where its path starts in `dirs`. */
typedef struct pending_tree {
	git_oid oid;
	size_t dir;
} pending_tree;

/* The tree listing in progress: a stack of folders instead of recursion. */
typedef struct list_state {
	opex_kb_repo *repo;
	pending_tree *stack;
	size_t depth, cap;
	char *dirs;           /* "" and every "folder/" path, NUL-terminated */
	size_t dirs_len, dirs_cap;
	opex_error *err;
} list_state;

static const char *git_message(void)
{
	const git_error *e = git_error_last();

	return e != NULL && e->message != NULL ? e->message : "unknown error";
}

const char *opex_kb_git_reason(int code)
{
	/* libgit2 repeats the id ("... no match for id (3f2a...)"): say it once. */
	return code == GIT_ENOTFOUND ? "object not found" : git_message();
}

static int add_entry(list_state *st, const char *root, const git_tree_entry *te)
{
	opex_kb_repo *repo = st->repo;
	git_filemode_t mode = git_tree_entry_filemode(te);
	const char *name = git_tree_entry_name(te);
	size_t root_len = strlen(root), name_len = strlen(name);
	opex_kb_entry *entry;

	if (root_len + name_len >= OPEX_LIMIT_PATH_BYTES)
		return opex_error_set(st->err, OPEX_ETOOBIG,
			"path '%s%s' is longer than %u bytes", root, name,
			OPEX_LIMIT_PATH_BYTES);
	if (repo->count >= OPEX_LIMIT_TREE_ENTRIES)
		return opex_error_set(st->err, OPEX_ETOOBIG,
			"tree of %s has more than %u entries", repo->commit,
			OPEX_LIMIT_TREE_ENTRIES);
	opex_array_grow((void **)&repo->entries, &repo->cap, repo->count + 1,
		sizeof(*repo->entries));
	entry = &repo->entries[repo->count++];
	memset(entry, 0, sizeof(*entry));
	/* The path is an offset until the block stops moving. */
	entry->path = (const char *)(uintptr_t)repo->paths_len;
	git_oid_tostr(entry->oid, sizeof(entry->oid), git_tree_entry_id(te));
	if (mode == GIT_FILEMODE_LINK)
		entry->kind = OPEX_KB_ENTRY_SYMLINK;
	else if (mode == GIT_FILEMODE_COMMIT)
		entry->kind = OPEX_KB_ENTRY_SUBMODULE;
	else
		entry->kind = OPEX_KB_ENTRY_FILE;
	opex_array_grow((void **)&repo->paths, &repo->paths_cap,
		repo->paths_len + root_len + name_len + 1, 1);
	memcpy(repo->paths + repo->paths_len, root, root_len);
	memcpy(repo->paths + repo->paths_len + root_len, name, name_len + 1);
	repo->paths_len += root_len + name_len + 1;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const opex_kb_entry *x = a, *y = b;

	return strcmp(x->path, y->path);
}

static int unreadable_cmp(const void *a, const void *b)
{
	const opex_kb_repo_unreadable *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/* Queue the folder entry `te` of the folder `root` ("" or "dir/"). */
static int push_folder(list_state *st, const char *root,
	const git_tree_entry *te)
{
	const char *name = git_tree_entry_name(te);
	size_t root_len = strlen(root), name_len = strlen(name);
	pending_tree *next;
	char *dir;

	if (root_len + name_len + 1 >= OPEX_LIMIT_PATH_BYTES)
		return opex_error_set(st->err, OPEX_ETOOBIG,
			"path '%s%s/' is longer than %u bytes", root, name,
			OPEX_LIMIT_PATH_BYTES);
	opex_array_grow((void **)&st->stack, &st->cap, st->depth + 1,
		sizeof(*st->stack));
	next = &st->stack[st->depth++];
	git_oid_cpy(&next->oid, git_tree_entry_id(te));
	next->dir = st->dirs_len;
	opex_array_grow((void **)&st->dirs, &st->dirs_cap,
		st->dirs_len + root_len + name_len + 2, 1);
	dir = st->dirs + st->dirs_len;
	memcpy(dir, root, root_len);
	memcpy(dir + root_len, name, name_len);
	dir[root_len + name_len] = '/';
	dir[root_len + name_len + 1] = '\0';
	st->dirs_len += root_len + name_len + 2;
	return 0;
}

/* Keep the folder `dir` ("a/b/") whose tree `oid` gave libgit2 error `code`. */
static void add_unreadable(opex_kb_repo *repo, const char *dir,
	const git_oid *oid, int code)
{
	opex_error msg = OPEX_ERROR_INIT;
	opex_kb_repo_unreadable *u;
	size_t len = strlen(dir);

	opex_array_grow((void **)&repo->unreadable, &repo->unreadable_cap,
		repo->unreadable_count + 1, sizeof(*repo->unreadable));
	u = &repo->unreadable[repo->unreadable_count++];
	git_oid_tostr(u->oid, sizeof(u->oid), oid);
	(void)opex_error_set(&msg, OPEX_EIO, "cannot read git object %s: %s",
		u->oid, opex_kb_git_reason(code));
	u->path = opex_strndup(dir, len > 0 ? len - 1 : 0);
	u->message = opex_strdup(msg.message);
}

/* List the files of `tree`, the folder `root`, and queue its folders. */
static int list_folder(list_state *st, git_tree *tree, const char *root)
{
	size_t i, n = git_tree_entrycount(tree);
	int error = 0;

	for (i = 0; i < n && error == 0; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);

		if (git_tree_entry_filemode(te) == GIT_FILEMODE_TREE)
			error = push_folder(st, root, te);
		else
			error = add_entry(st, root, te);
	}
	return error;
}

/* Paths become pointers once the block stops moving; entries in path order. */
static void finish_listing(opex_kb_repo *repo)
{
	size_t i;

	for (i = 0; i < repo->count; i++)
		repo->entries[i].path =
			repo->paths + (uintptr_t)repo->entries[i].path;
	if (repo->count > 1)
		qsort(repo->entries, repo->count, sizeof(*repo->entries),
			entry_cmp);
	if (repo->unreadable_count > 1)
		qsort(repo->unreadable, repo->unreadable_count,
			sizeof(*repo->unreadable), unreadable_cmp);
}

static int list_tree(opex_kb_repo *repo, git_commit *commit, opex_error *err)
{
	char root[OPEX_LIMIT_PATH_BYTES];
	git_tree *tree = NULL;
	list_state st;
	int error;

	memset(&st, 0, sizeof(st));
	st.repo = repo;
	st.err = err;
	error = git_commit_tree(&tree, commit);
	if (error < 0) {
		char id[GIT_OID_HEXSZ + 1];

		git_oid_tostr(id, sizeof(id), git_commit_tree_id(commit));
		error = opex_error_set(err, OPEX_EIO,
			"cannot read git object %s, the tree of %s: %s", id,
			repo->commit, opex_kb_git_reason(error));
		goto done;
	}
	error = list_folder(&st, tree, "");
	git_tree_free(tree);
	tree = NULL;
	while (error == 0 && st.depth > 0) {
		pending_tree next = st.stack[--st.depth];

		/* `dirs` moves as folders are queued: list from a copy. */
		snprintf(root, sizeof(root), "%s", st.dirs + next.dir);
		error = git_tree_lookup(&tree, repo->git, &next.oid);
		if (error < 0) {
			add_unreadable(repo, root, &next.oid, error);
			error = 0;
			continue;
		}
		error = list_folder(&st, tree, root);
		git_tree_free(tree);
		tree = NULL;
	}
	if (error < 0)
		goto done;
	finish_listing(repo);
	error = 0;
done:
	git_tree_free(tree);
	opex_free(st.stack);
	opex_free(st.dirs);
	return error;
}

/*
 * List only `paths` (those that name a file, link or submodule of the
 * tree): each is looked up from the root, so the cost is that of the
 * folders on its way. A folder on the way that cannot be read fails the
 * listing, which a whole listing would report as a left-out folder.
 */
static int list_paths(opex_kb_repo *repo, git_commit *commit,
	const char *const *paths, size_t count, opex_error *err)
{
	char root[OPEX_LIMIT_PATH_BYTES];
	git_tree *tree = NULL;
	list_state st;
	size_t i, k;
	int error;

	memset(&st, 0, sizeof(st));
	st.repo = repo;
	st.err = err;
	error = git_commit_tree(&tree, commit);
	for (i = 0; error == 0 && i < count; i++) {
		git_tree_entry *te = NULL;
		const char *slash = strrchr(paths[i], '/');
		size_t root_len = slash ? (size_t)(slash - paths[i]) + 1 : 0;

		if (root_len >= sizeof(root))
			continue;
		error = git_tree_entry_bypath(&te, tree, paths[i]);
		if (error == GIT_ENOTFOUND) {
			error = 0;
			continue;
		}
		if (error < 0)
			break;
		memcpy(root, paths[i], root_len);
		root[root_len] = '\0';
		if (git_tree_entry_filemode(te) != GIT_FILEMODE_TREE)
			error = add_entry(&st, root, te);
		git_tree_entry_free(te);
		if (error < 0)
			goto done;
	}
	if (error < 0) {
		error = opex_error_set(err, OPEX_EIO,
			"cannot list the changed paths of %s: %s", repo->commit,
			git_message());
		goto done;
	}
	finish_listing(repo);
	/* A path asked for twice is listed once. */
	for (i = k = 0; i < repo->count; i++)
		if (k == 0 || strcmp(repo->entries[k - 1].path,
				repo->entries[i].path) != 0)
			repo->entries[k++] = repo->entries[i];
	repo->count = k;
	repo->partial = true;
done:
	git_tree_free(tree);
	return error;
}

/* False for a repository without a single reference (nothing committed). */
static bool has_references(git_repository *git)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	bool any = false;

	if (git_reference_iterator_new(&it, git) == 0 &&
	    git_reference_next(&ref, it) == 0)
		any = true;
	git_reference_free(ref);
	git_reference_iterator_free(it);
	return any;
}

/*
 * Look up the object `rev` names when it is a reference (HEAD, a branch, a
 * tag) into `*out`. Done here rather than by git_revparse_single(), which
 * cannot say which object it could not read (and, in libgit2 1.5, leaks
 * the reference then). Returns 1 with `*out` set, 0 when `rev` is no
 * reference, or OPEX_EIO naming the object that cannot be read.
 */
static int lookup_ref(git_object **out, git_repository *git, const char *rev,
	const char *path, opex_error *err)
{
	git_reference *ref = NULL, *resolved = NULL;
	const git_oid *target = NULL;
	char id[GIT_OID_HEXSZ + 1];
	int error = 0;

	*out = NULL;
	if (git_reference_dwim(&ref, git, rev) < 0 ||
	    git_reference_resolve(&resolved, ref) < 0)
		goto done;
	target = git_reference_target(resolved);
	if (target == NULL)
		goto done;
	error = git_object_lookup(out, git, target, GIT_OBJECT_ANY);
	if (error < 0) {
		git_oid_tostr(id, sizeof(id), target);
		error = opex_error_set(err, OPEX_EIO,
			"cannot read git object %s ('%s' in '%s'): %s", id, rev,
			path, opex_kb_git_reason(error));
		goto done;
	}
	error = 1;
done:
	git_reference_free(resolved);
	git_reference_free(ref);
	return error;
}

static int resolve(opex_kb_repo *repo, git_commit **out, const char *path,
	const char *rev, opex_error *err)
{
	git_object *obj = NULL, *peeled = NULL;
	int error;

	*out = NULL;
	error = lookup_ref(&obj, repo->git, rev, path, err);
	if (error < 0)
		goto done;
	if (error == 0)
		error = git_revparse_single(&obj, repo->git, rev);
	if (error < 0 && !has_references(repo->git)) {
		error = opex_error_set(err, OPEX_EINVALID, "'%s' has no commits",
			path);
		goto done;
	}
	if (error < 0) {
		error = opex_error_set(err, OPEX_ENOTFOUND,
			"unknown revision '%s' in '%s'", rev, path);
		goto done;
	}
	error = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	if (error < 0) {
		error = opex_error_set(err, OPEX_EINVALID,
			"revision '%s' in '%s' is not a commit", rev, path);
		goto done;
	}
	*out = (git_commit *)peeled;
	peeled = NULL;
	error = 0;
done:
	git_object_free(peeled);
	git_object_free(obj);
	return error;
}

/* Which paths open_at() lists. */
typedef struct listing {
	bool all;
	const char *const *paths;   /* when !all */
	size_t count;
} listing;

static const listing LIST_ALL = { true, NULL, 0 };
static const listing LIST_NONE = { false, NULL, 0 };

/* Open the repository at `path` at `rev`, listing what `list` says. */
static int open_at(opex_kb_repo **out, const char *path, const char *rev,
	const listing *list, opex_error *err)
{
	opex_kb_repo *repo = opex_calloc(1, sizeof(*repo));
	git_commit *commit = NULL;
	const char *dir;
	size_t dir_len;
	int error;

	*out = NULL;
	if (rev == NULL)
		rev = "HEAD";
	error = git_libgit2_init();
	if (error < 0) {
		error = opex_error_set(err, OPEX_ERROR,
			"cannot initialize libgit2: %s", git_message());
		goto done;
	}
	repo->libgit2_up = true;
	error = git_repository_open_ext(&repo->git, path,
		GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (error < 0) {
		error = opex_error_set(err, OPEX_ENOTFOUND,
			"'%s' is not a git repository", path);
		goto done;
	}
	error = resolve(repo, &commit, path, rev, err);
	if (error < 0)
		goto done;
	git_oid_cpy(&repo->commit_oid, git_commit_id(commit));
	git_oid_tostr(repo->commit, sizeof(repo->commit), &repo->commit_oid);
	dir = git_repository_path(repo->git);
	dir_len = strlen(dir);
	while (dir_len > 1 && dir[dir_len - 1] == '/')
		dir_len--;
	repo->git_dir = opex_strndup(dir, dir_len);
	if (list->all)
		error = list_tree(repo, commit, err);
	else if (list->paths != NULL)
		error = list_paths(repo, commit, list->paths, list->count, err);
	if (error < 0)
		goto done;
	*out = repo;
	repo = NULL;
done:
	git_commit_free(commit);
	opex_kb_repo_free(repo);
	return error;
}

int opex_kb_repo_open(opex_kb_repo **out, const char *path, const char *rev,
	opex_error *err)
{
	return open_at(out, path, rev, &LIST_ALL, err);
}

int opex_kb_repo_open_unlisted(opex_kb_repo **out, const char *path,
	const char *rev, opex_error *err)
{
	return open_at(out, path, rev, &LIST_NONE, err);
}

int opex_kb_repo_open_only(opex_kb_repo **out, const char *path,
	const char *rev, const char *const *paths, size_t count, opex_error *err)
{
	const char **all = opex_calloc(count + 2, sizeof(*all));
	listing list = { false, all, count + 2 };
	int error;

	/* Every handbook reads its settings and roster. */
	all[0] = OPEX_KB_SETTINGS_PATH;
	all[1] = OPEX_KB_ROSTER_PATH;
	memcpy(all + 2, paths, count * sizeof(*paths));
	error = open_at(out, path, rev, &list, err);
	opex_free(all);
	return error;
}

bool opex_kb_repo_partial(const opex_kb_repo *repo)
{
	return repo->partial;
}

int opex_kb_repo_resolve(char out[41], const char *path, const char *rev,
	opex_error *err)
{
	opex_kb_repo *repo = NULL;
	int error = open_at(&repo, path, rev, &LIST_NONE, err);

	out[0] = '\0';
	if (error == 0)
		memcpy(out, repo->commit, 41);
	opex_kb_repo_free(repo);
	return error;
}

void opex_kb_repo_free(opex_kb_repo *repo)
{
	size_t i;

	if (repo == NULL)
		return;
	git_repository_free(repo->git);
	for (i = 0; i < repo->unreadable_count; i++) {
		opex_free(repo->unreadable[i].path);
		opex_free(repo->unreadable[i].message);
	}
	opex_free(repo->unreadable);
	opex_free(repo->entries);
	opex_free(repo->paths);
	opex_free(repo->git_dir);
	if (repo->libgit2_up)
		git_libgit2_shutdown();
	opex_free(repo);
}

const char *opex_kb_repo_commit(const opex_kb_repo *repo)
{
	return repo->commit;
}

const char *opex_kb_repo_git_dir(const opex_kb_repo *repo)
{
	return repo->git_dir;
}

size_t opex_kb_repo_count(const opex_kb_repo *repo)
{
	return repo->count;
}

const opex_kb_entry *opex_kb_repo_entry(const opex_kb_repo *repo, size_t i)
{
	if (i >= repo->count)
		OPEX_BUG("tree entry index out of range");
	return &repo->entries[i];
}

const opex_kb_entry *opex_kb_repo_find(const opex_kb_repo *repo,
	const char *path)
{
	size_t lo = 0, hi = repo->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(path, repo->entries[mid].path);

		if (cmp == 0)
			return &repo->entries[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int opex_kb_repo_read(opex_buf *out, const opex_kb_repo *repo,
	const char *path, opex_error *err)
{
	const opex_kb_entry *entry = opex_kb_repo_find(repo, path);
	git_odb *odb = NULL;
	git_blob *blob = NULL;
	git_object_t type = GIT_OBJECT_INVALID;
	git_oid oid;
	size_t size = 0;
	int error;

	opex_buf_clear(out);
	if (entry == NULL) {
		error = opex_error_set(err, OPEX_ENOTFOUND,
			"'%s' is not in the tree at %s", path, repo->commit);
		goto done;
	}
	if (entry->kind == OPEX_KB_ENTRY_SYMLINK) {
		error = opex_error_set(err, OPEX_EINVALID,
			"'%s' is a symbolic link, not a file", path);
		goto done;
	}
	if (entry->kind == OPEX_KB_ENTRY_SUBMODULE) {
		error = opex_error_set(err, OPEX_EINVALID,
			"'%s' is a submodule, not a file", path);
		goto done;
	}
	error = git_oid_fromstr(&oid, entry->oid);
	if (error == 0)
		error = git_repository_odb(&odb, repo->git);
	if (error < 0) {
		error = opex_error_set(err, OPEX_EIO, "cannot read '%s': %s",
			path, git_message());
		goto done;
	}
	error = git_odb_read_header(&size, &type, odb, &oid);
	if (error < 0) {
		error = opex_error_set(err, OPEX_EIO,
			"cannot read git object %s: %s", entry->oid,
			opex_kb_git_reason(error));
		goto done;
	}
	if (size > out->max) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"'%s' is too big (%zu bytes, limit %zu)", path, size,
			out->max);
		goto done;
	}
	error = git_blob_lookup(&blob, repo->git, &oid);
	if (error < 0) {
		error = opex_error_set(err, OPEX_EIO,
			"cannot read git object %s: %s", entry->oid,
			opex_kb_git_reason(error));
		goto done;
	}
	opex_buf_put(out, git_blob_rawcontent(blob),
		(size_t)git_blob_rawsize(blob));
	if (out->failed) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"'%s' is too big (limit %zu bytes)", path, out->max);
		goto done;
	}
	error = 0;
done:
	git_blob_free(blob);
	git_odb_free(odb);
	return error;
}

typedef struct changed_paths {
	git_repository *git;
	char **paths;
	size_t count, cap;
	opex_buf path;             /* the folder being compared, with '/' */
} changed_paths;

static void add_change(changed_paths *c, const char *name)
{
	size_t len = c->path.len;

	opex_buf_puts(&c->path, name);
	opex_array_grow((void **)&c->paths, &c->cap, c->count + 1,
		sizeof(*c->paths));
	c->paths[c->count++] = opex_strdup(c->path.ptr);
	opex_buf_truncate(&c->path, len);
}

static int compare_trees(changed_paths *c, const git_tree *old_tree,
	const git_tree *new_tree);

/* `entry` is on one side only, or changed kind: it and what it holds. */
static int add_side(changed_paths *c, const git_tree_entry *entry,
	bool is_old)
{
	git_tree *tree = NULL;
	size_t len = c->path.len;
	int error;

	if (git_tree_entry_type(entry) != GIT_OBJECT_TREE) {
		add_change(c, git_tree_entry_name(entry));
		return 0;
	}
	if (git_tree_lookup(&tree, c->git, git_tree_entry_id(entry)) < 0)
		return -1;
	opex_buf_printf(&c->path, "%s/", git_tree_entry_name(entry));
	error = is_old ? compare_trees(c, tree, NULL) : compare_trees(c, NULL, tree);
	opex_buf_truncate(&c->path, len);
	git_tree_free(tree);
	return error;
}

/* Both sides hold the name: a folder whose id did not change is skipped. */
static int compare_entries(changed_paths *c, const git_tree_entry *old_entry,
	const git_tree_entry *new_entry)
{
	git_tree *old_tree = NULL, *new_tree = NULL;
	size_t len = c->path.len;
	int error;

	if (git_oid_equal(git_tree_entry_id(old_entry), git_tree_entry_id(new_entry)) &&
	    git_tree_entry_filemode(old_entry) == git_tree_entry_filemode(new_entry))
		return 0;
	if (git_tree_entry_type(old_entry) != GIT_OBJECT_TREE ||
	    git_tree_entry_type(new_entry) != GIT_OBJECT_TREE) {
		if (add_side(c, old_entry, true) < 0)
			return -1;
		return add_side(c, new_entry, false);
	}
	error = git_tree_lookup(&old_tree, c->git, git_tree_entry_id(old_entry));
	if (error == 0)
		error = git_tree_lookup(&new_tree, c->git, git_tree_entry_id(new_entry));
	if (error == 0) {
		opex_buf_printf(&c->path, "%s/", git_tree_entry_name(old_entry));
		error = compare_trees(c, old_tree, new_tree);
		opex_buf_truncate(&c->path, len);
	}
	git_tree_free(old_tree);
	git_tree_free(new_tree);
	return error < 0 ? -1 : 0;
}

/* The paths under c->path that differ between the two folders (NULL: none). */
static int compare_trees(changed_paths *c, const git_tree *old_tree,
	const git_tree *new_tree)
{
	size_t i, n = old_tree ? git_tree_entrycount(old_tree) : 0;
	size_t m = new_tree ? git_tree_entrycount(new_tree) : 0;

	for (i = 0; i < n; i++) {
		const git_tree_entry *old_entry = git_tree_entry_byindex(old_tree, i);
		const git_tree_entry *new_entry = new_tree == NULL ? NULL
			: git_tree_entry_byname(new_tree, git_tree_entry_name(old_entry));

		if ((new_entry ? compare_entries(c, old_entry, new_entry)
			       : add_side(c, old_entry, true)) < 0)
			return -1;
	}
	for (i = 0; i < m; i++) {
		const git_tree_entry *new_entry = git_tree_entry_byindex(new_tree, i);

		if (old_tree != NULL &&
		    git_tree_entry_byname(old_tree, git_tree_entry_name(new_entry)))
			continue;
		if (add_side(c, new_entry, false) < 0)
			return -1;
	}
	return 0;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int opex_kb_repo_changed_paths(char ***out, size_t *count,
	const opex_kb_repo *repo, const char *from, opex_error *err)
{
	changed_paths c = { repo->git, NULL, 0, 0, OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES * 2) };
	git_commit *old_commit = NULL, *new_commit = NULL;
	git_tree *old_tree = NULL, *new_tree = NULL;
	git_oid old_oid;
	size_t i, k;
	int error;

	*out = NULL;
	*count = 0;
	if (strlen(from) != GIT_OID_HEXSZ || git_oid_fromstr(&old_oid, from) < 0 ||
	    git_commit_lookup(&old_commit, repo->git, &old_oid) < 0) {
		error = opex_error_set(err, OPEX_ENOTFOUND,
			"'%s' is not a commit of '%s'", from, repo->git_dir);
		goto done;
	}
	opex_buf_puts(&c.path, "");
	/* Ids say what changed: no content is read, no equal folder opened. */
	error = git_commit_lookup(&new_commit, repo->git, &repo->commit_oid);
	if (error == 0)
		error = git_commit_tree(&old_tree, old_commit);
	if (error == 0)
		error = git_commit_tree(&new_tree, new_commit);
	if (error == 0)
		error = compare_trees(&c, old_tree, new_tree);
	if (error < 0 || c.path.failed) {
		error = opex_error_set(err, OPEX_EIO,
			"cannot compare %s with %s: %s", from, repo->commit,
			c.path.failed ? "a path is too long" : git_message());
		opex_strings_free(c.paths, c.count);
		goto done;
	}
	/* In the listing's order. */
	if (c.count > 1)
		qsort(c.paths, c.count, sizeof(*c.paths), path_cmp);
	/* A change of kind is a removal and an addition: list it once. */
	for (i = k = 0; i < c.count; i++) {
		if (k > 0 && strcmp(c.paths[k - 1], c.paths[i]) == 0)
			opex_free(c.paths[i]);
		else
			c.paths[k++] = c.paths[i];
	}
	c.count = k;
	*out = c.paths;
	*count = c.count;
done:
	opex_buf_release(&c.path);
	git_tree_free(old_tree);
	git_tree_free(new_tree);
	git_commit_free(old_commit);
	git_commit_free(new_commit);
	return error;
}

struct git_repository *opex_kb_repo_git(const opex_kb_repo *repo)
{
	return repo->git;
}

const unsigned char *opex_kb_repo_commit_raw(const opex_kb_repo *repo)
{
	return repo->commit_oid.id;
}

size_t opex_kb_repo_unreadable_count(const opex_kb_repo *repo)
{
	return repo->unreadable_count;
}

const opex_kb_repo_unreadable *opex_kb_repo_unreadable_at(
	const opex_kb_repo *repo, size_t i)
{
	if (i >= repo->unreadable_count)
		OPEX_BUG("unreadable folder index out of range");
	return &repo->unreadable[i];
}
