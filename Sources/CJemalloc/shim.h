#ifndef ODDSNET_CJEMALLOC_SHIM_H
#define ODDSNET_CJEMALLOC_SHIM_H
#include <stddef.h>
#include <jemalloc/jemalloc.h>

/* The allocator's version. Calling into jemalloc here also keeps the linker from dropping the
 * library, which then serves every malloc in the program. */
static inline const char *oddsnet_allocator_version(void) {
    const char *version = NULL;
    size_t length = sizeof(version);
    if (mallctl("version", (void *)&version, &length, NULL, 0) != 0 || version == NULL) {
        return "unknown";
    }
    return version;
}
#endif
