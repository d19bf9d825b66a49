/* arena.c: bump allocation from a static buffer plus per-size free lists.
 * uthash asks for few distinct sizes (its table, bucket arrays that double),
 * so reuse by exact size keeps the arena bounded. A full room (seeded hash,
 * about ten members a bucket before uthash doubles) needs a small part of
 * it. Were it ever full, uthash (HASH_NONFATAL_OOM) refuses that one add,
 * and the room reports it (ROOM_NOMEM) rather than exit. */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "bounds.h"

/* Two hashes; each may hold its table, its buckets and, while growing, the
 * old and the new bucket array (16 bytes a bucket, about one per member). */
#define ARENA_BYTES (2 * (1024 + 4 * 16 * (UCHAT_MAX_MEMBERS + 32)))
#define ARENA_CLASSES 16

struct arena_free {
	struct arena_free *next;
};

static union {
	max_align_t align; /* cppcheck-suppress unusedStructMember ; only aligns b */
	unsigned char b[ARENA_BYTES];
} arena_mem;
static size_t arena_top;
static struct {
	size_t size;
	struct arena_free *head;
} arena_lists[ARENA_CLASSES];

static size_t arena_round(size_t sz)
{
	size_t a = sizeof(max_align_t);

	return (sz + a - 1) / a * a;
}

void *arena_alloc(size_t sz)
{
	size_t i;
	void *p;

	sz = arena_round(sz);
	for (i = 0; i < ARENA_CLASSES && arena_lists[i].size; i++) {
		if (arena_lists[i].size == sz && arena_lists[i].head) {
			p = arena_lists[i].head;
			arena_lists[i].head = arena_lists[i].head->next;
			memset(p, 0, sz);
			return p;
		}
	}
	if (sz > sizeof(arena_mem.b) - arena_top)
		return NULL;
	p = arena_mem.b + arena_top;
	arena_top += sz;
	return p;
}

void arena_free(void *p, size_t sz)
{
	struct arena_free *f = p;
	size_t i;

	if (!p)
		return;
	sz = arena_round(sz);
	for (i = 0; i < ARENA_CLASSES; i++) {
		if (arena_lists[i].size == 0)
			arena_lists[i].size = sz;
		if (arena_lists[i].size == sz) {
			f->next = arena_lists[i].head;
			arena_lists[i].head = f;
			return;
		}
	}
	/* more sizes than classes: the block is lost to reuse, never to safety */
}

size_t arena_used(void)
{
	return arena_top;
}
