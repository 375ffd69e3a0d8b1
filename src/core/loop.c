#include "loop.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* The watch set is kept across iterations, never rebuilt: slots of
 * pfds[] (fd and events) and fds[] (callback), found through slot_of[fd];
 * a removed slot keeps fd -1 until it is compacted after dispatch.
 *
 * On Linux the kernel keeps the set too (epoll): loop_fd_set changes it
 * with epoll_ctl, and a wait costs what is ready, not what is watched;
 * poll() over 2000 sockets made the kernel look at every one of them on
 * every wake-up (a fifth of carptop's CPU at 1000 nodes). Elsewhere, and
 * for what epoll refuses (a regular file as stdin: always ready, as poll()
 * says), pfds[] goes to poll() as it is.
 *
 * Every watch gets a generation: an event is for the watch it was polled
 * for, so a callback that removes an fd and watches its number again (a
 * socket closed and reopened) does not hand the new watch the old one's
 * events. */
#ifdef __linux__
#include <sys/epoll.h>
#define HAVE_EPOLL 1
#else
#define HAVE_EPOLL 0
#endif

bool loop_force_poll;

struct loop_fd {
	loop_fd_cb cb;
	void *arg;
	uint32_t gen;
	bool always;         /* poll() semantics for what epoll refuses: always ready */
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
	int epfd;            /* -1: poll() */
	uint32_t gen;
	size_t n_always;
	struct loop_timer *timers; /* unsorted; few timers per node */
	size_t n_timers, cap_timers;
	uint64_t next_id;
	bool quit;
};

struct loop *loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));
	l->next_id = 1;
	l->epfd = -1;
#if HAVE_EPOLL
	if (!loop_force_poll)
		l->epfd = epoll_create1(EPOLL_CLOEXEC); /* -1: poll() after all */
#endif
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
#if HAVE_EPOLL
	if (l->epfd >= 0)
		close(l->epfd);
#endif
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

#if HAVE_EPOLL
/* Tell the kernel; false when epoll cannot watch the fd. An fd closed
 * without being removed has left the kernel's set by itself: then MOD
 * finds nothing, and DEL finds nothing either, which is fine. */
static bool ep_set(struct loop *l, int op, int fd, short events, uint32_t gen)
{
	struct epoll_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.events = (uint32_t)events;
	ev.data.u64 = (uint64_t)gen << 32 | (uint32_t)fd;
	if (epoll_ctl(l->epfd, op, fd, &ev) == 0)
		return true;
	if (op == EPOLL_CTL_MOD && errno == ENOENT)
		return epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
	if (op == EPOLL_CTL_ADD && errno == EEXIST)
		return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) == 0;
	return op == EPOLL_CTL_DEL;
}
#endif

static void slot_remove(struct loop *l, int i)
{
	int fd = l->pfds[i].fd;
#if HAVE_EPOLL
	if (l->epfd >= 0 && !l->fds[i].always)
		ep_set(l, EPOLL_CTL_DEL, fd, 0, 0);
#endif
	if (l->fds[i].always)
		l->n_always--;
	l->pfds[i].fd = -1;
	l->pfds[i].revents = 0;
	l->slot_of[fd] = -1;
	l->holes = true;
}

void loop_fd_set(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg)
{
	int i = slot_find(l, fd);
	bool added = i < 0;
	if (fd < 0)
		return;
	if (events == 0) {
		if (i >= 0)
			slot_remove(l, i); /* compacted after dispatch: slots stay put meanwhile */
		return;
	}
	if (added) {
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
		l->fds[i] = (struct loop_fd){ .gen = ++l->gen };
	}
	l->pfds[i].events = events;
	l->fds[i].cb = cb;
	l->fds[i].arg = arg;
#if HAVE_EPOLL
	if (l->epfd >= 0 && !l->fds[i].always &&
	    !ep_set(l, added ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, events, l->fds[i].gen)) {
		/* A regular file or the like: poll() calls it always ready. */
		l->fds[i].always = true;
		l->n_always++;
	}
#endif
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

/* Call the watch of fd if it is still the one of generation gen (or any,
 * gen 0) and wants what came. */
static int dispatch(struct loop *l, int fd, uint32_t gen, short revents)
{
	int i = slot_find(l, fd);
	struct loop_fd f;
	if (i < 0 || (gen && l->fds[i].gen != gen))
		return 0;
	f = l->fds[i];
	f.cb(fd, revents, f.arg);
	return 1;
}

#if HAVE_EPOLL
#define EP_BATCH 256

static int wait_epoll(struct loop *l, int timeout)
{
	struct epoll_event ev[EP_BATCH];
	int rc, k, ran = 0;
	size_t i, n;
	if (l->n_always)
		timeout = 0;
	rc = epoll_wait(l->epfd, ev, EP_BATCH, timeout);
	if (rc < 0 && errno != EINTR)
		return -1;
	for (k = 0; k < rc; k++)
		ran += dispatch(l, (int)(uint32_t)ev[k].data.u64, (uint32_t)(ev[k].data.u64 >> 32),
				(short)ev[k].events);
	/* What epoll refused is always ready (as poll() says of a file). */
	for (i = 0, n = l->n_fds; l->n_always && i < n; i++)
		if (l->pfds[i].fd >= 0 && l->fds[i].always)
			ran += dispatch(l, l->pfds[i].fd, l->fds[i].gen, l->pfds[i].events & (POLLIN | POLLOUT));
	return ran;
}
#endif

static int wait_poll(struct loop *l, int timeout)
{
	size_t i, n = l->n_fds;
	int rc, ran = 0;
	rc = poll(l->pfds, n, timeout);
	if (rc < 0 && errno != EINTR)
		return -1;
	/* Slots stay where they are during dispatch (removals leave holes,
	 * additions go at the end, past n): a callback may change the set. */
	for (i = 0; rc > 0 && i < n; i++) {
		short revents = l->pfds[i].revents;
		if (!revents || l->pfds[i].fd < 0)
			continue;
		l->pfds[i].revents = 0;
		ran += dispatch(l, l->pfds[i].fd, l->fds[i].gen, revents);
	}
	return ran;
}

int loop_run_once(struct loop *l, int max_wait_ms)
{
	size_t i;
	double now = now_ms();
	int timeout = max_wait_ms, ran;

	for (i = 0; i < l->n_timers; i++) {
		double d = ceil(l->timers[i].due - now);
		int di = d < 0 ? 0 : (int)d;
		if (timeout < 0 || di < timeout)
			timeout = di;
	}

	if (l->holes)
		compact(l);
#if HAVE_EPOLL
	if (l->epfd >= 0)
		ran = wait_epoll(l, timeout);
	else
#endif
		ran = wait_poll(l, timeout);
	if (ran < 0)
		return -1;
	return ran + run_due_timers(l);
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
