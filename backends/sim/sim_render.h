/* A simulated node rendered in the text formats a real OPNsense/FreeBSD node
 * prints (CONTRACT.md §2, §4, §7, §9): what the test emulator's SSH shims
 * answer, and what the parsers' round-trip tests read. */
#ifndef CARPTOP_SIM_RENDER_H
#define CARPTOP_SIM_RENDER_H

#include "sim/sim_world.h"
#include "util.h"

/* Each appends to sb. The node must be up (the caller answers "down"). */
void sim_render_ifconfig(struct sim_world *w, int pair, int node, struct strbuf *sb);   /* ifconfig -a */
void sim_render_pfsync0(struct sim_world *w, int pair, int node, struct strbuf *sb);    /* ifconfig pfsync0 */
void sim_render_pfctl_si(struct sim_world *w, int pair, int node, struct strbuf *sb);   /* pfctl -vsi */
void sim_render_pfctl_memory(struct sim_world *w, int pair, int node, struct strbuf *sb);
void sim_render_pfctl_creators(struct sim_world *w, int pair, int node, struct strbuf *sb); /* creatorid lines */
void sim_render_sysctl_carp(struct sim_world *w, int pair, int node, struct strbuf *sb); /* sysctl net.inet.carp */
void sim_render_version(struct sim_world *w, int pair, int node, struct strbuf *sb);    /* opnsense-version */
void sim_render_show_carp(struct sim_world *w, int pair, int node, struct strbuf *sb);  /* configctl interface show carp */
void sim_render_config_xml(struct sim_world *w, int pair, int node, struct strbuf *sb); /* /conf/config.xml */

#endif
