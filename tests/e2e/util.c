/* util.c: process spawning, temporary directories and small file helpers for
 * the end-to-end tests (see util.h). */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int e2e_run(char *const argv[], const char *out_path, char *msg,
            size_t msglen)
{
    char errtmp[] = "/tmp/kiln-e2e-stderr-XXXXXX";
    int efd = mkstemp(errtmp);
    if (efd < 0)
        return -1;
    unlink(errtmp);
    pid_t pid = fork();
    if (pid < 0) {
        close(efd);
        return -1;
    }
    if (pid == 0) {
        int ofd = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644)
                           : dup(efd);
        if (ofd < 0)
            _exit(126);
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0)
            dup2(nul, 0);
        dup2(ofd, 1);
        dup2(efd, 2);
        execv(argv[0], argv);
        dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (msg && msglen) {
        ssize_t k = pread(efd, msg, msglen - 1, 0);
        msg[k > 0 ? k : 0] = 0;
    }
    close(efd);
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

char *e2e_tmpdir(const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    size_t n = strlen(base) + strlen(tag) + 32;
    char *p = malloc(n);
    snprintf(p, n, "%s/kiln-e2e-%s-XXXXXX", base, tag);
    if (!mkdtemp(p)) {
        fprintf(stderr, "mkdtemp %s: %s\n", p, strerror(errno));
        exit(99);
    }
    return p;
}

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void e2e_rmtree(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static size_t nfiles;
static int count_one(const char *path, const struct stat *sb, int flag,
                     struct FTW *ftw)
{
    (void)path;
    (void)sb;
    (void)ftw;
    if (flag == FTW_F)
        nfiles++;
    return 0;
}

size_t e2e_count_files(const char *dir)
{
    nfiles = 0;
    nftw(dir, count_one, 16, FTW_PHYS);
    return nfiles;
}

int e2e_write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t k = fwrite(p, 1, n, f);
    if (fclose(f) != 0 || k != n)
        return -1;
    return 0;
}

const char *e2e_env(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "environment variable %s is not set (run through "
                        "meson test)\n", name);
        exit(99);
    }
    return v;
}
