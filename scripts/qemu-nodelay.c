// SPDX-License-Identifier: GPL-2.0
/*
 * qemu-nodelay.so: preloaded into QEMU by scripts/vm.sh for the guests'
 * TCP socket netdev.  QEMU writes each frame of the link into one host TCP
 * stream without TCP_NODELAY: a frame written while an earlier one is not
 * acknowledged waits (Nagle) for the peer's delayed ACK, about 40 ms on
 * Linux, so that a reply spanning several frames (an ICMP ping -s 60000,
 * a PUMA GET_RESP of one page) often takes 40 ms more.  This sets
 * TCP_NODELAY on every TCP socket QEMU makes or accepts.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

typedef int (*socket_fn)(int domain, int type, int protocol);
typedef int (*accept4_fn)(int fd, struct sockaddr *addr, socklen_t *len,
			  int flags);
typedef int (*accept_fn)(int fd, struct sockaddr *addr, socklen_t *len);

static void nodelay(int fd)
{
	int one = 1;

	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int socket(int domain, int type, int protocol)
{
	socket_fn real = (socket_fn)dlsym(RTLD_NEXT, "socket");
	int fd = real(domain, type, protocol);

	if ((domain == AF_INET || domain == AF_INET6) &&
	    (type & 0xf) == SOCK_STREAM)
		nodelay(fd);
	return fd;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	accept4_fn real = (accept4_fn)dlsym(RTLD_NEXT, "accept4");
	int conn = real(fd, addr, len, flags);

	nodelay(conn);
	return conn;
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	accept_fn real = (accept_fn)dlsym(RTLD_NEXT, "accept");
	int conn = real(fd, addr, len);

	nodelay(conn);
	return conn;
}
