/* make_block.c: `e2e_make_block MODE OUT`, for huge_claims.sh: a block
 * whose checksummed footer claims sizes no reader should act on, in a
 * sparse file large enough for the claims to pass the extent checks, so
 * only the size rules (spec/block.md, footer) stand between a reader and
 * a terabyte read. MODE: terabyte (a section of 2^40 bytes, stored and
 * raw), bound (2^40 stored bytes that claim to inflate to 1 MiB). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format_internal.h"

static int die(const char *what)
{
    fprintf(stderr, "e2e_make_block: %s: %s\n", what,
            kiln_error_last()[0] ? kiln_error_last() : "failed");
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "terabyte") != 0 &&
                      strcmp(argv[1], "bound") != 0)) {
        fprintf(stderr, "usage: e2e_make_block terabyte|bound OUT\n");
        return 2;
    }
    const uint64_t tb = (uint64_t)1 << 40;
    kiln_section sec = {0};
    sec.type = KILN_SEC_SYMBOLS;
    sec.codec = KILN_CODEC_ZSTD;
    sec.offset = KILN_HEADER_SIZE;
    sec.stored = tb;
    sec.raw = strcmp(argv[1], "terabyte") == 0 ? tb : (uint64_t)1 << 20;
    kiln_meta m;
    memset(&m, 0, sizeof m);
    m.tenant = "default";
    m.id = "01HF7YAT00041061050R3GG28A";
    m.tmin = 1000;
    m.tmax = 2000;

    kiln_buf head = KILN_BUF_INIT, foot = KILN_BUF_INIT, tail = KILN_BUF_INIT;
    uint64_t foff = KILN_HEADER_SIZE + tb;
    if (header_encode(&head, 0) < 0 || footer_encode(&foot, &sec, 1, &m) < 0 ||
        trailer_encode(&tail, foff, foot.len,
                       hash64(foot.data, foot.len, 0)) < 0)
        die("encode");
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 ||
        pwrite(fd, head.data, head.len, 0) != (ssize_t)head.len ||
        pwrite(fd, foot.data, foot.len, (off_t)foff) != (ssize_t)foot.len ||
        pwrite(fd, tail.data, tail.len, (off_t)(foff + foot.len)) !=
            (ssize_t)tail.len ||
        close(fd) != 0) {
        perror(argv[2]);
        return 1;
    }
    kiln_buf_free(&head);
    kiln_buf_free(&foot);
    kiln_buf_free(&tail);
    return 0;
}
