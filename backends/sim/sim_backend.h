#ifndef CARPTOP_SIM_BACKEND_H
#define CARPTOP_SIM_BACKEND_H

struct backend;
struct loop;
struct node_conf;
struct sim_world;
/* Make the backend of node `node` (0 or 1) of pair `pair` of world w; its
 * conf is the node's entry in the configuration (transport sim). Returns
 * NULL and sets *cause when the world has no such node. */
struct backend *sim_backend_new(struct sim_world *w, const struct node_conf *conf, struct loop *loop, int pair,
				int node, char **cause);

#endif
