/* SPDX-License-Identifier: MIT */
/*
 * Description: placeholder, being written.
 */
#include "helpers.h"

int main(void)
{
	return t_skip("not written yet");
}
