/*
 * auth.c: who is asking, and what they may see.
 *
 * The token file (`--auth FILE`, written by `opex token new`) holds one
 * token per line; the token itself is never stored:
 *
 *   | field   | example                          |
 *   |---------|----------------------------------|
 *   | hash    | SHA-256 of the token, 64 hex     |
 *   | person  | roster id, or a partner agent id |
 *   | flag    | optional: `partner`              |
 *
 *   # comments and blank lines are ignored
 *
 * Requests present the token as `Authorization: Bearer TOKEN`. Behind an
 * authenticating proxy (`--trust-header X-Remote-User`) the header names
 * the person. Visibility of an article (front matter):
 *
 *   | visibility | open (no auth) | anonymous | partner | roster person    |
 *   |------------|----------------|-----------|---------|------------------|
 *   | public     | yes            | yes       | yes     | yes              |
 *   | partners   | yes            | no        | yes     | yes              |
 *   | internal   | yes            | no        | no      | yes              |
 *   | + teams:   | yes            | no        | no      | in one of them   |
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/sha256.h"
#include "core/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

static bool person_id_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 128)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.' || c == '@'))
			return false;
	}
	return true;
}

static bool is_hex64(const char *s, size_t len)
{
	size_t i;

	if (len != 64)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Split `line` into up to 3 whitespace-separated fields; returns the count. */
static size_t fields(opex_str *out, opex_str line)
{
	size_t n = 0, i = 0;

	while (i < line.len && n < 4) {
		size_t start;

		while (i < line.len && (line.ptr[i] == ' ' || line.ptr[i] == '\t'))
			i++;
		if (i >= line.len)
			break;
		start = i;
		while (i < line.len && line.ptr[i] != ' ' && line.ptr[i] != '\t')
			i++;
		if (n < 3) {
			out[n].ptr = line.ptr + start;
			out[n].len = i - start;
		}
		n++;
	}
	return n;
}

static int parse_line(opex_server_auth *auth, opex_str line, const char *file,
	unsigned lineno, opex_error *err)
{
	opex_str f[3];
	opex_server_token *t;
	size_t n;

	line = opex_str_trim(line);
	if (line.len == 0 || line.ptr[0] == '#')
		return 0;
	n = fields(f, line);
	if (n < 2 || n > 3 || !is_hex64(f[0].ptr, f[0].len) ||
	    !person_id_valid(f[1].ptr, f[1].len) ||
	    (n == 3 && !opex_str_eq(f[2], "partner")))
		return opex_error_set(err, OPEX_EINVALID,
			"'%s' line %u: expected 'SHA256 PERSON [partner]'",
			file, lineno);
	opex_array_grow((void **)&auth->tokens, &auth->cap, auth->count + 1,
		sizeof(*auth->tokens));
	t = &auth->tokens[auth->count++];
	memcpy(t->hash, f[0].ptr, 64);
	t->hash[64] = '\0';
	t->person = opex_strndup(f[1].ptr, f[1].len);
	t->partner = n == 3;
	return 0;
}

int opex_server_auth_load(opex_server_auth *auth, const char *file,
	const char *trust_header, opex_error *err)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_AUTH_FILE_BYTES);
	FILE *f = NULL;
	char chunk[4096];
	size_t got, start = 0, i;
	unsigned lineno = 1;
	int error = 0;

	memset(auth, 0, sizeof(*auth));
	auth->trust_header = opex_strdup(trust_header);
	auth->enabled = file != NULL || trust_header != NULL;
	if (file == NULL)
		goto done;
	f = fopen(file, "rb");
	if (f == NULL) {
		error = opex_error_set(err, OPEX_EIO, "cannot read '%s': %s",
			file, strerror(errno));
		goto done;
	}
	do {
		got = fread(chunk, 1, sizeof(chunk), f);
		opex_buf_put(&text, chunk, got);
	} while (got == sizeof(chunk) && !text.failed);
	if (text.failed) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"'%s' is larger than %u bytes", file,
			OPEX_LIMIT_AUTH_FILE_BYTES);
		goto done;
	}
	for (i = 0; i <= text.len; i++) {
		opex_str line;

		if (i < text.len && text.ptr[i] != '\n')
			continue;
		line.ptr = text.ptr + start;
		line.len = i - start;
		error = parse_line(auth, line, file, lineno, err);
		if (error < 0)
			goto done;
		start = i + 1;
		lineno++;
	}
done:
	if (f != NULL)
		fclose(f);
	opex_buf_release(&text);
	return error;
}

void opex_server_auth_release(opex_server_auth *auth)
{
	size_t i;

	for (i = 0; i < auth->count; i++)
		opex_free(auth->tokens[i].person);
	opex_free(auth->tokens);
	opex_free(auth->trust_header);
	memset(auth, 0, sizeof(*auth));
}

/* Compare two equal-length strings without an early exit. */
static bool same_hash(const char *a, const char *b)
{
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < 64; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

int opex_server_auth_identify(opex_server_identity *out,
	const opex_server_auth *auth, const opex_kb_roster *roster,
	const char *authorization, const char *trusted, opex_error *err)
{
	const char *value = authorization;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!auth->enabled) {
		out->open = true;
		return 0;
	}
	if (value != NULL && auth->count > 0) {
		char hash[OPEX_SHA256_HEX_SIZE];
		const opex_server_token *found = NULL;

		if (strncmp(value, "Bearer ", 7) != 0)
			return opex_error_set(err, OPEX_EINVALID,
				"expected 'Authorization: Bearer TOKEN'");
		value += 7;
		opex_sha256_hex(hash, value, strlen(value));
		for (i = 0; i < auth->count; i++)
			if (same_hash(hash, auth->tokens[i].hash))
				found = &auth->tokens[i];
		if (found == NULL)
			return opex_error_set(err, OPEX_EINVALID,
				"unknown token");
		out->person = found->person;
		out->member = opex_kb_roster_person(roster, found->person);
		out->partner = found->partner || out->member == NULL;
		return 0;
	}
	value = auth->trust_header ? trusted : NULL;
	if (value != NULL) {
		if (!person_id_valid(value, strlen(value)))
			return opex_error_set(err, OPEX_EINVALID,
				"'%s' does not name a person", auth->trust_header);
		out->person = value;
		out->member = opex_kb_roster_person(roster, value);
		out->partner = out->member == NULL;
	}
	return 0;
}

bool opex_server_can_see(const opex_server_identity *who,
	const opex_kb_article *article)
{
	size_t i, j;

	if (who->open || article->visibility == OPEX_KB_VISIBILITY_PUBLIC)
		return true;
	if (who->person == NULL)
		return false;
	if (who->partner)
		return article->visibility == OPEX_KB_VISIBILITY_PARTNERS &&
			article->team_count == 0;
	if (article->team_count == 0)
		return true;
	for (i = 0; i < article->team_count; i++)
		for (j = 0; who->member && j < who->member->team_count; j++)
			if (strcmp(article->teams[i], who->member->teams[j]) == 0)
				return true;
	return false;
}

bool opex_server_can_see_path(const opex_server_identity *who,
	const opex_kb_handbook *hb, const char *path)
{
	const opex_kb_article *article;

	if (who->open || (!opex_path_under(path, "articles") &&
			  !opex_path_under(path, "replies")))
		return true;
	article = opex_kb_handbook_find(hb, path);
	return article == NULL || opex_server_can_see(who, article);
}

int opex_server_token_new(char token_out[65], const char *auth_file,
	const char *person, bool partner, opex_error *err)
{
	unsigned char random[32];
	char hash[OPEX_SHA256_HEX_SIZE];
	opex_buf line = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	FILE *f = NULL;
	size_t got = 0;
	int fd = -1, error = 0;

	token_out[0] = '\0';
	if (!person_id_valid(person, strlen(person))) {
		error = opex_error_set(err, OPEX_EINVALID,
			"'%s' is not a person id", person);
		goto done;
	}
	f = fopen("/dev/urandom", "rb");
	if (f != NULL) {
		got = fread(random, 1, sizeof(random), f);
		fclose(f);
		f = NULL;
	}
	if (got != sizeof(random)) {
		error = opex_error_set(err, OPEX_EIO,
			"cannot read '/dev/urandom'");
		goto done;
	}
	opex_sha256_to_hex(token_out, random);
	opex_sha256_hex(hash, token_out, 64);
	opex_buf_printf(&line, "%s %s%s\n", hash, person,
		partner ? " partner" : "");
	fd = open(auth_file, O_WRONLY | O_APPEND | O_CREAT, 0600);
	if (fd < 0 || write(fd, line.ptr, line.len) != (ssize_t)line.len) {
		error = opex_error_set(err, OPEX_EIO, "cannot write '%s': %s",
			auth_file, strerror(errno));
		token_out[0] = '\0';
		goto done;
	}
done:
	if (fd >= 0)
		close(fd);
	opex_buf_release(&line);
	return error;
}
