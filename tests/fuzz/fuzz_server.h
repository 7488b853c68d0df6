/* fuzz_server.h: the server the HTTP fuzz targets send requests to. */
#ifndef OPEX_TESTS_FUZZ_SERVER_H
#define OPEX_TESTS_FUZZ_SERVER_H

#include "server/server.h"

/**
 * The server, loaded on first use over $OPEX_FUZZ_HANDBOOK or else the
 * opex source repository itself (found from this file's path). It lives
 * until the process ends; aborts if it cannot be loaded.
 */
opex_server *opex_fuzz_server(void);

#endif
