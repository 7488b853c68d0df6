/*
 * banned.h: C library functions we never call, turned into compile errors.
 * They overflow buffers (strcpy, strcat, sprintf), truncate without telling
 * (strncpy), or keep hidden shared state (strtok, gmtime, localtime).
 * Included last, after system headers, by every opex source file.
 */
#ifndef OPEX_CORE_BANNED_H
#define OPEX_CORE_BANNED_H

#define OPEX_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) OPEX_BANNED(strcpy)
#undef strcat
#define strcat(x, y) OPEX_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) OPEX_BANNED(strncpy)
#undef sprintf
#define sprintf(...) OPEX_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) OPEX_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) OPEX_BANNED(strtok)
#undef gmtime
#define gmtime(t) OPEX_BANNED(gmtime)
#undef localtime
#define localtime(t) OPEX_BANNED(localtime)

#endif
