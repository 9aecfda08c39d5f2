/* SPDX-License-Identifier: MIT */
/*
 * Description: io_uring_zcrx_strerror() gives every result of
 * io_uring_zcrx_check() its own non-empty description, handles codes it
 * does not know, and describes negative errnos as strerror() does. A host
 * test.
 */
#include <limits.h>
#include <string.h>

#include <liburing-ext.h>

#include "helpers.h"

static int check_string(int code, const char *s)
{
	if (!s)
		return t_fail("code %d: NULL", code);
	if (!*s)
		return t_fail("code %d: empty string", code);
	return 0;
}

int main(void)
{
	static const int unknown[] = {
		IO_URING_ZCRX_REASON_MAX, IO_URING_ZCRX_REASON_MAX + 1, 1000,
		INT_MAX,
	};
	const char *known[IO_URING_ZCRX_REASON_MAX];
	const char *unk;
	int i, j;

	/* the enum has exactly the 11 reasons the check can name */
	if (IO_URING_ZCRX_OK != 0 || IO_URING_ZCRX_HDS_THRESH != 10 ||
	    IO_URING_ZCRX_REASON_MAX != 11)
		return t_fail("enum io_uring_zcrx_reason: OK %d, HDS_THRESH %d, MAX %d; want 0, 10, 11",
			      IO_URING_ZCRX_OK, IO_URING_ZCRX_HDS_THRESH,
			      IO_URING_ZCRX_REASON_MAX);

	for (i = 0; i < IO_URING_ZCRX_REASON_MAX; i++) {
		known[i] = io_uring_zcrx_strerror(i);
		if (check_string(i, known[i]))
			return T_EXIT_FAIL;
		for (j = 0; j < i; j++)
			if (!strcmp(known[i], known[j]))
				return t_fail("codes %d and %d share \"%s\"",
					      j, i, known[i]);
		printf("%2d  %s\n", i, known[i]);
	}

	unk = io_uring_zcrx_strerror(unknown[0]);
	for (i = 0; i < (int)(sizeof(unknown) / sizeof(unknown[0])); i++) {
		const char *s = io_uring_zcrx_strerror(unknown[i]);

		if (check_string(unknown[i], s))
			return T_EXIT_FAIL;
		if (strcmp(s, unk))
			return t_fail("unknown codes %d and %d differ",
				      unknown[0], unknown[i]);
		for (j = 0; j < IO_URING_ZCRX_REASON_MAX; j++)
			if (!strcmp(s, known[j]))
				return t_fail("unknown code %d reads as code %d",
					      unknown[i], j);
	}

	/* negative: an errno, as the helpers return */
	if (strcmp(io_uring_zcrx_strerror(-ENOBUFS), strerror(ENOBUFS)) ||
	    strcmp(io_uring_zcrx_strerror(-EOPNOTSUPP), strerror(EOPNOTSUPP)))
		return t_fail("negative codes are not strerror(-code)");
	if (check_string(INT_MIN, io_uring_zcrx_strerror(INT_MIN)) ||
	    check_string(-100000, io_uring_zcrx_strerror(-100000)))
		return T_EXIT_FAIL;
	return T_EXIT_PASS;
}
