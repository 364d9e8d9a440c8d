/*
 * A WASI preview 1 program for skiff's WASM containers (README: WebAssembly workloads).
 *   clang --target=wasm32-wasi --sysroot=/usr -O2 -o app.wasm hello.c
 * Prints its arguments, $GREETING and the variable $SHOW_VAR names; with $OUT_FILE writes a
 * line there; with $ALLOC_MIB allocates and touches that much memory; with $ECHO_STDIN copies
 * stdin to stdout; with $SLEEP_MS sleeps; exits with $EXIT_CODE.
 * The same source builds natively (gcc -static) for a side-by-side comparison.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char *volatile kept[4096];

int main(int argc, char **argv) {
  const char *greeting = getenv("GREETING");
  printf("hello from %s\n", argv[0]);
  for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
  if (greeting) printf("GREETING=%s\n", greeting);
  const char *show = getenv("SHOW_VAR");
  if (show) printf("%s=%s\n", show, getenv(show) ? getenv(show) : "(unset)");
  fflush(stdout);
  const char *out = getenv("OUT_FILE");
  if (out) {
    FILE *f = fopen(out, "w");
    if (!f) { perror(out); return 1; }
    fprintf(f, "written by %s\n", argv[0]);
    fclose(f);
  }
  const char *alloc = getenv("ALLOC_MIB");
  for (int i = 0; alloc && i < atoi(alloc) / 16 && i < 4096; i++) {
    volatile char *p = malloc(16 << 20);
    if (!p) { printf("malloc failed after %d MiB\n", i * 16); return 2; }
    for (int j = 0; j < (16 << 20); j += 4096) p[j] = 1; /* touched: charged to the cgroup */
    kept[i] = (char *)p;
  }
  if (getenv("ECHO_STDIN")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) fwrite(buf, 1, n, stdout);
  }
  const char *sleep_ms = getenv("SLEEP_MS");
  if (sleep_ms) usleep(atoi(sleep_ms) * 1000);
  const char *code = getenv("EXIT_CODE");
  return code ? atoi(code) : 0;
}
