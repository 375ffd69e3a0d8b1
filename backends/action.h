/* What can be asked of a node (the actions), their names, and the answer,
 * apart from the transport interface (backend.h): the console and the
 * audit log name actions without seeing how a node is reached. Only
 * backend_action() runs one, with the workflow engine's grant. */
#ifndef CARPTOP_ACTION_H
#define CARPTOP_ACTION_H

#include <stdbool.h>

#include "snapshot.h"

enum action_kind {
	ACT_MAINTENANCE_TOGGLE = 0, /* carp_status/maintenance: a toggle, read the flag first */
	ACT_CARP_DISABLE,           /* carp_status/disable: allow=0, VHID addresses removed */
	ACT_CARP_ENABLE,            /* carp_status/enable: allow=1, VHID addresses re-added */
	ACT_VIP_ADD,                /* vip_settings/add_item (pending until ACT_VIP_APPLY) */
	ACT_VIP_DELETE,             /* vip_settings/del_item (pending until ACT_VIP_APPLY) */
	ACT_VIP_APPLY,              /* vip_settings/reconfigure, configctl interface vip configure */
	ACT_FIRMWARE_UPDATE,        /* firmware/update: the node reboots when done */
	ACT_REBOOT,                 /* system/reboot */
	ACT_SYNC,                   /* XMLRPC config sync to the peer (primary only) */
	ACT__COUNT
};
const char *action_name(enum action_kind k); /* "maintenance-toggle", "carp-disable", ... */

/* An address to add or delete. */
struct vip_spec {
	char interface[32];         /* config key: "lan", "wan", "opt1" */
	enum vip_mode mode;         /* ACT_VIP_ADD: ipalias (carptop adds aliases only) */
	char address[SNAP_ADDR_LEN];
	int prefix;
	int vhid;
	char descr[64];
};

/* Check a VIP before anything is sent (every transport): interface a config
 * key or "" (where the VHID's CARP VIP is), address by inet_pton, prefix
 * within the family (need_prefix), vhid 1..255. false with *why set. */
bool vip_spec_check(const struct vip_spec *v, bool need_prefix, const char **why);

struct action {
	enum action_kind kind;
	struct vip_spec vip;        /* ACT_VIP_ADD / ACT_VIP_DELETE */
};

struct action_result {
	enum node_error err;        /* NERR_NONE on success */
	char message[SNAP_MSG_LEN]; /* what the node said ("enter_maintenance", an error) */
};

#endif
