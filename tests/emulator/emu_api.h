/* The OPNsense REST API as a table of routes over the sim world, answering
 * with the contract's exact shapes and quirks (CONTRACT.md): values as
 * strings, '/' escaped as '\/', option maps, grids, error envelopes. */
#ifndef CARPSIM_EMU_API_H
#define CARPSIM_EMU_API_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/sim_world.h"
#include "util.h"

struct emu_req {
	const char *method;       /* "GET", "POST" */
	const char *path;         /* "/api/diagnostics/interface/get_vip_status" */
	const char *body;
	size_t body_len;
	struct sim_world *w;
	int pair, node;
};

struct emu_resp {
	int status;
	const char *content_type;
	struct strbuf body;
	bool mutating;            /* the request changed the node */
};

/* Answer one authenticated request. Unknown paths get the 404 envelope. */
void emu_api_handle(const struct emu_req *rq, struct emu_resp *rs);

/* Mutating endpoints (for the request log), by path. */
bool emu_api_is_mutating(const char *method, const char *path);

#endif
