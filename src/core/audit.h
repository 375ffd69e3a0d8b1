/* The append-only audit log of every mutating call: time, local user,
 * cluster, node, action, result. Never a secret (actions carry none). */
#ifndef CARPTOP_AUDIT_H
#define CARPTOP_AUDIT_H

/* Append one line. `result` is "sent", "ok", "refused", "failed". Returns
 * 0, or -1 when the log cannot be written (the caller refuses to act). */
int audit_log(const char *cluster, const char *node, const char *action, const char *result, const char *detail);
/* The log's path (for messages), a new string, or NULL. */
char *audit_path(void);

#endif
