/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CLI's page command (argv[0] is "page"); returns the exit status. */
#ifndef MEMSECT_CLI_PAGE_CMD_H
#define MEMSECT_CLI_PAGE_CMD_H

int page_main(int argc, char **argv);

#endif
