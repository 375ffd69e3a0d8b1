#include "loop.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The poll set is kept across iterations: pfds[] is what poll() gets, as
 * it is, and fds[] the callbacks of the same slots. loop_fd_set changes a
 * slot in place (found through slot_of[fd]); a removed one keeps fd -1,
 * which poll() ignores, until it is reused or compacted after dispatch.
 * Nothing is rebuilt per iteration, so 2000 sockets cost one poll() call
 * and no copying. */
struct loop_fd {
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
	struct pollfd *pfds;
	struct loop_fd *fds;
	size_t n_fds, cap_fds;
	int *slot_of;        /* fd -> its slot, -1 when not watched */
	size_t cap_slot_of;
	bool holes;          /* a removed slot waits for compaction */
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
	free(l->pfds);
	free(l->fds);
	free(l->slot_of);
	free(l->timers);
	free(l);
}

static int slot_find(const struct loop *l, int fd)
{
	return fd >= 0 && (size_t)fd < l->cap_slot_of ? l->slot_of[fd] : -1;
}

static void slot_index(struct loop *l, int fd, int slot)
{
	if ((size_t)fd >= l->cap_slot_of) {
		size_t cap = l->cap_slot_of ? l->cap_slot_of : 64, k;
		while (cap <= (size_t)fd)
			cap *= 2;
		l->slot_of = xrealloc(l->slot_of, cap * sizeof(*l->slot_of));
		for (k = l->cap_slot_of; k < cap; k++)
			l->slot_of[k] = -1;
		l->cap_slot_of = cap;
	}
	l->slot_of[fd] = slot;
}

void loop_fd_set(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg)
{
	int i = slot_find(l, fd);
	if (fd < 0)
		return;
	if (events == 0) {
		if (i >= 0) {
			/* Compacted after dispatch: keeps slots stable meanwhile. */
			l->pfds[i].fd = -1;
			l->pfds[i].revents = 0;
			l->slot_of[fd] = -1;
			l->holes = true;
		}
		return;
	}
	if (i < 0) {
		if (l->n_fds == l->cap_fds) {
			l->cap_fds = l->cap_fds ? l->cap_fds * 2 : 16;
			l->pfds = xrealloc(l->pfds, l->cap_fds * sizeof(*l->pfds));
			l->fds = xrealloc(l->fds, l->cap_fds * sizeof(*l->fds));
		}
		/* Appended, not put in a hole: a hole may still carry revents
		 * of this very iteration, meant for the fd that was there. */
		i = (int)l->n_fds++;
		slot_index(l, fd, i);
		l->pfds[i] = (struct pollfd){ .fd = fd };
	}
	l->pfds[i].events = events;
	l->fds[i] = (struct loop_fd){ .cb = cb, .arg = arg };
}

size_t loop_fd_count(const struct loop *l)
{
	size_t i, n = 0;
	for (i = 0; i < l->n_fds; i++)
		n += l->pfds[i].fd >= 0;
	return n;
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

/* Move the last slot into each removed one. */
static void compact(struct loop *l)
{
	size_t i;
	for (i = 0; i < l->n_fds;) {
		if (l->pfds[i].fd >= 0) {
			i++;
			continue;
		}
		l->n_fds--;
		if (i < l->n_fds) {
			l->pfds[i] = l->pfds[l->n_fds];
			l->fds[i] = l->fds[l->n_fds];
			if (l->pfds[i].fd >= 0) /* else a hole moved: looked at again */
				l->slot_of[l->pfds[i].fd] = (int)i;
		}
	}
	l->holes = false;
}

int loop_run_once(struct loop *l, int max_wait_ms)
{
	size_t i, n;
	double now = now_ms();
	int timeout = max_wait_ms, rc, ran = 0;

	for (i = 0; i < l->n_timers; i++) {
		double d = ceil(l->timers[i].due - now);
		int di = d < 0 ? 0 : (int)d;
		if (timeout < 0 || di < timeout)
			timeout = di;
	}

	if (l->holes)
		compact(l);
	n = l->n_fds;
	rc = poll(l->pfds, n, timeout);
	if (rc < 0 && errno != EINTR)
		return -1;
	/* Slots stay where they are during dispatch (removals leave holes,
	 * additions go at the end, past n): a callback may change the set. */
	for (i = 0; rc > 0 && i < n; i++) {
		short revents = l->pfds[i].revents;
		struct loop_fd f;
		if (!revents || l->pfds[i].fd < 0)
			continue;
		l->pfds[i].revents = 0;
		f = l->fds[i];
		f.cb(l->pfds[i].fd, revents, f.arg);
		ran++;
	}
	ran += run_due_timers(l);
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
