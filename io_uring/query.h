/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IORING_QUERY_H
#define IORING_QUERY_H

#include <linux/types.h>

int io_query(void __user *arg, unsigned int nr_args);

#endif
