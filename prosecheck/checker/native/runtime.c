/* The fixed half of the compiled engine (the generated half defines the constants above and the
   successor function below). Worlds are collapsed as SPIN's -DCOLLAPSE: a world vector is cut into
   chunks (an instance's control state, locals and incoming queues; a group's ghost facts), each chunk
   interned in its own table of fixed-width uint16 records; a component (a group of instances that only
   talk among themselves) is the record of its chunk ids; a world is the record of its component ids
   (one component: the component's id is the world's index). Breadth first, worlds in order of
   discovery, parents and labels as uint32 arrays, depths as the first world of each level (worlds
   are stored in breadth-first order), edges in CSR form. Chunk ids in a component record are CID_T
   (uint16 unless a chunk has more than 65535 values: then the search says so and is rerun wide). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

typedef struct { uint8_t *data; uint32_t width, n, cap; uint32_t *index; uint32_t mask; } table_t;
typedef struct { uint32_t *a; uint64_t n, cap; } vec_t;
typedef struct { uint16_t *a; uint64_t n, cap; } vec16_t;
typedef struct { uint32_t mstart, mcount, ustart, ucount; uint8_t final, done; } entry_t;

static int vpush(vec_t *v, uint32_t x) {
    if (v->n == v->cap) {
        uint64_t cap = v->cap ? v->cap * 2 : 64;
        uint32_t *a = (uint32_t *)realloc(v->a, cap * 4);
        if (!a) return -1;
        v->a = a; v->cap = cap;
    }
    v->a[v->n++] = x;
    return 0;
}

static uint64_t hash_bytes(const uint8_t *p, uint32_t len) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
    while (len >= 8) { uint64_t k; memcpy(&k, p, 8); h = (h ^ k) * 0xBF58476D1CE4E5B9ULL; h ^= h >> 31; p += 8; len -= 8; }
    uint64_t k = 0; memcpy(&k, p, len); h = (h ^ k) * 0x94D049BB133111EBULL; h ^= h >> 29;
    return h * 0x9E3779B97F4A7C15ULL;
}

/* Ask for transparent huge pages on a large array (Linux, where they are given on request): the
   probes of a large table touch pages at random, and with 4 KB pages most also miss the TLB. */
static void huge(void *p, uint64_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes < (4u << 20)) return;
    uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, e = ((uintptr_t)p + bytes) & ~(uintptr_t)4095;
    if (e > a) madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p; (void)bytes;
#endif
}

static int tinit(table_t *t, uint32_t width) {
    memset(t, 0, sizeof *t);
    t->width = width; t->mask = 15; /* small first: a system has many small tables */
    t->index = (uint32_t *)calloc(16, 4);
    return t->index ? 0 : -1;
}

/* An index slot holds id + 1 in its low bits (those of the mask: id + 1 <= n < mask + 1) and, in the
   bits above them, a tag: the same bits of the low word of the record's hash. A probe compares the
   record only when the tag matches, so a miss or a collision does not read another record (in a large
   table each record read is a cache miss: the probes of the world table are most of a search's time). */
static inline uint32_t slot_tag(uint64_t hv, uint32_t mask) { return (uint32_t)hv & ~mask; }

static int tgrow(table_t *t) {
    uint32_t slots = (t->mask + 1) * 2, mask = slots - 1;
    uint32_t *index = (uint32_t *)calloc(slots, 4);
    if (!index) return -1;
    huge(index, 4ULL * slots);
    for (uint32_t base = 0; base < t->n; base += 16) { /* in batches of 16: their slots prefetched first */
        uint64_t hv[16];
        uint32_t n = t->n - base < 16 ? t->n - base : 16;
        for (uint32_t j = 0; j < n; j++) {
            hv[j] = hash_bytes(t->data + (uint64_t)(base + j) * t->width, t->width);
            __builtin_prefetch(&index[(uint32_t)(hv[j] >> 32) & mask], 1);
        }
        for (uint32_t j = 0; j < n; j++) {
            uint32_t h = (uint32_t)(hv[j] >> 32) & mask;
            while (index[h]) h = (h + 1) & mask;
            index[h] = slot_tag(hv[j], mask) | (base + j + 1);
        }
    }
    free(t->index); t->index = index; t->mask = mask;
    return 0;
}

/* The id of a record whose hash_bytes is hv (added when new: *fresh = 1); UINT32_MAX when out of memory. */
static uint32_t tintern_h(table_t *t, const void *rec, uint64_t hv, int *fresh) {
    uint32_t h = (uint32_t)(hv >> 32) & t->mask, tag = slot_tag(hv, t->mask);
    for (;;) {
        uint32_t at = t->index[h];
        if (!at) break;
        if ((at & ~t->mask) == tag) {
            uint32_t id = (at & t->mask) - 1;
            if (!memcmp(t->data + (uint64_t)id * t->width, rec, t->width)) { *fresh = 0; return id; }
        }
        h = (h + 1) & t->mask;
    }
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 16;
        uint8_t *d = (uint8_t *)realloc(t->data, (uint64_t)cap * t->width);
        if (!d) return UINT32_MAX;
        t->data = d; t->cap = cap;
        huge(d, (uint64_t)cap * t->width);
    }
    memcpy(t->data + (uint64_t)t->n * t->width, rec, t->width);
    t->index[h] = tag | ++t->n;
    *fresh = 1;
    if (4ULL * t->n > 3ULL * (t->mask + 1) && tgrow(t)) return UINT32_MAX;
    return t->n - 1;
}

static uint32_t tintern(table_t *t, const void *rec, int *fresh) {
    return tintern_h(t, rec, hash_bytes((const uint8_t *)rec, t->width), fresh);
}

/* Prefetching for a batch of lookups (the successors of one world in one component): every lookup's
   index slot is requested first (tprefetch), its record a few lookups ahead (tprefetch_rec: the slot
   has arrived by then), so the cache misses of a batch overlap instead of following one another. Only
   hints: a table that grows meanwhile makes them useless, never wrong. */
#define BATCH 16
#define AHEAD 4
static inline void tprefetch(const table_t *t, uint64_t hv) {
    __builtin_prefetch(&t->index[(uint32_t)(hv >> 32) & t->mask]);
}

static inline void tprefetch_rec(const table_t *t, uint64_t hv) {
    uint32_t at = t->index[(uint32_t)(hv >> 32) & t->mask];
    if (at && (at & ~t->mask) == slot_tag(hv, t->mask))
        __builtin_prefetch(t->data + (uint64_t)((at & t->mask) - 1) * t->width);
}

static int tgrow(table_t *t);

static int tfind(table_t *t, const void *rec) {
    if (!t->index && tgrow(t)) return -1; /* loaded by pc_load_table: the index is built when first needed */
    uint64_t hv = hash_bytes((const uint8_t *)rec, t->width);
    uint32_t h = (uint32_t)(hv >> 32) & t->mask, tag = slot_tag(hv, t->mask);
    for (;;) {
        uint32_t at = t->index[h];
        if (!at) return -1;
        if ((at & ~t->mask) == tag) {
            uint32_t id = (at & t->mask) - 1;
            if (!memcmp(t->data + (uint64_t)id * t->width, rec, t->width)) return (int)id;
        }
        h = (h + 1) & t->mask;
    }
}

typedef struct {
    table_t chunks[NCHUNK], comps[NCOMP], worlds, labels;
    vec_t parent, via, levels, estart, etarget, elabel, deadlocks, unh; /* levels[d]: the first world at depth d */
    vec_t moves[NCOMP], cunh[NCOMP];
    entry_t *cache[NCOMP]; uint32_t cache_cap[NCOMP];
    uint8_t unh_seen[NINST * NMSG + 1], fired[NINST * NTRSLOT + 1];
    uint64_t transitions; uint32_t head, hdepth; int oom; /* oom: 1 out of memory, 2 a chunk id too wide for CID_T, 3 a model error (err) */
    int64_t err[5]; /* the first model error: code (1 local range, 2 shared range, 3 computed destination without a link, 4 reply on a link with several senders) and its operands */
    /* while one component's steps are computed */
    int cur; vec_t *smoves, *sunh; uint32_t cur_chunk[NCHUNK];
    int32_t w[WLEN];
    uint16_t rec[MAXCHUNKW];
    CID_T crec[MAXCOMPW]; uint32_t wrec[NCOMP + 1];
    int timer[NGROUPS + 1], timer_order[NGROUPS + 1], ntimers;
    /* partition mode (pc_part; nparts 0: the sequential search). The stored worlds of a partition are
       its owned worlds (parent, psrc, via, levels, own_kid: breadth first as above); every world it
       met, owned or not, has a "kid" (its index in the worlds table, or with one component its
       component id) and kslot[kid]: its owned index, or FOREIGN | its ordinal among the foreign ones. */
    uint32_t part, nparts, owner_comps;
    vec_t psrc, own_kid, kslot, fdest, frow;
    vec_t *out_rows, *inmap, *rmap, *sentq; /* per destination; per source; per source x component; per destination x component */
    vec16_t *out_vals; /* per destination */
    uint64_t *chash[NCOMP]; uint32_t chash_cap[NCOMP];
    uint64_t *nsent;
    uint32_t *fcache; /* several components: FCACHE entries of (component ids, foreign ordinal + 1) */
    uint32_t ffirst[NINST * NTRSLOT + 1]; /* partition mode: levels.n after the expand that first fired it (0: not yet) */
} ctx_t;

static void gen_successors(ctx_t *x, int c, const int32_t *w);
static int gen_final(int c, const int32_t *w);

/* One successor of the component being expanded: intern its label and its new component value. */
static void emit(ctx_t *x, const int32_t *label, const int32_t *n) {
    int fresh;
    uint32_t lid = tintern(&x->labels, label, &fresh);
    int c = x->cur;
    for (int j = comp_start[c]; j < comp_start[c + 1]; j++) {
        int k = comp_chunk[j];
        const table_t *t = &x->chunks[k];
        int width = chunk_start[k + 1] - chunk_start[k];
        for (int p = 0; p < width; p++) x->rec[p] = (uint16_t)n[chunk_pos[chunk_start[k] + p]];
        uint32_t id = x->cur_chunk[k];
        if (memcmp(t->data + (uint64_t)id * t->width, x->rec, t->width))
            id = tintern(&x->chunks[k], x->rec, &fresh);
        if (id == UINT32_MAX) { x->oom = 1; return; }
        if (id > CID_MAX) { x->oom = 2; return; }
        x->crec[j - comp_start[c]] = (CID_T)id;
    }
    uint32_t cid = tintern(&x->comps[c], x->crec, &fresh);
    if (lid == UINT32_MAX || cid == UINT32_MAX) { x->oom = 1; return; }
    x->fired[(label[0]) * NTRSLOT + label[1] + 1] = 1;
    if (vpush(x->smoves, lid + 1) || vpush(x->smoves, cid)) x->oom = 1;
}

/* A message that reached an instance in a state that neither handles nor ignores it (blocked: the
   state has transitions for it, every guard false). */
static void note_unhandled(ctx_t *x, int inst, int link, const int32_t *msg, int blocked) {
    if (vpush(x->sunh, (uint32_t)inst) || vpush(x->sunh, (uint32_t)link)) { x->oom = 1; return; }
    for (int f = 0; f <= NFIELDS; f++) if (vpush(x->sunh, (uint32_t)msg[f])) { x->oom = 1; return; }
    if (vpush(x->sunh, (uint32_t)blocked)) x->oom = 1;
}

/* A model error met while a step fires (the Python search raises there): the search stops and
   Python raises the same error from the code and operands (pc_err). The first one is kept. */
static void fail(ctx_t *x, int code, int64_t a, int64_t b, int64_t c, int64_t d) {
    if (x->err[0]) return;
    x->err[0] = code; x->err[1] = a; x->err[2] = b; x->err[3] = c; x->err[4] = d;
    x->oom = 3;
}

static void decode_comp(ctx_t *x, int c, uint32_t cid, int32_t *w) {
    const CID_T *crec = (const CID_T *)(x->comps[c].data + (uint64_t)cid * x->comps[c].width);
    for (int j = comp_start[c]; j < comp_start[c + 1]; j++) {
        int k = comp_chunk[j];
        uint32_t id = crec[j - comp_start[c]];
        const uint16_t *r = (const uint16_t *)(x->chunks[k].data + (uint64_t)id * x->chunks[k].width);
        x->cur_chunk[k] = id;
        for (int p = chunk_start[k]; p < chunk_start[k + 1]; p++) w[chunk_pos[p]] = r[p - chunk_start[k]];
    }
}

static const uint32_t *world_comps(ctx_t *x, uint32_t world, uint32_t *one) {
    if (NCOMP == 1) { *one = world; return one; }
    return (const uint32_t *)(x->worlds.data + (uint64_t)world * x->worlds.width);
}

static void put_world(ctx_t *x, uint32_t parent, uint32_t lid, uint32_t depth) {
    if (depth == x->levels.n && vpush(&x->levels, (uint32_t)x->parent.n)) x->oom = 1;
    if (vpush(&x->parent, parent) || vpush(&x->via, lid)) x->oom = 1;
}

ctx_t *pc_new(void) {
    ctx_t *x = (ctx_t *)calloc(1, sizeof(ctx_t));
    if (!x) return 0;
    int fresh;
    for (int k = 0; k < NCHUNK; k++) tinit(&x->chunks[k], 2 * (chunk_start[k + 1] - chunk_start[k]));
    for (int c = 0; c < NCOMP; c++) tinit(&x->comps[c], sizeof(CID_T) * (comp_start[c + 1] - comp_start[c]));
    tinit(&x->worlds, 4 * NCOMP);
    tinit(&x->labels, 4 * LW);
    memcpy(x->w, W0, sizeof x->w);
    for (int c = 0; c < NCOMP; c++) {
        for (int j = comp_start[c]; j < comp_start[c + 1]; j++) {
            int k = comp_chunk[j];
            for (int p = chunk_start[k]; p < chunk_start[k + 1]; p++) x->rec[p - chunk_start[k]] = (uint16_t)W0[chunk_pos[p]];
            x->crec[j - comp_start[c]] = (CID_T)tintern(&x->chunks[k], x->rec, &fresh);
        }
        x->wrec[c] = tintern(&x->comps[c], x->crec, &fresh);
    }
    if (NCOMP > 1) tintern(&x->worlds, x->wrec, &fresh);
    put_world(x, UINT32_MAX, 0, 0);
    vpush(&x->estart, 0);
    return x;
}

static void free_table(table_t *t) { free(t->data); free(t->index); }
static void free_vec(vec_t *v) { free(v->a); }

void pc_free(ctx_t *x) {
    if (!x) return;
    for (int k = 0; k < NCHUNK; k++) free_table(&x->chunks[k]);
    for (int c = 0; c < NCOMP; c++) { free_table(&x->comps[c]); free_vec(&x->moves[c]); free_vec(&x->cunh[c]); free(x->cache[c]); }
    free_table(&x->worlds); free_table(&x->labels);
    vec_t *vs[] = {&x->parent, &x->via, &x->levels, &x->estart, &x->etarget, &x->elabel, &x->deadlocks, &x->unh};
    for (unsigned i = 0; i < sizeof vs / sizeof vs[0]; i++) free_vec(vs[i]);
    vec_t *ps[] = {&x->psrc, &x->own_kid, &x->kslot, &x->fdest, &x->frow};
    for (unsigned i = 0; i < sizeof ps / sizeof ps[0]; i++) free_vec(ps[i]);
    for (int c = 0; c < NCOMP; c++) free(x->chash[c]);
    for (uint32_t q = 0; q < x->nparts; q++) {
        free_vec(&x->out_rows[q]); free(x->out_vals[q].a); free_vec(&x->inmap[q]);
        for (int c = 0; c < NCOMP; c++) { free_vec(&x->rmap[(uint64_t)q * NCOMP + c]); free_vec(&x->sentq[(uint64_t)q * NCOMP + c]); }
    }
    free(x->out_rows); free(x->out_vals); free(x->inmap); free(x->rmap); free(x->sentq); free(x->nsent); free(x->fcache);
    free(x);
}

/* The cached steps of component c's value cid (computed on the world w when first met). */
static entry_t *entry_of(ctx_t *x, int c, uint32_t cid, const uint32_t *ids, int *decoded) {
    if (cid >= x->cache_cap[c]) {
        uint32_t cap = x->cache_cap[c] ? x->cache_cap[c] : 16;
        while (cap <= cid) cap *= 2;
        entry_t *e = (entry_t *)realloc(x->cache[c], (uint64_t)cap * sizeof(entry_t));
        if (!e) { x->oom = 1; return 0; }
        memset(e + x->cache_cap[c], 0, (uint64_t)(cap - x->cache_cap[c]) * sizeof(entry_t));
        x->cache[c] = e; x->cache_cap[c] = cap;
    }
    entry_t *e = &x->cache[c][cid];
    if (e->done) return e;
    if (!*decoded) { for (int d = 0; d < NCOMP; d++) decode_comp(x, d, ids[d], x->w); *decoded = 1; }
    x->cur = c; x->smoves = &x->moves[c]; x->sunh = &x->cunh[c];
    e->mstart = (uint32_t)(x->moves[c].n / 2); e->ustart = (uint32_t)(x->cunh[c].n / UW);
    gen_successors(x, c, x->w);
    if (x->oom) return 0;
    e->mcount = (uint32_t)(x->moves[c].n / 2) - e->mstart; e->ucount = (uint32_t)(x->cunh[c].n / UW) - e->ustart;
    e->final = (uint8_t)gen_final(c, x->w); e->done = 1;
    return e;
}

static void record_unhandled(ctx_t *x, uint32_t head, const uint32_t *u, uint32_t count) {
    for (uint32_t i = 0; i < count; i++, u += UW) {
        uint32_t key = u[0] * NMSG + u[2];
        if (x->unh_seen[key]) continue;
        x->unh_seen[key] = 1;
        if (vpush(&x->unh, head)) { x->oom = 1; return; }
        for (int f = 0; f < UW; f++) if (vpush(&x->unh, u[f])) { x->oom = 1; return; }
    }
}

static void add_edge(ctx_t *x, uint32_t head, uint32_t target, uint32_t lid, int fresh) {
    if (fresh) put_world(x, head, lid, x->hdepth + 1);
    if (vpush(&x->etarget, target) || vpush(&x->elabel, lid)) x->oom = 1;
}

/* The successors of world head (component ids ids), one component at a time from the step cache, handed
   to batch() BATCH at a time (c: the component that moves; mvs: label id and new component id of each);
   unhandled messages, transitions and a deadlock recorded here. Shared by the sequential search
   (seq_batch) and a partition (part_batch). */
typedef void (*batch_fn)(ctx_t *x, uint32_t head, int c, const uint32_t *ids, const uint32_t *mvs, uint32_t n,
                         const void *extra);

static inline void expand_comps(ctx_t *x, uint32_t head, const uint32_t *ids, batch_fn batch, const void *extra) {
    int decoded = 0, moved = 0, final = 1;
    for (int c = 0; c < NCOMP; c++) {
        entry_t *e = entry_of(x, c, ids[c], ids, &decoded);
        if (!e) return;
        if (e->ucount) record_unhandled(x, head, x->cunh[c].a + (uint64_t)e->ustart * UW, e->ucount);
        final = final && e->final;
        if (!e->mcount) continue;
        moved = 1;
        x->transitions += e->mcount;
        const uint32_t *mvs = x->moves[c].a + 2 * (uint64_t)e->mstart;
        for (uint32_t base = 0; base < e->mcount; base += BATCH) {
            batch(x, head, c, ids, mvs + 2 * (uint64_t)base, e->mcount - base < BATCH ? e->mcount - base : BATCH, extra);
            if (x->oom) return;
        }
    }
    if (!moved && !final && vpush(&x->deadlocks, head)) x->oom = 1;
}

/* A batch of the sequential search: successors hashed, their index slots and records prefetched, interned. */
static void seq_batch(ctx_t *x, uint32_t head, int c, const uint32_t *ids, const uint32_t *mvs, uint32_t n,
                      const void *extra) {
    (void)extra;
    uint32_t recs[BATCH][NCOMP];
    uint64_t hv[BATCH];
    for (uint32_t j = 0; j < n; j++) {
        memcpy(recs[j], ids, 4 * NCOMP);
        recs[j][c] = mvs[2 * j + 1];
        hv[j] = hash_bytes((const uint8_t *)recs[j], 4 * NCOMP);
        tprefetch(&x->worlds, hv[j]);
    }
    for (uint32_t j = 0; j < n && j < AHEAD; j++) tprefetch_rec(&x->worlds, hv[j]);
    for (uint32_t j = 0; j < n; j++) {
        if (j + AHEAD < n) tprefetch_rec(&x->worlds, hv[j + AHEAD]);
        int fresh;
        uint32_t target = tintern_h(&x->worlds, recs[j], hv[j], &fresh);
        if (target == UINT32_MAX) { x->oom = 1; return; }
        add_edge(x, head, target, mvs[2 * j], fresh);
    }
}

static void expand_multi(ctx_t *x, uint32_t head) {
    uint32_t ids[NCOMP + 1];
    memcpy(ids, world_comps(x, head, ids), 4 * NCOMP);
    expand_comps(x, head, ids, seq_batch, NULL);
}

static void expand_one(ctx_t *x, uint32_t head) {
    vec_t *moves = &x->moves[0], *unh = &x->cunh[0]; /* scratch: one component caches nothing */
    moves->n = 0; unh->n = 0;
    decode_comp(x, 0, head, x->w);
    x->cur = 0; x->smoves = moves; x->sunh = unh;
    gen_successors(x, 0, x->w);
    if (x->oom) return;
    if (unh->n) record_unhandled(x, head, unh->a, (uint32_t)(unh->n / UW));
    uint32_t count = (uint32_t)(moves->n / 2);
    x->transitions += count;
    for (uint32_t m = 0; m < count; m++)
        add_edge(x, head, moves->a[2 * m + 1], moves->a[2 * m], moves->a[2 * m + 1] == x->parent.n);
    if (!count && !gen_final(0, x->w) && vpush(&x->deadlocks, head)) x->oom = 1;
}

/* Expand up to `budget` worlds; stop early when `max_states` (0: none) worlds are stored.
   Returns 0 when the search is complete, 1 when there is more to do, -1 when out of memory. */
int pc_run(ctx_t *x, uint32_t budget, uint64_t max_states) {
    while (budget-- && x->head < x->parent.n) {
        while (x->hdepth + 1 < x->levels.n && x->head >= x->levels.a[x->hdepth + 1]) x->hdepth++;
        if (NCOMP == 1) expand_one(x, x->head); else expand_multi(x, x->head);
        if (x->oom) return -x->oom;
        x->head++;
        if (vpush(&x->estart, (uint32_t)x->etarget.n)) return -1;
        if (max_states && x->parent.n >= max_states) break;
    }
    return x->head < x->parent.n ? 1 : 0;
}

uint64_t pc_stat(ctx_t *x, int what) {
    switch (what) {
    case 0: return x->parent.n;
    case 1: return x->head;
    case 2: return x->transitions;
    case 3: return x->hdepth;
    case 4: return x->labels.n;
    case 5: return x->deadlocks.n;
    case 6: return x->unh.n;
    case 7: return x->etarget.n;
    case 8: { /* bytes held */
        uint64_t b = 0;
        const table_t *ts[NCHUNK + NCOMP + 2];
        int nt = 0;
        for (int k = 0; k < NCHUNK; k++) ts[nt++] = &x->chunks[k];
        for (int c = 0; c < NCOMP; c++) ts[nt++] = &x->comps[c];
        ts[nt++] = &x->worlds; ts[nt++] = &x->labels;
        for (int i = 0; i < nt; i++) b += (uint64_t)ts[i]->cap * ts[i]->width + 4ULL * (ts[i]->mask + 1);
        const vec_t *vs[] = {&x->parent, &x->via, &x->levels, &x->estart, &x->etarget, &x->elabel, &x->deadlocks, &x->unh};
        for (unsigned i = 0; i < sizeof vs / sizeof vs[0]; i++) b += vs[i]->cap * 4;
        for (int c = 0; c < NCOMP; c++) b += (x->moves[c].cap + x->cunh[c].cap) * 4 + (uint64_t)x->cache_cap[c] * sizeof(entry_t);
        return b;
    }
    case 10: return x->levels.n;
    case 11: return x->fdest.n;
    case 9: return (x->estart.cap + x->etarget.cap + x->elabel.cap) * 4;
    }
    return 0;
}

/* Read-only views for Python: 0 parent, 1 via, 2 levels, 3 estart, 4 etarget, 5 elabel, 6 deadlocks, 7 unhandled. */
uint32_t *pc_vec(ctx_t *x, int which) {
    vec_t *vs[] = {&x->parent, &x->via, &x->levels, &x->estart, &x->etarget, &x->elabel, &x->deadlocks, &x->unh};
    return vs[which]->a;
}

/* Table records: kind 0 chunk k, 1 component k, 2 worlds, 3 labels; *n receives the count. */
void *pc_table(ctx_t *x, int kind, int k, uint32_t *n) {
    table_t *t = kind == 0 ? &x->chunks[k] : kind == 1 ? &x->comps[k] : kind == 2 ? &x->worlds : &x->labels;
    *n = t->n;
    return t->data;
}

int pc_fired(ctx_t *x, int inst, int tr) { return x->fired[inst * NTRSLOT + tr + 1]; }

int64_t pc_err(ctx_t *x, int k) { return x->err[k]; }

/* The index of a world given as its full vector, or -1 when it was never stored. */
int64_t pc_find(ctx_t *x, const int32_t *w) {
    uint32_t wrec[NCOMP + 1];
    for (int c = 0; c < NCOMP; c++) {
        for (int j = comp_start[c]; j < comp_start[c + 1]; j++) {
            int k = comp_chunk[j];
            for (int p = chunk_start[k]; p < chunk_start[k + 1]; p++) x->rec[p - chunk_start[k]] = (uint16_t)w[chunk_pos[p]];
            int id = tfind(&x->chunks[k], x->rec);
            if (id < 0) return -1;
            x->crec[j - comp_start[c]] = (CID_T)id;
        }
        int id = tfind(&x->comps[c], x->crec);
        if (id < 0) return -1;
        wrec[c] = (uint32_t)id;
    }
    if (NCOMP == 1) return wrec[0] < x->parent.n ? (int64_t)wrec[0] : -1;
    int id = tfind(&x->worlds, wrec);
    return id < 0 ? -1 : id;
}

/* Decode world `world` into the vector w (for Python's world decoding and tests). */
void pc_decode(ctx_t *x, uint32_t world, int32_t *w) {
    uint32_t one;
    const uint32_t *ids = world_comps(x, world, &one);
    uint32_t copy[NCOMP + 1];
    memcpy(copy, ids, 4 * NCOMP);
    uint32_t saved[NCHUNK];
    memcpy(saved, x->cur_chunk, sizeof saved);
    for (int c = 0; c < NCOMP; c++) decode_comp(x, c, copy[c], w);
    memcpy(x->cur_chunk, saved, sizeof saved);
}

/* ---- partition mode (issue 21) ------------------------------------------------------------------
   Partition `part` of `nparts` owns the worlds whose value hash (world_hash: of the chunk values, the
   same in every process) maps to it. pc_pexpand expands the owned worlds of the current level: a
   successor owned here is stored at once (parent: the local index); one owned by q is interned here
   as a foreign world (so each distinct foreign world leaves at most once) and, when new, appended to
   outbox q as a row (the sender's component ids, the parent's owned index, the label id), each
   component value travelling once per destination (out_vals: component, id, chunk values).
   pc_pabsorb takes the outbox of one source: a world not met before becomes an owned world of the
   next level, parent (source, index); inmap[source] receives the owned index of every row. */
#define UNSEEN 0xFFFFFFFFu
#define FOREIGN 0x80000000u
#define NOPARENT 0xFFFFFFFFu
#define RW (NCOMP + 2)
#define VALW (3 + COMPVW)
#define FCACHE (1u << 16)

static int v16push(vec16_t *v, const uint16_t *a, uint32_t count) {
    if (v->n + count > v->cap) {
        uint64_t cap = v->cap ? v->cap : 256;
        while (cap < v->n + count) cap *= 2;
        uint16_t *b = (uint16_t *)realloc(v->a, cap * 2);
        if (!b) return -1;
        v->a = b; v->cap = cap;
    }
    memcpy(v->a + v->n, a, 2ULL * count);
    v->n += count;
    return 0;
}

/* Grow v to at least n entries, the new ones set to `fill`. */
static int vfill(vec_t *v, uint64_t n, uint32_t fill) {
    while (v->n < n) if (vpush(v, fill)) return -1;
    return 0;
}

static uint64_t comp_hash(ctx_t *x, int c, uint32_t cid) {
    if (cid >= x->chash_cap[c]) {
        uint32_t cap = x->chash_cap[c] ? x->chash_cap[c] : 64;
        while (cap <= cid) cap *= 2;
        uint64_t *h = (uint64_t *)realloc(x->chash[c], 8ULL * cap);
        if (!h) { x->oom = 1; return 0; }
        memset(h + x->chash_cap[c], 0, 8ULL * (cap - x->chash_cap[c]));
        x->chash[c] = h; x->chash_cap[c] = cap;
    }
    if (x->chash[c][cid]) return x->chash[c][cid];
    const CID_T *crec = (const CID_T *)(x->comps[c].data + (uint64_t)cid * x->comps[c].width);
    uint64_t h = 0x243F6A8885A308D3ULL + (uint64_t)c;
    for (int j = comp_start[c]; j < comp_start[c + 1]; j++) {
        const table_t *t = &x->chunks[comp_chunk[j]];
        h = (h ^ hash_bytes(t->data + (uint64_t)crec[j - comp_start[c]] * t->width, t->width)) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 29;
    }
    return x->chash[c][cid] = h | 1;
}

/* A world's hash from its component ids (of the component values: the same in every process). */
/* The owner's hash: of the first owner_comps components' values (all of them by default; fewer keep
   more successors at home: a step that changes only other components stays in its partition). It mixes
   a sum of per-component terms (comp_term), so a successor's sum is its parent's plus the difference in
   the one component that moved (pexpand_multi). */
static inline uint64_t weigh(uint64_t hash, int c) { return hash * (0x9E3779B97F4A7C15ULL + 2ULL * (uint64_t)c); }

static inline uint64_t comp_term(ctx_t *x, int c, uint32_t cid) { return weigh(comp_hash(x, c, cid), c); }

static inline uint64_t owner_mix(uint64_t h) {
    h ^= h >> 31; h *= 0x94D049BB133111EBULL; h ^= h >> 32;
    return h;
}

static uint64_t world_hash(ctx_t *x, const uint32_t *ids) {
    uint64_t h = 0;
    for (int c = 0; c < (int)x->owner_comps; c++) h += comp_term(x, c, ids[c]);
    return owner_mix(h);
}

static uint32_t owner_of(ctx_t *x, uint32_t kid) {
    uint32_t one, ids[NCOMP + 1];
    memcpy(ids, world_comps(x, kid, &one), 4 * NCOMP);
    return (uint32_t)(world_hash(x, ids) % x->nparts);
}

static void padmit(ctx_t *x, uint32_t src, uint32_t pidx, uint32_t lid, uint32_t kid) {
    x->kslot.a[kid] = (uint32_t)x->parent.n;
    if (vpush(&x->parent, pidx) || vpush(&x->psrc, src) || vpush(&x->via, lid) || vpush(&x->own_kid, kid)) x->oom = 1;
}

/* Send foreign world kid (first met now, expanding owned world head) to its owner q. */
/* Append the world of component ids `ids` to outbox q; its foreign ordinal. */
static uint32_t psend(ctx_t *x, uint32_t q, uint32_t head, uint32_t lid, const uint32_t *ids) {
    for (int c = 0; c < NCOMP; c++) {
        vec_t *sent = &x->sentq[(uint64_t)q * NCOMP + c];
        if (vfill(sent, (uint64_t)ids[c] + 1, 0)) { x->oom = 1; return 0; }
        if (!sent->a[ids[c]]) {
            sent->a[ids[c]] = 1;
            uint16_t row[VALW];
            memset(row, 0, sizeof row);
            row[0] = (uint16_t)c; row[1] = (uint16_t)(ids[c] & 0xFFFF); row[2] = (uint16_t)(ids[c] >> 16);
            const CID_T *crec = (const CID_T *)(x->comps[c].data + (uint64_t)ids[c] * x->comps[c].width);
            int at = 3;
            for (int j = comp_start[c]; j < comp_start[c + 1]; j++) {
                const table_t *t = &x->chunks[comp_chunk[j]];
                memcpy(row + at, t->data + (uint64_t)crec[j - comp_start[c]] * t->width, t->width);
                at += (int)(t->width / 2);
            }
            if (v16push(&x->out_vals[q], row, VALW)) { x->oom = 1; return 0; }
        }
        if (vpush(&x->out_rows[q], ids[c])) { x->oom = 1; return 0; }
    }
    if (vpush(&x->out_rows[q], head) || vpush(&x->out_rows[q], lid)) { x->oom = 1; return 0; }
    uint32_t f = (uint32_t)x->fdest.n;
    if (vpush(&x->fdest, q) || vpush(&x->frow, (uint32_t)x->nsent[q]++)) x->oom = 1;
    return f;
}

/* kids are numbered in the order they are first met (a world table, or with one component its
   component table, which holds worlds only): kid >= kslot.n is a world met for the first time. */
static void pedge(ctx_t *x, uint32_t head, uint32_t kid, uint32_t lid) {
    if (kid >= x->kslot.n) {
        if (vfill(&x->kslot, (uint64_t)kid + 1, UNSEEN)) { x->oom = 1; return; }
        uint32_t q = owner_of(x, kid), one;
        if (q == x->part) padmit(x, x->part, head, lid, kid);
        else x->kslot.a[kid] = FOREIGN | psend(x, q, head, lid, world_comps(x, kid, &one));
    }
    if (vpush(&x->etarget, kid) || vpush(&x->elabel, lid)) x->oom = 1;
}

/* The successors of an owned world in partition mode, several components: the owner of each (own: the
   sum of comp_term over the first owner_comps components; a step of a component outside them keeps the
   head's owner, this partition) and, for a foreign one, its slot in fcache (a direct-mapped cache of
   the foreign worlds sent lately; all: the sum over every component). */
typedef struct { uint32_t rec[NCOMP], q; uint64_t hv; uint32_t *slot; } succ_t;

static void psucc(ctx_t *x, succ_t *s, int c, uint64_t own, uint64_t all) {
    uint64_t h = c < (int)x->owner_comps ? owner_mix(own) : 0;
    s->q = c < (int)x->owner_comps ? (uint32_t)(h % x->nparts) : x->part;
    if (s->q == x->part) {
        s->hv = hash_bytes((const uint8_t *)s->rec, 4 * NCOMP);
        tprefetch(&x->worlds, s->hv);
    } else {
        if (x->owner_comps < NCOMP) { h = all; h ^= h >> 29; h *= 0x94D049BB133111EBULL; } /* the cache's slot: a hash of every component */
        s->slot = x->fcache + (uint64_t)((h >> 40) & (FCACHE - 1)) * (NCOMP + 1);
        __builtin_prefetch(s->slot);
    }
}

/* A successor s of owned world head: one owned here is interned in the world table (owned worlds only);
   one owned elsewhere is looked up in fcache (exact: the entry holds the component ids) and sent when
   missing (an owner may receive a world twice: it keeps the first). Edge target: the kid, or FOREIGN |
   the foreign ordinal. */
static void pedge_multi(ctx_t *x, uint32_t head, const succ_t *s, uint32_t lid) {
    uint32_t target;
    if (s->q == x->part) {
        int fresh;
        target = tintern_h(&x->worlds, s->rec, s->hv, &fresh);
        if (target == UINT32_MAX) { x->oom = 1; return; }
        if (target >= x->kslot.n) {
            if (vfill(&x->kslot, (uint64_t)target + 1, UNSEEN)) { x->oom = 1; return; }
            padmit(x, x->part, head, lid, target);
        }
    } else {
        uint32_t *e = s->slot;
        if (e[NCOMP] && !memcmp(e, s->rec, 4 * NCOMP)) target = FOREIGN | (e[NCOMP] - 1);
        else {
            uint32_t f = psend(x, s->q, head, lid, s->rec);
            memcpy(e, s->rec, 4 * NCOMP); e[NCOMP] = f + 1;
            target = FOREIGN | f;
        }
    }
    if (vpush(&x->etarget, target) || vpush(&x->elabel, lid)) x->oom = 1;
}

/* The head's owner-hash terms, computed once for all its successors (part_batch's extra). */
typedef struct { uint64_t term[NCOMP], own, all; } terms_t;

/* A batch of a partition: each successor's owner from the head's hash terms (modulo 2^64: the sums stay
   exact), its slot prefetched, then interned here or looked up and sent (pedge_multi). */
static void part_batch(ctx_t *x, uint32_t head, int c, const uint32_t *ids, const uint32_t *mvs, uint32_t n,
                       const void *extra) {
    const terms_t *t = (const terms_t *)extra;
    succ_t ss[BATCH];
    for (uint32_t j = 0; j < n; j++) {
        memcpy(ss[j].rec, ids, 4 * NCOMP);
        ss[j].rec[c] = mvs[2 * j + 1];
        uint64_t d = comp_term(x, c, ss[j].rec[c]) - t->term[c];
        psucc(x, &ss[j], c, c < (int)x->owner_comps ? t->own + d : t->own, t->all + d);
    }
    if (x->oom) return;
    for (uint32_t j = 0; j < n && j < AHEAD; j++) if (ss[j].q == x->part) tprefetch_rec(&x->worlds, ss[j].hv);
    for (uint32_t j = 0; j < n; j++) {
        if (j + AHEAD < n && ss[j + AHEAD].q == x->part) tprefetch_rec(&x->worlds, ss[j + AHEAD].hv);
        pedge_multi(x, head, &ss[j], mvs[2 * j]);
        if (x->oom) return;
    }
}

static void pexpand_multi(ctx_t *x, uint32_t head) {
    uint32_t ids[NCOMP + 1], one;
    memcpy(ids, world_comps(x, x->own_kid.a[head], &one), 4 * NCOMP);
    terms_t t = {.own = 0, .all = 0};
    for (int c = 0; c < NCOMP; c++) {
        t.term[c] = comp_term(x, c, ids[c]);
        t.all += t.term[c];
        if (c < (int)x->owner_comps) t.own += t.term[c];
    }
    if (x->oom) return;
    expand_comps(x, head, ids, part_batch, &t);
}

static void pexpand_one(ctx_t *x, uint32_t head) {
    vec_t *moves = &x->moves[0], *unh = &x->cunh[0];
    moves->n = 0; unh->n = 0;
    decode_comp(x, 0, x->own_kid.a[head], x->w);
    x->cur = 0; x->smoves = moves; x->sunh = unh;
    gen_successors(x, 0, x->w);
    if (x->oom) return;
    if (unh->n) record_unhandled(x, head, unh->a, (uint32_t)(unh->n / UW));
    uint32_t count = (uint32_t)(moves->n / 2);
    x->transitions += count;
    for (uint32_t m = 0; m < count; m++) {
        pedge(x, head, moves->a[2 * m + 1], moves->a[2 * m]);
        if (x->oom) return;
    }
    if (!count && !gen_final(0, x->w) && vpush(&x->deadlocks, head)) x->oom = 1;
}

/* Prefetch what expanding owned world head will read first: for its steps already cached in the
   components of the owner's hash, each successor's foreign-cache slot or world-table index slot. Only
   hints (no table changes): called one world ahead of the expansion. */
static void pprefetch(ctx_t *x, uint32_t head) {
    uint32_t one;
    const uint32_t *ids = world_comps(x, x->own_kid.a[head], &one);
    uint64_t term[NCOMP], own = 0, all = 0;
    for (int c = 0; c < NCOMP; c++) {
        if (ids[c] >= x->chash_cap[c] || !x->chash[c][ids[c]]) return;
        term[c] = weigh(x->chash[c][ids[c]], c);
        all += term[c];
        if (c < (int)x->owner_comps) own += term[c];
    }
    for (int c = 0; c < (int)x->owner_comps; c++) {
        if (ids[c] >= x->cache_cap[c] || !x->cache[c][ids[c]].done) continue;
        const entry_t *e = &x->cache[c][ids[c]];
        const uint32_t *mvs = x->moves[c].a + 2 * (uint64_t)e->mstart;
        for (uint32_t m = 0; m < e->mcount; m++) {
            uint32_t v = mvs[2 * m + 1];
            if (v >= x->chash_cap[c] || !x->chash[c][v]) continue;
            uint64_t d = weigh(x->chash[c][v], c) - term[c];
            succ_t s;
            memcpy(s.rec, ids, 4 * NCOMP); s.rec[c] = v;
            psucc(x, &s, c, own + d, all + d);
        }
    }
}

/* Switch a fresh context to partition `part` of `nparts` (owner: the hash of the first `owner_comps`
   components, 0: all): it keeps the initial world if it owns it. */
int pc_part(ctx_t *x, uint32_t part, uint32_t nparts, uint32_t owner_comps) {
    x->part = part; x->nparts = nparts;
    x->owner_comps = owner_comps && owner_comps < NCOMP ? owner_comps : NCOMP;
    x->out_rows = (vec_t *)calloc(nparts, sizeof(vec_t));
    x->out_vals = (vec16_t *)calloc(nparts, sizeof(vec16_t));
    x->inmap = (vec_t *)calloc(nparts, sizeof(vec_t));
    x->rmap = (vec_t *)calloc((uint64_t)nparts * NCOMP, sizeof(vec_t));
    x->sentq = (vec_t *)calloc((uint64_t)nparts * NCOMP, sizeof(vec_t));
    x->nsent = (uint64_t *)calloc(nparts, 8);
    x->fcache = NCOMP > 1 ? (uint32_t *)calloc((uint64_t)FCACHE * (NCOMP + 1), 4) : 0;
    if (!x->out_rows || !x->out_vals || !x->inmap || !x->rmap || !x->sentq || !x->nsent || (NCOMP > 1 && !x->fcache)) return -1;
    x->parent.n = 0; x->via.n = 0;
    if (vfill(&x->kslot, 1, UNSEEN)) return -1;
    if (owner_of(x, 0) == part) padmit(x, part, NOPARENT, 0, 0);
    else { x->kslot.a[0] = FOREIGN | (uint32_t)x->fdest.n; if (vpush(&x->fdest, UNSEEN) || vpush(&x->frow, 0)) return -1; }
    return x->oom ? -1 : 0;
}

/* Expand the owned worlds of the current level (the outboxes are emptied first). 0, or -oom. */
int pc_pexpand(ctx_t *x) {
    for (uint32_t q = 0; q < x->nparts; q++) { x->out_rows[q].n = 0; x->out_vals[q].n = 0; }
    uint32_t end = (uint32_t)x->parent.n;
    x->hdepth = (uint32_t)x->levels.n - 1;
    if (vpush(&x->levels, end)) return -1;
    while (x->head < end) {
        if (NCOMP > 1 && x->head + 1 < end) pprefetch(x, x->head + 1);
        if (NCOMP == 1) pexpand_one(x, x->head); else pexpand_multi(x, x->head);
        if (x->oom) return -x->oom;
        x->head++;
        if (vpush(&x->estart, (uint32_t)x->etarget.n)) return -1;
    }
    for (int i = 0; i < NINST * NTRSLOT + 1; i++) if (x->fired[i] && !x->ffirst[i]) x->ffirst[i] = (uint32_t)x->levels.n;
    return 0;
}

/* Whether (inst, tr) fired in the expands up to the one that left `levels` levels (a snapshot's: later
   expands, run before the driver read that snapshot, do not count). */
int pc_pfired(ctx_t *x, int inst, int tr, uint64_t levels) {
    uint32_t f = x->ffirst[inst * NTRSLOT + tr + 1];
    return f && f <= levels;
}

/* Outbox q: which 0 rows (uint32, RW per row), 1 component values (uint16, VALW per value); *n entries. */
void *pc_out(ctx_t *x, uint32_t q, int which, uint64_t *n) {
    if (which == 0) { *n = x->out_rows[q].n; return x->out_rows[q].a; }
    *n = x->out_vals[q].n; return x->out_vals[q].a;
}

/* Absorb the outbox of partition src (nvals component values, nrows rows). 0, or -oom (4: a row names
   a world this partition does not own). */
int pc_pabsorb(ctx_t *x, uint32_t src, const uint32_t *rows, uint64_t nrows, const uint16_t *vals, uint64_t nvals) {
    int fresh;
    for (uint64_t v = 0; v < nvals; v++) {
        const uint16_t *r = vals + v * VALW;
        int c = r[0];
        uint32_t scid = (uint32_t)r[1] | ((uint32_t)r[2] << 16);
        int at = 3;
        for (int j = comp_start[c]; j < comp_start[c + 1]; j++) {
            int k = comp_chunk[j];
            uint32_t id = tintern(&x->chunks[k], r + at, &fresh);
            if (id == UINT32_MAX) return -1;
            if (id > CID_MAX) return -2;
            x->crec[j - comp_start[c]] = (CID_T)id;
            at += (int)(x->chunks[k].width / 2);
        }
        uint32_t cid = tintern(&x->comps[c], x->crec, &fresh);
        vec_t *m = &x->rmap[(uint64_t)src * NCOMP + c];
        if (cid == UINT32_MAX || vfill(m, (uint64_t)scid + 1, UNSEEN)) return -1;
        m->a[scid] = cid;
    }
    for (uint64_t base = 0; base < nrows; base += BATCH) { /* in batches, prefetched as expand_multi's */
        uint32_t n = nrows - base < BATCH ? (uint32_t)(nrows - base) : BATCH, recs[BATCH][NCOMP];
        uint64_t hv[BATCH];
        for (uint32_t j = 0; j < n; j++) {
            const uint32_t *r = rows + (base + j) * RW;
            for (int c = 0; c < NCOMP; c++) recs[j][c] = x->rmap[(uint64_t)src * NCOMP + c].a[r[c]];
            if (NCOMP > 1) { hv[j] = hash_bytes((const uint8_t *)recs[j], 4 * NCOMP); tprefetch(&x->worlds, hv[j]); }
        }
        for (uint32_t j = 0; j < n && j < AHEAD && NCOMP > 1; j++) tprefetch_rec(&x->worlds, hv[j]);
        for (uint32_t j = 0; j < n; j++) {
            const uint32_t *r = rows + (base + j) * RW;
            uint32_t kid;
            if (NCOMP == 1) kid = recs[j][0];
            else {
                if (j + AHEAD < n) tprefetch_rec(&x->worlds, hv[j + AHEAD]);
                if ((kid = tintern_h(&x->worlds, recs[j], hv[j], &fresh)) == UINT32_MAX) return -1;
            }
            if (vfill(&x->kslot, (uint64_t)kid + 1, UNSEEN)) return -1;
            if (x->kslot.a[kid] == UNSEEN) padmit(x, src, r[NCOMP], r[NCOMP + 1], kid);
            else if (x->kslot.a[kid] & FOREIGN) return -4;
            if (x->oom || vpush(&x->inmap[src], x->kslot.a[kid])) return -1;
        }
    }
    return 0;
}

/* Partitions in threads of one process: absorb the outboxes addressed here straight from the peers'
   contexts (peers[s]: partition s's, in source order), one call per level instead of one per source. */
int pc_pabsorb_peers(ctx_t *x, void **peers, uint32_t n) {
    for (uint32_t s = 0; s < n; s++) {
        ctx_t *p = (ctx_t *)peers[s];
        vec_t *r = &p->out_rows[x->part];
        vec16_t *v = &p->out_vals[x->part];
        if (r->n || v->n) {
            int rc = pc_pabsorb(x, s, r->a, r->n / RW, v->a, v->n / VALW);
            if (rc) return rc;
        }
    }
    return 0;
}

/* What the last expand sent: rows[0] rows in all outboxes (this partition's own included), rows[1]
   bytes in the outboxes of the other partitions. */
void pc_psent(ctx_t *x, uint64_t *rows) {
    rows[0] = rows[1] = 0;
    for (uint32_t q = 0; q < x->nparts; q++) {
        rows[0] += x->out_rows[q].n / RW;
        if (q != x->part) rows[1] += 4 * x->out_rows[q].n + 2 * x->out_vals[q].n;
    }
}

/* Projections (the judge's): worlds w = first .. n - 1, world w being the world record kids[w] (NULL: w). Each
   of the nparts parts is chunk position pos[p] of component comp[p], whose chunk id i counts codes[p][i]
   times stride[p]; a world's code is the sum. firsts (may be NULL): firsts[code] = the first w with that
   code, where it was n or more before; out (may be NULL): each world's code (out[w - first]). No Python, no GIL: partitions
   in threads project at once. */
void pc_codes(ctx_t *x, const uint32_t *kids, uint64_t first, uint64_t n, int nparts, const int32_t *comp,
              const int32_t *pos, const int32_t **codes, const int64_t *stride, int64_t *firsts, int64_t *out) {
    for (uint64_t w = first; w < n; w++) {
        uint32_t kid = kids ? kids[w] : (uint32_t)w;
        int64_t code = 0;
        for (int p = 0; p < nparts; p++) {
            int c = comp[p];
            uint32_t cid = NCOMP == 1 ? kid : ((const uint32_t *)(x->worlds.data + (uint64_t)kid * x->worlds.width))[c];
            CID_T id = ((const CID_T *)(x->comps[c].data + (uint64_t)cid * x->comps[c].width))[pos[p]];
            code += (int64_t)codes[p][id] * stride[p];
        }
        if (firsts && (uint64_t)firsts[code] >= n) firsts[code] = (int64_t)w;
        if (out) out[w - first] = code;
    }
}

/* Partition vectors for the gather: 0 psrc, 1 own_kid, 2 kslot, 3 fdest, 4 frow, 5 + s inmap[s]. */
uint32_t *pc_pvec(ctx_t *x, int which, uint64_t *n) {
    vec_t *v = which == 0 ? &x->psrc : which == 1 ? &x->own_kid : which == 2 ? &x->kslot : which == 3 ? &x->fdest
        : which == 4 ? &x->frow : &x->inmap[which - 5];
    *n = v->n;
    return v->a;
}

/* The gather (in the driver's context): intern n records into table (kind, k) as pc_table names them;
   ids[i] receives each one's id. 0, or -1 out of memory. */
int pc_intern_rows(ctx_t *x, int kind, int k, const uint8_t *rows, uint64_t n, uint32_t *ids) {
    table_t *t = kind == 0 ? &x->chunks[k] : kind == 1 ? &x->comps[k] : kind == 2 ? &x->worlds : &x->labels;
    int fresh;
    if (!t->index && tgrow(t)) return -1;
    for (uint64_t i = 0; i < n; i++)
        if ((ids[i] = tintern(t, rows + i * t->width, &fresh)) == UINT32_MAX) return -1;
    return 0;
}

/* The gather's table for one partition's edge targets: out[k] for each kid k (kslot[k]: an owned index
   below nown, FOREIGN | a foreign ordinal, or anything else: UNSEEN), then out[nk + f] for each foreign
   ordinal f (sent to owner fdest[f] as its row frow[f]; that owner's inmap[fdest[f]] of this partition,
   ninmap[...] long, names its owned index there; never sent: index 0, the initial world). gidx[q]: the
   global index of owner q's owned worlds, ngidx[q] of them. 0, or -1 when an index is out of range. */
int pc_lut(const uint32_t *kslot, uint64_t nk, const uint32_t *fdest, const uint32_t *frow, uint64_t nf,
           const uint32_t **gidx, const uint64_t *ngidx, const uint32_t **inmap, const uint64_t *ninmap,
           uint32_t nparts, uint32_t part, uint32_t *out) {
    uint32_t *fg = out + nk;
    for (uint64_t f = 0; f < nf; f++) {
        uint32_t q = fdest[f];
        if (q == UNSEEN) { fg[f] = 0; continue; }
        if (q >= nparts || frow[f] >= ninmap[q]) return -1;
        uint32_t owned = inmap[q][frow[f]];
        if (owned >= ngidx[q]) return -1;
        fg[f] = gidx[q][owned];
    }
    for (uint64_t k = 0; k < nk; k++) {
        uint32_t ks = kslot[k];
        if (ks < FOREIGN && ks < ngidx[part]) out[k] = gidx[part][ks];
        else if (ks >= FOREIGN && ks != UNSEEN && ks - FOREIGN < nf) out[k] = fg[ks - FOREIGN];
        else out[k] = UNSEEN;
    }
    return 0;
}

/* The gather's edge mapping: out[i] = lut[t] for t = targets[i] & ~FOREIGN, plus `nkids` when the
   FOREIGN bit is set (lut: a partition's kids, then its foreign ordinals; nlut entries); labels through
   lmap (nlmap entries) alike. 0, or -1: an index out of range. */
int pc_map_edges(const uint32_t *lut, uint64_t nlut, uint32_t nkids, const uint32_t *targets, const uint32_t *lmap,
                 uint64_t nlmap, const uint32_t *labels, uint64_t n, uint32_t *tout, uint32_t *lout) {
    for (uint64_t i = 0; i < n; i++) {
        uint32_t t = targets[i];
        uint64_t at = (uint64_t)(t & (FOREIGN - 1)) + ((t & FOREIGN) ? nkids : 0);
        if (at >= nlut || labels[i] >= nlmap) return -1;
        tout[i] = lut[at];
        lout[i] = lmap[labels[i]];
    }
    return 0;
}

/* A partition's edge targets where it lives (liveness without a gather): each edge's target as (owner,
   owned index there). A target is a kid (kslot: its owned index here, or FOREIGN | its foreign ordinal) or
   FOREIGN | a foreign ordinal f: owner fdest[f] (UNSEEN: the initial world, init_owner's init_local, global
   index 0), whose owned index and global index are named[q][2 frow[f]], [2 frow[f] + 1] (what the owner
   answered for the rows it absorbed). *backward counts the edges whose target's global index is no higher
   than their source's (gidx: this partition's global indices; estart: its worlds' first edges).
   0, or -1: an index out of range or a world no partition stored. */
int pc_owned_targets(const uint32_t *etarget, const uint32_t *estart, uint64_t nworlds, const uint32_t *gidx,
                     const uint32_t *kslot, uint64_t nk, const uint32_t *fdest, const uint32_t *frow, uint64_t nf,
                     const uint32_t **named, const uint64_t *nnamed, uint32_t nparts, uint32_t part,
                     uint32_t init_owner, uint32_t init_local, uint16_t *owner, uint32_t *local, uint64_t *backward) {
    uint64_t back = 0;
    for (uint64_t w = 0; w < nworlds; w++) {
        uint32_t source = gidx[w];
        for (uint64_t i = estart[w]; i < estart[w + 1]; i++) {
            uint32_t t = etarget[i], f, q, at, g;
            if (!(t & FOREIGN)) {
                if (t >= nk) return -1;
                uint32_t ks = kslot[t];
                if (ks == UNSEEN) return -1;
                if (!(ks & FOREIGN)) {
                    if (ks >= nworlds) return -1;
                    owner[i] = (uint16_t)part; local[i] = ks;
                    if (gidx[ks] <= source) back++;
                    continue;
                }
                f = ks & ~FOREIGN;
            } else f = t & ~FOREIGN;
            if (f >= nf) return -1;
            q = fdest[f];
            if (q == UNSEEN) { owner[i] = (uint16_t)init_owner; local[i] = init_local; back++; continue; }
            if (q >= nparts || (uint64_t)frow[f] >= nnamed[q]) return -1;
            at = 2 * frow[f];
            g = named[q][at + 1];
            if (named[q][at] == UNSEEN) return -1;
            owner[i] = (uint16_t)q; local[i] = named[q][at];
            if (g <= source) back++;
        }
    }
    *backward = back;
    return 0;
}

/* A region search's round in one partition (liveness without a gather). pc_region_count: how many edges
   of the frontier worlds lead to each partition's worlds (counts[q]); pc_region_fill: those edges, as
   (target's owned index, source's global index) pairs, into out[q] (2 counts[q] entries each), in
   frontier and edge order. An edge to one of this partition's (`part`) own worlds is left out when that
   world is in the goal (outside[t] == 0) or, unless the absorb looks for cycles (`cycles`), was reached in
   an earlier round (pred[t] set): its absorb would drop it. 0, or -1: an owner out of range. */
static int region_keeps(uint32_t q, uint32_t t, uint32_t part, const uint8_t *outside, const uint32_t *pred,
                        int32_t cycles) {
    return q != part || (outside[t] && (cycles || pred[t] == UNSEEN));
}

int pc_region_count(const uint32_t *frontier, uint64_t n, const uint32_t *estart, const uint16_t *owner,
                    const uint32_t *local, uint32_t nparts, uint32_t part, const uint8_t *outside, const uint32_t *pred,
                    int32_t cycles, uint64_t *counts) {
    for (uint32_t q = 0; q < nparts; q++) counts[q] = 0;
    for (uint64_t i = 0; i < n; i++)
        for (uint64_t e = estart[frontier[i]]; e < estart[frontier[i] + 1]; e++) {
            if (owner[e] >= nparts) return -1;
            if (region_keeps(owner[e], local[e], part, outside, pred, cycles)) counts[owner[e]]++;
        }
    return 0;
}

int pc_region_fill(const uint32_t *frontier, uint64_t n, const uint32_t *estart, const uint16_t *owner,
                   const uint32_t *local, uint32_t nparts, uint32_t part, const uint8_t *outside, const uint32_t *pred,
                   int32_t cycles, const uint32_t *gidx, uint32_t **out) {
    uint64_t *fill = (uint64_t *)calloc(nparts, 8);
    if (!fill) return -1;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t w = frontier[i];
        for (uint64_t e = estart[w]; e < estart[w + 1]; e++) {
            if (!region_keeps(owner[e], local[e], part, outside, pred, cycles)) continue;
            uint32_t *o = out[owner[e]] + 2 * fill[owner[e]]++;
            o[0] = local[e];
            o[1] = gidx[w];
        }
    }
    free(fill);
    return 0;
}

/* Candidates of a region search (n pairs: target's owned index, source's global index) absorbed by the
   target's owner: a target outside the goal and not reached before this round is reached, its predecessor
   the smallest source of the round (a round may absorb several arrays). The newly reached go to reached
   (their number is returned), in the order first met, and are marked in fresh (one byte per world: the
   caller clears the round's marks once it has absorbed every array of the round). With gidx (else NULL),
   *backward becomes 1 when an edge into the region leads to a world numbered no higher than its source.
   -1: an owned index out of range. */
int64_t pc_region_absorb(const uint32_t *pairs, uint64_t n, const uint8_t *outside, uint32_t *pred, uint8_t *fresh,
                         const uint32_t *gidx, uint64_t count, uint32_t *reached, int32_t *backward) {
    uint64_t m = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t l = pairs[2 * i], s = pairs[2 * i + 1];
        if (l >= count) return -1;
        if (!outside[l]) continue;
        if (gidx && gidx[l] <= s) *backward = 1;
        if (pred[l] == UNSEEN) { pred[l] = s; fresh[l] = 1; reached[m++] = l; }
        else if (fresh[l] && s < pred[l]) pred[l] = s;
    }
    return (int64_t)m;
}

/* Replace vector `which` (pc_vec's numbering) by a[0 .. n-1]. */
int pc_set_vec(ctx_t *x, int which, const uint32_t *a, uint64_t n) {
    vec_t *vs[] = {&x->parent, &x->via, &x->levels, &x->estart, &x->etarget, &x->elabel, &x->deadlocks, &x->unh};
    vec_t *v = vs[which];
    v->n = 0;
    if (n > v->cap) {
        uint32_t *b = (uint32_t *)realloc(v->a, 4 * n);
        if (!b) return -1;
        v->a = b; v->cap = n;
    }
    if (n) memcpy(v->a, a, 4 * n);
    v->n = n;
    return 0;
}

/* Set a counter of the gathered search: 0 transitions, 1 head (expanded), 2 depth; 3 mark (inst, tr) fired. */
void pc_set(ctx_t *x, int what, uint64_t value, int inst, int tr) {
    if (what == 0) x->transitions = value;
    else if (what == 1) x->head = (uint32_t)value;
    else if (what == 2) x->hdepth = (uint32_t)value;
    else x->fired[inst * NTRSLOT + tr + 1] = 1;
}

/* The gather: table (kind, k) becomes the n distinct records `rows` (its index rebuilt without a compare:
   the caller guarantees they are distinct). 0, or -1 out of memory. */
int pc_load_table(ctx_t *x, int kind, int k, const uint8_t *rows, uint32_t n) {
    table_t *t = kind == 0 ? &x->chunks[k] : kind == 1 ? &x->comps[k] : kind == 2 ? &x->worlds : &x->labels;
    uint32_t cap = n > 16 ? n : 16;
    uint8_t *d = (uint8_t *)realloc(t->data, (uint64_t)cap * t->width);
    if (!d) return -1;
    memcpy(d, rows, (uint64_t)n * t->width);
    t->data = d; t->cap = cap; t->n = n;
    uint32_t slots = 16;
    while (4ULL * n > 3ULL * slots) slots *= 2;
    t->mask = slots / 2 - 1; /* tgrow doubles it */
    free(t->index); t->index = 0; /* built by tfind when a lookup needs it */
    return 0;
}
