/* util.h: what the end-to-end test programs share: running the `kiln`
 * command with its output captured, temporary directories, and files. */
#ifndef KILN_E2E_UTIL_H
#define KILN_E2E_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Run argv (argv[0] a path) with stdout to out_path (NULL: captured like
 * stderr) and stderr captured into msg (NUL-terminated, truncated). Returns
 * the exit status, 128+signal when killed, or -1 if it could not start. */
int e2e_run(char *const argv[], const char *out_path, char *msg,
            size_t msglen);

/* mkdtemp under $TMPDIR (or /tmp) with the given tag; malloc'd path. */
char *e2e_tmpdir(const char *tag);
/* rm -r path (best effort). */
void e2e_rmtree(const char *path);
/* Regular files below dir (recursive), excluding none. */
size_t e2e_count_files(const char *dir);
/* Write n bytes to path; 0 or -1. */
int e2e_write_file(const char *path, const void *p, size_t n);
/* Required environment variable, or exit with a message. */
const char *e2e_env(const char *name);

#endif
