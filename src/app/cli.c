#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum {
	OPT_DEMO = 256, OPT_DEMO_LIST, OPT_DEMO_LOG, OPT_DEMO_SPEED, OPT_BATCH, OPT_FORMAT,
	OPT_CLUSTER, OPT_COUNT, OPT_WATCH, OPT_INTERVAL, OPT_READ_ONLY, OPT_WALL, OPT_NO_COLOR, OPT_ASCII,
	OPT_LIST_CHECKS, OPT_VERSION, OPT_RUN, OPT_YES, OPT_FORCE, OPT_RESUME, OPT_ROLLBACK,
	OPT_FROM_XML, OPT_RECORD, OPT_NO_RECORD, OPT_REPLAY, OPT_AT, OPT_EVENTS, OPT_SINCE, OPT_UNTIL,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "demo", optional_argument, NULL, OPT_DEMO },
	{ "demo-list", no_argument, NULL, OPT_DEMO_LIST },
	{ "demo-log", required_argument, NULL, OPT_DEMO_LOG },
	{ "demo-speed", required_argument, NULL, OPT_DEMO_SPEED },
	{ "batch", no_argument, NULL, OPT_BATCH },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "cluster", required_argument, NULL, OPT_CLUSTER },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "watch", no_argument, NULL, OPT_WATCH },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "read-only", no_argument, NULL, OPT_READ_ONLY },
	{ "wall", no_argument, NULL, OPT_WALL },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "list-checks", no_argument, NULL, OPT_LIST_CHECKS },
	{ "from-xml", required_argument, NULL, OPT_FROM_XML },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "rollback", no_argument, NULL, OPT_ROLLBACK },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "no-record", no_argument, NULL, OPT_NO_RECORD },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "at", required_argument, NULL, OPT_AT },
	{ "events", no_argument, NULL, OPT_EVENTS },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *f)
{
	fputs("Usage: carptop [OPTION]...\n"
	      "A console for OPNsense CARP high-availability pairs: both nodes side by side.\n"
	      "\n"
	      "  -c, --config FILE     configuration file (default $XDG_CONFIG_HOME/carptop/config.yaml)\n"
	      "      --demo[=SCENARIO[,SCENARIO...]]\n"
	      "                        use a built-in simulated pair instead of a config;\n"
	      "                        several scenarios: one simulated cluster each\n"
	      "      --demo-list       list the demo scenarios\n"
	      "      --demo-log FILE   write the simulated pair's CARP transitions to FILE\n"
	      "      --demo-speed X    run the simulated pair's clock X times faster\n"
	      "      --batch           print the state once and exit (see --format, --count, --watch)\n"
	      "      --format FMT      batch output: text (default), json, nagios, prometheus\n"
	      "      --cluster NAME    only this cluster\n"
	      "      --count N         batch: print N rounds, one per interval\n"
	      "      --watch           batch: print every interval until interrupted\n"
	      "      --interval SECS   seconds between polls (overrides the config)\n"
	      "      --read-only       make no change to any node (enforced in the backends)\n"
	      "      --wall            read-only wall display for a NOC screen\n"
	      "      --no-color        no colours (also when NO_COLOR is set)\n"
	      "      --ascii           no line-drawing characters\n"
	      "      --list-checks     print the tables of pair checks (live and config)\n"
	      "      --from-xml P.xml S.xml\n"
	      "                        batch: run the config checks and drift on two config.xml\n"
	      "                        backups (primary's first) without contacting any node\n"
	      "      --run WORKFLOW [key=value...]\n"
	      "                        batch: run a guided workflow (update, add-alias, failover-test,\n"
	      "                        maintenance-enter, maintenance-leave, carp-disable, carp-enable,\n"
	      "                        sync); without --yes only the plan is printed\n"
	      "      --yes             carry the workflow out, confirming each step\n"
	      "      --force           override the interlocks (logged in the audit log)\n"
	      "      --resume          continue the cluster's interrupted workflow from its journal\n"
	      "      --rollback        undo the steps of the cluster's interrupted workflow\n"
	      "      --record FILE     record every poll to FILE (the console and --watch record to\n"
	      "                        the state directory anyway; a one-shot --batch only so)\n"
	      "      --no-record       do not record\n"
	      "      --replay PATH     open a recording (file or directory of segments) read-only\n"
	      "      --at TIME         batch replay: the state at TIME (ISO 8601, or HH:MM[:SS] today)\n"
	      "      --events          batch replay: the event timeline, per VHID who was MASTER\n"
	      "      --since TIME, --until TIME\n"
	      "                        limit --events to this window\n"
	      "  -h, --help            this help\n"
	      "      --version         print the version\n"
	      "\n"
	      "Exit status: text, json and nagios exit with the worst verdict (0 OK, 1 WARNING,\n"
	      "2 CRITICAL, 3 UNKNOWN); prometheus exits 0 whenever the metrics were written\n"
	      "(the status is in carptop_cluster_status) and 3 when they could not be;\n"
	      "usage and configuration errors exit 3.\n",
	      f);
}

static int parse_positive(const char *what, const char *arg, double *out, char **cause)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !(v > 0) || v > 86400) {
		*cause = xasprintf("%s: '%s' is not a positive number of seconds (e.g. %s 2)", what, arg, what);
		return -1;
	}
	*out = v;
	return 0;
}

/* The recorder's and the replay's options among themselves and the rest. */
static int replay_options(const struct cli *o, char **cause)
{
	if (o->record && o->no_record) {
		*cause = xstrdup("--record and --no-record exclude each other");
		return -1;
	}
	if ((o->at || o->events || o->since || o->until) && !o->replay) {
		*cause = xstrdup("--at, --events, --since and --until read a recording: add --replay PATH");
		return -1;
	}
	if (!o->replay)
		return 0;
	if (o->demo || o->config_path || o->run || o->resume || o->rollback || o->count || o->watch || o->record ||
	    o->from_xml[0]) {
		*cause = xstrdup("--replay shows a recording and contacts no node: it excludes --demo, -c, --run, "
				 "--count, --watch, --record and --from-xml");
		return -1;
	}
	if (o->at && o->events) {
		*cause = xstrdup("--at and --events exclude each other");
		return -1;
	}
	if ((o->since || o->until) && !o->events) {
		*cause = xstrdup("--since and --until go with --events");
		return -1;
	}
	if (o->batch && !o->at && !o->events) {
		*cause = xstrdup("--batch --replay needs --at TIME (the state then) or --events (the timeline)");
		return -1;
	}
	if (!o->batch && (o->at || o->events)) {
		*cause = xstrdup("--at and --events are batch options; add --batch (the console replays with its "
				 "own time bar)");
		return -1;
	}
	return 0;
}

int cli_parse(int argc, char **argv, struct cli *o, char **cause)
{
	int c;
	long n;

	memset(o, 0, sizeof(*o));
	o->format = "text";
	o->demo_speed = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config_path = optarg;
			break;
		case OPT_DEMO:
			o->demo = true;
			o->demo_scenario = optarg;
			break;
		case OPT_DEMO_LIST:
			o->demo_list = true;
			break;
		case OPT_DEMO_LOG:
			o->demo_log = optarg;
			break;
		case OPT_DEMO_SPEED:
			if (parse_positive("--demo-speed", optarg, &o->demo_speed, cause) < 0)
				return -1;
			break;
		case OPT_BATCH:
			o->batch = true;
			break;
		case OPT_FORMAT:
			o->format = optarg;
			break;
		case OPT_CLUSTER:
			o->cluster = optarg;
			break;
		case OPT_COUNT:
			if (!str_to_long(optarg, &n) || n < 1) {
				*cause = xasprintf("--count: '%s' is not a positive whole number", optarg);
				return -1;
			}
			o->count = (int)n;
			break;
		case OPT_WATCH:
			o->watch = true;
			break;
		case OPT_INTERVAL:
			if (parse_positive("--interval", optarg, &o->interval, cause) < 0)
				return -1;
			break;
		case OPT_READ_ONLY:
			o->read_only = true;
			break;
		case OPT_WALL:
			o->wall = true;
			o->read_only = true;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case OPT_ASCII:
			o->ascii = true;
			break;
		case OPT_LIST_CHECKS:
			o->list_checks = true;
			break;
		case OPT_FROM_XML:
			o->from_xml[0] = optarg; /* the secondary's file is the next argument */
			break;
		case OPT_RUN:
			o->run = optarg;
			break;
		case OPT_YES:
			o->yes = true;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_RESUME:
			o->resume = true;
			break;
		case OPT_ROLLBACK:
			o->rollback = true;
			break;
		case OPT_RECORD:
			o->record = optarg;
			break;
		case OPT_NO_RECORD:
			o->no_record = true;
			break;
		case OPT_REPLAY:
			o->replay = optarg;
			break;
		case OPT_AT:
			o->at = optarg;
			break;
		case OPT_EVENTS:
			o->events = true;
			break;
		case OPT_SINCE:
			o->since = optarg;
			break;
		case OPT_UNTIL:
			o->until = optarg;
			break;
		case 'h':
			o->help = true;
			break;
		case OPT_VERSION:
			o->version = true;
			break;
		case ':':
			*cause = xasprintf("option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			*cause = xasprintf("unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (o->from_xml[0]) {
		if (optind >= argc) {
			*cause = xstrdup("--from-xml needs two files: the primary's config.xml, then the secondary's");
			return -1;
		}
		o->from_xml[1] = argv[optind++];
		if (o->demo || o->config_path || o->count || o->watch || o->run) {
			*cause = xstrdup("--from-xml reads two files and contacts no node: it excludes --demo, -c, "
					 "--count, --watch and --run");
			return -1;
		}
		o->batch = true; /* files have no console */
	}
	if (optind < argc && !o->run) {
		*cause = xasprintf("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	o->wf_args = argv + optind;
	o->n_wf_args = argc - optind;
	if ((o->run || o->resume || o->rollback) && !o->batch) {
		*cause = xstrdup("workflows run in batch mode here (add --batch); the console has its own workflow view");
		return -1;
	}
	if ((o->run != NULL) + o->resume + o->rollback > 1) {
		*cause = xstrdup("--run, --resume and --rollback exclude each other");
		return -1;
	}
	if ((o->yes || o->force) && !(o->run || o->resume || o->rollback)) {
		*cause = xstrdup("--yes and --force go with --run, --resume or --rollback");
		return -1;
	}
	if (o->count && o->watch) {
		*cause = xstrdup("--count and --watch exclude each other");
		return -1;
	}
	if ((o->count || o->watch) && !o->batch) {
		*cause = xstrdup("--count and --watch are batch options; add --batch");
		return -1;
	}
	if (o->wall && o->batch) {
		*cause = xstrdup("--wall is a display and --batch prints once: they exclude each other");
		return -1;
	}
	if (o->demo && o->config_path) {
		*cause = xstrdup("--demo and -c exclude each other: the demo has its own simulated pair");
		return -1;
	}
	if (replay_options(o, cause) < 0)
		return -1;
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		o->no_color = true;
	return 0;
}
