// SPDX-License-Identifier: GPL-2.0
/*
 * podserve: a test Pod.  Answers every TCP connection and every UDP
 * datagram on a port, IPv4 and IPv6, with a line "NAME PEER": its name and
 * the source address it sees, so that a client sees which backend served
 * it and whether it was masqueraded.  One process, no fork per
 * connection: thousands of connections a second even in a TCG guest.
 *
 * On PORT+1 it keeps TCP connections open instead and answers every
 * chunk it receives with the same line: a long-lived connection.
 *
 *   podserve NAME PORT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* "NAME PEER\n" into @out; IPv4 peers without the ::ffff: prefix. */
static size_t answer(char *out, size_t size, const char *name,
		     const struct sockaddr_storage *peer)
{
	const struct sockaddr_in6 *p6 = (const struct sockaddr_in6 *)peer;
	char addr[INET6_ADDRSTRLEN] = "?";

	if (peer->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&p6->sin6_addr))
		inet_ntop(AF_INET, &p6->sin6_addr.s6_addr[12], addr,
			  sizeof(addr));
	else if (peer->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &p6->sin6_addr, addr, sizeof(addr));
	return (size_t)snprintf(out, size, "%s %s\n", name, addr);
}

static int listen_on(int type, unsigned short port)
{
	struct sockaddr_in6 a = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	int one = 1, zero = 0;
	int fd = socket(AF_INET6, type, 0);

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(fd, 1024))) {
		perror("podserve: socket");
		exit(1);
	}
	return fd;
}

static void answer_tcp(int lfd, const char *name)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	int fd = accept(lfd, (struct sockaddr *)&peer, &plen);
	char msg[512];
	size_t len;

	if (fd < 0)
		return;
	len = answer(msg, sizeof(msg), name, &peer);
	if (write(fd, msg, len) < 0 && errno != EPIPE && errno != ECONNRESET)
		perror("podserve: write");
	close(fd);
}

static void answer_udp(int fd, const char *name)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char buf[2048], msg[512];
	size_t len;

	if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
		     &plen) < 0)
		return;
	len = answer(msg, sizeof(msg), name, &peer);
	if (sendto(fd, msg, len, 0, (struct sockaddr *)&peer, plen) < 0)
		perror("podserve: sendto");
}

#define MAX_CONNS 64

/* A long-lived connection: a line for every chunk, until EOF. */
static void answer_chunk(struct pollfd *c, const char *name)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char buf[2048], msg[512];
	size_t len;

	if (read(c->fd, buf, sizeof(buf)) <= 0 ||
	    getpeername(c->fd, (struct sockaddr *)&peer, &plen)) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	len = answer(msg, sizeof(msg), name, &peer);
	if (write(c->fd, msg, len) < 0) {
		close(c->fd);
		c->fd = -1;
	}
}

static void take_conn(struct pollfd *p, int n, int lfd)
{
	int fd = accept(lfd, NULL, NULL);
	int i;

	for (i = 0; fd >= 0 && i < n; i++) {
		if (p[i].fd < 0) {
			p[i].fd = fd;
			p[i].events = POLLIN;
			return;
		}
	}
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	struct pollfd p[3 + MAX_CONNS];
	unsigned short port;
	int i;

	if (argc != 3) {
		fprintf(stderr, "usage: podserve NAME PORT\n");
		return 2;
	}
	port = (unsigned short)atoi(argv[2]);
	p[0].fd = listen_on(SOCK_STREAM, port);
	p[1].fd = listen_on(SOCK_DGRAM, port);
	p[2].fd = listen_on(SOCK_STREAM, port + 1);
	for (i = 0; i < 3 + MAX_CONNS; i++) {
		if (i >= 3)
			p[i].fd = -1;
		p[i].events = POLLIN;
	}
	for (;;) {
		if (poll(p, 3 + MAX_CONNS, -1) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN)
			answer_tcp(p[0].fd, argv[1]);
		if (p[1].revents & POLLIN)
			answer_udp(p[1].fd, argv[1]);
		if (p[2].revents & POLLIN)
			take_conn(p + 3, MAX_CONNS, p[2].fd);
		for (i = 3; i < 3 + MAX_CONNS; i++)
			if (p[i].fd >= 0 && p[i].revents)
				answer_chunk(&p[i], argv[1]);
	}
}
