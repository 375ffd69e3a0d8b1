/* Command line options. */
#ifndef CARPTOP_CLI_H
#define CARPTOP_CLI_H

#include <stdbool.h>
#include <stdio.h>

struct cli {
	const char *config_path;   /* -c */
	bool demo;
	const char *demo_scenario; /* --demo=S */
	const char *demo_log;      /* --demo-log FILE: the sim's CARP transition log */
	double demo_speed;         /* --demo-speed X (sim seconds per second) */
	bool demo_list;
	bool batch;
	const char *format;        /* text|json|nagios|prometheus */
	const char *cluster;
	int count;                 /* --count N (0 = once) */
	bool watch;
	double interval;           /* 0 = from config */
	bool read_only;
	bool wall;
	bool no_color;
	bool ascii;
	bool list_checks;
	const char *from_xml[2];   /* --from-xml PRIMARY SECONDARY: config checks offline */
	const char *run;           /* --run WORKFLOW */
	char **wf_args;            /* key=value parameters after --run */
	int n_wf_args;
	bool yes;                  /* --yes: carry the workflow out (else: plan only) */
	bool force;                /* --force: override interlocks (logged) */
	bool resume, rollback;     /* --resume / --rollback the unfinished workflow */
	const char *record;        /* --record FILE: record to this file (also a one-shot --batch) */
	bool no_record;            /* --no-record */
	const char *replay;        /* --replay PATH: a recording file or directory */
	const char *at;            /* --at TIME (batch replay: the state then) */
	bool events;               /* --events (batch replay: the event timeline) */
	const char *since, *until; /* --since/--until TIME for --events */
	bool help, version;
};

/* Parse argv. Returns 0, or -1 with *cause set to a usage error. */
int cli_parse(int argc, char **argv, struct cli *o, char **cause);
void cli_usage(FILE *f);

#endif
