/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "fake-rq.h"
#include "helpers.h"

#define HDR	128U

void t_fake_rq_init(struct t_fake_rq *r, __u32 start, __u64 area_id)
{
	size_t len = HDR + T_RQ_ENTRIES * sizeof(struct io_uring_zcrx_rqe);

	r->mem = malloc(len);
	t_check(r->mem, "malloc");
	/* garbage the helpers must overwrite (entries) or leave alone */
	memset(r->mem, 0xff, len);
	memset(&r->rq, 0, sizeof(r->rq));
	r->area_id = area_id;
	r->rq.ring_ptr = r->mem;
	r->rq.khead = (__u32 *)(r->mem + 0);
	r->rq.ktail = (__u32 *)(r->mem + 64);
	r->rq.rqes = (struct io_uring_zcrx_rqe *)(r->mem + HDR);
	r->rq.ring_entries = T_RQ_ENTRIES;
	*r->rq.khead = start;
	*r->rq.ktail = start;
	r->rq.rq_tail = start;
}

void t_fake_rq_free(struct t_fake_rq *r)
{
	free(r->mem);
	r->mem = NULL;
}

int t_fake_rq_consume(struct t_fake_rq *r, unsigned int nr,
		      unsigned int first)
{
	__u32 head = *r->rq.khead;
	__u32 tail = io_uring_smp_load_acquire(r->rq.ktail);
	unsigned int i;

	if (tail - head < nr)
		return t_fail("kernel sees %u entries, want %u", tail - head,
			      nr);
	for (i = 0; i < nr; i++) {
		struct io_uring_zcrx_rqe *rqe =
			&r->rq.rqes[(head + i) & (T_RQ_ENTRIES - 1)];

		if (rqe->off != t_fake_rq_off(r->area_id, first + i) ||
		    rqe->len != first + i || rqe->__pad)
			return t_fail("entry %u at slot %u: off %#llx len %u pad %u",
				      first + i, (head + i) & (T_RQ_ENTRIES - 1),
				      (unsigned long long)rqe->off, rqe->len,
				      rqe->__pad);
	}
	io_uring_smp_store_release(r->rq.khead, head + nr);
	return 0;
}
