/* SPDX-License-Identifier: MIT */
/*
 * Description: the zcrx fio ioengine without a device, over loopback in
 * a network namespace of its own:
 *
 *  - device-less zcrx (nodev, ZCRX_REG_NODEV: every byte copied into the
 *    area by the kernel) of 256 MiB that fio's net engine sends (bs=4k,
 *    verify=pattern verify_pattern=%o do_verify=0), every byte checked in
 *    place against that (pattern=offset pattern_bs=4k); zcrx_stats must
 *    count every byte as copied;
 *  - numjobs=2: two device-less jobs on port and port+1, fed by a net
 *    engine sender with numjobs=2, 16 MiB each, checked;
 *  - the copying baseline rx=recv (multishot recv, provided buffers) of
 *    32 MiB that zcrx-send sends, checked with pattern=zcrx.
 */
#include <stdio.h>
#include <string.h>

#include "fio.h"
#include "zcrx.h"

#define PORT		5341
#define FIO_TOTAL	(256ULL << 20)
#define JOB_TOTAL	(16ULL << 20)
#define SEND_TOTAL	(32ULL << 20)

int main(void)
{
	char port[32], sport[16], send_size[32];
	struct t_nsim_pair p;
	struct t_fio f;
	int ret;

	ret = t_fio_find(&f);
	if (ret)
		return ret;
	ret = t_zcrx_require(true);
	if (ret)
		return ret;
	ret = t_zcrx_lo_pair(&p);
	if (ret)
		return ret;

	snprintf(port, sizeof(port), "--port=%d", PORT);
	{
		char *rx[] = { f.fio, "--name=zcrx-nodev", f.ioengine,
			"--listen", "--hostname=127.0.0.1", port, "--rw=read",
			"--bs=64k", "--size=256m", "--nodev",
			"--area_size=16m", "--pattern=offset",
			"--pattern_bs=4k", "--output-format=normal,terse",
			NULL };
		char *tx[] = { f.fio, "--name=net-send", "--ioengine=net",
			"--hostname=127.0.0.1", port, "--rw=write", "--bs=4k",
			"--size=256m", "--verify=pattern",
			"--verify_pattern=%o", "--do_verify=0", NULL };
		struct t_fio_stream s = {
			.what = "fio's net engine -> device-less zcrx engine over loopback",
			.job = "zcrx-nodev",
			.rx_ns = p.netns[1], .tx_ns = p.netns[0],
			.rx_argv = rx, .tx_argv = tx,
			.port = PORT, .total = FIO_TOTAL, .timeout_s = 900,
			.checked = true, .all_copied = true,
		};

		ret = t_fio_stream(&s);
		if (ret)
			goto out;
	}

	/* numjobs=2: ports PORT+1 and PORT+2 */
	snprintf(port, sizeof(port), "--port=%d", PORT + 1);
	{
		char *rx[] = { f.fio, "--name=zcrx-2jobs", f.ioengine,
			"--listen", port, "--rw=read", "--bs=32k",
			"--size=16m", "--numjobs=2", "--group_reporting=0",
			"--nodev", "--area_size=4m", "--pattern=offset",
			"--pattern_bs=4k", "--output-format=normal,terse",
			NULL };
		char *tx[] = { f.fio, "--name=net-send2", "--ioengine=net",
			"--hostname=127.0.0.1", port, "--rw=write", "--bs=4k",
			"--size=16m", "--numjobs=2", "--verify=pattern",
			"--verify_pattern=%o", "--do_verify=0", NULL };
		char rx_out[64], tx_out[64];
		pid_t rx_pid, tx_pid;
		int rx_rc, tx_rc, n = 0;

		/*
		 * t_fio_stream() follows one job; here the two jobs' lines
		 * (all named zcrx-2jobs) are counted.
		 */
		snprintf(rx_out, sizeof(rx_out), "/tmp/fio-%d-2jobs.rx", getpid());
		snprintf(tx_out, sizeof(tx_out), "/tmp/fio-%d-2jobs.tx", getpid());
		printf("numjobs=2: two device-less jobs on ports %d and %d, %llu bytes each\n",
		       PORT + 1, PORT + 2, JOB_TOTAL);
		rx_pid = t_fio_spawn(p.netns[1], rx_out, rx);
		ret = t_fio_wait_listen(rx_pid, PORT + 1, 120);
		if (!ret)
			ret = t_fio_wait_listen(rx_pid, PORT + 2, 120);
		if (ret) {
			t_fio_wait(rx_pid, 1);
			t_fio_dump("receiver", rx_out);
			goto out;
		}
		tx_pid = t_fio_spawn(p.netns[0], tx_out, tx);
		rx_rc = t_fio_wait(rx_pid, 300);
		tx_rc = t_fio_wait(tx_pid, 60);
		t_fio_dump("receiver", rx_out);
		t_fio_dump("sender", tx_out);
		if (rx_rc || tx_rc) {
			ret = t_fail("numjobs=2: receiver exit %d, sender exit %d",
				     rx_rc, tx_rc);
			goto out;
		}
		{
			char line[4096];
			FILE *fp = fopen(rx_out, "r");

			while (fp && fgets(line, sizeof(line), fp)) {
				char *s = strstr(line, "zcrx-summary: job=zcrx-2jobs ");

				if (!s)
					continue;
				if (!strstr(s, " bytes=16777216 ") ||
				    !strstr(s, " checked=16777216 ") ||
				    !strstr(s, " error=0")) {
					ret = t_fail("numjobs=2: a job's summary is wrong: %s", s);
					break;
				}
				n++;
			}
			if (fp)
				fclose(fp);
		}
		if (!ret && n != 2)
			ret = t_fail("numjobs=2: %d summaries of 16 MiB, want 2", n);
		if (!ret && (!t_fio_grep(rx_out, ", port 5342\n") ||
			     !t_fio_grep(rx_out, ", port 5343\n")))
			ret = t_fail("numjobs=2: the jobs did not use ports %d and %d",
				     PORT + 1, PORT + 2);
		if (ret)
			goto out;
		unlink(rx_out);
		unlink(tx_out);
	}

	snprintf(port, sizeof(port), "--port=%d", PORT + 3);
	snprintf(sport, sizeof(sport), "%d", PORT + 3);
	snprintf(send_size, sizeof(send_size), "%llu", SEND_TOTAL);
	{
		char *rx[] = { f.fio, "--name=recv-baseline", f.ioengine,
			"--listen", port, "--rw=read", "--bs=64k",
			"--size=32m", "--iodepth=2", "--rx=recv",
			"--area_size=8m", "--refill_batch=16",
			"--pattern=zcrx", "--output-format=normal,terse",
			NULL };
		char *tx[] = { f.send, "-a", "127.0.0.1", "-p", sport, "-s",
			send_size, NULL };
		struct t_fio_stream s = {
			.what = "zcrx-send -> rx=recv baseline over loopback",
			.job = "recv-baseline",
			.rx_ns = p.netns[1], .tx_ns = p.netns[0],
			.rx_argv = rx, .tx_argv = tx,
			.port = PORT + 3, .total = SEND_TOTAL, .timeout_s = 300,
			.checked = true,
		};

		ret = t_fio_stream(&s);
	}
out:
	t_nsim_pair_destroy(&p);
	return ret;
}
