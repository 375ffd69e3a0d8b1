#include "action.h"

#include <arpa/inet.h>
#include <stddef.h>

#include "util.h"

const char *action_name(enum action_kind k)
{
	static const char *const names[] = {
		[ACT_MAINTENANCE_TOGGLE] = "maintenance-toggle",
		[ACT_CARP_DISABLE] = "carp-disable",
		[ACT_CARP_ENABLE] = "carp-enable",
		[ACT_VIP_ADD] = "vip-add",
		[ACT_VIP_DELETE] = "vip-delete",
		[ACT_VIP_APPLY] = "vip-apply",
		[ACT_FIRMWARE_UPDATE] = "firmware-update",
		[ACT_REBOOT] = "reboot",
		[ACT_SYNC] = "sync",
	};
	return (size_t)k < ARRAY_LEN(names) && names[k] ? names[k] : "unknown";
}

static bool iface_key_ok(const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++)
		if (!(s[i] == '_' || s[i] == '-' || (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return i > 0;
}

bool vip_spec_check(const struct vip_spec *v, bool need_prefix, const char **why)
{
	unsigned char buf[16];
	int maxbits = inet_pton(AF_INET, v->address, buf) == 1 ? 32 : inet_pton(AF_INET6, v->address, buf) == 1 ? 128 : 0;
	/* An empty interface means "where the VHID's CARP VIP is". */
	if (v->interface[0] && !iface_key_ok(v->interface))
		*why = "interface must be a config key such as lan, wan or opt1";
	else if (!maxbits)
		*why = "address is not an IPv4 or IPv6 address";
	else if (need_prefix && (v->prefix < 1 || v->prefix > maxbits))
		*why = "prefix length missing or out of range (use the interface's subnet size)";
	else if (v->vhid < 1 || v->vhid > 255)
		*why = "vhid must be 1..255";
	else
		return true;
	return false;
}
