/* fail_io.c: an LD_PRELOAD library that fails the Nth file-system call a
 * store makes, so a test can fail the 1st, 2nd, 3rd ... store write of a
 * whole `kiln` command (ingest, cp) and check the store afterwards: whole
 * blocks or none, no temp file, and a rerun that converges.
 *
 *   KILN_FAIL_IO_NTH=N    fail the Nth counted call (1-based; unset: none)
 *   KILN_FAIL_IO_ERRNO=E  errno of the failure (default ENOSPC)
 *   KILN_FAIL_IO_COUNT=F  append "calls fired" to file F at exit
 *
 * Counted calls: write and pwrite to descriptors above 2 (not the
 * terminal), fsync, openat with O_CREAT, linkat, renameat, renameat2,
 * mkdirat, unlinkat: every call by which the directory store changes the
 * disk. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long long calls, nth;
static int fired, err = ENOSPC, ready;

static void init(void)
{
    const char *s;
    if (ready)
        return;
    ready = 1;
    if ((s = getenv("KILN_FAIL_IO_NTH")) != NULL)
        nth = strtoull(s, NULL, 10);
    if ((s = getenv("KILN_FAIL_IO_ERRNO")) != NULL)
        err = atoi(s);
}

/* 1 if this call is the one to fail (errno set). */
static int fail_now(void)
{
    init();
    calls++;
    if (nth != 0 && calls == nth) {
        fired = 1;
        errno = err;
        return 1;
    }
    return 0;
}

__attribute__((destructor)) static void report(void)
{
    const char *f = getenv("KILN_FAIL_IO_COUNT");
    if (f == NULL)
        return;
    FILE *o = fopen(f, "a");
    if (o != NULL) {
        fprintf(o, "%llu %d\n", calls, fired);
        fclose(o);
    }
}

/* The libc function this one stands in front of. */
#define REAL(name) \
    static __typeof__(&name) real_##name; \
    if (!real_##name) \
        real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write);
    if (fd > 2 && fail_now())
        return -1;
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite);
    if (fd > 2 && fail_now())
        return -1;
    return real_pwrite(fd, buf, n, off);
}

int fsync(int fd)
{
    REAL(fsync);
    if (fail_now())
        return -1;
    return real_fsync(fd);
}

int openat(int dfd, const char *path, int flags, ...)
{
    REAL(openat);
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
        if (fail_now())
            return -1;
    }
    return real_openat(dfd, path, flags, mode);
}

int linkat(int od, const char *op, int nd, const char *np, int flags)
{
    REAL(linkat);
    if (fail_now())
        return -1;
    return real_linkat(od, op, nd, np, flags);
}

int renameat(int od, const char *op, int nd, const char *np)
{
    REAL(renameat);
    if (fail_now())
        return -1;
    return real_renameat(od, op, nd, np);
}

int renameat2(int od, const char *op, int nd, const char *np, unsigned fl)
{
    REAL(renameat2);
    if (fail_now())
        return -1;
    return real_renameat2(od, op, nd, np, fl);
}

int mkdirat(int dfd, const char *path, mode_t mode)
{
    REAL(mkdirat);
    if (fail_now())
        return -1;
    return real_mkdirat(dfd, path, mode);
}

int unlinkat(int dfd, const char *path, int flags)
{
    REAL(unlinkat);
    if (fail_now())
        return -1;
    return real_unlinkat(dfd, path, flags);
}
