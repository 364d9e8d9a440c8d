// A static program that sends one ICMP echo over an unprivileged ICMP socket (SOCK_DGRAM,
// IPPROTO_ICMP: what iputils ping uses without CAP_NET_RAW) and waits for the reply. Busybox
// 1.35's ping only opens raw sockets, so it cannot show what net.ipv4.ping_group_range allows.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE = `
#include <arpa/inet.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>
int main(int argc, char **argv) {
  const char *to_ip = argc > 1 ? argv[1] : "127.0.0.1";
  int s = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
  if (s < 0) { perror("socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)"); return 2; }
  struct sockaddr_in to = { .sin_family = AF_INET };
  if (inet_pton(AF_INET, to_ip, &to.sin_addr) != 1) { fprintf(stderr, "bad address %s\\n", to_ip); return 2; }
  struct icmphdr h = { .type = ICMP_ECHO };
  h.un.echo.sequence = htons(1);
  if (sendto(s, &h, sizeof h, 0, (struct sockaddr *)&to, sizeof to) < 0) { perror("sendto"); return 3; }
  struct timeval tv = { .tv_sec = 10 };
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[512];
  ssize_t n = recv(s, buf, sizeof buf, 0);
  if (n < (ssize_t)sizeof h) { perror("recv"); return 4; }
  if (((struct icmphdr *)buf)->type != ICMP_ECHOREPLY) { fprintf(stderr, "not an echo reply\\n"); return 4; }
  printf("echo reply from %s\\n", to_ip);
  return 0;
}
`;

/** Compiles the program as `icmp-echo` in `dir` (needs gcc and a static libc); returns its path. */
export function buildIcmpEcho(dir: string): string {
  const src = join(dir, 'icmp-echo.c');
  const out = join(dir, 'icmp-echo');
  writeFileSync(src, SOURCE);
  execFileSync('gcc', ['-static', '-O2', '-o', out, src]);
  return out;
}
