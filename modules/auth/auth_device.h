/*
 * auth_device: prepaid device link routes (RFC 8628 semantics), see
 * auth_device.c and docs/IDENTITY.md.
 */
#ifndef AUTH_DEVICE_H
#define AUTH_DEVICE_H

#include "mg_ctx.h"

int	auth_h_device_start(struct mg_ctx *);	/* POST /api/v1/device/link/start */
int	auth_h_device_request(struct mg_ctx *);	/* GET /api/v1/device/link/request */
int	auth_h_device_approve(struct mg_ctx *);	/* POST /api/v1/device/link/approve */
int	auth_h_device_poll(struct mg_ctx *);	/* POST /api/v1/device/link/poll */

#endif
