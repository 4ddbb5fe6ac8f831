/* Defaults, BINMALLOC_* environment variables and mallopt(). */
#include "tunables.h"

#include <stdlib.h>

#include "arena.h"
#include "tcache.h"
#include "vg.h"

bm_params_t bm_mp = {
    .mmap_threshold = DEFAULT_MMAP_THRESHOLD,
    .trim_threshold = DEFAULT_TRIM_THRESHOLD,
    .top_pad = DEFAULT_TOP_PAD,
    .n_mmaps_max = DEFAULT_MMAP_MAX,
    .no_dyn_threshold = 0,
    .perturb_byte = 0,
    .arena_test = DEFAULT_ARENA_TEST,
    .arena_max = 0,
    .max_fast = 128,
    .tcache_count = DEFAULT_TCACHE_COUNT,
    .tcache_max_bytes = DEFAULT_TCACHE_MAX,
    .tcache_depth = DEFAULT_TCACHE_DEPTH,
    .tcache_bytes = DEFAULT_TCACHE_BYTES,
    .tcache_shared_bytes = DEFAULT_TCACHE_SHARED_BYTES,
    .tcache_large_bytes = DEFAULT_TCACHE_LARGE_BYTES,
    .tcache_large_shared_bytes = DEFAULT_TCACHE_LARGE_SHARED_BYTES,
    .tcache_above_share = DEFAULT_TCACHE_ABOVE_SHARE,
    .valgrind_mode = -1,
};

size_t bm_mxfast_to_chunk(size_t request) {
  if (request == 0) return 0;
  return (request + SIZE_SZ) & ~CHUNK_ALIGN_MASK;
}

/* Parses a decimal (or 0x hex) number with an optional k/m/g suffix. */
static int parse_size(const char *s, size_t *out) {
  if (!s || !*s) return 0;
  size_t v = 0;
  int base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  int digits = 0;
  for (; *s; s++) {
    int d;
    if (*s >= '0' && *s <= '9')
      d = *s - '0';
    else if (base == 16 && *s >= 'a' && *s <= 'f')
      d = *s - 'a' + 10;
    else if (base == 16 && *s >= 'A' && *s <= 'F')
      d = *s - 'A' + 10;
    else
      break;
    if (v > (SIZE_MAX - (size_t)d) / (size_t)base) return 0;
    v = v * (size_t)base + (size_t)d;
    digits++;
  }
  if (!digits) return 0;
  size_t mul = 1;
  if (*s == 'k' || *s == 'K')
    mul = 1024, s++;
  else if (*s == 'm' || *s == 'M')
    mul = 1024UL * 1024, s++;
  else if (*s == 'g' || *s == 'G')
    mul = 1024UL * 1024 * 1024, s++;
  if (*s) return 0;
  if (v > SIZE_MAX / mul) return 0;
  *out = v * mul;
  return 1;
}

static int env_size(const char *name, size_t *out) {
  extern char **environ;
  if (!environ) return 0;
  return parse_size(getenv(name), out);
}

void bm_tunables_init(void) {
  size_t v;
  if (env_size("BINMALLOC_MMAP_THRESHOLD", &v) && v <= DEFAULT_MMAP_THRESHOLD_MAX) {
    bm_mp.mmap_threshold = v;
    bm_mp.no_dyn_threshold = 1;
  }
  if (env_size("BINMALLOC_TRIM_THRESHOLD", &v)) {
    bm_mp.trim_threshold = v;
    bm_mp.no_dyn_threshold = 1;
  }
  if (env_size("BINMALLOC_TOP_PAD", &v)) {
    bm_mp.top_pad = v;
    bm_mp.no_dyn_threshold = 1;
  }
  if (env_size("BINMALLOC_MMAP_MAX", &v) && v <= 0x7fffffff) {
    bm_mp.n_mmaps_max = (int)v;
    bm_mp.no_dyn_threshold = 1;
  }
  if (env_size("BINMALLOC_ARENA_MAX", &v) && v > 0) bm_mp.arena_max = v;
  if (env_size("BINMALLOC_ARENA_TEST", &v) && v > 0) bm_mp.arena_test = v;
  if (env_size("BINMALLOC_MXFAST", &v) && v <= MAX_MXFAST) bm_mp.max_fast = bm_mxfast_to_chunk(v);
  if (env_size("BINMALLOC_PERTURB", &v)) bm_mp.perturb_byte = (int)(v & 0xff);
  if (env_size("BINMALLOC_VALGRIND", &v)) bm_mp.valgrind_mode = v ? 1 : 0;
  if (env_size("BINMALLOC_TCACHE_COUNT", &v) && v <= MAX_TCACHE_COUNT) bm_mp.tcache_count = v;
  if (env_size("BINMALLOC_TCACHE_MAX", &v) && v <= DEFAULT_TCACHE_MAX) bm_mp.tcache_max_bytes = v;
  if (env_size("BINMALLOC_TCACHE_DEPTH", &v) && v <= MAX_TCACHE_COUNT) bm_mp.tcache_depth = v;
  if (env_size("BINMALLOC_TCACHE_BYTES", &v)) bm_mp.tcache_bytes = v;
  if (env_size("BINMALLOC_TCACHE_LARGE_BYTES", &v)) bm_mp.tcache_large_bytes = v;
  if (env_size("BINMALLOC_TCACHE_SHARED_BYTES", &v)) bm_mp.tcache_shared_bytes = v;
  if (env_size("BINMALLOC_TCACHE_LARGE_SHARED_BYTES", &v)) bm_mp.tcache_large_shared_bytes = v;
  if (env_size("BINMALLOC_TCACHE_ABOVE_SHARE", &v) && v <= MAX_TCACHE_ABOVE_SHARE) bm_mp.tcache_above_share = v;
  size_t large_max = DEFAULT_TCACHE_LARGE_MAX;
  if (env_size("BINMALLOC_TCACHE_LARGE_MAX", &v) && v <= DEFAULT_TCACHE_LARGE_MAX) large_max = v;
  /* Number of bins in use: those whose chunk size serves a request <= max;
   * above the exact bins, the classes up to the one that serves it. */
  bm_mp.tcache_bins = tc_bins_for(bm_mp.tcache_max_bytes);
  bm_mp.tcache_large_bins = tc_bins_for(large_max < EXACT_TCACHE_LARGE_MAX ? large_max : EXACT_TCACHE_LARGE_MAX);
  size_t large_nb = request2size(large_max);
  bm_mp.tcache_class_max = large_nb > TC_EXACT_MAX_CHUNK ? tc_class_size(tc_class_of(large_nb)) : 0;
  /* Bins that start empty only fill once hot: a fixed-depth cache has none. */
  if (bm_mp.tcache_depth <= bm_mp.tcache_count || bm_mp.tcache_bytes == 0 || bm_mp.tcache_large_bytes == 0 ||
      bm_mp.tcache_large_bins < bm_mp.tcache_bins) {
    bm_mp.tcache_large_bins = bm_mp.tcache_bins;
    bm_mp.tcache_class_max = 0;
  }
  if (bm_mp.tcache_count == 0) bm_mp.tcache_bins = bm_mp.tcache_large_bins = bm_mp.tcache_class_max = 0;
}

int bm_mallopt(int param, int value) {
  bm_ensure_init();
  vg_enter();
  arena_t *a = &bm_main_arena;
  int need = bm_need_lock();
  if (need) bm_lock(&a->lock);
  /* Fastbin chunks are consolidated first so a changed M_MXFAST cannot strand them. */
  bm_malloc_consolidate(a);
  int ok = 1;
  switch (param) {
    case 1: /* M_MXFAST */
      if (value >= 0 && (size_t)value <= MAX_MXFAST)
        bm_mp.max_fast = bm_mxfast_to_chunk((size_t)value);
      else
        ok = 0;
      break;
    case -1: /* M_TRIM_THRESHOLD */
      bm_mp.trim_threshold = (size_t)(long)value;
      bm_mp.no_dyn_threshold = 1;
      break;
    case -2: /* M_TOP_PAD */
      bm_mp.top_pad = (size_t)(long)value;
      bm_mp.no_dyn_threshold = 1;
      break;
    case -3: /* M_MMAP_THRESHOLD */
      if ((size_t)(long)value > DEFAULT_MMAP_THRESHOLD_MAX)
        ok = 0;
      else {
        bm_mp.mmap_threshold = (size_t)(long)value;
        bm_mp.no_dyn_threshold = 1;
      }
      break;
    case -4: /* M_MMAP_MAX */
      bm_mp.n_mmaps_max = value;
      bm_mp.no_dyn_threshold = 1;
      break;
    case -5: /* M_CHECK_ACTION: accepted; corruption always aborts with a message */
      break;
    case -6: /* M_PERTURB */
      bm_mp.perturb_byte = value;
      break;
    case -7: /* M_ARENA_TEST */
      if (value > 0)
        bm_mp.arena_test = (size_t)value;
      else
        ok = 0;
      break;
    case -8: /* M_ARENA_MAX */
      if (value > 0)
        bm_mp.arena_max = (size_t)value;
      else
        ok = 0;
      break;
    default:
      ok = 0;
      break;
  }
  if (need) bm_unlock(&a->lock);
  vg_leave();
  return ok;
}
