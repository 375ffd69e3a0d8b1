/* Where carptop keeps state that must survive it: the audit log, workflow
 * journals and per-cluster locks ($XDG_STATE_HOME/carptop, else
 * ~/.local/state/carptop). */
#ifndef CARPTOP_STATEDIR_H
#define CARPTOP_STATEDIR_H

/* Demo runs (--demo) keep their audit log, journals and locks apart, in
 * the state directory's demo/ subdirectory: simulated changes never land
 * in the real audit log, and a demo journal never blocks a real run.
 * Called once, before anything is written. */
void statedir_use_demo(void);

/* The directory, created (0700) if missing. NULL and *cause on failure. */
char *statedir_get(char **cause);
/* A path inside it ("journal/hq.journal"); parent directories created. */
char *statedir_path(const char *rel, char **cause);

#endif
