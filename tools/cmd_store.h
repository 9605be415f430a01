/* cmd_store.h: the store-level subcommands in cmd_store.c: `kiln ls` and
 * `kiln cp` (entry points and help texts, for kiln.c's table). */
#ifndef KILN_CMD_STORE_H
#define KILN_CMD_STORE_H

int cmd_ls(int argc, char **argv);
int cmd_cp(int argc, char **argv);

extern const char cmd_ls_help[];
extern const char cmd_cp_help[];

#endif
