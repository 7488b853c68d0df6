/* memory.c: allocators that abort instead of returning NULL. */
#include "core/memory.h"
#include "core/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

void *opex_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		OPEX_BUG("out of memory");
	return p;
}

void *opex_calloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		n = size = 1;
	p = calloc(n, size);
	if (p == NULL)
		OPEX_BUG("out of memory");
	return p;
}

void *opex_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		OPEX_BUG("out of memory");
	return p;
}

void opex_array_grow(void **array, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;

	if (need <= *cap)
		return;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			OPEX_BUG("array size overflow");
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		OPEX_BUG("array size overflow");
	*array = opex_realloc(*array, ncap * elem);
	*cap = ncap;
}

char *opex_strdup(const char *s)
{
	if (s == NULL)
		return NULL;
	return opex_strndup(s, strlen(s));
}

char *opex_strndup(const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		OPEX_BUG("string size overflow");
	p = opex_malloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void opex_free(void *ptr)
{
	free(ptr);
}

void opex_strings_free(char **items, size_t count)
{
	size_t i;

	for (i = 0; items != NULL && i < count; i++)
		free(items[i]);
	free(items);
}

void opex_memory_trim(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}
