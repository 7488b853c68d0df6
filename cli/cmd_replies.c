/*
 * cmd_replies.c: `opex replies` lists the quick texts, exports them as
 * Zendesk macros and imports a macro export back into the work tree.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"
#include "core/file.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/str.h"
#include "renderer/renderer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/banned.h"

static const char usage[] =
	"usage: opex replies [list] [REPO] [--rev REV] [--language L]\n"
	"       opex replies export [REPO] --format zendesk-macros [--rev REV]\n"
	"                           [--language L] [-o FILE]\n"
	"       opex replies import FILE [REPO] [--format zendesk-macros]\n"
	"                           [--owner ID] [--dry-run]\n"
	"\n"
	"list prints every quick text (replies/**.md) of the handbook at REPO\n"
	"(default: the current folder), REV (default: HEAD): path, language,\n"
	"channel, title and the handbook languages it has no variant in.\n"
	"\n"
	"export writes them as a Zendesk macro export ({\"macros\": [...]}, as\n"
	"GET /api/v2/macros answers; POST each as {\"macro\": ...} to\n"
	"/api/v2/macros): title \"journey::title\", the text as a comment_value\n"
	"action with placeholders in Zendesk's names ({{case.id}} becomes\n"
	"{{ticket.id}}), and \"opex: PATH\" in the description.\n"
	"\n"
	"import reads such an export (edited in the helpdesk, or written by\n"
	"export) into the work tree at REPO: a macro whose description names\n"
	"PATH replaces that reply's text and keeps its front matter; one that\n"
	"names none becomes replies/imported/TITLE.md. Nothing is committed:\n"
	"review with git diff, then commit, so that git stays the source.\n"
	"\n"
	"  --language L  only the replies in language L\n"
	"  --owner ID    the owner written into replies import creates\n"
	"  --dry-run     say what import would change, change nothing\n"
	"  -o FILE       write the export to FILE instead of standard output\n"
	"\n"
	"Exit status: 0 done; 1 a macro could not be imported (each named);\n"
	"2 usage, repository or file error.\n";

typedef struct replies_args {
	const char *repo, *rev, *language, *format, *output, *owner, *file;
	bool dry_run;
} replies_args;

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "opex replies: %s%s%s%s\n\n%s", msg, arg ? " '" : "",
		arg ? arg : "", arg ? "'" : "", usage);
	return OPEX_EXIT_USAGE;
}

/* Parse argv[first..]; returns -1 to go on, else an exit status. */
static int parse_args(replies_args *a, int argc, char **argv, int first,
	bool wants_file)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->repo = ".";
	for (i = first; i < argc; i++) {
		const char *v;

		if (strcmp(argv[i], "--dry-run") == 0) {
			a->dry_run = true;
		} else if ((v = opex_cli_option_value(argc, argv, &i, "--rev")) != NULL) {
			a->rev = v;
		} else if ((v = opex_cli_option_value(argc, argv, &i, "--language")) != NULL) {
			a->language = v;
		} else if ((v = opex_cli_option_value(argc, argv, &i, "--format")) != NULL) {
			a->format = v;
		} else if ((v = opex_cli_option_value(argc, argv, &i, "--owner")) != NULL) {
			a->owner = v;
		} else if ((v = opex_cli_option_value(argc, argv, &i, "-o")) != NULL) {
			a->output = v;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return OPEX_EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage_error("unknown option", argv[i]);
		} else if (wants_file && a->file == NULL) {
			a->file = argv[i];
		} else if (strcmp(a->repo, ".") == 0) {
			a->repo = argv[i];
		} else {
			return usage_error("unexpected argument", argv[i]);
		}
	}
	if ((a->rev && !*a->rev) || (a->language && !*a->language) ||
	    (a->format && !*a->format) || (a->output && !*a->output) ||
	    (a->owner && !*a->owner))
		return usage_error("an option needs a value", NULL);
	if (a->format && strcmp(a->format, "zendesk-macros") != 0)
		return usage_error("unknown format (known: zendesk-macros)", a->format);
	if (wants_file && a->file == NULL)
		return usage_error("name the macro export FILE", NULL);
	return -1;
}

static int load(opex_kb_handbook **hb, const replies_args *a)
{
	opex_kb_handbook_options o = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_diag_list ignored = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	int rc;

	o.rev = a->rev;
	rc = opex_kb_handbook_load(hb, a->repo, &o, &ignored, &err);
	opex_diag_list_release(&ignored);
	if (rc < 0) {
		fprintf(stderr, "opex replies: %s\n", err.message);
		return OPEX_EXIT_USAGE;
	}
	return 0;
}

static int list(int argc, char **argv, int first)
{
	replies_args a;
	opex_kb_handbook *hb = NULL;
	const opex_kb_settings *s;
	size_t i, j, n, at, shown = 0;
	int status = parse_args(&a, argc, argv, first, false);

	if (status >= 0)
		return status;
	if ((status = load(&hb, &a)) != 0)
		return status;
	s = opex_kb_handbook_settings(hb);
	n = opex_kb_handbook_replies(hb, &at);
	for (i = at; i < at + n; i++) {
		const opex_kb_article *r = opex_kb_handbook_article(hb, i);
		const char *lang = opex_kb_article_language(r, s);
		const char **missing = NULL;
		size_t m = 0;

		if (a.language && opex_strcasecmp(a.language, lang) != 0)
			continue;
		printf("%s\t%s\t%s\t%s", r->path, lang,
			r->channel ? r->channel : "-", r->title ? r->title : "-");
		if (r->translation_of == NULL)
			m = opex_kb_reply_missing_languages(&missing, hb, r);
		for (j = 0; j < m; j++)
			printf("%s%s", j ? ", " : "\tno ", missing[j]);
		opex_free(missing);
		putchar('\n');
		shown++;
	}
	if (shown == 0)
		fprintf(stderr, "opex replies: no quick texts (replies/**.md)%s\n",
			a.language ? " in that language" : "");
	opex_kb_handbook_free(hb);
	return OPEX_EXIT_OK;
}

static int export(int argc, char **argv, int first)
{
	replies_args a;
	opex_kb_handbook *hb = NULL;
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	int status = parse_args(&a, argc, argv, first, false);

	if (status >= 0)
		return status;
	if (a.format == NULL)
		return usage_error("export needs --format zendesk-macros", NULL);
	if ((status = load(&hb, &a)) != 0)
		return status;
	if (opex_render_replies_zendesk(&out, hb, a.language, &err) < 0) {
		fprintf(stderr, "opex replies: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
	} else if (a.output) {
		if (opex_file_replace(a.output, out.ptr, out.len, &err) < 0) {
			fprintf(stderr, "opex replies: %s\n", err.message);
			status = OPEX_EXIT_USAGE;
		}
	} else {
		status = opex_cli_print(&out);
	}
	opex_buf_release(&out);
	opex_kb_handbook_free(hb);
	return status;
}

/* "Card frozen!" -> "card-frozen", for a macro no reply file names. */
static void slug(opex_buf *out, const char *title)
{
	const char *t = strstr(title, "::") ? strrchr(title, ':') + 1 : title;
	bool dash = false;
	size_t start = out->len;

	for (; *t && out->len - start < 80; t++) {
		char c = *t;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			opex_buf_putc(out, c);
			dash = false;
		} else if (c >= 'A' && c <= 'Z') {
			opex_buf_putc(out, (char)(c - 'A' + 'a'));
			dash = false;
		} else if (!dash && out->len > start) {
			opex_buf_putc(out, '-');
			dash = true;
		}
	}
	while (out->len > start && out->ptr[out->len - 1] == '-')
		out->ptr[--out->len] = '\0';
	if (out->len == start)
		opex_buf_puts(out, "reply");
}

/* A YAML double-quoted string of `s`. */
static void yaml_quoted(opex_buf *out, const char *s)
{
	opex_buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			opex_buf_putc(out, '\\');
		opex_buf_putc(out, (unsigned char)*s < 0x20 ? ' ' : *s);
	}
	opex_buf_putc(out, '"');
}

/* A new reply file for a macro with no file of its own. */
static void new_reply(opex_buf *out, const opex_kb_macro *m, const char *owner)
{
	const char *title = strstr(m->title, "::") ? strrchr(m->title, ':') + 1
						 : m->title;

	opex_buf_puts(out, "---\ntitle: ");
	yaml_quoted(out, title);
	if (owner) {
		opex_buf_puts(out, "\nowner: ");
		yaml_quoted(out, owner);
	}
	opex_buf_puts(out, "\n---\n");
	opex_kb_reply_with_text(out, "", 0, m->text);
}

/* No part of `rel` under `root` may be a symbolic link: writes stay in the tree. */
static bool no_links(const char *root, const char *rel)
{
	opex_buf p = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	const char *at = rel;
	bool ok = true;

	opex_buf_puts(&p, root);
	while (ok && *at) {
		struct stat st;
		size_t n = strcspn(at, "/");

		opex_buf_putc(&p, '/');
		opex_buf_put(&p, at, n);
		if (p.failed)
			ok = false;
		else if (lstat(p.ptr, &st) == 0 && S_ISLNK(st.st_mode))
			ok = false;
		at += n;
		if (*at == '/')
			at++;
	}
	opex_buf_release(&p);
	return ok;
}

/* Make the folders of `rel` under `root`. */
static void make_folders(const char *root, const char *rel)
{
	opex_buf p = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	const char *at = rel, *slash;

	opex_buf_puts(&p, root);
	while ((slash = strchr(at, '/')) != NULL) {
		opex_buf_putc(&p, '/');
		opex_buf_put(&p, at, (size_t)(slash - at));
		if (p.failed || (mkdir(p.ptr, 0777) != 0 && errno != EEXIST))
			break;
		at = slash + 1;
	}
	opex_buf_release(&p);
}

/* Import one macro; returns 0, or 1 when it was refused. */
static int import_one(const replies_args *a, const opex_kb_macro *m)
{
	opex_buf rel = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	opex_buf full = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	opex_buf old = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_buf next = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	const char *what;
	int rc, status = 0;

	if (m->path) {
		opex_buf_puts(&rel, m->path);
	} else {
		opex_buf_puts(&rel, "replies/imported/");
		slug(&rel, m->title);
		opex_buf_puts(&rel, ".md");
	}
	opex_buf_printf(&full, "%s/%s", a->repo, rel.ptr);
	if (rel.failed || full.failed || !no_links(a->repo, rel.ptr)) {
		fprintf(stderr, "%s: macro %zu ('%s'): '%s' is a symbolic link or too long; not imported\n",
			a->file, m->index, m->title, rel.ptr ? rel.ptr : "");
		status = 1;
		goto done;
	}
	rc = opex_file_read(&old, full.ptr, &err);
	if (rc < 0 && rc != OPEX_ENOTFOUND) {
		fprintf(stderr, "%s: macro %zu ('%s'): %s; not imported\n",
			a->file, m->index, m->title, err.message);
		status = 1;
		goto done;
	}
	if (rc == 0) {
		opex_kb_reply_with_text(&next, old.ptr, old.len, m->text);
		what = next.len == old.len && memcmp(next.ptr, old.ptr, old.len) == 0
			? "unchanged" : "updated";
	} else {
		new_reply(&next, m, a->owner);
		what = "created";
	}
	if (next.failed) {
		fprintf(stderr, "%s: macro %zu ('%s'): the reply would be too large; not imported\n",
			a->file, m->index, m->title);
		status = 1;
		goto done;
	}
	if (!a->dry_run && strcmp(what, "unchanged") != 0) {
		make_folders(a->repo, rel.ptr);
		if (opex_file_replace(full.ptr, next.ptr, next.len, &err) < 0) {
			fprintf(stderr, "%s: macro %zu ('%s'): %s; not imported\n",
				a->file, m->index, m->title, err.message);
			status = 1;
			goto done;
		}
	}
	printf("%s: %s%s\n", rel.ptr, what,
		a->dry_run && strcmp(what, "unchanged") != 0 ? " (dry run: not written)" : "");
done:
	opex_buf_release(&rel);
	opex_buf_release(&full);
	opex_buf_release(&old);
	opex_buf_release(&next);
	return status;
}

static int import(int argc, char **argv, int first)
{
	replies_args a;
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_kb_macro_list macros = OPEX_KB_MACRO_LIST_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	struct stat st;
	size_t i, refused = 0;
	int status = parse_args(&a, argc, argv, first, true);

	if (status >= 0)
		return status;
	if (stat(a.repo, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "opex replies: '%s' is not a folder (import writes into a work tree)\n",
			a.repo);
		return OPEX_EXIT_USAGE;
	}
	if (opex_file_read(&text, a.file, &err) < 0 ||
	    opex_kb_macros_parse(&macros, a.file, text.ptr, text.len, &diags,
		    &err) < 0) {
		fprintf(stderr, "opex replies: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	opex_render_diags_text(&out, &diags);
	fputs(out.ptr ? out.ptr : "", stderr);
	refused = diags.count;
	for (i = 0; i < macros.count; i++)
		refused += (size_t)import_one(&a, &macros.items[i]);
	status = refused ? OPEX_EXIT_FINDINGS : OPEX_EXIT_OK;
done:
	opex_kb_macro_list_release(&macros);
	opex_diag_list_release(&diags);
	opex_buf_release(&text);
	opex_buf_release(&out);
	return status;
}

static int run(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
			  strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return OPEX_EXIT_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return export(argc, argv, 2);
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return import(argc, argv, 2);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return list(argc, argv, 2);
	return list(argc, argv, 1);
}

const opex_cli_command opex_cli_replies = {
	"replies",
	"quick texts: list them, export them as Zendesk macros, import them back",
	usage, 0, "text", "text", run
};
