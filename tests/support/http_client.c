/* http_client.c: a tiny HTTP/1.1 client for tests (see http_client.h). */
#define _POSIX_C_SOURCE 200809L
#include "http_client.h"
#include "core/buf.h"
#include "core/memory.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/banned.h"

/* Responses in tests are small; a larger one is a bug worth seeing. */
#define RESPONSE_MAX (64u << 20)

static int connect_to(unsigned port)
{
	struct sockaddr_in addr;
	struct timeval tv = { OPEX_TEST_HTTP_TIMEOUT, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int opex_test_http_exchange(opex_buf *out, unsigned port, const char *raw,
	size_t len)
{
	char chunk[8192];
	ssize_t got;
	int fd = connect_to(port), error = -1;

	opex_buf_clear(out);
	if (fd < 0)
		goto done;
	/* A server may answer and close before it read everything (413). */
	(void)send_all(fd, raw, len);
	shutdown(fd, SHUT_WR);
	for (;;) {
		got = recv(fd, chunk, sizeof(chunk), 0);
		if (got < 0)
			goto done;   /* reset or timed out: no whole response */
		if (got == 0)
			break;
		opex_buf_put(out, chunk, (size_t)got);
	}
	error = out->failed ? -1 : 0;
done:
	if (fd >= 0)
		close(fd);
	return error;
}

int opex_test_http(opex_test_http_response *out, unsigned port,
	const char *method, const char *target, const char *headers,
	const char *body)
{
	opex_buf req = OPEX_BUF_INIT(RESPONSE_MAX);
	opex_buf raw = OPEX_BUF_INIT(RESPONSE_MAX);
	size_t body_len = body ? strlen(body) : 0;
	const char *split;
	int error = -1;

	memset(out, 0, sizeof(*out));
	opex_buf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
		"Connection: close\r\nContent-Length: %zu\r\n%s\r\n",
		method, target, port, body_len, headers ? headers : "");
	opex_buf_put(&req, body ? body : "", body_len);
	if (req.failed || opex_test_http_exchange(&raw, port, req.ptr, req.len) < 0)
		goto done;   /* refused, reset or timed out: no whole response */
	split = strstr(raw.ptr, "\r\n\r\n");
	if (split == NULL ||
	    sscanf(raw.ptr, "HTTP/1.%*c %u", &out->status) != 1) {
		out->status = 0;
		goto done;
	}
	out->head = opex_malloc((size_t)(split - raw.ptr) + 1);
	memcpy(out->head, raw.ptr, (size_t)(split - raw.ptr));
	out->head[split - raw.ptr] = '\0';
	out->body_len = raw.len - (size_t)(split + 4 - raw.ptr);
	out->body = opex_malloc(out->body_len + 1);
	memcpy(out->body, split + 4, out->body_len);
	out->body[out->body_len] = '\0';
	error = 0;
done:
	if (out->body == NULL)
		out->body = opex_strdup("");
	opex_buf_release(&req);
	opex_buf_release(&raw);
	return error;
}

void opex_test_http_response_release(opex_test_http_response *res)
{
	opex_free(res->head);
	opex_free(res->body);
	memset(res, 0, sizeof(*res));
}

unsigned opex_test_http_get(unsigned port, const char *target,
	char **body_out)
{
	opex_test_http_response res;
	unsigned status;

	opex_test_http(&res, port, "GET", target, NULL, NULL);
	status = res.status;
	if (body_out != NULL) {
		*body_out = res.body;
		res.body = NULL;
	}
	opex_test_http_response_release(&res);
	return status;
}
