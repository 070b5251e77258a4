/* redis_addr.h — redis_addr.c: the parser of redis.address. Conventions: core.h. */
#ifndef TQ_REDIS_ADDR_H
#define TQ_REDIS_ADDR_H

#include <stdbool.h>

/* ----------------------------------------------------------- redis_addr.c */
/*
 * The one parser of redis.address ("unix:/path", "host:port", "[v6]:port")
 * for the config check, the daemon and teleqctl. See redis_addr.c.
 */
#define REDIS_ADDR_MAX          256     /* bytes of redis.address */
#define REDIS_ADDR_SUN_MAX      107     /* sizeof(sun_path) - 1 */
struct redis_addr {
	bool is_unix;
	char host[REDIS_ADDR_MAX + 1];  /* the socket path, or the host (IPv6: no brackets) */
	int  port;                      /* 1..65535; 0 for a unix socket */
};
/* 0, or -EINVAL (not an address), -ENOENT (relative socket path), -ENAMETOOLONG (socket path). */
int redis_addr_parse(const char *s, struct redis_addr *ret);

#endif /* TQ_REDIS_ADDR_H */
