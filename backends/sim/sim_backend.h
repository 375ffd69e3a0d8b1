#ifndef CARPTOP_SIM_BACKEND_H
#define CARPTOP_SIM_BACKEND_H

struct backend;
struct sim_world;
/* Bind a backend using sim_backend_ops to a node of a world. */
void sim_backend_attach(struct backend *b, struct sim_world *w, int pair, int node);

#endif
