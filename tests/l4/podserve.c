// SPDX-License-Identifier: GPL-2.0
/*
 * podserve: a test Pod.  Answers every TCP connection and every UDP
 * datagram on a port, IPv4 and IPv6, with its name and a newline, so that
 * a client sees which backend served it.  One process, no fork per
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

static void answer_tcp(int lfd, const char *msg, size_t len)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		return;
	if (write(fd, msg, len) < 0 && errno != EPIPE && errno != ECONNRESET)
		perror("podserve: write");
	close(fd);
}

static void answer_udp(int fd, const char *msg, size_t len)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char buf[2048];

	if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
		     &plen) < 0)
		return;
	if (sendto(fd, msg, len, 0, (struct sockaddr *)&peer, plen) < 0)
		perror("podserve: sendto");
}

int main(int argc, char **argv)
{
	struct pollfd p[2];
	char msg[256];
	size_t len;

	if (argc != 3) {
		fprintf(stderr, "usage: podserve NAME PORT\n");
		return 2;
	}
	len = (size_t)snprintf(msg, sizeof(msg), "%s\n", argv[1]);
	p[0].fd = listen_on(SOCK_STREAM, (unsigned short)atoi(argv[2]));
	p[1].fd = listen_on(SOCK_DGRAM, (unsigned short)atoi(argv[2]));
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN)
			answer_tcp(p[0].fd, msg, len);
		if (p[1].revents & POLLIN)
			answer_udp(p[1].fd, msg, len);
	}
}
