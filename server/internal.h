/* What only the daemon's own core shares (main.c, http.c, reader.c,
 * routes_log.c); the parts' interface is coyeud.h. */
#ifndef COYEUD_INTERNAL_H
#define COYEUD_INTERNAL_H

#include "coyeud.h"

/* Starts serving srv->cfg.listen (srv->httpd); 0 or -1 after logging. */
int cyd_http_start(cyd_server *srv);
/* Stops accepting, waits for the requests in flight, closes. */
void cyd_http_stop(cyd_server *srv);

void cyd_reader_pool_free(cyd_server *srv);

/* Seconds since an arbitrary start, for durations. */
double cyd_monotonic(void);

#endif
