/* arena.h: a fixed static arena that serves uthash's tables, so that the
 * room never calls malloc. */
#ifndef UCHAT_ARENA_H
#define UCHAT_ARENA_H
#include <stddef.h>

/* Returns sz bytes, zeroed, from the static arena, or NULL when it is full.
 * Freed blocks are kept on a list per exact size and served again first. */
void *arena_alloc(size_t sz);
/* Gives back a block that arena_alloc returned for the same sz. */
void arena_free(void *p, size_t sz);
/* Bytes handed out from the arena's never-used part so far (for tests). */
size_t arena_used(void);

#endif
