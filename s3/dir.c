/* s3/dir.c: the directory backend, kiln's default store: one file per key
 * under a root directory. Writes go to a temp file that is fsynced, then
 * renamed (or linked, for put_if_absent) into place, so an object is seen
 * whole or not at all, even across a crash. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format_internal.h" /* api_return */
#include "store_internal.h"

typedef struct dir_store {
    kiln_store base; /* must be first: a kiln_store * is a dir_store * */
    int rootfd;      /* O_DIRECTORY descriptor of the root; every path is
                      * resolved relative to it, so chdir() cannot move us;
                      * -1 while the root does not exist (see root_open) */
    char *root;      /* root path as given (trailing '/' stripped), for
                      * messages only */
    char *abs;       /* root made absolute at open time, so a root created
                      * later by root_open is where it was named, even if
                      * the process chdir()s in between */
} dir_store;

/* Distinguishes temp files of one process; with the pid, names are unique. */
static unsigned long tmp_counter;

/* Longest part of the object's name copied into its temp file's name, so
 * that ".<name>.tmp.<pid>.<counter>" stays within NAME_MAX. */
#define TMP_NAME_KEEP (NAME_MAX - 40)

/* A failed system call on `key`: message "ROOT/KEY: WHAT: errno text". */
static int sys_fail(const dir_store *d, int err, const char *key,
                    const char *what)
{
    int code = KILN_EIO;

    if (err == ENAMETOOLONG)
        code = KILN_EINVAL;
    else if (err == ENOMEM)
        code = KILN_ENOMEM;
    return kiln_error_set(code, "%s/%s: %s: %s", d->root, key, what,
                          strerror(err));
}

static int not_found(const dir_store *d, const char *key, const char *why)
{
    return kiln_error_set(KILN_ENOTFOUND, "object %s not found (%s/%s%s)", key,
                          d->root, key, why);
}

static int make_root(const char *root);

/* The root's descriptor: opened at first use, and created (mkdir -p) only
 * when create is set, i.e. by a write. Reading a store that does not exist
 * is KILN_ENOTFOUND, so `kiln query --store /tmp/typo` says so instead of
 * making the directory and answering "no samples". */
static int root_open(dir_store *d, int create)
{
    if (d->rootfd >= 0)
        return d->rootfd;
    d->rootfd = open(d->abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d->rootfd < 0 && errno == ENOENT) {
        if (!create)
            return kiln_error_set(KILN_ENOTFOUND,
                                  "store %s does not exist", d->root);
        int rc = make_root(d->abs);
        if (rc < 0)
            return rc;
        d->rootfd = open(d->abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (d->rootfd < 0)
        return kiln_error_set(KILN_EIO, "store %s: open directory: %s",
                              d->root, strerror(errno));
    return d->rootfd;
}

/* Open key for reading and report its size. A key that names a directory
 * (a prefix of other keys) or anything but a regular file is not found. */
static int open_object(dir_store *d, const char *key, int *fd_out,
                       uint64_t *size)
{
    struct stat st;
    int fd, err;

    *fd_out = -1;
    if ((fd = root_open(d, 0)) < 0)
        return fd == KILN_ENOTFOUND ? not_found(d, key, ": no such store")
                                    : fd;
    fd = openat(d->rootfd, key, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        err = errno;
        if (err == ENOENT || err == ENOTDIR)
            return not_found(d, key, "");
        return sys_fail(d, err, key, "open");
    }
    if (fstat(fd, &st) < 0) {
        err = errno;
        close(fd);
        return sys_fail(d, err, key, "fstat");
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return not_found(d, key, S_ISDIR(st.st_mode)
                                     ? " is a directory: a prefix, not an object"
                                     : " is not a regular file");
    }
    *fd_out = fd;
    *size = (uint64_t)st.st_size;
    return 0;
}

/* Append exactly len bytes at off of fd to out. */
static int read_at(const dir_store *d, const char *key, int fd, uint64_t off,
                   uint64_t len, kiln_buf *out)
{
    uint64_t done = 0;
    int rc;

    if (len > SIZE_MAX - out->len)
        return kiln_error_set(KILN_ENOMEM, "object %s: %llu bytes do not fit "
                              "in memory", key, (unsigned long long)len);
    rc = kiln_buf_reserve(out, (size_t)len);
    if (rc < 0)
        return kiln_error_wrap(rc, "object %s: ", key);
    while (done < len) {
        size_t want = (size_t)(len - done);
        ssize_t n;

        if (want > ((size_t)1 << 30))
            want = (size_t)1 << 30;
        n = pread(fd, out->data + out->len + done, want,
                  (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return sys_fail(d, errno, key, "read");
        }
        if (n == 0)
            return kiln_error_set(KILN_ECORRUPT,
                                  "object %s: ended at %llu bytes while "
                                  "reading %llu+%llu (%s/%s)", key,
                                  (unsigned long long)(off + done),
                                  (unsigned long long)off,
                                  (unsigned long long)len, d->root, key);
        done += (uint64_t)n;
    }
    out->len += (size_t)len;
    return 0;
}

static int dir_get_range(kiln_store *s, const char *key, uint64_t off,
                         uint64_t len, kiln_buf *out)
{
    dir_store *d = (dir_store *)s;
    uint64_t size = 0;
    int fd = -1, rc;

    rc = open_object(d, key, &fd, &size);
    if (rc < 0)
        goto out;
    if (off > size || len > size - off) {
        rc = kiln_error_set(KILN_ECORRUPT,
                            "object %s: range %llu+%llu past end (%llu bytes)",
                            key, (unsigned long long)off,
                            (unsigned long long)len,
                            (unsigned long long)size);
        goto out;
    }
    rc = read_at(d, key, fd, off, len, out);
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

static int dir_get_tail(kiln_store *s, const char *key, uint64_t n,
                        kiln_buf *out, uint64_t *size)
{
    dir_store *d = (dir_store *)s;
    int fd = -1, rc;

    rc = open_object(d, key, &fd, size);
    if (rc < 0)
        goto out;
    if (n > *size)
        n = *size;
    rc = read_at(d, key, fd, *size - n, n, out);
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

static int dir_stat(kiln_store *s, const char *key, uint64_t *size)
{
    dir_store *d = (dir_store *)s;
    int fd = -1, rc;

    rc = open_object(d, key, &fd, size);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* fsync a directory; filesystems that cannot sync directories say EINVAL
 * (or ENOTSUP), which is not a failure of ours. */
static int sync_dir(const dir_store *d, int dfd, const char *what)
{
    if (fsync(dfd) < 0 && errno != EINVAL && errno != ENOTSUP
        && errno != EROFS)
        return sys_fail(d, errno, what, "fsync directory");
    return 0;
}

/* Create the directories above key (like mkdir -p), syncing the parent of
 * each one created so the new entry survives a crash. */
static int make_parents(const dir_store *d, const char *key)
{
    char path[KILN_STORE_KEY_LEN_MAX + 1]; /* key prefix being created */
    size_t len = strlen(key), i;
    int rc = 0;

    assert(len <= KILN_STORE_KEY_LEN_MAX);
    memcpy(path, key, len + 1);
    for (i = 0; i < len; i++) {
        char *slash;
        int pfd;

        if (path[i] != '/')
            continue;
        path[i] = '\0';
        if (mkdirat(d->rootfd, path, 0777) == 0) {
            slash = strrchr(path, '/');
            if (slash != NULL) {
                *slash = '\0';
                pfd = openat(d->rootfd, path,
                             O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                *slash = '/';
            } else {
                pfd = openat(d->rootfd, ".",
                             O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            }
            if (pfd < 0)
                return sys_fail(d, errno, path, "open parent directory");
            rc = sync_dir(d, pfd, path);
            close(pfd);
            if (rc < 0)
                return rc;
        } else if (errno != EEXIST) {
            return sys_fail(d, errno, path, "mkdir");
        }
        path[i] = '/';
    }
    return 0;
}

static int write_all(const dir_store *d, const char *key, int fd,
                     const void *data, size_t len)
{
    const unsigned char *p = data;

    while (len > 0) {
        size_t want = len > ((size_t)1 << 30) ? ((size_t)1 << 30) : len;
        ssize_t n = write(fd, p, want);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return sys_fail(d, errno, key, "write temp file");
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Write data to a fresh temp file beside key, fsync it, then move it into
 * place: rename (replacing) or, when exclusive, link (failing with
 * KILN_EEXIST if the key exists). On any failure the temp file is removed
 * and the key is untouched. */
static int write_object(dir_store *d, const char *key, const void *data,
                        size_t len, int exclusive)
{
    char parent[KILN_STORE_KEY_LEN_MAX + 1]; /* key's directory, or "." */
    char tmp[NAME_MAX + 1];                  /* temp file name in parent */
    const char *slash = strrchr(key, '/');
    const char *name = slash ? slash + 1 : key;
    size_t namelen = strlen(name);
    unsigned long seq;
    int dfd = -1, fd = -1, tmp_made = 0, rc, n;

    if (slash != NULL) {
        memcpy(parent, key, (size_t)(slash - key));
        parent[slash - key] = '\0';
    } else {
        strcpy(parent, ".");
    }
    if (namelen > NAME_MAX) {
        rc = sys_fail(d, ENAMETOOLONG, key, "create");
        goto out;
    }
    if ((rc = root_open(d, 1)) < 0)
        goto out;
    rc = make_parents(d, key);
    if (rc < 0)
        goto out;
    dfd = openat(d->rootfd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        rc = sys_fail(d, errno, key, errno == ENOTDIR
                                         ? "a parent is an object, not a "
                                           "directory"
                                         : "open parent directory");
        goto out;
    }
    /* An object already there is found before any byte is written, so a
     * rerun on a full disk succeeds for the objects stored the first time
     * (the link below stays the atomic check against a racing writer). */
    if (exclusive) {
        struct stat st;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode)) {
            rc = kiln_error_set(KILN_EEXIST, "object %s already exists "
                                "(%s/%s)", key, d->root, key);
            goto out;
        }
    }
    seq = __atomic_add_fetch(&tmp_counter, 1, __ATOMIC_RELAXED);
    n = snprintf(tmp, sizeof tmp, ".%.*s.tmp.%ld.%lu",
                 (int)(namelen < TMP_NAME_KEEP ? namelen : TMP_NAME_KEEP),
                 name, (long)getpid(), seq);
    assert(n > 0 && (size_t)n < sizeof tmp);
    fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        rc = sys_fail(d, errno, key, "create temp file");
        goto out;
    }
    tmp_made = 1;
    rc = write_all(d, key, fd, data, len);
    if (rc < 0)
        goto out;
    if (fsync(fd) < 0) {
        rc = sys_fail(d, errno, key, "fsync temp file");
        goto out;
    }
    n = close(fd);
    fd = -1;
    if (n < 0) {
        rc = sys_fail(d, errno, key, "close temp file");
        goto out;
    }
    if (exclusive) {
        /* link(2) fails if the name exists: the atomic conditional create.
         * Filesystems without hard links get rename without replace. */
        n = linkat(dfd, tmp, dfd, name, 0);
        if (n < 0 && (errno == EPERM || errno == ENOTSUP || errno == EMLINK
                      || errno == ENOSYS)) {
            n = renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE);
            if (n == 0)
                tmp_made = 0;
        }
        if (n < 0) {
            struct stat st;
            if (errno == EEXIST && fstatat(dfd, name, &st, 0) == 0
                && S_ISDIR(st.st_mode))
                rc = sys_fail(d, EISDIR, key,
                              "create (a prefix of other keys)");
            else if (errno == EEXIST)
                rc = kiln_error_set(KILN_EEXIST, "object %s already exists "
                                    "(%s/%s)", key, d->root, key);
            else
                rc = sys_fail(d, errno, key, "link temp file into place");
            goto out;
        }
    } else if (renameat(dfd, tmp, dfd, name) < 0) {
        rc = sys_fail(d, errno, key, "rename temp file into place");
        goto out;
    } else {
        tmp_made = 0; /* renamed: it is the object now */
    }
    /* After a link the temp name still exists: drop it before the sync. */
    if (tmp_made && unlinkat(dfd, tmp, 0) == 0)
        tmp_made = 0;
    rc = sync_dir(d, dfd, key);
out:
    if (fd >= 0)
        close(fd);
    if (tmp_made)
        unlinkat(dfd, tmp, 0);
    if (dfd >= 0)
        close(dfd);
    return rc;
}

static int dir_put(kiln_store *s, const char *key, const void *data,
                   size_t len)
{
    return write_object((dir_store *)s, key, data, len, 0);
}

static int dir_put_if_absent(kiln_store *s, const char *key, const void *data,
                             size_t len)
{
    return write_object((dir_store *)s, key, data, len, 1);
}

/* ---- list ---- */

/* 1 if name is one of our temp files: ".<name>.tmp.<digits>.<digits>". */
static int is_temp_name(const char *name)
{
    size_t len = strlen(name), i = len, digits;
    int part;

    if (name[0] != '.')
        return 0;
    for (part = 0; part < 2; part++) {
        digits = 0;
        while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9') {
            i--;
            digits++;
        }
        if (digits == 0 || i == 0 || name[i - 1] != '.')
            return 0;
        i--;
    }
    return i >= 5 && memcmp(name + i - 4, ".tmp", 4) == 0;
}

typedef struct dir_entry {
    char *name;    /* entry name, malloc'd */
    size_t len;    /* strlen(name) */
    int is_dir;    /* 1: a subdirectory, walked for more keys */
    uint64_t size; /* bytes, for files */
} dir_entry;

/* Order entries so that a depth-first walk yields whole keys in byte order:
 * a directory sorts as its name followed by '/'. */
static int entry_cmp(const void *pa, const void *pb)
{
    const dir_entry *a = pa, *b = pb;
    size_t i;

    for (i = 0;; i++) {
        int ca = i < a->len ? (unsigned char)a->name[i]
                            : (i == a->len && a->is_dir ? '/' : -1);
        int cb = i < b->len ? (unsigned char)b->name[i]
                            : (i == b->len && b->is_dir ? '/' : -1);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (ca == -1)
            return 0;
    }
}

static void entries_free(dir_entry *e, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(e[i].name);
    free(e);
}

/* Read the directory path[0..plen) ("" = the root, else ending in '/'),
 * keeping entries whose name starts with name_prefix and that could be
 * keys. A directory that vanished is empty, not an error. */
static int read_entries(const dir_store *d, const char *path, size_t plen,
                        const char *name_prefix, dir_entry **out, size_t *nout)
{
    size_t pfx = strlen(name_prefix), n = 0, cap = 0;
    dir_entry *e = NULL;
    DIR *dir = NULL;
    struct dirent *de;
    int fd, rc = 0;

    *out = NULL;
    *nout = 0;
    fd = openat(d->rootfd, plen ? path : ".",
                O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return sys_fail(d, errno, plen ? path : ".", "open directory");
    }
    dir = fdopendir(fd);
    if (dir == NULL) {
        rc = sys_fail(d, errno, plen ? path : ".", "open directory");
        close(fd);
        return rc;
    }
    for (;;) {
        struct stat st;
        size_t len, i;
        int bad = 0;

        errno = 0;
        de = readdir(dir);
        if (de == NULL) {
            if (errno != 0)
                rc = sys_fail(d, errno, plen ? path : ".", "read directory");
            break;
        }
        len = strlen(de->d_name);
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0
            || len < pfx || memcmp(de->d_name, name_prefix, pfx) != 0
            || plen + len > KILN_STORE_KEY_LEN_MAX || is_temp_name(de->d_name))
            continue;
        for (i = 0; i < len; i++) {
            unsigned char c = (unsigned char)de->d_name[i];
            bad |= c < 0x20 || c == 0x7f;
        }
        if (bad)
            continue;
        /* Symbolic links to files are followed; to directories, never
         * (a loop would never end). */
        if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue; /* removed since readdir */
        if (S_ISLNK(st.st_mode)) {
            if (fstatat(dirfd(dir), de->d_name, &st, 0) < 0
                || !S_ISREG(st.st_mode))
                continue;
        }
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            dir_entry *ne = realloc(e, ncap * sizeof *e);
            if (ne == NULL) {
                rc = kiln_error_set(KILN_ENOMEM, "listing %s/%.*s: out of "
                                    "memory", d->root, (int)plen, path);
                break;
            }
            e = ne;
            cap = ncap;
        }
        e[n].name = strdup(de->d_name);
        if (e[n].name == NULL) {
            rc = kiln_error_set(KILN_ENOMEM, "listing %s/%.*s: out of memory",
                                d->root, (int)plen, path);
            break;
        }
        e[n].len = len;
        e[n].is_dir = S_ISDIR(st.st_mode);
        e[n].size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
        n++;
    }
    closedir(dir);
    if (rc < 0) {
        entries_free(e, n);
        return rc;
    }
    if (n > 1)
        qsort(e, n, sizeof *e, entry_cmp);
    *out = e;
    *nout = n;
    return 0;
}

/* Depth-first walk; path holds the directory being walked in [0, plen) and
 * has room for KILN_STORE_KEY_LEN_MAX + 2 bytes. Returns the callback's
 * non-zero value if it stopped the walk. */
static int walk(const dir_store *d, char *path, size_t plen,
                const char *name_prefix, kiln_store_list_cb cb, void *ud)
{
    dir_entry *e = NULL;
    size_t n = 0, i;
    int rc;

    rc = read_entries(d, path, plen, name_prefix, &e, &n);
    if (rc < 0)
        return rc;
    for (i = 0; i < n && rc == 0; i++) {
        memcpy(path + plen, e[i].name, e[i].len);
        if (e[i].is_dir) {
            if (plen + e[i].len + 1 > KILN_STORE_KEY_LEN_MAX)
                continue;
            path[plen + e[i].len] = '/';
            path[plen + e[i].len + 1] = '\0';
            rc = walk(d, path, plen + e[i].len + 1, "", cb, ud);
        } else {
            path[plen + e[i].len] = '\0';
            if (kiln_store_key_valid(path))
                rc = cb(ud, path, e[i].size);
        }
    }
    entries_free(e, n);
    return rc;
}

static int dir_list(kiln_store *s, const char *prefix, kiln_store_list_cb cb,
                    void *ud)
{
    dir_store *d = (dir_store *)s;
    char path[KILN_STORE_KEY_LEN_MAX + 2]; /* key being built */
    const char *slash = strrchr(prefix, '/');
    size_t plen = slash ? (size_t)(slash - prefix) + 1 : 0;

    assert(strlen(prefix) <= KILN_STORE_KEY_LEN_MAX);
    memcpy(path, prefix, plen);
    path[plen] = '\0';
    int fd = root_open(d, 0);
    if (fd < 0)
        return fd;
    return walk(d, path, plen, prefix + plen, cb, ud);
}

static int dir_del(kiln_store *s, const char *key)
{
    dir_store *d = (dir_store *)s;
    const char *slash = strrchr(key, '/');
    char parent[KILN_STORE_KEY_LEN_MAX + 1]; /* key's directory, or "." */
    struct stat st;
    int dfd, rc;

    if ((rc = root_open(d, 0)) < 0)
        return rc == KILN_ENOTFOUND ? not_found(d, key, ": no such store")
                                    : rc;
    if (fstatat(d->rootfd, key, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return not_found(d, key, "");
        return sys_fail(d, errno, key, "stat");
    }
    if (S_ISDIR(st.st_mode))
        return not_found(d, key, " is a directory: a prefix, not an object");
    if (unlinkat(d->rootfd, key, 0) < 0) {
        if (errno == ENOENT)
            return not_found(d, key, "");
        return sys_fail(d, errno, key, "unlink");
    }
    if (slash != NULL) {
        memcpy(parent, key, (size_t)(slash - key));
        parent[slash - key] = '\0';
    } else {
        strcpy(parent, ".");
    }
    dfd = openat(d->rootfd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return sys_fail(d, errno, key, "open parent directory");
    rc = sync_dir(d, dfd, key);
    close(dfd);
    return rc;
}

static void dir_free(kiln_store *s)
{
    dir_store *d = (dir_store *)s;

    if (d->rootfd >= 0)
        close(d->rootfd);
    free(d->abs);
    free(d->root);
    free(d);
}

static const kiln_store_ops dir_ops = {
    KILN_STORE_OPS_VERSION, dir_get_range, dir_get_tail,      dir_stat,
    dir_put,                dir_put_if_absent, dir_list, dir_del,
    dir_free,
};

/* mkdir -p of an absolute or relative path. */
static int make_root(const char *root)
{
    char *p = strdup(root);
    size_t i;
    int rc = 0;

    if (p == NULL)
        return kiln_error_set(KILN_ENOMEM, "store %s: out of memory", root);
    for (i = 1;; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) < 0 && errno != EEXIST) {
            rc = kiln_error_set(KILN_EIO, "store %s: mkdir %s: %s", root, p,
                                strerror(errno));
            break;
        }
        p[i] = c;
        if (c == '\0')
            break;
    }
    free(p);
    return rc;
}

int kiln_store_open_dir(kiln_store **out, const char *dir)
{
    dir_store *d = NULL;
    size_t len;
    int rc;

    *out = NULL;
    if (dir == NULL || dir[0] == '\0')
        return kiln_error_set(KILN_EINVAL, "store directory path is empty");
    d = calloc(1, sizeof *d);
    if (d == NULL)
        return kiln_error_set(KILN_ENOMEM, "store %s: out of memory", dir);
    d->rootfd = -1;
    d->root = strdup(dir);
    if (d->root == NULL) {
        rc = kiln_error_set(KILN_ENOMEM, "store %s: out of memory", dir);
        goto out;
    }
    len = strlen(d->root);
    while (len > 1 && d->root[len - 1] == '/')
        d->root[--len] = '\0';
    rc = kiln_store_init(&d->base, &dir_ops, d->root);
    if (rc < 0)
        goto out;
    if (d->root[0] == '/') {
        d->abs = strdup(d->root);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (cwd == NULL) {
            rc = kiln_error_set(KILN_EIO, "store %s: current directory: %s",
                                d->root, strerror(errno));
            goto out;
        }
        size_t n = strlen(cwd) + 1 + len + 1;
        if ((d->abs = malloc(n)) != NULL)
            snprintf(d->abs, n, "%s/%s", cwd, d->root);
        free(cwd);
    }
    if (d->abs == NULL) {
        rc = kiln_error_set(KILN_ENOMEM, "store %s: out of memory", dir);
        goto out;
    }
    /* A missing root is created by the first write (root_open); anything
     * else in the way (a file, no permission) is an error now. */
    if ((rc = root_open(d, 0)) < 0 && rc != KILN_ENOTFOUND)
        goto out;
    rc = 0;
    kiln_error_clear();
    *out = &d->base;
    d = NULL;
out:
    if (d != NULL) {
        free(d->base.url);
        if (d->rootfd >= 0)
            close(d->rootfd);
        free(d->abs);
        free(d->root);
        free(d);
    }
    return api_return(rc);
}
