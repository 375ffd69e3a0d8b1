/* What the four renderers (output_text.c, output_json.c, output_nagios.c,
 * output_prom.c) share, so that every format says the same thing: the
 * overall verdict, the words of the machine formats, node and VHID
 * wording, locale-proof numbers, inert remote text. */
#include "output_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum severity output_overall(const struct pair_view *views, size_t n)
{
	enum severity worst = SEV_OK;
	size_t i;
	if (n == 0)
		return SEV_UNKNOWN;
	/* The enum is ordered by badness (CRITICAL above UNKNOWN, as the
	 * monitoring-plugins guidelines rank them). */
	for (i = 0; i < n; i++)
		if (views[i].verdict > worst)
			worst = views[i].verdict;
	return worst;
}

const char *out_verdict_word(enum severity s)
{
	switch (s) {
	case SEV_OK:
	case SEV_INFO:
		return "ok";
	case SEV_WARNING:
		return "warning";
	case SEV_CRITICAL:
		return "critical";
	case SEV_UNKNOWN:
	default:
		return "unknown";
	}
}

const char *out_severity_word(enum severity s)
{
	return s == SEV_INFO ? "info" : out_verdict_word(s);
}

const char *out_severity_upper(enum severity s)
{
	static const char *const names[] = {
		[SEV_OK] = "OK", [SEV_INFO] = "INFO", [SEV_WARNING] = "WARNING",
		[SEV_UNKNOWN] = "UNKNOWN", [SEV_CRITICAL] = "CRITICAL",
	};
	return (size_t)s < ARRAY_LEN(names) ? names[s] : "UNKNOWN";
}

int out_status_code(enum severity s)
{
	return severity_exit_code(s);
}

const char *out_vhid_verdict_word(enum vhid_verdict v)
{
	static const char *const names[] = {
		[VV_OK] = "ok", [VV_SPLIT_BRAIN] = "split-brain", [VV_NO_MASTER] = "no-master",
		[VV_INIT] = "init", [VV_MISMATCH] = "mismatch", [VV_UNKNOWN] = "unknown",
		[VV_NO_REDUNDANCY] = "no-redundancy",
	};
	return (size_t)v < ARRAY_LEN(names) ? names[v] : "unknown";
}

const char *out_role_word(enum node_role r)
{
	return r == ROLE_SECONDARY ? "secondary" : "primary";
}

const char *out_transport_word(enum transport t)
{
	switch (t) {
	case TRANSPORT_API:
		return "api";
	case TRANSPORT_SSH:
		return "ssh";
	case TRANSPORT_SIM:
		return "sim";
	case TRANSPORT_NONE:
	default:
		return "none";
	}
}

bool out_node_insecure(const struct pair_view *v, int i)
{
	return v->cluster && v->cluster->nodes[i].transport == TRANSPORT_API &&
	       v->cluster->nodes[i].api.insecure;
}

void out_insecure_text(char *dst, size_t n, const struct pair_view *v, int i)
{
	str_printf(dst, n, "%s: TLS certificate verification is disabled (api insecure: true); "
		   "the connection can be intercepted", v->node[i].name);
}

const char *out_side_status(const struct pair_view *v, const struct vhid_row *r, int i)
{
	if (!v->node[i].up)
		return "UNKNOWN";
	if (!r->side[i].present)
		return "ABSENT";
	return carp_status_name(r->side[i].status);
}

void out_fixed(char *dst, size_t n, double v, int decimals)
{
	long long scale = 1, whole, frac, scaled;
	bool neg = v < 0;
	int d;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	for (d = 0; d < decimals; d++)
		scale *= 10;
	if (!isfinite(v) || fabs(v) * (double)scale > 9e17) {
		/* Never reached for carptop's values; keep it well-formed anyway. */
		str_printf(dst, n, "%s", "0");
		return;
	}
	scaled = llround(fabs(v) * (double)scale);
	whole = scaled / scale;
	frac = scaled % scale;
	if (scaled == 0)
		neg = false;
	if (decimals == 0)
		str_printf(dst, n, "%s%lld", neg ? "-" : "", whole);
	else
		str_printf(dst, n, "%s%lld.%0*lld", neg ? "-" : "", whole, decimals, frac);
}

void out_add_safe(struct strbuf *sb, const char *s)
{
	size_t len;
	char *tmp;
	if (!s)
		return;
	len = strlen(s);
	tmp = xmalloc(len + 1);
	text_sanitize(tmp, s, len + 1);
	sb_add(sb, tmp);
	free(tmp);
}
