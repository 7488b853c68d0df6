/*
 * http.c: the libmicrohttpd adapter, the only file that calls it.
 *
 * A pool of worker threads (MHD_USE_INTERNAL_POLLING_THREAD with
 * MHD_OPTION_THREAD_POOL_SIZE, epoll) accepts connections; each request
 * is collected (headers, query, body up to the limit) and handed to
 * opex_server_handle(), which never sees a socket.
 *
 *   | limit                      | value (core/limits.h)                |
 *   |----------------------------|--------------------------------------|
 *   | connections                | OPEX_LIMIT_HTTP_CONNECTIONS          |
 *   | connections per IP         | OPEX_LIMIT_HTTP_CONNECTIONS_PER_IP   |
 *   | idle timeout               | OPEX_LIMIT_HTTP_TIMEOUT_SECONDS      |
 *   | request body               | OPEX_LIMIT_HTTP_BODY_BYTES (413)     |
 *   | URL + headers (per conn.)  | connection memory limit (414/431)    |
 *
 * The URL and query arrive exactly as sent (the unescape callback is a
 * no-op): decoding, and refusing odd encodings, is the handler's job.
 *
 * The slow lane: a worker serves many connections in turn, so one slow
 * answer (a search the cache does not hold) would hold up every
 * connection of that worker. Requests are handled with may_defer set; a
 * route that would be slow answers `deferred`, and the worker suspends
 * the connection and queues it. One lane thread per processor answers
 * the queue and resumes the connection, whose worker sends the answer.
 * Stopping drains the queue before the daemon stops, so no connection
 * stays suspended.
 */
#define _GNU_SOURCE   /* gettid() for the lane's priority */
#include "server/server_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/time.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/banned.h"

#define MAX_REQUEST_HEADERS 100
#define LANE_NICE 5

typedef struct pending {
	opex_buf body;
	bool too_big;
	opex_server_header headers[MAX_REQUEST_HEADERS];
	size_t header_count;
	bool too_many_headers;
	opex_buf query;
	/* In the slow lane: the request, then its answer. */
	struct MHD_Connection *connection;
	opex_server_request req;
	char remote[64];
	opex_server_response res;
	bool answered;             /* under the lane's lock */
	struct pending *next;
} pending;

typedef struct http_lane {
	pthread_mutex_t lock;
	pthread_cond_t work;
	pending *head, *tail;
	bool stopping;
	pthread_t *threads;
	size_t thread_count;
} http_lane;

typedef struct http_daemon {
	struct MHD_Daemon *mhd;
	opex_server *server;
	http_lane lane;
} http_daemon;

static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind,
	const char *key, const char *value)
{
	pending *p = cls;

	(void)kind;
	if (p->header_count >= MAX_REQUEST_HEADERS) {
		p->too_many_headers = true;
		return MHD_NO;
	}
	p->headers[p->header_count].name = key;
	p->headers[p->header_count++].value = value ? value : "";
	return MHD_YES;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind,
	const char *key, const char *value)
{
	opex_buf *q = cls;

	(void)kind;
	if (q->len)
		opex_buf_putc(q, '&');
	opex_buf_puts(q, key);
	if (value != NULL) {
		opex_buf_putc(q, '=');
		opex_buf_puts(q, value);
	}
	return MHD_YES;
}

static void remote_address(char *out, size_t size, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(c,
		MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;

	snprintf(out, size, "-");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in in;

		memcpy(&in, sa, sizeof(in));
		inet_ntop(AF_INET, &in.sin_addr, out, (socklen_t)size);
	} else if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 in6;

		memcpy(&in6, sa, sizeof(in6));
		inet_ntop(AF_INET6, &in6.sin6_addr, out, (socklen_t)size);
	}
}

static enum MHD_Result send_response(struct MHD_Connection *c,
	opex_server_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len = 0, i;
	char *body = opex_buf_detach(&res->body, &len);

	r = MHD_create_response_from_buffer_with_free_callback(len, body,
		opex_free);
	if (r == NULL) {
		opex_free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		res->content_type);
	for (i = 0; i < res->header_count; i++)
		MHD_add_response_header(r, res->header_names[i],
			res->header_values[i]);
	ret = MHD_queue_response(c, res->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A refusal built without the handler: too large, too many headers. */
static enum MHD_Result refuse(opex_server *server, struct MHD_Connection *c,
	const char *method, const char *url, unsigned status, const char *why)
{
	opex_server_response res;
	opex_server_request req;
	enum MHD_Result ret;
	/* Let the handler write the error, so headers, log and metrics match. */
	static const char big[] = "x";

	(void)why;
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = url;
	req.path_len = strlen(url);
	req.body = big;
	req.body_len = status == 413 ? (size_t)OPEX_LIMIT_HTTP_BODY_BYTES + 1 : 0;
	if (status == 414) {
		req.query = "";
		req.query_len = (size_t)OPEX_LIMIT_HTTP_URL_BYTES + 1;
	}
	if (status == 431) {
		opex_server_response_init(&res);
		opex_server_response_header(&res, "Connection", "close");
		res.status = 431;
		res.content_type = "application/json";
		opex_buf_puts(&res.body,
			"{\"error\":\"request header fields too large\","
			"\"detail\":\"too many request headers\"}\n");
		ret = send_response(c, &res);
		opex_server_response_release(&res);
		return ret;
	}
	opex_server_response_init(&res);
	opex_server_handle(&res, server, &req);
	opex_server_response_header(&res, "Connection", "close");
	ret = send_response(c, &res);
	opex_server_response_release(&res);
	return ret;
}

/* Suspend `c` and queue it for the lane; false when the lane is stopping. */
static bool lane_queue(http_lane *lane, pending *p, struct MHD_Connection *c)
{
	pthread_mutex_lock(&lane->lock);
	if (lane->stopping) {
		pthread_mutex_unlock(&lane->lock);
		return false;
	}
	/* Under the lock, so no lane thread resumes it before it is suspended. */
	MHD_suspend_connection(c);
	p->connection = c;
	p->answered = false;
	p->next = NULL;
	if (lane->tail != NULL)
		lane->tail->next = p;
	else
		lane->head = p;
	lane->tail = p;
	pthread_cond_signal(&lane->work);
	pthread_mutex_unlock(&lane->lock);
	return true;
}

/* Whether the lane answered `p` (then its response waits in p->res). */
static bool lane_answered(http_lane *lane, pending *p)
{
	bool answered;

	pthread_mutex_lock(&lane->lock);
	answered = p->answered;
	p->answered = false;
	pthread_mutex_unlock(&lane->lock);
	return answered;
}

static void *lane_run(void *arg)
{
	http_daemon *d = arg;
	http_lane *lane = &d->lane;
	pending *p;

	/* Below the workers, so cached answers and pages go first. Best
	 * effort: without the permission the lane runs at the same priority. */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), LANE_NICE);
	for (;;) {
		pthread_mutex_lock(&lane->lock);
		while (lane->head == NULL && !lane->stopping)
			pthread_cond_wait(&lane->work, &lane->lock);
		p = lane->head;
		if (p == NULL) {   /* stopping, and nothing is left */
			pthread_mutex_unlock(&lane->lock);
			return NULL;
		}
		lane->head = p->next;
		if (lane->head == NULL)
			lane->tail = NULL;
		pthread_mutex_unlock(&lane->lock);

		p->req.may_defer = false;
		opex_server_response_init(&p->res);
		opex_server_handle(&p->res, d->server, &p->req);
		pthread_mutex_lock(&lane->lock);
		p->answered = true;
		pthread_mutex_unlock(&lane->lock);
		MHD_resume_connection(p->connection);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
	const char *url, const char *method, const char *version,
	const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	http_daemon *d = cls;
	opex_server *server = d->server;
	pending *p = *con_cls;
	enum MHD_Result ret;
	const char *length;

	(void)version;
	if (p == NULL) {
		p = opex_calloc(1, sizeof(*p));
		opex_buf_init(&p->body, OPEX_LIMIT_HTTP_BODY_BYTES);
		opex_buf_init(&p->query, OPEX_LIMIT_HTTP_URL_BYTES);
		*con_cls = p;
		length = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
			MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (length != NULL && strlen(length) > 12)
			p->too_big = true;
		else if (length != NULL &&
			 strtoull(length, NULL, 10) > (unsigned long long)OPEX_LIMIT_HTTP_BODY_BYTES)
			p->too_big = true;
		if (p->too_big)
			return refuse(server, c, method, url, 413, "body");
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (!p->too_big)
			opex_buf_put(&p->body, upload_data, *upload_data_size);
		if (p->body.failed)
			p->too_big = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (lane_answered(&d->lane, p)) {
		ret = send_response(c, &p->res);
		opex_server_response_release(&p->res);
		return ret;
	}
	if (p->too_big)
		return refuse(server, c, method, url, 413, "body");
	MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, p);
	if (p->too_many_headers)
		return refuse(server, c, method, url, 431, "headers");
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg,
		&p->query);
	if (p->query.failed)
		return refuse(server, c, method, url, 414, "query");
	if (strlen(url) > OPEX_LIMIT_HTTP_URL_BYTES)
		return refuse(server, c, method, url, 414, "url");
	remote_address(p->remote, sizeof(p->remote), c);
	memset(&p->req, 0, sizeof(p->req));
	p->req.method = method;
	p->req.path = url;
	p->req.path_len = strlen(url);
	p->req.query = p->query.len ? p->query.ptr : NULL;
	p->req.query_len = p->query.len;
	p->req.headers = p->headers;
	p->req.header_count = p->header_count;
	p->req.body = p->body.ptr;
	p->req.body_len = p->body.len;
	p->req.remote = p->remote;
	p->req.received_ms = opex_time_monotonic_ms();
	p->req.may_defer = true;
	opex_server_response_init(&p->res);
	opex_server_handle(&p->res, server, &p->req);
	if (p->res.deferred) {
		opex_server_response_release(&p->res);
		if (lane_queue(&d->lane, p, c))
			return MHD_YES;
		/* The lane is stopping: answer here. */
		p->req.may_defer = false;
		opex_server_response_init(&p->res);
		opex_server_handle(&p->res, server, &p->req);
	}
	ret = send_response(c, &p->res);
	opex_server_response_release(&p->res);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
	enum MHD_RequestTerminationCode toe)
{
	http_daemon *d = cls;
	pending *p = *con_cls;

	(void)c;
	(void)toe;
	if (p == NULL)
		return;
	if (lane_answered(&d->lane, p))   /* never sent: the daemon stopped */
		opex_server_response_release(&p->res);
	opex_buf_release(&p->body);
	opex_buf_release(&p->query);
	opex_free(p);
	*con_cls = NULL;
}

static unsigned processor_count(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus < 1)
		return 1;
	return cpus > 32 ? 32u : (unsigned)cpus;
}

static unsigned worker_count(const opex_server *server)
{
	if (server->opts.threads)
		return server->opts.threads;
	return processor_count() * 2u;
}

/* Stop taking requests, answer those queued, and end the lane threads. */
static void lane_stop(http_lane *lane)
{
	size_t i;

	pthread_mutex_lock(&lane->lock);
	lane->stopping = true;
	pthread_cond_broadcast(&lane->work);
	pthread_mutex_unlock(&lane->lock);
	for (i = 0; i < lane->thread_count; i++)
		pthread_join(lane->threads[i], NULL);
	opex_free(lane->threads);
	lane->threads = NULL;
	lane->thread_count = 0;
}

static int lane_start(http_daemon *d, opex_error *err)
{
	http_lane *lane = &d->lane;
	unsigned want = processor_count();

	lane->threads = opex_calloc(want, sizeof(*lane->threads));
	while (lane->thread_count < want) {
		if (pthread_create(&lane->threads[lane->thread_count], NULL,
			lane_run, d) != 0) {
			lane_stop(lane);
			return opex_error_set(err, OPEX_EIO,
				"cannot start the threads of slow requests");
		}
		lane->thread_count++;
	}
	return 0;
}

static void daemon_free(http_daemon *d)
{
	pthread_cond_destroy(&d->lane.work);
	pthread_mutex_destroy(&d->lane.lock);
	opex_free(d);
}

int opex_server_http_start(opex_server *server, opex_error *err)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	const struct sockaddr *addr;
	http_daemon *d;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
		MHD_ALLOW_SUSPEND_RESUME;

	if (server->http != NULL)
		return 0;
	memset(&in4, 0, sizeof(in4));
	memset(&in6, 0, sizeof(in6));
	if (inet_pton(AF_INET, server->opts.bind, &in4.sin_addr) == 1) {
		in4.sin_family = AF_INET;
		in4.sin_port = htons((uint16_t)server->opts.port);
		addr = (const struct sockaddr *)&in4;
	} else if (inet_pton(AF_INET6, server->opts.bind, &in6.sin6_addr) == 1) {
		in6.sin6_family = AF_INET6;
		in6.sin6_port = htons((uint16_t)server->opts.port);
		addr = (const struct sockaddr *)&in6;
		flags |= MHD_USE_IPv6;
	} else {
		return opex_error_set(err, OPEX_EINVALID,
			"'%s' is not an IP address", server->opts.bind);
	}
	d = opex_calloc(1, sizeof(*d));
	d->server = server;
	pthread_mutex_init(&d->lane.lock, NULL);
	pthread_cond_init(&d->lane.work, NULL);
	if (lane_start(d, err) < 0) {
		daemon_free(d);
		return -1;
	}
	d->mhd = MHD_start_daemon(flags, (uint16_t)server->opts.port, NULL, NULL,
		on_request, d,
		MHD_OPTION_SOCK_ADDR, addr,
		MHD_OPTION_THREAD_POOL_SIZE, worker_count(server),
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)OPEX_LIMIT_HTTP_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)OPEX_LIMIT_HTTP_CONNECTIONS_PER_IP,
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)OPEX_LIMIT_HTTP_TIMEOUT_SECONDS,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)(OPEX_LIMIT_HTTP_HEADERS_BYTES + OPEX_LIMIT_HTTP_URL_BYTES),
		MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, d,
		MHD_OPTION_END);
	if (d->mhd == NULL) {
		lane_stop(&d->lane);
		daemon_free(d);
		return opex_error_set(err, OPEX_EIO, "cannot listen on '%s' port %u",
			server->opts.bind, server->opts.port);
	}
	info = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_BIND_PORT);
	server->port = info ? info->port : server->opts.port;
	server->http = d;
	return 0;
}

void opex_server_http_stop(opex_server *server)
{
	http_daemon *d = server->http;

	if (d == NULL)
		return;
	lane_stop(&d->lane);
	MHD_stop_daemon(d->mhd);
	daemon_free(d);
	server->http = NULL;
}
