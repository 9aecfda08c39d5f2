// SPDX-License-Identifier: GPL-2.0
/*
 * A fio external ioengine that fio refuses to load: its ioengine_ops
 * version is -1. fio then says which version it wants ("bad ioops version
 * -1 (want N)"), which check-ioops.cmake compares with FIO_IOOPS_VERSION of
 * the headers the zcrx engine is built against. Never installed.
 */
#include "fio.h"

static enum fio_q_status probe_queue(struct thread_data *td, struct io_u *io_u)
{
	return FIO_Q_COMPLETED;
}

__attribute__((visibility("default")))
struct ioengine_ops ioengine = {
	.name		= "zcrx-ioops-probe",
	.version	= -1,
	.flags		= FIO_SYNCIO | FIO_DISKLESSIO,
	.queue		= probe_queue,
};
