/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define NSIM_BUS "/sys/bus/netdevsim"

int t_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return T_EXIT_FAIL;
}

int t_skip(const char *fmt, ...)
{
	va_list ap;

	printf("skip: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return T_EXIT_SKIP;
}

bool t_project_kernel(void)
{
	static const char *const suffix[] = { "-zcrx-debug", "-zcrx-perf" };
	static int known = -1;
	struct utsname u;
	size_t len, i;

	if (known >= 0)
		return known;
	known = 0;
	if (uname(&u))
		return false;
	len = strlen(u.release);
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		size_t n = strlen(suffix[i]);

		if (len >= n && !strcmp(u.release + len - n, suffix[i]))
			known = 1;
	}
	return known;
}

int t_lacks_at(const char *file, int line, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (t_project_kernel())
		return t_fail_at(file, line,
				 "%s, on the project's kernel, which has everything the tests need",
				 why);
	return t_skip("%s", why);
}

void t_pattern_fill(void *buf, uint64_t off, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = t_pattern_byte(off + i);
}

long t_pattern_check(const void *buf, uint64_t off, size_t len)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != t_pattern_byte(off + i))
			return (long)i;
	return -1;
}

void t_prefix_path(char *out, size_t len, const char *rel)
{
	char self[PATH_MAX - 64], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	out[0] = 0;
	if (n <= 0)
		return;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = 0;
	snprintf(out, len, "%s/../../../%s", self, rel);
}

int t_find_file(char *out, size_t len, const char *env, const char *rel,
		const char *build, int mode)
{
	const char *val = env ? getenv(env) : NULL;

	if (val && *val) {
		snprintf(out, len, "%s", val);
	} else {
		t_prefix_path(out, len, rel);
		if (build && (!out[0] || access(out, mode)))
			snprintf(out, len, "%s", build);
	}
	return out[0] && !access(out, mode) ? 0 : -1;
}

int t_run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ret = system(cmd);
	if (ret == -1 || !WIFEXITED(ret))
		return -1;
	return WEXITSTATUS(ret);
}

static int write_file(const char *path, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int fd, len, ret;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ret = write(fd, buf, len);
	ret = ret == len ? 0 : (ret < 0 ? -errno : -EIO);
	close(fd);
	return ret;
}

int t_netns_enter(const char *name)
{
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	return ret;
}

/* The one net device of netdevsim bus device @id: its name. */
static int nsim_ifname(int id, char *name)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path),
		 "ls %s/devices/netdevsim%d/net/ 2>/dev/null", NSIM_BUS, id);
	f = popen(path, "r");
	if (!f)
		return -errno;
	ret = fscanf(f, "%15s", name) == 1 ? 0 : -ENODEV;
	pclose(f);
	return ret;
}

void t_nsim_pair_destroy(struct t_nsim_pair *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (p->dev_id[i] > 0)
			write_file(NSIM_BUS "/del_device", "%d", p->dev_id[i]);
		if (p->netns[i][0])
			t_run("ip netns del %s 2>/dev/null", p->netns[i]);
		p->dev_id[i] = 0;
		p->netns[i][0] = 0;
	}
}

/*
 * Make netdevsim device of side @i (id from the pid), move its net device
 * into the side's namespace (made here when @new_ns), give it the side's
 * address and bring it up; its ifindex in that namespace. 0 or
 * T_EXIT_FAIL (reported), what was made left for t_nsim_pair_destroy().
 */
static int side_up(struct t_nsim_pair *p, int i, bool new_ns)
{
	/* Ids from the pid keep concurrent tests apart. */
	int id = 1000 + (getpid() % 10000) * 2 + i, self, ret;

	ret = write_file(NSIM_BUS "/new_device", "%d 1 %d", id, p->nr_queues);
	if (ret)
		return t_fail("netdevsim new_device %d: %s", id, strerror(-ret));
	p->dev_id[i] = id;
	if (nsim_ifname(id, p->ifname[i]))
		return t_fail("netdevsim%d has no net device", id);
	if (new_ns) {
		snprintf(p->netns[i], sizeof(p->netns[i]), "zcrx-%d-%c",
			 getpid(), 'a' + i);
		snprintf(p->addr[i], sizeof(p->addr[i]), "192.0.2.%c", '1' + i);
		if (t_run("ip netns add %s", p->netns[i])) {
			p->netns[i][0] = 0;
			return t_fail("ip netns add zcrx-%d-%c", getpid(),
				      'a' + i);
		}
	}
	if (t_run("ip link set dev %s netns %s", p->ifname[i], p->netns[i]) ||
	    t_run("ip -n %s addr add %s/24 dev %s", p->netns[i], p->addr[i],
		  p->ifname[i]) ||
	    t_run("ip -n %s link set dev %s up", p->netns[i], p->ifname[i]))
		return t_fail("setting up %s in %s", p->ifname[i], p->netns[i]);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	t_check(self >= 0, "open own netns: %s", strerror(errno));
	if (!t_netns_enter(p->netns[i]))
		p->ifindex[i] = if_nametoindex(p->ifname[i]);
	t_check(!setns(self, CLONE_NEWNET), "back to own netns");
	close(self);
	if (!p->ifindex[i])
		return t_fail("%s not found in %s", p->ifname[i], p->netns[i]);
	return 0;
}

/* Link the two ports back to back: 0 or T_EXIT_FAIL (reported). */
static int link_sides(struct t_nsim_pair *p)
{
	char path[64];
	int nsfd[2], i, ret;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/run/netns/%s", p->netns[i]);
		nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
	}
	ret = nsfd[0] < 0 || nsfd[1] < 0 ? -ENOENT :
	      write_file(NSIM_BUS "/link_device", "%d:%d %d:%d", nsfd[0],
			 p->ifindex[0], nsfd[1], p->ifindex[1]);
	for (i = 0; i < 2; i++)
		if (nsfd[i] >= 0)
			close(nsfd[i]);
	return ret ? t_fail("netdevsim link_device: %s", strerror(-ret)) : 0;
}

int t_nsim_pair_create(struct t_nsim_pair *p, int nr_queues)
{
	struct stat st;
	int i;

	memset(p, 0, sizeof(*p));
	if (stat(NSIM_BUS, &st))
		return t_lacks("kernel without netdevsim (%s missing)", NSIM_BUS);
	p->nr_queues = nr_queues;
	for (i = 0; i < 2; i++)
		if (side_up(p, i, true))
			goto fail;
	if (link_sides(p))
		goto fail;
	return 0;
fail:
	t_nsim_pair_destroy(p);
	return T_EXIT_FAIL;
}

/*
 * Side @i's device again, all without a command (each costs a second
 * under emulation): netdevsim makes a new device's port in the network
 * namespace of the writer of new_device.
 */
int t_nsim_debugfs_u64(const struct t_nsim_pair *p, int i, const char *file,
		       uint64_t *v)
{
	unsigned long long n;
	char path[160];
	FILE *f;
	int got;

	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/netdevsim/netdevsim%d/%s", p->dev_id[i],
		 file);
	f = fopen(path, "re");
	if (!f)
		return t_fail("%s: %s", path, strerror(errno));
	got = fscanf(f, "%llu", &n);
	fclose(f);
	if (got != 1)
		return t_fail("%s: no number", path);
	*v = n;
	return 0;
}

int t_nsim_side_again(struct t_nsim_pair *p, int i)
{
	int id = 1000 + (getpid() % 10000) * 2 + i, self, fd, ret;
	struct sockaddr_in *sin;
	struct if_nameindex *ifs, *it;
	struct arpreq arp;
	struct ifreq ifr;

	if (p->dev_id[i] || !p->netns[i][0])
		return t_fail("side %d: its device is there, or its namespace is not",
			      i);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	t_check(self >= 0, "open own netns: %s", strerror(errno));
	ret = t_netns_enter(p->netns[i]);
	if (ret) {
		close(self);
		return t_fail("entering %s: %s", p->netns[i], strerror(-ret));
	}
	p->ifindex[i] = 0;
	ret = write_file(NSIM_BUS "/new_device", "%d 1 %d", id, p->nr_queues);
	if (ret) {
		t_fail("netdevsim new_device %d in %s: %s", id, p->netns[i],
		       strerror(-ret));
		goto out;
	}
	p->dev_id[i] = id;
	/* its port: the one device of the namespace besides lo */
	ifs = if_nameindex();
	for (it = ifs; it && it->if_index; it++)
		if (strcmp(it->if_name, "lo")) {
			snprintf(p->ifname[i], sizeof(p->ifname[i]), "%s",
				 it->if_name);
			p->ifindex[i] = (int)it->if_index;
		}
	if (ifs)
		if_freenameindex(ifs);
	if (!p->ifindex[i]) {
		ret = t_fail("netdevsim%d has no port in %s", id, p->netns[i]);
		goto out;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->ifname[i]);
	sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, p->addr[i], &sin->sin_addr);
	ret = fd < 0 || ioctl(fd, SIOCSIFADDR, &ifr) ? -errno : 0;
	if (!ret) {
		inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
		ret = ioctl(fd, SIOCSIFNETMASK, &ifr) ? -errno : 0;
	}
	if (!ret && !ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr) ? -errno : 0;
	}
	if (fd >= 0)
		close(fd);
	if (ret) {
		t_fail("address %s/24 on %s, up: %s", p->addr[i], p->ifname[i],
		       strerror(-ret));
		goto out;
	}
	/* the other side: forget the old port's MAC address */
	t_check(!setns(self, CLONE_NEWNET), "back to own netns");
	ret = t_netns_enter(p->netns[!i]);
	if (ret) {
		t_fail("entering %s: %s", p->netns[!i], strerror(-ret));
		goto out;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&arp, 0, sizeof(arp));
	sin = (struct sockaddr_in *)&arp.arp_pa;
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, p->addr[i], &sin->sin_addr);
	snprintf(arp.arp_dev, sizeof(arp.arp_dev), "%s", p->ifname[!i]);
	ret = fd < 0 || (ioctl(fd, SIOCDARP, &arp) && errno != ENXIO) ?
	      -errno : 0;
	if (fd >= 0)
		close(fd);
	if (ret) {
		t_fail("forgetting %s in %s: %s", p->addr[i], p->netns[!i],
		       strerror(-ret));
		goto out;
	}
out:
	t_check(!setns(self, CLONE_NEWNET), "back to own netns");
	close(self);
	if (ret)
		return T_EXIT_FAIL;
	return link_sides(p);
}

/* Sender side of a stream: runs in a child, never returns. */
static void stream_sender(const struct t_nsim_pair *p, uint16_t port,
			  uint64_t total)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	size_t max = 1 << 20, len;
	uint64_t off = 0, seed = 1;
	uint8_t *buf;
	int fd, tries;

	if (t_netns_enter(p->netns[0]))
		_exit(t_fail("sender: enter %s", p->netns[0]));
	inet_pton(AF_INET, p->addr[1], &addr.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	buf = malloc(max);
	if (fd < 0 || !buf)
		_exit(t_fail("sender: socket: %s", strerror(errno)));
	/* The peer's address may still be tentative for a moment. */
	for (tries = 0; connect(fd, (void *)&addr, sizeof(addr)); tries++) {
		if (tries == 50)
			_exit(t_fail("sender: connect: %s", strerror(errno)));
		usleep(100000);
	}
	while (off < total) {
		ssize_t ret;

		/* Chunks from 1 byte to 1 MiB, mostly large. */
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		len = (seed >> 33) % 8 ? ((seed >> 40) % max) + 1 :
					 ((seed >> 40) % 512) + 1;
		if (len > total - off)
			len = total - off;
		t_pattern_fill(buf, off, len);
		ret = send(fd, buf, len, 0);
		if (ret <= 0)
			_exit(t_fail("sender: send at %llu: %s",
				     (unsigned long long)off, strerror(errno)));
		off += ret;
		/* The rest of a short send goes out with the next fill. */
	}
	close(fd);
	_exit(T_EXIT_PASS);
}

int t_stream_start(struct t_stream *s, const struct t_nsim_pair *p,
		   uint16_t port, uint64_t total)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	int self, one = 1;

	memset(s, 0, sizeof(*s));
	s->total = total;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || t_netns_enter(p->netns[1]))
		return t_fail("enter %s", p->netns[1]);
	inet_pton(AF_INET, p->addr[1], &addr.sin_addr);
	s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s->listen_fd < 0 || bind(s->listen_fd, (void *)&addr, sizeof(addr)) ||
	    listen(s->listen_fd, 1))
		return t_fail("listen on %s:%u: %s", p->addr[1], port,
			      strerror(errno));
	t_check(!setns(self, CLONE_NEWNET), "back to own netns");
	close(self);

	s->sender = fork();
	if (s->sender < 0)
		return t_fail("fork: %s", strerror(errno));
	if (!s->sender)
		stream_sender(p, port, total);
	s->fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (s->fd < 0)
		return t_fail("accept: %s", strerror(errno));
	return 0;
}

int t_stream_finish(struct t_stream *s)
{
	int status;

	if (s->fd >= 0)
		close(s->fd);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->fd = s->listen_fd = -1;
	if (s->sender <= 0)
		return T_EXIT_FAIL;
	if (waitpid(s->sender, &status, 0) != s->sender)
		return t_fail("waitpid: %s", strerror(errno));
	s->sender = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return t_fail("sender failed (status %#x)", status);
	return 0;
}

int t_nsim_pair_jumbo(const struct t_nsim_pair *p, int mtu)
{
	if (t_run("ip -n %s link set dev %s mtu %d gso_max_segs 1",
		  p->netns[0], p->ifname[0], mtu) ||
	    t_run("ip -n %s link set dev %s mtu %d", p->netns[1],
		  p->ifname[1], mtu))
		return t_fail("MTU %d on %s and %s, gso_max_segs 1 on %s",
			      mtu, p->ifname[0], p->ifname[1], p->ifname[0]);
	printf("MTU %d on %s and %s, sender %s with one segment per skb (gso_max_segs 1)\n",
	       mtu, p->ifname[0], p->ifname[1], p->ifname[0]);
	return 0;
}

int t_nsim_rx_counters(const struct t_nsim_pair *p, int i,
		       struct t_rx_counters *c)
{
	char line[512];
	int self, ret;
	FILE *f;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	ret = t_netns_enter(p->netns[i]);
	if (ret) {
		close(self);
		return ret;
	}
	/* this thread's netns: "name: bytes packets errs drop ..." */
	f = fopen("/proc/thread-self/net/dev", "re");
	ret = f ? -ENODEV : -errno;
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *name = line;
		unsigned long long b, n, e, d;

		if (!colon)
			continue;
		*colon = 0;
		while (*name == ' ')
			name++;
		if (strcmp(name, p->ifname[i]))
			continue;
		if (sscanf(colon + 1, "%llu %llu %llu %llu", &b, &n, &e,
			   &d) == 4) {
			c->bytes = b;
			c->packets = n;
			c->dropped = d;
			ret = 0;
		}
		break;
	}
	if (f)
		fclose(f);
	t_check(!setns(self, CLONE_NEWNET), "back to own netns: %s",
		strerror(errno));
	close(self);
	return ret;
}

int t_jumbo_begin(struct t_jumbo *j, const struct t_nsim_pair *p, int mtu)
{
	int ret;

	j->p = p;
	j->mtu = mtu;
	ret = t_nsim_rx_counters(p, 1, &j->start);
	if (ret)
		return t_fail("receive counters of %s in %s: %s", p->ifname[1],
			      p->netns[1], strerror(-ret));
	return 0;
}

int t_jumbo_mss(const struct t_jumbo *j, int fd)
{
	/* the MTU less IPv4 and TCP headers (40) and TCP options (<= 40) */
	int mss = 0, want = j->mtu - 80;
	socklen_t len = sizeof(mss);

	if (getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &len))
		return t_fail("TCP_MAXSEG of the accepted socket: %s",
			      strerror(errno));
	/*
	 * The receiver's route MTU clamped by the MSS the sender's SYN
	 * announced from its own: either port's MTU left at 1500 gives 1460
	 * at most.
	 */
	if (mss < want)
		return t_fail("accepted socket's MSS (TCP_MAXSEG) is %d, want at least %d for MTU %d on both ports",
			      mss, want, j->mtu);
	printf("accepted socket's MSS: %d\n", mss);
	return 0;
}

int t_jumbo_check(const struct t_jumbo *j, uint64_t total)
{
	uint64_t packets, bytes, page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct t_rx_counters c;
	uint64_t frame_max = (uint64_t)j->mtu + ETHER_HDR_LEN;
	int ret;

	ret = t_nsim_rx_counters(j->p, 1, &c);
	if (ret)
		return t_fail("receive counters of %s in %s: %s",
			      j->p->ifname[1], j->p->netns[1], strerror(-ret));
	packets = c.packets - j->start.packets;
	bytes = c.bytes - j->start.bytes;
	printf("%s received %llu frames of %llu bytes during the stream, %llu bytes each on average\n",
	       j->p->ifname[1], (unsigned long long)packets,
	       (unsigned long long)bytes,
	       (unsigned long long)(packets ? bytes / packets : 0));
	/*
	 * Every payload byte crossed the receiving port in a frame it
	 * counted (retransmissions only add), and its frames average more
	 * than a page, so that frames carried payload across more than one
	 * page-sized buffer: frames of a 1500-byte MTU (1514 bytes at most)
	 * cannot average that. And no more than the MTU's frame
	 * (MTU + Ethernet header), which TSO frames of up to 64 KiB, passed
	 * to the peer whole by netdevsim, would exceed: the frames were
	 * real jumbo frames.
	 */
	if (bytes < total || bytes <= packets * page ||
	    bytes > packets * frame_max)
		return t_fail("%s received %llu frames of %llu bytes for a stream of %llu bytes; want at least the stream's bytes, in frames of more than %llu (a page) and at most %llu bytes (MTU %d) on average",
			      j->p->ifname[1], (unsigned long long)packets,
			      (unsigned long long)bytes,
			      (unsigned long long)total,
			      (unsigned long long)page,
			      (unsigned long long)frame_max, j->mtu);
	return 0;
}
