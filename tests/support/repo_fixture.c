/*
 * repo_fixture.c: temporary git repositories for tests, through libgit2.
 *
 * Changes are staged as a list of operations (write a blob at a path with a
 * mode, or remove a path). A commit reads the tree of the current branch tip
 * into an in-memory index, applies the staged operations in order, writes
 * the tree and commits it on HEAD (refs/heads/main) with explicit author and
 * committer signatures, so ids are reproducible. Because the index is
 * rebuilt from the tip on each commit, a test may move the branch with
 * libgit2 between commits and the fixture follows it.
 */
#include "repo_fixture.h"
#include "kb/kb.h"
#include "test_util.h"
#include "core/memory.h"

#include <check.h>
#include <git2.h>
#include <string.h>

#include "core/banned.h"

typedef struct staged_op {
	char *path;
	git_oid oid;
	unsigned mode;
	bool remove;
} staged_op;

struct opex_test_repo {
	char *path;
	git_repository *git;
	staged_op *ops;
	size_t op_count, op_cap;
};

static void check_git(int error, const char *what)
{
	const git_error *e;

	if (error >= 0)
		return;
	e = git_error_last();
	ck_abort_msg("repo fixture: %s failed: %s", what,
		e && e->message ? e->message : "unknown error");
}

opex_test_repo *opex_test_repo_new(bool bare)
{
	git_repository_init_options opts;
	opex_test_repo *repo = opex_calloc(1, sizeof(*repo));

	git_libgit2_init();
	check_git(git_repository_init_options_init(&opts,
		GIT_REPOSITORY_INIT_OPTIONS_VERSION),
		"git_repository_init_options_init");
	repo->path = opex_test_tmpdir();
	opts.flags = GIT_REPOSITORY_INIT_MKPATH;
	if (bare)
		opts.flags |= GIT_REPOSITORY_INIT_BARE;
	opts.initial_head = "main";
	check_git(git_repository_init_ext(&repo->git, repo->path, &opts),
		"git_repository_init_ext");
	return repo;
}

const char *opex_test_repo_path(const opex_test_repo *repo)
{
	return repo->path;
}

static void stage(opex_test_repo *repo, const char *path, const git_oid *oid,
	unsigned mode, bool remove)
{
	staged_op *op;

	opex_array_grow((void **)&repo->ops, &repo->op_cap, repo->op_count + 1,
		sizeof(*repo->ops));
	op = &repo->ops[repo->op_count++];
	memset(op, 0, sizeof(*op));
	op->path = opex_strdup(path);
	if (oid != NULL)
		git_oid_cpy(&op->oid, oid);
	op->mode = mode;
	op->remove = remove;
}

void opex_test_repo_put_bytes(opex_test_repo *repo, const char *path,
	const void *content, size_t len)
{
	git_oid oid;

	check_git(git_blob_create_from_buffer(&oid, repo->git, content, len),
		"git_blob_create_from_buffer");
	stage(repo, path, &oid, OPEX_TEST_MODE_FILE, false);
}

void opex_test_repo_put(opex_test_repo *repo, const char *path,
	const char *content)
{
	opex_test_repo_put_bytes(repo, path, content, strlen(content));
}

void opex_test_repo_put_mode(opex_test_repo *repo, const char *path,
	const char *content, unsigned mode)
{
	git_oid oid;

	if (mode == OPEX_TEST_MODE_GITLINK) {
		check_git(git_oid_fromstr(&oid, content), "git_oid_fromstr");
	} else {
		check_git(git_blob_create_from_buffer(&oid, repo->git, content,
			strlen(content)), "git_blob_create_from_buffer");
	}
	stage(repo, path, &oid, mode, false);
}

void opex_test_repo_remove(opex_test_repo *repo, const char *path)
{
	stage(repo, path, NULL, 0, true);
}

static void clear_ops(opex_test_repo *repo)
{
	size_t i;

	for (i = 0; i < repo->op_count; i++)
		opex_free(repo->ops[i].path);
	repo->op_count = 0;
}

void opex_test_repo_commit(opex_test_repo *repo, const char *name,
	const char *email, int64_t time, const char *message, char *id_out)
{
	git_index *index = NULL;
	git_reference *head = NULL;
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	const git_commit *parents[1] = { NULL };
	git_oid tree_id, commit_id;
	size_t i, nparents = 0;
	int error;

	check_git(git_index_new(&index), "git_index_new");
	error = git_repository_head(&head, repo->git);
	if (error != GIT_EUNBORNBRANCH && error != GIT_ENOTFOUND) {
		check_git(error, "git_repository_head");
		check_git(git_commit_lookup(&parent, repo->git,
			git_reference_target(head)), "git_commit_lookup");
		check_git(git_commit_tree(&tree, parent), "git_commit_tree");
		check_git(git_index_read_tree(index, tree), "git_index_read_tree");
		parents[0] = parent;
		nparents = 1;
	}
	for (i = 0; i < repo->op_count; i++) {
		const staged_op *op = &repo->ops[i];
		git_index_entry entry;

		if (op->remove) {
			/* Removing a path that is not there is a no-op. */
			error = git_index_remove(index, op->path, 0);
			if (error != GIT_ENOTFOUND)
				check_git(error, "git_index_remove");
			continue;
		}
		memset(&entry, 0, sizeof(entry));
		entry.path = op->path;
		entry.mode = op->mode;
		git_oid_cpy(&entry.id, &op->oid);
		check_git(git_index_add(index, &entry), "git_index_add");
	}
	clear_ops(repo);
	check_git(git_index_write_tree_to(&tree_id, index, repo->git),
		"git_index_write_tree_to");
	git_tree_free(tree);
	tree = NULL;
	check_git(git_tree_lookup(&tree, repo->git, &tree_id), "git_tree_lookup");
	check_git(git_signature_new(&sig, name, email, (git_time_t)time, 0),
		"git_signature_new");
	check_git(git_commit_create(&commit_id, repo->git, "HEAD", sig, sig,
		NULL, message, tree, nparents, parents), "git_commit_create");
	if (id_out != NULL)
		git_oid_tostr(id_out, GIT_OID_HEXSZ + 1, &commit_id);
	git_signature_free(sig);
	git_tree_free(tree);
	git_commit_free(parent);
	git_reference_free(head);
	git_index_free(index);
}

void opex_test_repo_free(opex_test_repo *repo)
{
	if (repo == NULL)
		return;
	clear_ops(repo);
	opex_free(repo->ops);
	git_repository_free(repo->git);
	opex_test_rmtree(repo->path);
	opex_free(repo);
	git_libgit2_shutdown();
}

opex_kb_handbook *opex_test_handbook_load(opex_test_repo *repo, int64_t now,
	opex_diag_list *diags)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_kb_handbook *hb = NULL;
	opex_error err = OPEX_ERROR_INIT;

	opts.history_cache = "";
	opts.now = now;
	ck_assert_msg(opex_kb_handbook_load(&hb, opex_test_repo_path(repo),
		&opts, diags, &err) == 0, "%s", err.message);
	return hb;
}
