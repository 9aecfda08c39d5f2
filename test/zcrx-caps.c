/* SPDX-License-Identifier: MIT */
/*
 * Description: report whether the running kernel supports io_uring
 * zero-copy receive and, if it does, that its answers agree with each
 * other and with the UAPI (uapi.md). Skips, saying why, on a kernel
 * without zcrx. On the project's kernel, as root, there is one answer:
 * RECV_ZC in the probe, an unreadable registration argument EFAULT (not
 * EPERM), and IORING_REGISTER_QUERY answering IO_URING_QUERY_ZCRX with
 * ZCRX_REG_NODEV among the register flags.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <liburing.h>
#include <liburing-ext/zcrx-uapi.h>

#include "helpers.h"

static int sys_register(int fd, unsigned int op, void *arg, unsigned int nr)
{
	int ret = syscall(__NR_io_uring_register, fd, op, arg, nr);

	return ret < 0 ? -errno : ret;
}

int main(void)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_DEFER_TASKRUN |
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32,
	};
	struct io_uring_query_zcrx qz;
	struct io_uring_query_hdr hdr = {
		.query_data = (uintptr_t)&qz,
		.query_op = IO_URING_QUERY_ZCRX,
		.size = sizeof(qz),
	};
	struct io_uring_probe *probe;
	struct io_uring ring;
	struct utsname u;
	void *noaccess;
	bool has_op;
	int ret;

	uname(&u);
	printf("kernel %s\n", u.release);
	ret = io_uring_queue_init_params(8, &ring, &p);
	if (ret)
		return t_lacks("no io_uring ring with DEFER_TASKRUN|CQE32: %s",
			       strerror(-ret));
	probe = io_uring_get_probe_ring(&ring);
	if (!probe)
		return t_lacks("io_uring cannot be probed");
	has_op = probe->last_op >= IORING_OP_RECV_ZC &&
		 (probe->ops[IORING_OP_RECV_ZC].flags & IO_URING_OP_SUPPORTED);
	io_uring_free_probe(probe);

	/*
	 * Registration with an argument that cannot be read: EFAULT where
	 * zcrx exists (EINVAL for an unknown register opcode).
	 */
	noaccess = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	t_check(noaccess != MAP_FAILED, "mmap: %s", strerror(errno));
	ret = sys_register(ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, noaccess, 1);
	if (!has_op) {
		if (ret == -EFAULT) {
			io_uring_queue_exit(&ring);
			return t_fail("ZCRX_IFQ registration without RECV_ZC");
		}
		io_uring_queue_exit(&ring);
		return t_lacks("zcrx not supported: kernel lacks IORING_OP_RECV_ZC (opcode %d)",
			       IORING_OP_RECV_ZC);
	}
	if (ret == -EPERM) {
		io_uring_queue_exit(&ring);
		return t_lacks("zcrx supported, but CAP_NET_ADMIN is missing");
	}
	if (ret != -EFAULT) {
		io_uring_queue_exit(&ring);
		return t_fail("RECV_ZC supported but ZCRX_IFQ(unreadable) gave %d",
			      ret);
	}
	printf("zcrx supported: IORING_OP_RECV_ZC and IORING_REGISTER_ZCRX_IFQ\n");

	memset(&qz, 0xa5, sizeof(qz));
	ret = sys_register(-1, IORING_REGISTER_QUERY, &hdr, 0);
	if (t_project_kernel() && (ret || hdr.result)) {
		io_uring_queue_exit(&ring);
		return t_fail("the project's kernel: IORING_REGISTER_QUERY %s, IO_URING_QUERY_ZCRX result %s; want both to work",
			      ret ? strerror(-ret) : "success",
			      ret ? "none" : strerror(-hdr.result));
	}
	if (ret == -EINVAL) {
		/* before 6.18: no query, zcrx found by the opcode probe */
		printf("no IORING_REGISTER_QUERY: features cannot be queried\n");
	} else if (ret) {
		io_uring_queue_exit(&ring);
		return t_fail("IORING_REGISTER_QUERY: %s", strerror(-ret));
	} else if (hdr.result) {
		printf("no IO_URING_QUERY_ZCRX: %s\n", strerror(-hdr.result));
	} else {
		printf("register flags %#llx%s, area flags %#llx, %u ctrl ops, features %#x, refill header %u bytes aligned to %u\n",
		       (unsigned long long)qz.register_flags,
		       qz.register_flags & ZCRX_REG_NODEV ? " (NODEV)" : "",
		       (unsigned long long)qz.area_flags, qz.nr_ctrl_opcodes,
		       qz.features, qz.rq_hdr_size, qz.rq_hdr_alignment);
		if (qz.rq_hdr_size != 128 || qz.rq_hdr_alignment != 64) {
			io_uring_queue_exit(&ring);
			return t_fail("refill header %u/%u, uapi.md says 128/64",
				      qz.rq_hdr_size, qz.rq_hdr_alignment);
		}
		if (t_project_kernel() &&
		    !(qz.register_flags & ZCRX_REG_NODEV)) {
			io_uring_queue_exit(&ring);
			return t_fail("the project's kernel without ZCRX_REG_NODEV in register_flags %#llx",
				      (unsigned long long)qz.register_flags);
		}
	}
	io_uring_queue_exit(&ring);
	return T_EXIT_PASS;
}
