/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CLI's owner command (argv[0] is "owner"); returns the exit status. */
#ifndef MEMSECT_CLI_OWNER_CMD_H
#define MEMSECT_CLI_OWNER_CMD_H

int owner_main(int argc, char **argv);

#endif
