/* Parsers for OPNsense API replies (json-c): one function per endpoint, each
 * turning a response body into snapshot fields. Bodies come from the network
 * and are not trusted: any key order, numbers sent as strings and strings
 * sent as numbers, unknown keys, `\/` escapes, truncated or non-object JSON.
 * A field that is missing keeps its "unknown" value (-1, "" or known=false).
 * Every string is copied bounded; the caller runs snapshot_sanitize() later.
 *
 * Return convention: enum node_error, NERR_NONE (0) on success. On failure
 * the value says what kind (NERR_PROTOCOL: not the JSON we expect,
 * NERR_COMMAND: the node answered but reports that its command failed) and
 * *cause (when cause is not NULL) gets a new string the caller frees. */
#ifndef CARPTOP_API_PARSE_H
#define CARPTOP_API_PARSE_H

#include <stddef.h>

#include "backend.h"
#include "snapshot.h"

/* Bodies larger than this are refused unparsed (a grid of every VIP on a
 * large node is a few hundred KiB at most). */
#define API_BODY_MAX (8u * 1024u * 1024u)

/* GET /api/diagnostics/interface/get_vip_status: appends one vip_row per
 * row, fills s->carp from the `carp` object (carp.known stays false when it
 * is absent). Rows without a usable vhid are skipped and counted in a
 * snapshot_add_partial("vip_status") note. */
enum node_error api_parse_vip_status(const char *body, size_t len, struct snapshot *s, char **cause);

/* GET /api/diagnostics/firewall/pf_states: {"current":"47","limit":"100000"}
 * -> s->states; {"result":"failed"} -> NERR_COMMAND. */
enum node_error api_parse_pf_states(const char *body, size_t len, struct snapshot *s, char **cause);

/* GET /api/diagnostics/interface/get_pfsync_nodes: grid rows
 * {"creatorid":"a2e0f312","this":1} -> s->pfsync.creators, own hostid. */
enum node_error api_parse_pfsync_nodes(const char *body, size_t len, struct snapshot *s, char **cause);

/* GET /api/core/hasync/get: synchronizetoip, syncitems (selected ids as a
 * comma list), pfsyncinterface (selected key), pfsyncpeerip. The reply also
 * carries the XMLRPC username and password in clear text: never read. */
enum node_error api_parse_hasync_get(const char *body, size_t len, struct snapshot *s, char **cause);

/* GET /api/core/hasync_status/version (primary only). Both a success and the
 * node's {"status":"error","message":..} are data about the peer and return
 * NERR_NONE (peer_reachable true/false); anything else is NERR_PROTOCOL. */
enum node_error api_parse_hasync_version(const char *body, size_t len, struct snapshot *s, char **cause);

/* GET /api/core/firmware/info: product_version -> s->firmware.version and
 * s->version. Leaves s->firmware.state alone (info does not say). */
enum node_error api_parse_firmware_info(const char *body, size_t len, struct snapshot *s, char **cause);

/* GET /api/diagnostics/system/system_information: name -> s->hostname;
 * versions[0] "OPNsense 26.7.2-amd64" -> s->version "26.7.2" when
 * s->version is still empty (firmware/info is more precise). */
enum node_error api_parse_system_information(const char *body, size_t len, struct snapshot *s, char **cause);

/* GET /api/core/firmware/upgradestatus: status running/done/reboot/error
 * -> s->firmware.state FW_RUNNING/FW_DONE/FW_REBOOTING/FW_ERROR. */
enum node_error api_parse_upgradestatus(const char *body, size_t len, struct snapshot *s, char **cause);

/* For the firmware-job tracker (backends/parse/fwjob.h), while an update
 * is followed:
 *   upgradestatus: {"status":"running","log":"..."} -> *log (a new string;
 *     the status word is only core's search of the log for markers);
 *   running: {"status":"ready"|"busy"} -> 0 / 1 (-1 otherwise);
 *   system_time: {"datetime":"Wed Dec 2 16:42:44 UTC 2026","boottime":...}
 *     -> the node's clock and boot time as naive seconds (-1 unknown). */
enum node_error api_parse_fw_log(const char *body, size_t len, char **log, char **cause);
int api_parse_fw_running(const char *body, size_t len);
enum node_error api_parse_system_time(const char *body, size_t len, long long *now, long long *boot, char **cause);

/* GET /api/core/backup/backups/this: {"items":[{"time","id",...}]}, newest
 * first. The newest entry's id -> s->config_marker (it changes with every
 * config save, CONTRACT §6); "no-backup" when the list is empty. */
enum node_error api_parse_backups(const char *body, size_t len, struct snapshot *s, char **cause);

/* Replies of action POSTs that answer with "status": carp_status/{action},
 * vip_settings/reconfigure, firmware/update, core/system/reboot,
 * hasync_status/restart_all. Fills r (err and message) and returns r->err.
 * {"status":"ok","action":"enter_maintenance"} -> "enter_maintenance";
 * {"status":"failed"} and {"message":"error"} -> NERR_COMMAND. */
enum node_error api_parse_action_reply(const char *body, size_t len, struct action_result *r);

/* Replies of vip_settings/add_item and del_item, which answer with "result":
 * "saved" (+uuid) / "deleted" -> NERR_NONE; "not found" -> NERR_NOT_FOUND;
 * "failed" with `validations` -> NERR_COMMAND and a readable message
 * ("network: A valid network address is required.; ..."). */
enum node_error api_parse_vip_result(const char *body, size_t len, struct action_result *r);

/* vip_settings/search_item: the uuid of the row matching want's address
 * (compared as binary addresses), vhid and interface (config key "lan" or
 * its description "LAN", case-insensitive). Writes it to uuid (only hex
 * digits and '-' are accepted: it goes into a URL path). NERR_NOT_FOUND
 * when no row matches. The rows also hold the CARP password: never read. */
/* vip_settings/search_item: the config key of the interface the CARP VIP
 * with this VHID is on (an IP alias must go on the same interface). */
enum node_error api_parse_vip_search_carp_iface(const char *body, size_t len, int vhid, char *iface, size_t n,
						char **cause);
enum node_error api_parse_vip_search_find(const char *body, size_t len, const struct vip_spec *want,
					  char *uuid, size_t uuid_size, char **cause);

/* A reply with an HTTP status other than 2xx: classify it and write a precise
 * message for a person into msg. `path` is the request path
 * ("/api/diagnostics/interface/get_vip_status"); it selects the privilege
 * named on a 403 and the release named on a 404. Never fails. */
void api_parse_error_body(int http_status, const char *path, const char *body, size_t len,
			  enum node_error *err, char *msg, size_t msg_size);

/* The privilege ("Interfaces: Virtual IPs: Status") that covers an API path,
 * or NULL if carptop does not know one. For tests and help texts. */
const char *api_privilege_for_path(const char *path);

/* Decode the HTML entities OPNsense puts into error texts (&lt; &gt; &amp;
 * &quot; &#39;) and turn <br/> line breaks into a space. Bounded, always
 * NUL-terminated. Other markup stays as inert text. */
void api_html_to_text(char *dst, const char *src, size_t dst_size);

#endif
