/*
 * check_git_records.c: record chains on a ref: appends from 16 processes
 * at once all land; commits that are not records are reported, not fatal;
 * a tampered approval record is caught by `opex launch verify`.
 */
#define _POSIX_C_SOURCE 200809L /* fork, setenv */

#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/memory.h"
#include "kb/kb.h"

#include <check.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/banned.h"

#define REF "refs/opex/test"
#define T0 1767225600

static opex_test_repo *repo;

static void setup(void)
{
	repo = opex_test_repo_new(false);
	opex_test_repo_put(repo, "README.md", "handbook\n");
	opex_test_repo_commit(repo, "Ann", "ann@example.com", T0, "init", NULL);
}

static void teardown(void)
{
	opex_test_repo_free(repo);
	repo = NULL;
}

static int build_text(opex_buf *out, const char *parent, void *payload)
{
	opex_buf_printf(out, "%s after %s\n", (const char *)payload,
		parent[0] ? parent : "-");
	return 0;
}

static int append(const char *text)
{
	opex_kb_repo *r = NULL;
	opex_kb_record_author who = { "Ann", "ann@example.com", 0 };
	char id[41];
	int error = opex_kb_repo_open(&r, opex_test_repo_path(repo), NULL, NULL);

	if (error == 0)
		error = opex_kb_records_append(id, r, REF, build_text,
			(void *)(uintptr_t)text, "test record", &who, NULL);
	opex_kb_repo_free(r);
	return error;
}

static void read_chain(opex_kb_record_chain *chain)
{
	opex_kb_repo *r = NULL;

	ck_assert_int_eq(opex_kb_repo_open(&r, opex_test_repo_path(repo), NULL,
		NULL), 0);
	ck_assert_int_eq(opex_kb_records_read(chain, r, REF, NULL), 0);
	opex_kb_repo_free(r);
}

START_TEST(git_records__parallel_appends_all_land)
{
	opex_kb_record_chain chain = OPEX_KB_RECORD_CHAIN_INIT;
	pid_t pids[16];
	size_t i, j;

	ck_assert_int_eq(append("first"), 0);
	for (i = 0; i < 16; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			char text[32];

			snprintf(text, sizeof(text), "child %zu", i);
			_exit(append(text) == 0 ? 0 : 1);
		}
	}
	for (i = 0; i < 16; i++) {
		int st = 0;

		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	read_chain(&chain);
	ck_assert_ptr_null(chain.problem);
	ck_assert_uint_eq(chain.count, 17);
	ck_assert_str_eq(chain.records[0].content, "first after -\n");
	for (i = 1; i < chain.count; i++) {
		char want[64];

		ck_assert_ptr_null(chain.records[i].problem);
		/* each record was built on its real parent */
		ck_assert_ptr_nonnull(strstr(chain.records[i].content,
			chain.records[i - 1].commit));
		for (j = 0; j < 16; j++) {
			snprintf(want, sizeof(want), "child %zu after", j);
			if (strncmp(chain.records[i].content, want, strlen(want)) == 0)
				break;
		}
		ck_assert_uint_lt(j, 16);
	}
	opex_kb_record_chain_release(&chain);
}
END_TEST

/* Plant a commit whose tree holds `name` (not a record) on the ref. */
static void plant_foreign(const char *name)
{
	git_repository *g = NULL;
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	git_reference *ref = NULL;
	git_oid blob, tid, cid, pid;
	const git_commit *parents[1];

	ck_assert_int_eq(git_repository_open(&g, opex_test_repo_path(repo)), 0);
	ck_assert_int_eq(git_reference_name_to_id(&pid, g, REF), 0);
	ck_assert_int_eq(git_commit_lookup(&parent, g, &pid), 0);
	ck_assert_int_eq(git_blob_create_from_buffer(&blob, g, "evil", 4), 0);
	ck_assert_int_eq(git_treebuilder_new(&tb, g, NULL), 0);
	ck_assert_int_eq(git_treebuilder_insert(NULL, tb, name, &blob,
		GIT_FILEMODE_BLOB), 0);
	ck_assert_int_eq(git_treebuilder_write(&tid, tb), 0);
	ck_assert_int_eq(git_tree_lookup(&tree, g, &tid), 0);
	ck_assert_int_eq(git_signature_new(&sig, "Mallory", "m@example.com", T0, 0), 0);
	parents[0] = parent;
	ck_assert_int_eq(git_commit_create(&cid, g, NULL, sig, sig, NULL, "evil",
		tree, 1, parents), 0);
	ck_assert_int_eq(git_reference_create(&ref, g, REF, &cid, 1, "plant"), 0);
	git_reference_free(ref);
	git_signature_free(sig);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	git_commit_free(parent);
	git_repository_free(g);
}

START_TEST(git_records__foreign_commits_are_reported)
{
	opex_kb_record_chain chain = OPEX_KB_RECORD_CHAIN_INIT;

	ck_assert_int_eq(append("one"), 0);
	plant_foreign("evil.txt");
	ck_assert_int_eq(append("two"), 0);
	read_chain(&chain);
	ck_assert_uint_eq(chain.count, 3);
	ck_assert_ptr_null(chain.records[0].problem);
	ck_assert_ptr_nonnull(chain.records[1].problem);
	ck_assert_ptr_null(chain.records[1].content);
	ck_assert_ptr_null(chain.records[2].problem);
	opex_kb_record_chain_release(&chain);
}
END_TEST

START_TEST(git_records__ref_on_a_blob)
{
	opex_kb_record_chain chain = OPEX_KB_RECORD_CHAIN_INIT;
	git_repository *g = NULL;
	git_reference *ref = NULL;
	git_oid blob;

	ck_assert_int_eq(git_repository_open(&g, opex_test_repo_path(repo)), 0);
	ck_assert_int_eq(git_blob_create_from_buffer(&blob, g, "x", 1), 0);
	ck_assert_int_eq(git_reference_create(&ref, g, REF, &blob, 1, "plant"), 0);
	git_reference_free(ref);
	git_repository_free(g);
	read_chain(&chain);
	ck_assert_uint_eq(chain.count, 0);
	ck_assert_ptr_nonnull(strstr(chain.problem, "not a commit"));
	opex_kb_record_chain_release(&chain);
	ck_assert_int_eq(append("refused"), OPEX_EINVALID);
}
END_TEST

static const char people[] =
	"people:\n"
	"  - id: ann\n    name: Ann Ops\n    email: ann@example.com\n    teams: [ops]\n"
	"  - id: bob\n    name: Bob Ops\n    email: bob@example.com\n    teams: [ops]\n"
	"teams:\n  - id: ops\n    name: Operations\n";

static const char launch[] =
	"---\ntitle: Tiny\nowner: bob\ngates:\n"
	"  - id: design\n    approvers: [ops]\n    quorum: 1\n---\n";

/* Rewrite the tip's record, changing the digit after `field`, keeping its parent. */
static void tamper(const char *field)
{
	git_repository *g = NULL;
	git_commit *tip = NULL, *parent = NULL;
	git_tree *tree = NULL, *nt = NULL;
	git_treebuilder *tb = NULL;
	git_blob *b = NULL;
	git_reference *ref = NULL;
	git_oid tid, nid, blob, cid;
	const git_tree_entry *te;
	const git_commit *parents[1];
	char text[8192], *at;
	size_t n;

	ck_assert_int_eq(git_repository_open(&g, opex_test_repo_path(repo)), 0);
	ck_assert_int_eq(git_reference_name_to_id(&tid, g, "refs/opex/approvals"), 0);
	ck_assert_int_eq(git_commit_lookup(&tip, g, &tid), 0);
	ck_assert_int_eq(git_commit_parent(&parent, tip, 0), 0);
	ck_assert_int_eq(git_commit_tree(&tree, tip), 0);
	te = git_tree_entry_byname(tree, "record");
	ck_assert_ptr_nonnull(te);
	ck_assert_int_eq(git_blob_lookup(&b, g, git_tree_entry_id(te)), 0);
	n = (size_t)git_blob_rawsize(b);
	ck_assert_uint_lt(n, sizeof(text));
	memcpy(text, git_blob_rawcontent(b), n);
	text[n] = '\0';
	at = strstr(text, field);
	ck_assert_ptr_nonnull(at);
	at += strlen(field);
	*at = *at == '0' ? '1' : '0';
	ck_assert_int_eq(git_blob_create_from_buffer(&blob, g, text, n), 0);
	ck_assert_int_eq(git_treebuilder_new(&tb, g, NULL), 0);
	ck_assert_int_eq(git_treebuilder_insert(NULL, tb, "record", &blob,
		GIT_FILEMODE_BLOB), 0);
	ck_assert_int_eq(git_treebuilder_write(&nid, tb), 0);
	ck_assert_int_eq(git_tree_lookup(&nt, g, &nid), 0);
	parents[0] = parent;
	ck_assert_int_eq(git_commit_create(&cid, g, NULL, git_commit_author(tip),
		git_commit_committer(tip), NULL, git_commit_message(tip), nt, 1,
		parents), 0);
	ck_assert_int_eq(git_reference_create(&ref, g, "refs/opex/approvals", &cid,
		1, "tamper"), 0);
	git_reference_free(ref);
	git_tree_free(nt);
	git_treebuilder_free(tb);
	git_blob_free(b);
	git_tree_free(tree);
	git_commit_free(parent);
	git_commit_free(tip);
	git_repository_free(g);
}

START_TEST(git_records__verify_catches_tampering)
{
	char args[4096], *out = NULL, *err = NULL;

	opex_test_repo_put(repo, "people.yaml", people);
	opex_test_repo_put(repo, "launches/tiny.md", launch);
	opex_test_repo_commit(repo, "Bob", "bob@example.com", T0 + 60, "launch", NULL);
	setenv("OPEX_USER", "ann", 1);
	snprintf(args, sizeof(args),
		"launch approve '%s' launches/tiny.md --gate design --as ann",
		opex_test_repo_path(repo));
	ck_assert_int_eq(opex_test_run_opex(args, &out, &err), 0);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opex(args, &out, &err), 0);
	opex_free(out);
	opex_free(err);
	unsetenv("OPEX_USER");
	snprintf(args, sizeof(args), "launch verify '%s'", opex_test_repo_path(repo));
	ck_assert_int_eq(opex_test_run_opex(args, &out, &err), 0);
	opex_free(out);
	opex_free(err);
	tamper("\nscope ");
	ck_assert_int_eq(opex_test_run_opex(args, &out, &err), 1);
	ck_assert_msg(strstr(out, "does not recompute") != NULL, "%s", out);
	opex_free(out);
	opex_free(err);
}
END_TEST

Suite *suite_git_records(void)
{
	Suite *s = suite_create("kb_git_records");
	TCase *tc = tcase_create("records");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, git_records__parallel_appends_all_land);
	tcase_add_test(tc, git_records__foreign_commits_are_reported);
	tcase_add_test(tc, git_records__ref_on_a_blob);
	tcase_add_test(tc, git_records__verify_catches_tampering);
	suite_add_tcase(s, tc);
	return s;
}
