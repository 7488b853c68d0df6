/*
 * limits.h: every size limit on outside input, in one place.
 *
 * Input that exceeds a limit fails with OPEX_ETOOBIG and a message naming
 * the file; it never aborts and never truncates silently.
 */
#ifndef OPEX_CORE_LIMITS_H
#define OPEX_CORE_LIMITS_H

/* A handbook file read from git (articles, maps, roster, settings). */
#define OPEX_LIMIT_FILE_BYTES (4u * 1024u * 1024u)
/* The YAML front matter of an article or launch. */
#define OPEX_LIMIT_FRONT_MATTER_BYTES (64u * 1024u)
/* Placeholders read from one reply. */
#define OPEX_LIMIT_PLACEHOLDERS 1000u
/* Nesting of YAML collections and Markdown blocks. */
#define OPEX_LIMIT_NESTING 32u
/*
 * Nodes in one YAML document (sequences, mappings and scalars): a roster
 * of 10,000 teams with their routing fields, or of 10,000 people, fits.
 */
#define OPEX_LIMIT_YAML_NODES 200000u
#define OPEX_LIMIT_YAML_NODES_TEXT "200,000"
/* Rendered output of one article or page. */
#define OPEX_LIMIT_RENDER_BYTES (32u * 1024u * 1024u)
/* A path inside the handbook. */
#define OPEX_LIMIT_PATH_BYTES 4096u
/* A short formatted line (diagnostics, log lines). */
#define OPEX_LIMIT_LINE_BYTES (64u * 1024u)
/* Files in one handbook revision. */
#define OPEX_LIMIT_TREE_ENTRIES 2000000u
/* Nodes, edges and subgraph nesting in one process map. */
#define OPEX_LIMIT_MAP_NODES 20000u
#define OPEX_LIMIT_MAP_EDGES 60000u
#define OPEX_LIMIT_MAP_NESTING 64u
/* A history cache file. */
#define OPEX_LIMIT_CACHE_BYTES (1024u * 1024u * 1024u)

/* --- search (kb/query.c, kb/index_sqlite.c) --- */
/* A search query as typed, and the terms and filters it may hold. */
#define OPEX_LIMIT_QUERY_BYTES 1024u
#define OPEX_LIMIT_QUERY_TERMS 32u
#define OPEX_LIMIT_QUERY_FILTERS 16u
/* Results on one page of search results. */
#define OPEX_LIMIT_SEARCH_PAGE 1000u
/*
 * Matches a search counts, for its total and its facets: past it the total
 * reads "10,000+" and facets count the first 10,000 matches.
 */
#define OPEX_LIMIT_SEARCH_COUNT 10000u
/* A snippet or a suggestion built for one search result. */
#define OPEX_LIMIT_SNIPPET_BYTES (16u * 1024u)

/* HTTP requests to the server: body, URL, one header's value, all headers. */
#define OPEX_LIMIT_HTTP_BODY_BYTES (64u * 1024u)
#define OPEX_LIMIT_HTTP_URL_BYTES 8192u
#define OPEX_LIMIT_HTTP_HEADERS_BYTES (32u * 1024u)
/* Connections to the server: in all, from one IP address, idle seconds. */
#define OPEX_LIMIT_HTTP_CONNECTIONS 1024u
#define OPEX_LIMIT_HTTP_CONNECTIONS_PER_IP 256u
#define OPEX_LIMIT_HTTP_TIMEOUT_SECONDS 30u
/* A JSON or HTML response built by the server. */
#define OPEX_LIMIT_HTTP_RESPONSE_BYTES (32u * 1024u * 1024u)
/* The server's token file. */
#define OPEX_LIMIT_AUTH_FILE_BYTES (1024u * 1024u)

/* --- launches and approvals (process-maps/launch.c, kb/git_records.c) --- */
/* Records on refs/opex/approvals, and one record's size. */
#define OPEX_LIMIT_RECORDS 1000000u
#define OPEX_LIMIT_RECORD_BYTES (64u * 1024u)
/* Commits walked to find who changed a launch's scope or ticked an item. */
#define OPEX_LIMIT_PATH_LOG_COMMITS 1000000u
/* Gates, items and names listed in one launch file. */
#define OPEX_LIMIT_LAUNCH_GATES 64u
#define OPEX_LIMIT_LAUNCH_ITEMS 1000u
#define OPEX_LIMIT_LAUNCH_NAMES 1000u
/* Entries of a launch's capacity: list, and the weeks one entry spans. */
#define OPEX_LIMIT_LAUNCH_CAPACITY 256u
#define OPEX_LIMIT_LAUNCH_CAPACITY_WEEKS 53u

#endif
