// SPDX-License-Identifier: GPL-2.0
/*
 * podserve: a test Pod.  Answers every TCP connection and every UDP
 * datagram on a port, IPv4 and IPv6, with a line "NAME PEER": its name and
 * the source address it sees, so that a client sees which backend served
 * it and whether it was masqueraded.  One process, no fork per
 * connection: thousands of connections a second even in a TCG guest.
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

int main(int argc, char **argv)
{
	struct pollfd p[2];

	if (argc != 3) {
		fprintf(stderr, "usage: podserve NAME PORT\n");
		return 2;
	}
	p[0].fd = listen_on(SOCK_STREAM, (unsigned short)atoi(argv[2]));
	p[1].fd = listen_on(SOCK_DGRAM, (unsigned short)atoi(argv[2]));
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN)
			answer_tcp(p[0].fd, argv[1]);
		if (p[1].revents & POLLIN)
			answer_udp(p[1].fd, argv[1]);
	}
}
