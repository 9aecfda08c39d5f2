/* SPDX-License-Identifier: MIT */
/*
 * Description: the zcrx fio ioengine (bench/fio, ioengine=external:...
 * zcrx.so) receives TCP streams over netdevsim with zero-copy receive on
 * rx queue 1 of the receiving port, header split on:
 *
 *  - 256 MiB that fio's own net engine sends (rw=write, verify=pattern
 *    verify_pattern=%o do_verify=0, bs=64k: each 64 KiB block holds its
 *    stream offset), every byte checked in place in the area against that
 *    (pattern=offset pattern_bs=64k). 64 KiB sends, not 4 KiB ones: under
 *    TCG with KASAN a 4 KiB send over netdevsim costs about 5 ms, which
 *    made this stream take 6 minutes;
 *  - 32 MiB that zcrx-send sends (its pattern is not periodic at any
 *    power of two below 2^32, so shifts inside a block are caught too),
 *    into a dma-buf area (area=udmabuf), checked with pattern=zcrx
 *    through the dma-buf's mmap.
 *
 * fio must report the whole stream read without error, the engine every
 * byte received and checked, and the kernel's zcrx_stats no byte copied.
 */
#include <stdio.h>
#include <string.h>

#include "fio.h"
#include "zcrx.h"

#define PORT		5331
#define FIO_TOTAL	(256ULL << 20)
#define SEND_TOTAL	(32ULL << 20)

int main(void)
{
	char ifname[64], queue[32], host[64], port[32], port2[32];
	char send_size[32];
	struct t_zcrx_nsim n;
	struct t_fio f;
	int ret;

	ret = t_fio_find(&f);
	if (ret)
		return ret;
	ret = t_zcrx_require(false);
	if (ret)
		return ret;
	ret = t_zcrx_nsim_setup(&n);
	if (ret)
		return ret;

	snprintf(ifname, sizeof(ifname), "--ifname=%s", n.pair.ifname[1]);
	snprintf(queue, sizeof(queue), "--queue=%u", n.rxq);
	snprintf(host, sizeof(host), "--hostname=%s", n.pair.addr[1]);
	snprintf(port, sizeof(port), "--port=%d", PORT);
	{
		char *rx[] = { f.fio, "--name=zcrx-nsim", f.ioengine,
			"--listen", port, "--rw=read", "--bs=64k",
			"--size=256m", ifname, queue, "--area_size=32m",
			"--refill_batch=32", "--pattern=offset",
			"--pattern_bs=64k", "--output-format=normal,terse",
			NULL };
		char *tx[] = { f.fio, "--name=net-send", "--ioengine=net",
			host, port, "--rw=write", "--bs=64k", "--size=256m",
			"--verify=pattern", "--verify_pattern=%o",
			"--do_verify=0", NULL };
		struct t_fio_stream s = {
			.what = "fio's net engine -> zcrx engine over netdevsim",
			.job = "zcrx-nsim",
			.rx_ns = n.ns, .tx_ns = n.pair.netns[0],
			.rx_argv = rx, .tx_argv = tx,
			.port = PORT, .total = FIO_TOTAL, .timeout_s = 900,
			.checked = true, .zero_copy = true,
		};

		ret = t_fio_stream(&s);
		if (ret)
			goto out;
	}

	snprintf(port2, sizeof(port2), "--port=%d", PORT + 1);
	snprintf(send_size, sizeof(send_size), "%llu", SEND_TOTAL);
	snprintf(port, sizeof(port), "%d", PORT + 1);
	{
		char *rx[] = { f.fio, "--name=zcrx-nsim-send", f.ioengine,
			"--listen", port2, "--rw=read", "--bs=128k",
			"--size=32m", "--iodepth=4", ifname, queue,
			"--area=udmabuf", "--area_size=16m", "--refill_batch=8",
			"--pattern=zcrx", "--output-format=normal,terse",
			NULL };
		char *tx[] = { f.send, "-a", n.pair.addr[1], "-p", port,
			"-s", send_size, NULL };
		struct t_fio_stream s = {
			.what = "zcrx-send -> zcrx engine (udmabuf area) over netdevsim",
			.job = "zcrx-nsim-send",
			.rx_ns = n.ns, .tx_ns = n.pair.netns[0],
			.rx_argv = rx, .tx_argv = tx,
			.port = PORT + 1, .total = SEND_TOTAL, .timeout_s = 300,
			.checked = true, .zero_copy = true,
		};

		ret = t_fio_stream(&s);
	}
out:
	if (ret)
		t_zcrx_nsim_dump(&n, 0);
	t_zcrx_nsim_cleanup(&n);
	if (!ret)
		printf("fio's zcrx engine received %llu + %llu bytes over %s queue %u, all checked in place, none copied\n",
		       FIO_TOTAL, SEND_TOTAL, n.pair.ifname[1], n.rxq);
	return ret;
}
