#include "loop.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct loop_fd {
	int fd;
	short events;
	loop_fd_cb cb;
	void *arg;
};

struct loop_timer {
	uint64_t id;
	double due; /* monotonic ms */
	loop_timer_cb cb;
	void *arg;
};

struct loop {
	struct loop_fd *fds;
	size_t n_fds, cap_fds;
	struct loop_timer *timers; /* unsorted; few timers per node */
	size_t n_timers, cap_timers;
	uint64_t next_id;
	bool quit;
};

struct loop *loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));
	l->next_id = 1;
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	free(l->fds);
	free(l->timers);
	free(l);
}

void loop_fd_set(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg)
{
	size_t i;
	for (i = 0; i < l->n_fds; i++)
		if (l->fds[i].fd == fd)
			break;
	if (events == 0) {
		if (i < l->n_fds)
			l->fds[i].fd = -1; /* compacted after dispatch; keeps indices stable meanwhile */
		return;
	}
	if (i == l->n_fds) {
		/* Reuse a removed slot first. */
		for (i = 0; i < l->n_fds; i++)
			if (l->fds[i].fd < 0)
				break;
		if (i == l->n_fds) {
			if (l->n_fds == l->cap_fds) {
				l->cap_fds = l->cap_fds ? l->cap_fds * 2 : 16;
				l->fds = xrealloc(l->fds, l->cap_fds * sizeof(*l->fds));
			}
			l->n_fds++;
		}
	}
	l->fds[i] = (struct loop_fd){ .fd = fd, .events = events, .cb = cb, .arg = arg };
}

uint64_t loop_timer_add(struct loop *l, double delay_ms, loop_timer_cb cb, void *arg)
{
	if (l->n_timers == l->cap_timers) {
		l->cap_timers = l->cap_timers ? l->cap_timers * 2 : 16;
		l->timers = xrealloc(l->timers, l->cap_timers * sizeof(*l->timers));
	}
	l->timers[l->n_timers] = (struct loop_timer){
		.id = l->next_id++, .due = now_ms() + (delay_ms > 0 ? delay_ms : 0), .cb = cb, .arg = arg,
	};
	return l->timers[l->n_timers++].id;
}

void loop_timer_cancel(struct loop *l, uint64_t id)
{
	size_t i;
	for (i = 0; i < l->n_timers; i++) {
		if (l->timers[i].id == id) {
			l->timers[i] = l->timers[--l->n_timers];
			return;
		}
	}
}

static int run_due_timers(struct loop *l)
{
	double now = now_ms();
	int ran = 0;
	size_t i = 0;
	/* A callback may add or cancel timers: restart the scan after each run. */
	while (i < l->n_timers) {
		if (l->timers[i].due <= now) {
			struct loop_timer t = l->timers[i];
			l->timers[i] = l->timers[--l->n_timers];
			t.cb(t.arg);
			ran++;
			i = 0;
			continue;
		}
		i++;
	}
	return ran;
}

int loop_run_once(struct loop *l, int max_wait_ms)
{
	struct pollfd *pfds;
	size_t i, n = 0;
	double now = now_ms();
	int timeout = max_wait_ms, rc, ran = 0;

	for (i = 0; i < l->n_timers; i++) {
		double d = ceil(l->timers[i].due - now);
		int di = d < 0 ? 0 : (int)d;
		if (timeout < 0 || di < timeout)
			timeout = di;
	}

	pfds = xcalloc(l->n_fds + 1, sizeof(*pfds));
	for (i = 0; i < l->n_fds; i++) {
		if (l->fds[i].fd < 0)
			continue;
		pfds[n].fd = l->fds[i].fd;
		pfds[n].events = l->fds[i].events;
		n++;
	}
	rc = poll(pfds, n, timeout);
	if (rc < 0 && errno != EINTR) {
		free(pfds);
		return -1;
	}
	for (i = 0; rc > 0 && i < n; i++) {
		size_t k;
		if (!pfds[i].revents)
			continue;
		/* Look the fd up again: an earlier callback may have removed it. */
		for (k = 0; k < l->n_fds; k++) {
			if (l->fds[k].fd == pfds[i].fd) {
				struct loop_fd f = l->fds[k];
				f.cb(f.fd, pfds[i].revents, f.arg);
				ran++;
				break;
			}
		}
	}
	free(pfds);
	ran += run_due_timers(l);

	/* Compact removed fd slots. */
	for (i = 0; i < l->n_fds;) {
		if (l->fds[i].fd < 0)
			l->fds[i] = l->fds[--l->n_fds];
		else
			i++;
	}
	return ran;
}

void loop_quit(struct loop *l)
{
	l->quit = true;
}

bool loop_quitting(const struct loop *l)
{
	return l->quit;
}

void loop_run(struct loop *l)
{
	while (!l->quit)
		if (loop_run_once(l, -1) < 0)
			break;
}
